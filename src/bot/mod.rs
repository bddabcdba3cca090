//! The Discord bot: a thin poise/serenity adapter over the analysis core.
//!
//! It reads bounces pasted or attached in help channels (or wherever it is
//! mentioned), answers slash commands and a message context-menu command, and
//! lays the [`crate::explain::Explanation`] out as Discord embeds. Everything
//! it says comes from `responses/`. Analysis runs on the blocking pool with
//! bounded concurrency and a timeout, never on the gateway task; every
//! message it sends has empty `allowed_mentions`.

pub mod answer;
pub mod attachments;
pub mod chart;
pub mod commands;
pub mod config;
pub mod embed;
pub mod events;
pub mod helpdesk;
pub mod labels;
pub mod ratelimit;

use crate::responses::ResponseSet;
use config::Config;
use poise::serenity_prelude as serenity;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// The error type of commands and event handlers.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
/// The poise context of this bot.
pub type Context<'a> = poise::Context<'a, Data, Error>;

/// Shared state of the running bot.
pub struct Data {
    pub config: Config,
    pub responses: Arc<ResponseSet>,
    pub labels: labels::DiscordLabels,
    pub limiter: ratelimit::RateLimiter,
    pub analyses: Arc<Semaphore>,
    pub technical: answer::TechnicalStore,
    pub downloader: reqwest::Client,
    pub bot_user: serenity::UserId,
    pub inflight: InFlight,
    pub store: Arc<dyn crate::store::Store>,
}

/// A short id for an error, shown to the user and logged with the details.
pub fn error_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    format!(
        "{:08x}",
        (t ^ (n.wrapping_mul(0x9E37_79B9_7F4A_7C15))) & 0xffff_ffff
    )
}

/// The empty mention list every message carries: nobody is pinged, not even
/// the author of the message replied to.
pub fn no_mentions() -> serenity::CreateAllowedMentions {
    serenity::CreateAllowedMentions::new().replied_user(false)
}

/// Answers with text only the caller sees (clipped to Discord's limit,
/// pinging nobody).
pub async fn reply_privately(ctx: Context<'_>, text: &str) -> Result<(), Error> {
    ctx.send(
        poise::CreateReply::default()
            .content(embed::content(text))
            .ephemeral(true)
            .allowed_mentions(no_mentions()),
    )
    .await?;
    Ok(())
}

/// Builds the poise framework: commands with their Japanese localisations,
/// the event handler, and the shared [`Data`].
pub fn framework(
    store: Arc<dyn crate::store::Store>,
    config: Config,
    responses: Arc<ResponseSet>,
    labels: labels::DiscordLabels,
    inflight: InFlight,
) -> poise::Framework<Data, Error> {
    let mut commands = vec![
        commands::bounce::bounce(),
        commands::context_menu::explain_message(),
    ];
    labels.localize(&mut commands);
    poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands,
            allowed_mentions: Some(no_mentions()),
            initialize_owners: false,
            event_handler: |ctx, event, framework, data| Box::pin(events::handle(ctx, event, framework, data)),
            on_error: |error| Box::pin(events::on_error(error)),
            ..Default::default()
        })
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                serenity::Command::set_global_commands(ctx, labels.application_commands(&framework.options().commands)).await?;
                tracing::info!(user = %ready.user.id, guilds = ready.guilds.len(), "connected and commands registered");
                let downloader = reqwest::Client::builder()
                    .timeout(config.download_timeout)
                    .redirect(reqwest::redirect::Policy::limited(3))
                    .build()?;
                helpdesk::spawn_retention(store.clone(), config.retention_days);
                helpdesk::spawn_checkpoints(store.clone());
                Ok(Data {
                    store,
                    inflight,
                    limiter: ratelimit::RateLimiter::new(config.user_rate_per_minute),
                    analyses: Arc::new(Semaphore::new(config.max_concurrent_analyses)),
                    technical: answer::TechnicalStore::new(2_000),
                    downloader,
                    bot_user: ready.user.id,
                    labels,
                    responses,
                    config,
                })
            })
        })
        .build()
}

/// The gateway intents: message content only for reading pasted text.
pub fn intents() -> serenity::GatewayIntents {
    serenity::GatewayIntents::GUILDS
        | serenity::GatewayIntents::GUILD_MESSAGES
        | serenity::GatewayIntents::DIRECT_MESSAGES
        | serenity::GatewayIntents::MESSAGE_CONTENT
}

/// Why the bot could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error("response templates: {0}")]
    Responses(#[from] crate::responses::ResponseError),
    #[error("discord labels: {0}")]
    Labels(String),
    #[error("discord client: {0}")]
    Client(#[from] serenity::Error),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("the built-in rule tables did not build (a bug: please report it)")]
    RuleTables,
}

/// Answers in flight, so that a stop waits for them.
#[derive(Clone, Default)]
pub struct InFlight(Arc<std::sync::atomic::AtomicUsize>);

impl InFlight {
    /// Counts one answer until the guard is dropped.
    pub fn start(&self) -> InFlightGuard {
        self.0.fetch_add(1, Ordering::SeqCst);
        InFlightGuard(self.0.clone())
    }
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
    /// Waits until no answer is in flight, at most `limit`.
    pub async fn drain(&self, limit: std::time::Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        while self.count() > 0 {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        true
    }
}

/// Ends one in-flight answer when dropped.
pub struct InFlightGuard(Arc<std::sync::atomic::AtomicUsize>);

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Builds the serenity client for the configuration (pointed at the
/// `api_proxy` in tests), and the in-flight counter a stop waits on.
pub async fn client(config: Config) -> Result<(serenity::Client, InFlight), StartError> {
    // The rule tables are built once, here, not on the first pasted bounce.
    let warm_up = tokio::task::spawn_blocking(crate::analysis::warm_up);
    let responses = Arc::new(match &config.responses_dir {
        Some(dir) => ResponseSet::load_dir(dir)?,
        None => ResponseSet::embedded().clone(),
    });
    let labels =
        labels::DiscordLabels::load(config.responses_dir.as_deref()).map_err(StartError::Labels)?;
    let mut http = serenity::HttpBuilder::new(config.token.expose());
    if let Some(proxy) = &config.api_proxy {
        http = http.proxy(proxy.clone()).ratelimiter_disabled(true);
    }
    let store: Arc<dyn crate::store::Store> =
        Arc::new(crate::store::sqlite::SqliteStore::open(&config.database)?);
    let inflight = InFlight::default();
    let framework = framework(store, config, responses, labels, inflight.clone());
    let client = serenity::ClientBuilder::new_with_http(http.build(), intents())
        .framework(framework)
        .await?;
    // A table that does not build would fail every answer: stop here.
    warm_up.await.map_err(|_| StartError::RuleTables)?;
    Ok((client, inflight))
}

/// Runs the bot until the process is asked to stop (Ctrl-C or SIGTERM), then
/// lets in-flight answers finish (at most 10 seconds) and closes the shards
/// (at most 5 seconds more).
pub async fn run(config: Config) -> Result<(), StartError> {
    let (mut client, inflight) = client(config).await?;
    let shards = client.shard_manager.clone();
    tokio::select! {
        result = client.start() => result?,
        _ = shutdown_signal() => {
            tracing::info!(in_flight = inflight.count(), "stopping: letting answers in flight finish");
            let drained = inflight.drain(std::time::Duration::from_secs(10)).await;
            tracing::info!(drained, "closing the shards");
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), shards.shutdown_all()).await;
        }
    }
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
