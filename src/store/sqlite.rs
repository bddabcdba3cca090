//! The embedded SQLite store: one file, created on first start, migrations
//! from `migrations/` applied in order (tracked by `PRAGMA user_version`),
//! WAL mode so reads do not wait on the writer.

use super::{Case, GuildSettings, NewCase, Stats, Store, StoreError};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::path::Path;
use std::sync::Mutex;

/// Write-ahead-log frames (pages, 4 KB) past which a checkpoint that could not
/// copy everything restarts the log.
const WAL_RESTART_FRAMES: i64 = 4_096;

/// The migrations, in order; the schema version is the number applied.
const MIGRATIONS: &[&str] = &[include_str!("../../migrations/0001_init.sql")];

pub struct SqliteStore {
    conn: Mutex<Connection>,
    /// A second connection to the same file that copies the write-ahead log
    /// back into the database ([`Store::checkpoint`]), so that the writer
    /// never does it in the middle of an answer. None in memory.
    checkpointer: Option<Mutex<Connection>>,
}

impl SqliteStore {
    /// Opens (or creates) the database file and brings its schema up to date.
    /// Its write-ahead log is copied back by [`Store::checkpoint`], which the
    /// owner calls every few seconds (the bot does, `helpdesk::spawn_checkpoints`).
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(path).map_err(|e| StoreError::Open {
            path: path.display().to_string(),
            cause: e.to_string(),
        })?;
        let mut store = SqliteStore::with_connection(conn)?;
        // SQLite would otherwise checkpoint inside whichever insert fills
        // 1,000 pages of log: tens of milliseconds, every ~90 answers. The
        // caller runs `Store::checkpoint` every few seconds instead (the bot
        // does); a log restarted after a checkpoint is cut back to 4 MB.
        store.conn().pragma_update(None, "wal_autocheckpoint", 0)?;
        store
            .conn()
            .pragma_update(None, "journal_size_limit", 4 * 1024 * 1024)?;
        let checkpointer = Connection::open(path).map_err(|e| StoreError::Open {
            path: path.display().to_string(),
            cause: e.to_string(),
        })?;
        checkpointer.busy_timeout(std::time::Duration::from_secs(5))?;
        store.checkpointer = Some(Mutex::new(checkpointer));
        Ok(store)
    }

    /// An in-memory database (tests and dry runs).
    pub fn in_memory() -> Result<SqliteStore, StoreError> {
        SqliteStore::with_connection(Connection::open_in_memory()?)
    }

    fn with_connection(conn: Connection) -> Result<SqliteStore, StoreError> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // In WAL mode NORMAL is safe from corruption and spares an fsync per
        // case; a power cut may lose the last few cases, nothing more.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&conn)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            checkpointer: None,
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The schema version applied.
    pub fn schema_version(&self) -> Result<usize, StoreError> {
        Ok(self
            .conn()
            .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))? as usize)
    }
}

fn migrate(conn: &Connection) -> Result<(), StoreError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
        tracing::info!(version = i + 1, "database migrated");
    }
    Ok(())
}

fn json_list<T: serde::de::DeserializeOwned>(text: &str) -> Result<Vec<T>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Malformed(e.to_string()))
}

fn case_from(row: &Row<'_>) -> rusqlite::Result<Case> {
    Ok(Case {
        id: row.get("id")?,
        recorded: NewCase {
            guild_id: row.get::<_, i64>("guild_id")? as u64,
            channel_id: row.get::<_, i64>("channel_id")? as u64,
            message_id: row.get::<_, i64>("message_id")? as u64,
            user_id: row.get::<_, i64>("user_id")? as u64,
            created_at: row.get("created_at")?,
            reason: row.get("reason")?,
            detail: row.get("detail")?,
            status: row.get("status")?,
            reply_code: row.get::<_, Option<i64>>("reply_code")?.map(|c| c as u16),
            hard_bounce: row.get::<_, i64>("hard_bounce")? != 0,
            spoof_verdict: row.get("spoof_verdict")?,
            recipient_domain: row.get("recipient_domain")?,
            thread_id: row.get::<_, Option<i64>>("thread_id")?.map(|t| t as u64),
        },
        state: row.get("state")?,
        escalated_at: row.get("escalated_at")?,
        resolved_at: row.get("resolved_at")?,
        resolved_by: row.get::<_, Option<i64>>("resolved_by")?.map(|u| u as u64),
    })
}

impl Store for SqliteStore {
    fn settings(&self, guild_id: u64) -> Result<GuildSettings, StoreError> {
        let conn = self.conn();
        let row = conn
            .query_row(
                "SELECT help_channels, own_domains, escalation_role, thread_mode, mask_addresses FROM guild_settings WHERE guild_id = ?1",
                params![guild_id as i64],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<i64>>(2)?, r.get::<_, i64>(3)?, r.get::<_, i64>(4)?)),
            )
            .optional()?;
        match row {
            None => Ok(GuildSettings::defaults(guild_id)),
            Some((channels, domains, role, thread, mask)) => Ok(GuildSettings {
                guild_id,
                help_channels: json_list(&channels)?,
                own_domains: json_list(&domains)?,
                escalation_role: role.map(|r| r as u64),
                thread_mode: thread != 0,
                mask_addresses: mask != 0,
            }),
        }
    }

    fn save_settings(
        &self,
        s: &GuildSettings,
        changed_by: u64,
        change: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let conn = self.conn();
        let tx = conn.unchecked_transaction()?;
        let channels = serde_json::to_string(&s.help_channels)
            .map_err(|e| StoreError::Malformed(e.to_string()))?;
        let domains = serde_json::to_string(&s.own_domains)
            .map_err(|e| StoreError::Malformed(e.to_string()))?;
        tx.execute(
            "INSERT INTO guild_settings (guild_id, help_channels, own_domains, escalation_role, thread_mode, mask_addresses, updated_at, updated_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT(guild_id) DO UPDATE SET help_channels = ?2, own_domains = ?3, escalation_role = ?4,
                 thread_mode = ?5, mask_addresses = ?6, updated_at = ?7, updated_by = ?8",
            params![s.guild_id as i64, channels, domains, s.escalation_role.map(|r| r as i64), s.thread_mode as i64, s.mask_addresses as i64, now, changed_by as i64],
        )?;
        tx.execute(
            "INSERT INTO config_log (guild_id, user_id, change, at) VALUES (?1, ?2, ?3, ?4)",
            params![s.guild_id as i64, changed_by as i64, change, now],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn add_case(&self, c: &NewCase) -> Result<i64, StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO cases (guild_id, channel_id, message_id, user_id, created_at, reason, detail, status, reply_code,
                                hard_bounce, spoof_verdict, recipient_domain, thread_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                c.guild_id as i64,
                c.channel_id as i64,
                c.message_id as i64,
                c.user_id as i64,
                c.created_at,
                c.reason,
                c.detail,
                c.status,
                c.reply_code.map(i64::from),
                c.hard_bounce as i64,
                c.spoof_verdict,
                c.recipient_domain,
                c.thread_id.map(|t| t as i64),
            ],
        )?;
        Ok(conn.last_insert_rowid())
    }

    fn case(&self, id: i64) -> Result<Option<Case>, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT * FROM cases WHERE id = ?1", params![id], case_from)
            .optional()?)
    }

    fn set_thread(&self, id: i64, thread: u64) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE cases SET thread_id = ?2 WHERE id = ?1",
            params![id, thread as i64],
        )?;
        Ok(())
    }

    fn resolve(&self, id: i64, by: u64, now: i64) -> Result<bool, StoreError> {
        let n = self.conn().execute(
            "UPDATE cases SET state = 'resolved', resolved_at = ?2, resolved_by = ?3 WHERE id = ?1 AND state != 'resolved'",
            params![id, now, by as i64],
        )?;
        Ok(n == 1)
    }

    fn escalate(&self, id: i64, now: i64) -> Result<bool, StoreError> {
        let n = self.conn().execute(
            "UPDATE cases SET escalated_at = ?2 WHERE id = ?1 AND escalated_at IS NULL",
            params![id, now],
        )?;
        Ok(n == 1)
    }

    fn stats(&self, guild_id: u64, since: i64) -> Result<Stats, StoreError> {
        let conn = self.conn();
        let g = guild_id as i64;
        let mut stats = Stats::default();
        let (total, hard, spoof, open, resolved, escalated): (i64, i64, i64, i64, i64, i64) = conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(hard_bounce), 0), COALESCE(SUM(spoof_verdict != 'none'), 0),
                    COALESCE(SUM(state = 'open'), 0), COALESCE(SUM(state = 'resolved'), 0), COALESCE(SUM(escalated_at IS NOT NULL), 0)
             FROM cases WHERE guild_id = ?1 AND created_at >= ?2",
            params![g, since],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )?;
        stats.total = total as u64;
        stats.hard = hard as u64;
        stats.soft = (total - hard).max(0) as u64;
        stats.spoof_warnings = spoof as u64;
        stats.open = open as u64;
        stats.resolved = resolved as u64;
        stats.escalated = escalated as u64;
        let mut q = conn.prepare(
            "SELECT COALESCE(reason, '-'), COUNT(*) AS n FROM cases WHERE guild_id = ?1 AND created_at >= ?2
             GROUP BY 1 ORDER BY n DESC, 1 LIMIT 36",
        )?;
        stats.by_reason = q
            .query_map(params![g, since], |r| {
                Ok((r.get(0)?, r.get::<_, i64>(1)? as u64))
            })?
            .collect::<Result<_, _>>()?;
        let mut q = conn.prepare(
            "SELECT recipient_domain, COUNT(*) AS n FROM cases WHERE guild_id = ?1 AND created_at >= ?2 AND recipient_domain IS NOT NULL
             GROUP BY 1 ORDER BY n DESC, 1 LIMIT 10",
        )?;
        stats.top_domains = q
            .query_map(params![g, since], |r| {
                Ok((r.get(0)?, r.get::<_, i64>(1)? as u64))
            })?
            .collect::<Result<_, _>>()?;
        // Weeks start on Monday 00:00 UTC (the epoch was a Thursday).
        let mut q = conn.prepare(
            "SELECT ((created_at - 345600) / 604800) * 604800 + 345600 AS week, COALESCE(reason, '-'), COUNT(*)
             FROM cases WHERE guild_id = ?1 AND created_at >= ?2 GROUP BY 1, 2 ORDER BY 1, 2",
        )?;
        stats.weekly = q
            .query_map(params![g, since], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as u64))
            })?
            .collect::<Result<_, _>>()?;
        Ok(stats)
    }

    fn history(&self, guild_id: u64, limit: usize) -> Result<Vec<Case>, StoreError> {
        let conn = self.conn();
        let mut q = conn.prepare(
            "SELECT * FROM cases WHERE guild_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2",
        )?;
        let cases = q
            .query_map(params![guild_id as i64, limit as i64], case_from)?
            .collect::<Result<_, _>>()?;
        Ok(cases)
    }

    fn purge(&self, before: i64) -> Result<usize, StoreError> {
        Ok(self
            .conn()
            .execute("DELETE FROM cases WHERE created_at < ?1", params![before])?)
    }

    fn checkpoint(&self) -> Result<(), StoreError> {
        if let Some(c) = &self.checkpointer {
            let c = c.lock().unwrap_or_else(|p| p.into_inner());
            // PASSIVE: copies what it can without waiting for the writer.
            let (log, copied): (i64, i64) =
                c.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                    Ok((r.get(1)?, r.get(2)?))
                })?;
            // A log that passive checkpoints never catch up with (steady
            // writes) is restarted once it is large: RESTART waits for the
            // writer, briefly, so that the log does not grow without bound.
            if log > WAL_RESTART_FRAMES && copied < log {
                c.query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(()))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(guild: u64, at: i64, reason: &str, domain: &str, hard: bool) -> NewCase {
        NewCase {
            guild_id: guild,
            channel_id: 10,
            message_id: at as u64,
            user_id: 20,
            created_at: at,
            reason: Some(reason.into()),
            detail: None,
            status: Some("5.1.1".into()),
            reply_code: Some(550),
            hard_bounce: hard,
            spoof_verdict: "none".into(),
            recipient_domain: Some(domain.into()),
            thread_id: None,
        }
    }

    #[test]
    fn migrations_apply_from_empty_and_are_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bd.sqlite3");
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len());
        drop(store);
        let again = SqliteStore::open(&path).unwrap();
        assert_eq!(again.schema_version().unwrap(), MIGRATIONS.len());
        let mode: String = again
            .conn()
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode.to_lowercase(), "wal");
    }

    #[test]
    fn cases_stay_in_the_log_until_the_background_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bd.sqlite3");
        let store = SqliteStore::open(&path).unwrap();
        let size = || std::fs::metadata(&path).unwrap().len();
        let before = size();
        for i in 0..2_000 {
            store
                .add_case(&case(1, 1_000 + i, "userunknown", "example.jp", true))
                .unwrap();
        }
        // No checkpoint ran inside an insert: the cases are all in the log.
        assert_eq!(size(), before);
        store.checkpoint().unwrap();
        assert!(size() > before, "the checkpoint copied the log back");
        drop(store);
        let reopened = SqliteStore::open(&path).unwrap();
        assert_eq!(reopened.stats(1, 0).unwrap().total, 2_000);
    }

    #[test]
    fn settings_round_trip_and_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bd.sqlite3");
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.settings(1).unwrap(), GuildSettings::defaults(1));
        let s = GuildSettings {
            guild_id: 1,
            help_channels: vec![11, 12],
            own_domains: vec!["example.co.jp".into()],
            escalation_role: Some(99),
            thread_mode: true,
            mask_addresses: false,
        };
        store.save_settings(&s, 7, "test", 100).unwrap();
        drop(store);
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.settings(1).unwrap(), s);
        let logged: i64 = store
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM config_log WHERE guild_id = 1 AND user_id = 7",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(logged, 1);
    }

    #[test]
    fn retention_purges_old_cases_only() {
        let store = SqliteStore::in_memory().unwrap();
        store
            .add_case(&case(1, 1_000, "userunknown", "example.org", true))
            .unwrap();
        let keep = store
            .add_case(&case(1, 9_000, "mailboxfull", "example.net", false))
            .unwrap();
        assert_eq!(store.purge(5_000).unwrap(), 1);
        let left = store.history(1, 10).unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].id, keep);
    }

    #[test]
    fn stats_count_by_reason_kind_state_and_domain() {
        let store = SqliteStore::in_memory().unwrap();
        let week = 604_800;
        let a = store
            .add_case(&case(1, 10 * week, "userunknown", "example.org", true))
            .unwrap();
        store
            .add_case(&case(1, 10 * week + 5, "userunknown", "example.org", true))
            .unwrap();
        store
            .add_case(&case(1, 11 * week, "mailboxfull", "example.net", false))
            .unwrap();
        store
            .add_case(&case(2, 11 * week, "blocked", "other.example", false))
            .unwrap();
        assert!(store.resolve(a, 5, 11 * week).unwrap());
        assert!(
            !store.resolve(a, 5, 11 * week).unwrap(),
            "resolving twice changes nothing"
        );
        assert!(store.escalate(a, 11 * week).unwrap());
        assert!(
            !store.escalate(a, 11 * week).unwrap(),
            "one escalation per case"
        );
        let s = store.stats(1, 0).unwrap();
        assert_eq!(s.total, 3);
        assert_eq!(
            s.by_reason,
            vec![("userunknown".into(), 2), ("mailboxfull".into(), 1)]
        );
        assert_eq!((s.hard, s.soft), (2, 1));
        assert_eq!((s.open, s.resolved, s.escalated), (2, 1, 1));
        assert_eq!(s.top_domains[0], ("example.org".into(), 2));
        assert_eq!(s.weekly.len(), 2, "two weeks with cases: {:?}", s.weekly);
        assert_eq!(
            store.stats(1, 11 * week).unwrap().total,
            1,
            "the period bounds the counts"
        );
    }
}
