//! A message in a help channel, or one that mentions the bot: when it holds a
//! bounce (pasted or attached), reply with the explanation; otherwise stay
//! silent (a mention still gets a short hint). Replies ping nobody.

use crate::bot::answer::{analyze_inputs, build, found_bounce, gather};
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
    let in_help_channel = data.config.help_channels.contains(&msg.channel_id.get());
    let mentioned = msg.mentions.iter().any(|u| u.id == data.bot_user);
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
        let analyses = analyze_inputs(data, vec![text.clone().into_bytes()]).await?;
        if !found_bounce(&analyses) {
            if mentioned && !text.trim().is_empty() {
                reply_text(ctx, msg, &data.responses.ui("not_bounce_short", &[])).await?;
            }
            return Ok(());
        }
        if !allowed(ctx, msg, data).await? {
            return Ok(());
        }
        return send(ctx, msg, data, &analyses, &[]).await;
    }

    if !allowed(ctx, msg, data).await? {
        return Ok(());
    }
    let _typing = msg.channel_id.start_typing(&ctx.http);
    let gathered = gather(data, Some(text), &msg.attachments).await;
    let analyses = if gathered.inputs.is_empty() {
        Vec::new()
    } else {
        analyze_inputs(data, gathered.inputs).await?
    };
    if !found_bounce(&analyses) {
        let mut notices = gathered.notices;
        if notices.is_empty() {
            notices.push(data.responses.ui("not_bounce_short", &[]));
        }
        return reply_text(ctx, msg, &notices.join("\n")).await;
    }
    send(ctx, msg, data, &analyses, &gathered.notices).await
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
    analyses: &[crate::Analysis],
    notices: &[String],
) -> Result<(), Error> {
    let answer = build(data, analyses);
    let reasons: Vec<&str> = analyses
        .iter()
        .flat_map(|a| a.results.iter().map(|r| r.reason.as_str()))
        .collect();
    tracing::info!(channel = %msg.channel_id, message = %msg.id, user = %msg.author.id, recipients = reasons.len(), reasons = ?reasons, "answering a bounce");
    let mut builder = serenity::CreateMessage::new()
        .embeds(answer.embeds)
        .components(answer.components)
        .reference_message(msg)
        .allowed_mentions(no_mentions());
    if !notices.is_empty() {
        builder = builder.content(embed::content(&notices.join("\n")));
    }
    msg.channel_id.send_message(&ctx.http, builder).await?;
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
    msg.channel_id.send_message(&ctx.http, builder).await?;
    Ok(())
}

/// The message text without the bot's own mention.
fn strip_mentions(content: &str, bot: serenity::UserId) -> String {
    content
        .replace(&format!("<@{bot}>"), "")
        .replace(&format!("<@!{bot}>"), "")
}
