//! Slash commands and the message context-menu command, one file each.

pub mod bounce;
pub mod code;
pub mod config;
pub mod context_menu;
pub mod explain;
pub mod help;
pub mod history;
pub mod stats;

use crate::bot::answer::{analyze_inputs, build, gather};
use crate::bot::{embed, no_mentions, Context, Error};
use poise::serenity_prelude as serenity;

/// Explains text and attachments as the reply to an interaction: deferred
/// first (analysis may outlast Discord's three seconds), then completed.
pub async fn explain_and_reply(
    ctx: Context<'_>,
    text: Option<String>,
    attachments: &[serenity::Attachment],
    ephemeral: bool,
) -> Result<(), Error> {
    let data = ctx.data();
    let _inflight = data.inflight.start();
    if ephemeral {
        ctx.defer_ephemeral().await?;
    } else {
        ctx.defer().await?;
    }
    let settings = crate::bot::helpdesk::settings(data, ctx.guild_id()).await?;
    let gathered = gather(data, text, attachments).await;
    let analyses = if gathered.inputs.is_empty() {
        Vec::new()
    } else {
        analyze_inputs(data, gathered.inputs, settings.own_domains.clone()).await?
    };
    let answer = build(data, &analyses, settings.mask_addresses, None);
    let mut reply = poise::CreateReply::default()
        .ephemeral(ephemeral)
        .allowed_mentions(no_mentions());
    for e in answer.embeds {
        reply = reply.embed(e);
    }
    reply = reply.components(answer.components);
    if !gathered.notices.is_empty() {
        reply = reply.content(embed::content(&gathered.notices.join("\n")));
    }
    ctx.send(reply).await?;
    Ok(())
}
