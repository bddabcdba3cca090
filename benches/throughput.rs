//! Throughput benchmark: `cargo bench --bench throughput [-- --quick]`.
//!
//! 1. The shared corpus (`../shared/corpus/sisimai`, when it is there; the
//!    project's own fixtures otherwise), every file analysed single-threaded
//!    in a loop: emails per second.
//! 2. One bounce carrying a big base64 attachment, at 5, 10 and 20 MB: time
//!    per message and per megabyte, which must stay flat (linear growth).
//!
//! `BENCH_CORPUS_ONLY=1` stops after the corpus; `BENCH_ROUNDS=N` runs exactly
//! N corpus rounds, for instruction counts under valgrind.
//!
//! A benchmark, not a test: it prints figures and asserts nothing about speed.

use bouncedesk::{analyze, Options};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn files_in(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_in(&p, ext, out);
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
}

fn corpus() -> (String, Vec<Vec<u8>>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/corpus/sisimai");
    let mut paths = Vec::new();
    let name = if shared.is_dir() {
        files_in(&shared.join("maildir"), "eml", &mut paths);
        files_in(&shared.join("paste"), "txt", &mut paths);
        "shared corpus (maildir + paste)"
    } else {
        files_in(&root.join("tests/fixtures"), "eml", &mut paths);
        files_in(&root.join("tests/fixtures"), "txt", &mut paths);
        "tests/fixtures (shared corpus not found)"
    };
    paths.sort();
    (
        name.to_string(),
        paths.iter().filter_map(|p| std::fs::read(p).ok()).collect(),
    )
}

fn big_bounce(megabytes: usize) -> Vec<u8> {
    let mut m = String::from(
        "Return-Path: <>\nFrom: MAILER-DAEMON@mx.example.jp\nTo: taro@example.org\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nThis is the mail system at host mx.example.jp.\n\n<hanako@example.net>: host mx.example.net[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.jp\n\nFinal-Recipient: rfc822; hanako@example.net\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\n\n--B\nContent-Type: message/rfc822\n\nFrom: taro@example.org\nTo: hanako@example.net\nSubject: big\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"C\"\n\n--C\nContent-Type: text/plain\n\nsee attachment\n--C\nContent-Type: application/octet-stream; name=\"data.bin\"\nContent-Transfer-Encoding: base64\n\n",
    );
    let line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\n";
    let target = megabytes * 1024 * 1024;
    while m.len() < target {
        m.push_str(line);
    }
    m.push_str("--C--\n\n--B--\n");
    m.into_bytes()
}

fn time<F: FnMut()>(mut f: F, min: Duration) -> (u32, Duration) {
    let start = Instant::now();
    let mut n = 0;
    while n == 0 || start.elapsed() < min {
        f();
        n += 1;
    }
    (n, start.elapsed())
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let options = Options::default();
    let (name, inputs) = corpus();
    // Warm-up: compiles every rule table once.
    for i in &inputs {
        std::hint::black_box(analyze(i, &options));
    }
    let total_bytes: usize = inputs.iter().map(Vec::len).sum();
    let round = || {
        let start = Instant::now();
        for i in &inputs {
            std::hint::black_box(analyze(i, &options));
        }
        start.elapsed()
    };
    // BENCH_ROUNDS=N runs exactly N rounds: for instruction counters
    // (valgrind), where a fixed amount of work compares.
    let fixed_rounds: Option<usize> = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok());
    let budget = Duration::from_secs(if quick { 1 } else { 5 });
    let started = Instant::now();
    let mut rounds: Vec<Duration> = Vec::new();
    while match fixed_rounds {
        Some(n) => rounds.len() < n,
        None => rounds.is_empty() || started.elapsed() < budget,
    } {
        rounds.push(round());
    }
    if rounds.is_empty() {
        return;
    }
    let total: Duration = rounds.iter().sum();
    let emails = inputs.len() as f64 * rounds.len() as f64;
    let secs = total.as_secs_f64();
    rounds.sort();
    // The median round, and the fastest: on a shared machine the other
    // core's load makes single runs vary by a quarter; the fastest round is
    // the figure least disturbed by it.
    let per_second = |d: Duration| inputs.len() as f64 / d.as_secs_f64();
    println!(
        "corpus: {name}: {} files, {:.1} MB, {} rounds: {:.0} emails/s, {:.1} MB/s (single thread); median round {:.0} emails/s, fastest {:.0} emails/s",
        inputs.len(),
        total_bytes as f64 / 1e6,
        rounds.len(),
        emails / secs,
        total_bytes as f64 * rounds.len() as f64 / 1e6 / secs,
        per_second(rounds[rounds.len() / 2]),
        per_second(rounds[0]),
    );
    if std::env::var_os("BENCH_CORPUS_ONLY").is_some() {
        return;
    }
    for mb in [5usize, 10, 20] {
        let input = big_bounce(mb);
        let mut results = 0;
        let (n, elapsed) = time(
            || {
                results = analyze(&input, &options)
                    .iter()
                    .map(|a| a.results.len())
                    .sum()
            },
            Duration::from_secs(if quick { 1 } else { 3 }),
        );
        let per = elapsed.as_secs_f64() / n as f64;
        println!(
            "big email: {mb:>2} MB: {:.1} ms per message, {:.2} ms/MB, {results} result(s)",
            per * 1e3,
            per * 1e3 / mb as f64
        );
    }
}
