//! Button presses: the technical-details button shows the servers' own words, only to the
//! person who pressed it.

use crate::bot::embed::{technical_text, TECHNICAL_BUTTON};
use crate::bot::{embed, no_mentions, Data, Error};
use poise::serenity_prelude as serenity;

pub async fn on_component(
    ctx: &serenity::Context,
    c: &serenity::ComponentInteraction,
    data: &Data,
) -> Result<(), Error> {
    let Some(key) = c.data.custom_id.strip_prefix(TECHNICAL_BUTTON) else {
        return Ok(());
    };
    let text = match data.technical.get(key) {
        Some(t) => technical_text(&data.responses, &t),
        None => embed::content(&data.responses.ui("technical_expired", &[])),
    };
    let response = serenity::CreateInteractionResponseMessage::new()
        .content(text)
        .ephemeral(true)
        .allowed_mentions(no_mentions());
    c.create_response(
        &ctx.http,
        serenity::CreateInteractionResponse::Message(response),
    )
    .await?;
    Ok(())
}
