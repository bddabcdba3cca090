//! The helpdesk side of the bot: per-server settings, cases and their
//! buttons, the retention purge. Store calls run on the blocking pool.

use super::{Data, Error};
use crate::store::{now, GuildSettings, NewCase, Store, StoreError};
use crate::Analysis;
use poise::serenity_prelude as serenity;
use std::sync::Arc;

/// `custom_id` prefixes of the case buttons.
pub const RESOLVE_BUTTON: &str = "bd:resolve:";
pub const ESCALATE_BUTTON: &str = "bd:escalate:";

/// Runs a store call off the async workers.
pub async fn db<T: Send + 'static>(
    data: &Data,
    f: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, Error> {
    let store = data.store.clone();
    Ok(tokio::task::spawn_blocking(move || f(store.as_ref())).await??)
}

/// Deletes cases past the retention period now and once a day.
pub fn spawn_retention(store: Arc<dyn Store>, days: u64) {
    spawn_upkeep(store, 24 * 3600, "retention purge", move |s| {
        let deleted = s.purge(now() - (days as i64) * 86_400)?;
        tracing::info!(deleted, days, "retention purge");
        Ok(())
    });
}

/// Copies the database's write-ahead log back every few seconds.
pub fn spawn_checkpoints(store: Arc<dyn Store>) {
    spawn_upkeep(store, 5, "database checkpoint", |s| s.checkpoint());
}

/// Runs `job` on the blocking pool now and every `seconds`, logging failures.
fn spawn_upkeep(
    store: Arc<dyn Store>,
    seconds: u64,
    what: &'static str,
    job: impl Fn(&dyn Store) -> Result<(), StoreError> + Send + Sync + 'static,
) {
    let job = Arc::new(job);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(seconds));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let (store, job) = (store.clone(), job.clone());
            match tokio::task::spawn_blocking(move || job(store.as_ref())).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "{what} failed"),
                Err(e) => tracing::warn!(error = %e, "{what} task failed"),
            }
        }
    });
}

/// The settings of the message's server (defaults outside a server).
pub async fn settings(
    data: &Data,
    guild: Option<serenity::GuildId>,
) -> Result<GuildSettings, Error> {
    match guild {
        None => Ok(GuildSettings::defaults(0)),
        Some(g) => db(data, move |s| s.settings(g.get())).await,
    }
}

/// Whether a channel is a help channel: listed in the environment, or added
/// with `/bounce config channel`.
pub fn is_help_channel(data: &Data, settings: &GuildSettings, channel: u64) -> bool {
    data.config.help_channels.contains(&channel) || settings.help_channels.contains(&channel)
}

/// Staff: may resolve anyone's case and see the history.
pub fn is_staff(permissions: Option<serenity::Permissions>) -> bool {
    permissions.is_some_and(|p| p.administrator() || p.manage_guild() || p.manage_messages())
}

/// Records an explained message as a case; the stored facts are those of the
/// first recipient (its domain only) and the spoof verdict.
pub async fn record_case(
    data: &Data,
    msg: &serenity::Message,
    analyses: &[Analysis],
    thread: Option<u64>,
) -> Result<Option<i64>, Error> {
    let Some(guild) = msg.guild_id else {
        return Ok(None);
    };
    let first = analyses.iter().flat_map(|a| a.results.iter()).next();
    let verdict = analyses
        .iter()
        .map(|a| a.spoof.verdict)
        .max()
        .unwrap_or(crate::spoof::Verdict::None);
    let case = NewCase {
        guild_id: guild.get(),
        channel_id: msg.channel_id.get(),
        message_id: msg.id.get(),
        user_id: msg.author.id.get(),
        created_at: now(),
        reason: first.map(|r| r.reason.as_str().to_string()),
        detail: first.and_then(|r| r.detail.map(str::to_string)),
        status: first.and_then(|r| r.status.clone()),
        reply_code: first.and_then(|r| r.reply_code),
        hard_bounce: first.is_some_and(|r| r.hard_bounce),
        spoof_verdict: verdict.as_str().to_string(),
        recipient_domain: first.and_then(|r| {
            r.recipient
                .rsplit_once('@')
                .map(|(_, d)| d.to_ascii_lowercase())
        }),
        thread_id: thread,
    };
    Ok(Some(db(data, move |s| s.add_case(&case)).await?))
}

/// The link to a message.
pub fn message_link(guild: u64, channel: u64, message: u64) -> String {
    format!("https://discord.com/channels/{guild}/{channel}/{message}")
}

/// The resolve and escalate buttons of a case.
pub fn case_buttons(data: &Data, case: i64) -> Vec<serenity::CreateButton> {
    vec![
        serenity::CreateButton::new(format!("{RESOLVE_BUTTON}{case}"))
            .label(super::embed::clip(
                &data.responses.ui("button_resolve", &[]),
                80,
            ))
            .style(serenity::ButtonStyle::Success),
        serenity::CreateButton::new(format!("{ESCALATE_BUTTON}{case}"))
            .label(super::embed::clip(
                &data.responses.ui("button_escalate", &[]),
                80,
            ))
            .style(serenity::ButtonStyle::Primary),
    ]
}

/// Sends a channel message, retrying when Discord answers 429 (after a
/// wait) or a 5xx (once). In production serenity's own rate limiter honours
/// `retry_after` before a 429 can reach here; this covers the rest (a shared
/// limit hit by another process, a Discord hiccup) without ever losing the
/// answer or sending it twice on a refused request.
pub async fn send_with_retry(
    http: &serenity::Http,
    channel: serenity::ChannelId,
    builder: serenity::CreateMessage,
) -> Result<serenity::Message, serenity::Error> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match channel.send_message(http, builder.clone()).await {
            Ok(m) => return Ok(m),
            Err(serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(resp)))
                if attempt < 4 =>
            {
                let status = resp.status_code.as_u16();
                let wait = match status {
                    429 => std::time::Duration::from_millis(1_000),
                    500 | 502 | 503 | 504 if attempt < 3 => std::time::Duration::from_millis(300),
                    _ => {
                        return Err(serenity::Error::Http(
                            serenity::HttpError::UnsuccessfulRequest(resp),
                        ))
                    }
                };
                tracing::warn!(
                    status,
                    attempt,
                    wait_ms = wait.as_millis() as u64,
                    "sending failed, retrying"
                );
                tokio::time::sleep(wait).await;
            }
            Err(e) => return Err(e),
        }
    }
}
