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

pub fn assert_no_mentions(body: &Value) {
    let am = &body["allowed_mentions"];
    assert!(am.is_object(), "allowed_mentions must be sent: {body}");
    assert_eq!(am["parse"], json!([]), "nobody may be pinged: {am}");
    assert!(am.get("users").is_none_or(|u| u == &json!([])), "{am}");
    assert!(am.get("roles").is_none_or(|r| r == &json!([])), "{am}");
    assert_eq!(am["replied_user"], json!(false), "{am}");
}
