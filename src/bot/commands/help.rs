//! `/bounce help`: how to use the bot (ephemeral).

use crate::bot::{reply_privately, Context, Error};

/// How to use this bot
#[poise::command(slash_command, ephemeral)]
pub async fn help(ctx: Context<'_>) -> Result<(), Error> {
    reply_privately(ctx, &ctx.data().labels.help_text.text).await
}
