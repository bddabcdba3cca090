//! The message context-menu command (English base: "Explain
//! bounce"): staff explain anyone's post without copying it.

use crate::bot::{Context, Error};
use poise::serenity_prelude as serenity;

/// Explain the bounce in this message
#[poise::command(context_menu_command = "Explain bounce")]
pub async fn explain_message(ctx: Context<'_>, message: serenity::Message) -> Result<(), Error> {
    super::explain_and_reply(
        ctx,
        Some(message.content.clone()),
        &message.attachments,
        false,
    )
    .await
}
