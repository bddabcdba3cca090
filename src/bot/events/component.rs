//! Button presses: technical details (only to the person who pressed it),
//! resolve a case (the poster or staff; archives its thread), and call the
//! escalation role (once per case; the one place the bot pings, and only
//! that role).

use crate::bot::embed::{technical_text, TECHNICAL_BUTTON};
use crate::bot::helpdesk::{db, is_staff, message_link, settings, ESCALATE_BUTTON, RESOLVE_BUTTON};
use crate::bot::{embed, no_mentions, Data, Error};
use crate::store::now;
use poise::serenity_prelude as serenity;

pub async fn on_component(
    ctx: &serenity::Context,
    c: &serenity::ComponentInteraction,
    data: &Data,
) -> Result<(), Error> {
    let id = c.data.custom_id.as_str();
    if let Some(key) = id.strip_prefix(TECHNICAL_BUTTON) {
        let text = match data.technical.get(key) {
            Some(t) => technical_text(&data.responses, &t),
            None => embed::content(&data.responses.ui("technical_expired", &[])),
        };
        return ephemeral(ctx, c, &text).await;
    }
    if let Some(case) = id
        .strip_prefix(RESOLVE_BUTTON)
        .and_then(|n| n.parse::<i64>().ok())
    {
        return resolve(ctx, c, data, case).await;
    }
    if let Some(case) = id
        .strip_prefix(ESCALATE_BUTTON)
        .and_then(|n| n.parse::<i64>().ok())
    {
        return escalate(ctx, c, data, case).await;
    }
    Ok(())
}

async fn ephemeral(
    ctx: &serenity::Context,
    c: &serenity::ComponentInteraction,
    text: &str,
) -> Result<(), Error> {
    let response = serenity::CreateInteractionResponseMessage::new()
        .content(embed::content(text))
        .ephemeral(true)
        .allowed_mentions(no_mentions());
    c.create_response(
        &ctx.http,
        serenity::CreateInteractionResponse::Message(response),
    )
    .await?;
    Ok(())
}

async fn resolve(
    ctx: &serenity::Context,
    c: &serenity::ComponentInteraction,
    data: &Data,
    case_id: i64,
) -> Result<(), Error> {
    let ui = |key: &str, case: i64| data.responses.ui(key, &[("case", case.to_string())]);
    let Some(case) = db(data, move |s| s.case(case_id)).await? else {
        return ephemeral(ctx, c, &ui("case_unknown", case_id)).await;
    };
    let permissions = c.member.as_ref().and_then(|m| m.permissions);
    if c.user.id.get() != case.recorded.user_id && !is_staff(permissions) {
        return ephemeral(ctx, c, &ui("case_not_allowed", case_id)).await;
    }
    let by = c.user.id.get();
    let changed = db(data, move |s| s.resolve(case_id, by, now())).await?;
    tracing::info!(case = case_id, user = %c.user.id, changed, "case resolved");
    let key = if changed {
        "case_resolved"
    } else {
        "case_already_resolved"
    };
    ephemeral(ctx, c, &ui(key, case_id)).await?;
    if let (true, Some(thread)) = (changed, case.recorded.thread_id) {
        serenity::ChannelId::new(thread)
            .edit_thread(&ctx.http, serenity::EditThread::new().archived(true))
            .await?;
    }
    Ok(())
}

async fn escalate(
    ctx: &serenity::Context,
    c: &serenity::ComponentInteraction,
    data: &Data,
    case_id: i64,
) -> Result<(), Error> {
    let Some(case) = db(data, move |s| s.case(case_id)).await? else {
        return ephemeral(ctx, c, &data.responses.ui("case_unknown", &[])).await;
    };
    let settings = settings(data, c.guild_id).await?;
    let Some(role) = settings.escalation_role else {
        return ephemeral(ctx, c, &data.responses.ui("escalation_no_role", &[])).await;
    };
    let first_time = db(data, move |s| s.escalate(case_id, now())).await?;
    if !first_time {
        return ephemeral(ctx, c, &data.responses.ui("escalation_already", &[])).await;
    }
    let headline = case
        .recorded
        .reason
        .as_deref()
        .and_then(crate::Reason::from_name)
        .map(|r| data.responses.reason(r).headline.clone())
        .unwrap_or_else(|| data.responses.ui("unknown_value", &[]));
    let text = data.responses.ui(
        "escalation_message",
        &[
            ("role", format!("<@&{role}>")),
            ("case", case_id.to_string()),
            ("headline", headline),
            (
                "status",
                case.recorded
                    .status
                    .clone()
                    .unwrap_or_else(|| data.responses.ui("unknown_value", &[])),
            ),
            (
                "link",
                message_link(
                    case.recorded.guild_id,
                    case.recorded.channel_id,
                    case.recorded.message_id,
                ),
            ),
        ],
    );
    // The single ping the bot ever sends: the escalation role, nothing else.
    let mentions = serenity::CreateAllowedMentions::new()
        .roles(vec![serenity::RoleId::new(role)])
        .replied_user(false);
    let target = case
        .recorded
        .thread_id
        .map(serenity::ChannelId::new)
        .unwrap_or(serenity::ChannelId::new(case.recorded.channel_id));
    target
        .send_message(
            &ctx.http,
            serenity::CreateMessage::new()
                .content(embed::content(&text))
                .allowed_mentions(mentions),
        )
        .await?;
    tracing::info!(case = case_id, user = %c.user.id, "case escalated");
    ephemeral(ctx, c, &data.responses.ui("escalation_done", &[])).await
}
