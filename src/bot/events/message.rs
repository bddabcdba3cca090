//! A message in a help channel, or one that mentions the bot: when it holds a
//! bounce (pasted or attached), answer with the explanation, as a reply or in
//! a thread on the message (server setting), and record it as a case;
//! otherwise stay silent (a mention still gets a short hint). Replies ping
//! nobody.

use crate::bot::answer::{analyze_inputs, build, found_bounce, gather};
use crate::bot::helpdesk::{is_help_channel, record_case, settings};
use crate::bot::ratelimit::Verdict;
use crate::bot::{embed, no_mentions, Data, Error};
use poise::serenity_prelude as serenity;

pub async fn on_message(
    ctx: &serenity::Context,
    msg: &serenity::Message,
    data: &Data,
) -> Result<(), Error> {
    if msg.author.bot || msg.author.id == data.bot_user {
        return Ok(());
    }
    let mentioned = msg.mentions.iter().any(|u| u.id == data.bot_user);
    if !mentioned
        && msg.guild_id.is_none()
        && !data.config.help_channels.contains(&msg.channel_id.get())
    {
        return Ok(());
    }
    let settings = settings(data, msg.guild_id).await?;
    let in_help_channel = is_help_channel(data, &settings, msg.channel_id.get());
    if !in_help_channel && !mentioned {
        return Ok(());
    }
    let _inflight = data.inflight.start();
    let text = strip_mentions(&msg.content, data.bot_user);
    let readable = msg.attachments.iter().any(|a| {
        crate::bot::attachments::kind(&a.filename) != crate::bot::attachments::Kind::Other
    });

    // Cheap test first: ordinary chat costs no download and no answer.
    if !readable {
        let analyses = analyze_inputs(
            data,
            vec![text.clone().into_bytes()],
            settings.own_domains.clone(),
        )
        .await?;
        if !found_bounce(&analyses) {
            if mentioned && !text.trim().is_empty() {
                reply_text(ctx, msg, &data.responses.ui("not_bounce_short", &[])).await?;
            }
            return Ok(());
        }
        if !allowed(ctx, msg, data).await? {
            return Ok(());
        }
        return send(ctx, msg, data, &settings, &analyses, &[]).await;
    }

    if !allowed(ctx, msg, data).await? {
        return Ok(());
    }
    let _typing = msg.channel_id.start_typing(&ctx.http);
    let gathered = gather(data, Some(text), &msg.attachments).await;
    let analyses = if gathered.inputs.is_empty() {
        Vec::new()
    } else {
        analyze_inputs(data, gathered.inputs, settings.own_domains.clone()).await?
    };
    if !found_bounce(&analyses) {
        let mut notices = gathered.notices;
        if notices.is_empty() {
            notices.push(data.responses.ui("not_bounce_short", &[]));
        }
        return reply_text(ctx, msg, &notices.join("\n")).await;
    }
    send(ctx, msg, data, &settings, &analyses, &gathered.notices).await
}

/// Checks the user's rate limit; over it, sends the polite notice once.
async fn allowed(
    ctx: &serenity::Context,
    msg: &serenity::Message,
    data: &Data,
) -> Result<bool, Error> {
    match data.limiter.check(msg.author.id.get()) {
        Verdict::Allowed => Ok(true),
        Verdict::Limited {
            notify,
            retry_after_secs,
        } => {
            tracing::info!(user = %msg.author.id, notify, "rate limited");
            if notify {
                reply_text(
                    ctx,
                    msg,
                    &data
                        .responses
                        .ui("rate_limited", &[("seconds", retry_after_secs.to_string())]),
                )
                .await?;
            }
            Ok(false)
        }
    }
}

async fn send(
    ctx: &serenity::Context,
    msg: &serenity::Message,
    data: &Data,
    settings: &crate::store::GuildSettings,
    analyses: &[crate::Analysis],
    notices: &[String],
) -> Result<(), Error> {
    let case = record_case(data, msg, analyses, None).await?;
    // In thread mode the answer goes to a thread opened on the message.
    let thread = match (settings.thread_mode, msg.guild_id, case) {
        (true, Some(_), Some(case)) => {
            let name = embed::clip(
                &data
                    .responses
                    .ui("thread_name", &[("case", case.to_string())]),
                90,
            );
            let thread = msg
                .channel_id
                .create_thread_from_message(
                    &ctx.http,
                    msg.id,
                    serenity::CreateThread::new(name)
                        .auto_archive_duration(serenity::AutoArchiveDuration::OneDay),
                )
                .await?;
            let id = thread.id.get();
            crate::bot::helpdesk::db(data, move |s| s.set_thread(case, id)).await?;
            Some(thread.id)
        }
        _ => None,
    };
    let answer = build(data, analyses, settings.mask_addresses, case);
    let reasons: Vec<&str> = analyses
        .iter()
        .flat_map(|a| a.results.iter().map(|r| r.reason.as_str()))
        .collect();
    tracing::info!(channel = %msg.channel_id, message = %msg.id, user = %msg.author.id, case = ?case, recipients = reasons.len(), reasons = ?reasons, "answering a bounce");
    let mut builder = serenity::CreateMessage::new()
        .embeds(answer.embeds)
        .components(answer.components)
        .allowed_mentions(no_mentions());
    if thread.is_none() {
        builder = builder.reference_message(msg);
    }
    if !notices.is_empty() {
        builder = builder.content(embed::content(&notices.join("\n")));
    }
    crate::bot::helpdesk::send_with_retry(&ctx.http, thread.unwrap_or(msg.channel_id), builder)
        .await?;
    Ok(())
}

async fn reply_text(
    ctx: &serenity::Context,
    msg: &serenity::Message,
    text: &str,
) -> Result<(), Error> {
    let builder = serenity::CreateMessage::new()
        .content(embed::content(text))
        .reference_message(msg)
        .allowed_mentions(no_mentions());
    crate::bot::helpdesk::send_with_retry(&ctx.http, msg.channel_id, builder).await?;
    Ok(())
}

/// The message text without the bot's own mention.
fn strip_mentions(content: &str, bot: serenity::UserId) -> String {
    content
        .replace(&format!("<@{bot}>"), "")
        .replace(&format!("<@!{bot}>"), "")
}
