//! The helpdesk's memory: per-server settings and cases, behind a small
//! interface ([`Store`]) so a server database can replace the embedded SQLite
//! for deployments that run several bot processes.
//!
//! Privacy by default: a case keeps ids, time, the classification and the
//! recipient's *domain*; never the bounce text, never a full address.

pub mod sqlite;

use serde::Serialize;

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("database file {path}: {cause}")]
    Open { path: String, cause: String },
    #[error("stored settings are malformed: {0}")]
    Malformed(String),
}

/// A server's settings, changed with `/bounce config`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GuildSettings {
    pub guild_id: u64,
    /// Channels answered without a mention (besides those in the environment).
    pub help_channels: Vec<u64>,
    /// The server's own mail domains, for the backscatter check.
    pub own_domains: Vec<String>,
    /// The role the escalate button mentions.
    pub escalation_role: Option<u64>,
    /// Answer in a thread on the user's message instead of a reply.
    pub thread_mode: bool,
    pub mask_addresses: bool,
}

impl GuildSettings {
    /// The settings of a server nobody has configured yet.
    pub fn defaults(guild_id: u64) -> GuildSettings {
        GuildSettings {
            guild_id,
            help_channels: Vec::new(),
            own_domains: Vec::new(),
            escalation_role: None,
            thread_mode: false,
            mask_addresses: true,
        }
    }
}

/// A new case: one explained bounce in a help channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewCase {
    pub guild_id: u64,
    pub channel_id: u64,
    pub message_id: u64,
    pub user_id: u64,
    pub created_at: i64,
    pub reason: Option<String>,
    pub detail: Option<String>,
    pub status: Option<String>,
    pub reply_code: Option<u16>,
    pub hard_bounce: bool,
    pub spoof_verdict: String,
    pub recipient_domain: Option<String>,
    pub thread_id: Option<u64>,
}

/// A stored case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    pub id: i64,
    /// What was recorded when the bounce was answered.
    #[serde(flatten)]
    pub recorded: NewCase,
    pub state: String,
    pub escalated_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub resolved_by: Option<u64>,
}

/// Counts for `/bounce stats`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    pub total: u64,
    pub by_reason: Vec<(String, u64)>,
    pub hard: u64,
    pub soft: u64,
    pub spoof_warnings: u64,
    pub open: u64,
    pub resolved: u64,
    pub escalated: u64,
    pub top_domains: Vec<(String, u64)>,
    /// (week start as unix seconds, reason, count), oldest first.
    pub weekly: Vec<(i64, String, u64)>,
}

/// What the helpdesk needs from a database. Synchronous: the bot calls it
/// from the blocking pool.
pub trait Store: Send + Sync {
    fn settings(&self, guild_id: u64) -> Result<GuildSettings, StoreError>;
    /// Saves the settings and logs who changed what.
    fn save_settings(
        &self,
        settings: &GuildSettings,
        changed_by: u64,
        change: &str,
        now: i64,
    ) -> Result<(), StoreError>;
    fn add_case(&self, case: &NewCase) -> Result<i64, StoreError>;
    fn case(&self, id: i64) -> Result<Option<Case>, StoreError>;
    /// Notes the thread the case is answered in.
    fn set_thread(&self, id: i64, thread: u64) -> Result<(), StoreError>;
    fn resolve(&self, id: i64, by: u64, now: i64) -> Result<bool, StoreError>;
    /// Marks the case escalated; false when it already was (one ping only).
    fn escalate(&self, id: i64, now: i64) -> Result<bool, StoreError>;
    fn stats(&self, guild_id: u64, since: i64) -> Result<Stats, StoreError>;
    fn history(&self, guild_id: u64, limit: usize) -> Result<Vec<Case>, StoreError>;
    /// Deletes cases older than `before`; returns how many.
    fn purge(&self, before: i64) -> Result<usize, StoreError>;
    /// Background upkeep off the answer path (SQLite: the write-ahead-log
    /// checkpoint). Called every few seconds by the bot.
    fn checkpoint(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

/// Now, in unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
