//! `/bounce help`: how to use the bot (ephemeral).

use crate::bot::{embed, no_mentions, Context, Error};

/// How to use this bot
#[poise::command(slash_command, ephemeral)]
pub async fn help(ctx: Context<'_>) -> Result<(), Error> {
    let text = embed::content(&ctx.data().labels.help_text.text);
    ctx.send(
        poise::CreateReply::default()
            .content(text)
            .ephemeral(true)
            .allowed_mentions(no_mentions()),
    )
    .await?;
    Ok(())
}
