//! Discord faults, through the fake Discord: the gateway drops, REST answers
//! 429 or 500, an attachment hangs or is missing, the process is stopped.
//! Whatever happens, each question gets its answer exactly once.

mod common;

use common::fake_discord::*;
use common::harness::*;
use serde_json::json;
use std::time::Duration;

fn bounce_text() -> String {
    String::from_utf8(fixture("paste/userunknown-01.txt")).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_reconnects_after_the_gateway_drops_and_answers_once() {
    let h = start().await;
    h.fake.dispatch(
        "MESSAGE_CREATE",
        message_create(
            "710000000000000001",
            HELP_CHANNEL,
            &poster(),
            &bounce_text(),
            json!([]),
        ),
    );
    assert_eq!(wait_replies(&h.fake, HELP_CHANNEL, 1).await.len(), 1);
    let connections = h
        .fake
        .state
        .connections
        .load(std::sync::atomic::Ordering::SeqCst);
    h.fake.drop_gateway();
    // Wait for the bot to come back (a resume or a fresh identify).
    let back = async {
        loop {
            let now = h
                .fake
                .state
                .connections
                .load(std::sync::atomic::Ordering::SeqCst);
            let resumed = h
                .fake
                .state
                .resumes
                .load(std::sync::atomic::Ordering::SeqCst)
                + h.fake
                    .state
                    .identifies
                    .load(std::sync::atomic::Ordering::SeqCst);
            if now > connections && resumed >= 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), back)
        .await
        .expect("the bot reconnected");
    tokio::time::sleep(Duration::from_millis(200)).await;
    h.fake.dispatch(
        "MESSAGE_CREATE",
        message_create(
            "710000000000000002",
            HELP_CHANNEL,
            &poster(),
            &bounce_text(),
            json!([]),
        ),
    );
    let replies = wait_replies(&h.fake, HELP_CHANNEL, 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let replies_now = posted_replies(&h.fake, HELP_CHANNEL);
    assert_eq!(replies_now.len(), 2, "one answer per question: {replies:?}");
    let answered: Vec<_> = replies_now
        .iter()
        .map(|r| r.body["message_reference"]["message_id"].clone())
        .collect();
    assert_eq!(
        answered,
        [json!("710000000000000001"), json!("710000000000000002")]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_then_a_500_still_deliver_the_reply_exactly_once() {
    let h = start().await;
    h.fake
        .state
        .message_faults
        .lock()
        .unwrap()
        .extend([Fault::ServerError, Fault::RateLimit(0.2)]);
    h.fake.dispatch(
        "MESSAGE_CREATE",
        message_create(
            "710000000000000011",
            HELP_CHANNEL,
            &poster(),
            &bounce_text(),
            json!([]),
        ),
    );
    let replies = wait_replies(&h.fake, HELP_CHANNEL, 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        posted_replies(&h.fake, HELP_CHANNEL).len(),
        1,
        "delivered once: {replies:?}"
    );
    assert_eq!(
        h.fake.matching("POST-REFUSED", "/messages").len(),
        2,
        "after a refusal and an error"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_or_missing_attachment_gets_a_polite_message() {
    let h = start_with(&[("BOUNCEDESK_DOWNLOAD_TIMEOUT_SECS", "1")]).await;
    let slow = h.fake.serve_slow_file(
        "slow.eml",
        Some(Duration::from_secs(5)),
        axum::http::StatusCode::OK,
    );
    let missing = format!("{}/files/missing.eml", h.fake.url());
    let att = json!([
        attachment("810000000000000001", "slow.eml", 100, &slow),
        attachment("810000000000000002", "missing.eml", 100, &missing)
    ]);
    let started = std::time::Instant::now();
    h.fake.dispatch(
        "MESSAGE_CREATE",
        message_create("710000000000000021", HELP_CHANNEL, &poster(), "", att),
    );
    let replies = wait_replies(&h.fake, HELP_CHANNEL, 1).await;
    assert_eq!(replies.len(), 1);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the download timed out instead of hanging"
    );
    let content = replies[0].body["content"].as_str().unwrap_or("");
    assert!(
        content.contains("slow.eml") && content.contains("missing.eml"),
        "{content}"
    );
    assert_no_mentions(&replies[0].body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slash_explain_is_deferred_then_completed() {
    let h = start().await;
    let data = json!({"id": "400000000000000000", "name": "bounce", "type": 1,
        "options": [{"name": "explain", "type": 1, "options": [{"name": "text", "type": 3, "value": bounce_text()}]}]});
    h.fake.dispatch(
        "INTERACTION_CREATE",
        command_interaction("940000000000000001", HELP_CHANNEL, &poster(), data, "0"),
    );
    assert!(
        h.fake
            .wait_for(Duration::from_secs(10), |r| r
                .iter()
                .any(|x| x.path.contains("/webhooks/")))
            .await
    );
    let callback = &h.fake.matching("POST", "/interactions/940000000000000001/")[0].body;
    assert_eq!(callback["type"], json!(5), "deferred first: {callback}");
    let followups = h.fake.matching("POST", "/webhooks/");
    assert_eq!(followups.len(), 1);
    assert!(followups[0].body["embeds"][0]["title"].is_string());
}

/// Starts the real binary against the fake, sends SIGTERM while an answer is
/// in flight, and checks the answer is still delivered, the process exits
/// cleanly, and the token appears in no log line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_answers_in_flight_then_stops_without_leaking_the_token() {
    let fake = FakeDiscord::start().await;
    let db = tempfile::tempdir().unwrap();
    let slow = fake.serve_slow_file(
        "late.eml",
        Some(Duration::from_millis(800)),
        axum::http::StatusCode::OK,
    );
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_bouncedesk"))
        .arg("run")
        .env_clear()
        .env("DISCORD_TOKEN", TOKEN)
        .env("BOUNCEDESK_HELP_CHANNELS", HELP_CHANNEL)
        .env("BOUNCEDESK_DISCORD_API_PROXY", fake.url())
        .env("BOUNCEDESK_DATABASE", db.path().join("bd.sqlite3"))
        .env("BOUNCEDESK_LOG", "debug")
        .current_dir(db.path())
        .stdout(std::fs::File::create(db.path().join("stdout.log")).unwrap())
        .stderr(std::fs::File::create(db.path().join("stderr.log")).unwrap())
        .kill_on_drop(true)
        .spawn()
        .expect("start the binary");
    assert!(fake.wait_ready().await, "the binary connected");
    fake.dispatch(
        "MESSAGE_CREATE",
        message_create(
            "710000000000000031",
            HELP_CHANNEL,
            &poster(),
            "",
            json!([attachment("810000000000000031", "late.eml", 100, &slow)]),
        ),
    );
    // Stop while the download is in flight.
    assert!(
        fake.wait_for(Duration::from_secs(10), |r| r
            .iter()
            .any(|x| x.path.contains("/files/late.eml")))
            .await
    );
    let pid = child.id().expect("pid");
    let killed = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("the bot stopped in time")
        .unwrap();
    assert!(status.success(), "clean exit: {status:?}");
    assert_eq!(
        posted_replies(&fake, HELP_CHANNEL).len(),
        1,
        "the answer in flight was delivered before stopping"
    );
    let logs = std::fs::read_to_string(db.path().join("stdout.log")).unwrap()
        + &std::fs::read_to_string(db.path().join("stderr.log")).unwrap();
    assert!(
        logs.contains("stopping"),
        "the stop is logged: {}",
        &logs[logs.len().saturating_sub(2000)..]
    );
    assert!(!logs.contains(TOKEN), "the token leaked into the logs");
    assert!(
        !logs.contains(&TOKEN[TOKEN.len() - 20..]),
        "part of the token leaked into the logs"
    );
}

#[test]
fn a_malformed_setting_stops_start_up_with_a_clear_message_and_no_token() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bouncedesk"))
        .arg("run")
        .env_clear()
        .env("DISCORD_TOKEN", TOKEN)
        .env("BOUNCEDESK_HELP_CHANNELS", "general")
        .output()
        .expect("run the binary");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("BOUNCEDESK_HELP_CHANNELS") && err.contains("channel ids"),
        "{err}"
    );
    assert!(!err.contains(TOKEN));
}
