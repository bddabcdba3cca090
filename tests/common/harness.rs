//! Starting the real bot against the fake Discord, and the helpers the
//! end-to-end tests share.

#![allow(dead_code)]

use super::fake_discord::*;
use bouncedesk::bot::config::Config;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

pub const HELP_CHANNEL: &str = "500000000000000001";
pub const OTHER_CHANNEL: &str = "500000000000000002";
pub const TOKEN: &str = "MTAwMDAwMDAwMDAwMDAwMDAx.GfAkEt.fake-token-for-tests-only";

pub fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(path),
    )
    .expect("fixture")
}

pub struct Harness {
    pub fake: FakeDiscord,
    pub task: tokio::task::JoinHandle<()>,
    pub _db: tempfile::TempDir,
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub async fn start_with(extra: &[(&str, &str)]) -> Harness {
    if let Ok(filter) = std::env::var("BOT_TEST_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    }
    let fake = FakeDiscord::start().await;
    let mut env: HashMap<String, String> = HashMap::from([
        ("DISCORD_TOKEN".into(), TOKEN.into()),
        ("BOUNCEDESK_HELP_CHANNELS".into(), HELP_CHANNEL.into()),
        ("BOUNCEDESK_DISCORD_API_PROXY".into(), fake.url()),
        ("BOUNCEDESK_DOWNLOAD_TIMEOUT_SECS".into(), "2".into()),
    ]);
    let db = tempfile::tempdir().expect("temp dir");
    env.insert(
        "BOUNCEDESK_DATABASE".into(),
        db.path().join("bouncedesk.sqlite3").display().to_string(),
    );
    for (k, v) in extra {
        env.insert(k.to_string(), v.to_string());
    }
    let config = Config::from_lookup(|k| env.get(k).cloned()).expect("test config");
    let (mut client, _inflight) = bouncedesk::bot::client(config).await.expect("client");
    let task = tokio::spawn(async move {
        let _ = client.start().await;
    });
    assert!(
        fake.wait_ready().await,
        "the bot did not connect and register its commands"
    );
    Harness {
        fake,
        task,
        _db: db,
    }
}

pub async fn start() -> Harness {
    start_with(&[]).await
}

pub fn poster() -> Value {
    user("600000000000000001", "tanaka")
}

pub fn posted_replies(fake: &FakeDiscord, channel: &str) -> Vec<Recorded> {
    let path = format!("/channels/{channel}/messages");
    fake.matching("POST", &path)
        .into_iter()
        .filter(|r| r.path.ends_with(&path))
        .collect()
}

pub async fn wait_replies(fake: &FakeDiscord, channel: &str, n: usize) -> Vec<Recorded> {
    let path = format!("/channels/{channel}/messages");
    fake.wait_for(Duration::from_secs(10), |r| {
        r.iter()
            .filter(|x| x.method == "POST" && x.path.contains(&path))
            .count()
            >= n
    })
    .await;
    posted_replies(fake, channel)
}

/// Checks every message the bot sent or edited during the test (channel
/// messages, interaction responses, follow-ups, whatever the route): each
/// that carries content or embeds pings nobody, except those `may_ping`
/// allows (the escalation ping), which are returned for their own checks.
/// Returns how many messages were checked, so a test can tell it saw some.
pub fn assert_every_message_pings_nobody(
    fake: &FakeDiscord,
    may_ping: impl Fn(&Recorded) -> bool,
) -> (usize, Vec<Recorded>) {
    let mut checked = 0;
    let mut allowed = Vec::new();
    for r in fake.requests() {
        if !matches!(r.method.as_str(), "POST" | "PATCH") {
            continue;
        }
        // An interaction callback wraps the message in `data`.
        let message = if r.body.get("type").is_some() && r.body.get("data").is_some() {
            &r.body["data"]
        } else {
            &r.body
        };
        let has_content = message.get("content").is_some_and(|c| c != "")
            || message.get("embeds").is_some_and(|e| e != &json!([]));
        if !has_content {
            continue;
        }
        if may_ping(&r) {
            allowed.push(r);
            continue;
        }
        checked += 1;
        assert_no_mentions(message);
    }
    (checked, allowed)
}

pub fn assert_no_mentions(body: &Value) {
    let am = &body["allowed_mentions"];
    assert!(am.is_object(), "allowed_mentions must be sent: {body}");
    assert_eq!(am["parse"], json!([]), "nobody may be pinged: {am}");
    assert!(am.get("users").is_none_or(|u| u == &json!([])), "{am}");
    assert!(am.get("roles").is_none_or(|r| r == &json!([])), "{am}");
    assert_eq!(am["replied_user"], json!(false), "{am}");
}
