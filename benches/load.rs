//! Load benchmark: `cargo bench --bench load [-- --quick]`.
//!
//! Through the fake Discord on 127.0.0.1, a burst of pasted bounces (1,000;
//! 200 with `--quick`) from 50 users across 5 help channels. Counts the
//! replies (each must answer its own message, none twice), and reports the
//! p50/p99 time from the event being sent to the reply arriving, and the
//! process's peak RSS (bot and fake together). Prints figures; a missing or
//! doubled reply fails it.

#[path = "../tests/common/fake_discord.rs"]
mod fake_discord;

use bouncedesk::bot::config::Config;
use fake_discord::*;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

const TOKEN: &str = "MTAwMDAwMDAwMDAwMDAwMDAx.GfAkEt.fake-token-for-tests-only";

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    // `--paced`: 100 messages a second instead of all at once, to see the
    // time one answer takes inside the bot without the queue of a burst.
    let paced = std::env::args().any(|a| a == "--paced");
    let total: usize = if quick { 200 } else { 1_000 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let fake = FakeDiscord::start().await;
        // Record only what is checked (which message each reply answers), so
        // that the peak RSS is the bot's, not the recorded reply bodies'.
        fake.state.lean.store(true, std::sync::atomic::Ordering::Relaxed);
        // Discord's own heartbeat interval: serenity pauses a shard's events
        // for some 35 ms around each heartbeat, which at the fake's usual
        // 1 s would be a stall every 90 messages that Discord never causes.
        fake.state.heartbeat_ms.store(41_250, std::sync::atomic::Ordering::Relaxed);
        let db = tempfile::tempdir().expect("temp dir");
        let channels: Vec<String> = (1..=5).map(|i| format!("50000000000000000{i}")).collect();
        let env: HashMap<&str, String> = HashMap::from([
            ("DISCORD_TOKEN", TOKEN.to_string()),
            ("BOUNCEDESK_HELP_CHANNELS", channels.join(",")),
            ("BOUNCEDESK_DISCORD_API_PROXY", fake.url()),
            ("BOUNCEDESK_USER_RATE_PER_MINUTE", "100000".to_string()),
            ("BOUNCEDESK_DATABASE", db.path().join("bd.sqlite3").display().to_string()),
            ("BOUNCEDESK_LOG", "warn".to_string()),
        ]);
        let config = Config::from_lookup(|k| env.get(k).cloned()).expect("config");
        let (mut client, _) = bouncedesk::bot::client(config).await.expect("client");
        tokio::spawn(async move {
            let _ = client.start().await;
        });
        assert!(fake.wait_ready().await, "bot ready");
        let fixtures = ["paste/userunknown-01.txt", "paste/mailboxfull-01.txt", "paste/userunknown-02.txt"];
        let texts: Vec<String> = fixtures
            .iter()
            .map(|f| std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(f)).expect("fixture"))
            .collect();
        let rss_before = peak_rss_kb();
        let mut sent: HashMap<String, Instant> = HashMap::new();
        let started = Instant::now();
        for i in 0..total {
            let id = format!("{}", 720_000_000_000_000_000u64 + i as u64);
            let user = user(&format!("{}", 610_000_000_000_000_000u64 + (i % 50) as u64), &format!("user{}", i % 50));
            let channel = &channels[i % channels.len()];
            sent.insert(id.clone(), Instant::now());
            fake.dispatch("MESSAGE_CREATE", message_create(&id, channel, &user, &texts[i % texts.len()], json!([])));
            if paced {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        let all = fake
            .wait_for(Duration::from_secs(300), |r| r.iter().filter(|x| x.method == "POST" && x.path.ends_with("/messages")).count() >= total)
            .await;
        let elapsed = started.elapsed();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let replies: Vec<Recorded> = fake.requests().into_iter().filter(|x| x.method == "POST" && x.path.ends_with("/messages")).collect();
        let mut answered = HashSet::new();
        let mut latencies: Vec<Duration> = Vec::new();
        let mut wrong_channel = 0;
        for r in &replies {
            let id = r.body["message_reference"]["message_id"].as_str().unwrap_or("").to_string();
            if !answered.insert(id.clone()) {
                panic!("message {id} answered twice");
            }
            if let Some(at) = sent.get(&id) {
                latencies.push(r.at.saturating_duration_since(*at));
                let i = (id.parse::<u64>().unwrap_or(0) - 720_000_000_000_000_000) as usize;
                if !r.path.contains(&channels[i % channels.len()]) {
                    wrong_channel += 1;
                }
            }
        }
        latencies.sort();
        let pct = |p: f64| latencies.get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1))).copied().unwrap_or_default();
        println!(
            "load ({}): {total} pasted bounces, 50 users, 5 channels: {} replies ({} distinct), {} to the wrong channel, all answered: {all}",
            if paced { "100/s" } else { "burst" },
            replies.len(),
            answered.len(),
            wrong_channel
        );
        println!(
            "load: event to reply p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; whole burst {:.2} s ({:.0} answers/s)",
            pct(0.50).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
            latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
            elapsed.as_secs_f64(),
            replies.len() as f64 / elapsed.as_secs_f64()
        );
        println!("load: peak RSS {} MB (before the burst {} MB; bot, fake Discord and test together)", peak_rss_kb() / 1024, rss_before / 1024);
        assert_eq!(answered.len(), total, "every message answered exactly once");
        assert_eq!(wrong_channel, 0);
    });
}
