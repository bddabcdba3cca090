//! `/bounce history`: the latest cases with links to their messages (staff:
//! members who can manage messages).

use crate::bot::helpdesk::{db, message_link};
use crate::bot::{embed, no_mentions, Context, Error};
use poise::serenity_prelude as serenity;

/// Staff: members who can manage messages (or the server).
pub async fn is_staff_member(ctx: Context<'_>) -> Result<bool, Error> {
    Ok(crate::bot::helpdesk::is_staff(
        super::config::interaction_permissions(ctx),
    ))
}

/// The latest bounce cases (staff)
#[poise::command(
    slash_command,
    guild_only,
    ephemeral,
    default_member_permissions = "MANAGE_MESSAGES",
    check = "is_staff_member"
)]
pub async fn history(ctx: Context<'_>) -> Result<(), Error> {
    let data = ctx.data();
    let guild = ctx.guild_id().ok_or("guild only")?.get();
    let cases = db(data, move |s| s.history(guild, 15)).await?;
    let ui = |k: &str| data.responses.ui(k, &[]);
    let lines: Vec<String> = cases
        .iter()
        .map(|c| {
            let state = if c.state == "resolved" {
                ui("state_resolved")
            } else {
                ui("state_open")
            };
            let headline = c
                .recorded
                .reason
                .as_deref()
                .and_then(crate::Reason::from_name)
                .map(|r| data.responses.reason(r).headline.clone())
                .unwrap_or_else(|| ui("unknown_value"));
            format!(
                "#{} <t:{}:R> {} [{}]({})",
                c.id,
                c.recorded.created_at,
                headline,
                state,
                message_link(
                    c.recorded.guild_id,
                    c.recorded.channel_id,
                    c.recorded.message_id
                )
            )
        })
        .collect();
    let description = if lines.is_empty() {
        ui("history_empty")
    } else {
        lines.join("\n")
    };
    let embed = serenity::CreateEmbed::new()
        .title(embed::clip(&ui("history_title"), 256))
        .colour(serenity::Colour::new(embed::COLOUR_INFO))
        .description(embed::clip(&description, embed::DESCRIPTION_MAX));
    ctx.send(
        poise::CreateReply::default()
            .embed(embed)
            .ephemeral(true)
            .allowed_mentions(no_mentions()),
    )
    .await?;
    Ok(())
}
