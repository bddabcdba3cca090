//! Scaling benchmark: `cargo bench --bench scaling [-- --quick]`.
//!
//! Issue 7 asks for evidence that time and peak memory grow at most linearly
//! with the size of a pathological input. For each family of such inputs
//! (the ones `tests/robustness.rs` checks for correctness) this runs
//! `analyze` at three or four sizes and prints one Markdown table that a
//! README can quote: milliseconds, milliseconds per megabyte and microseconds
//! per unit (recipient block, part, line ...), the peak heap growth, and how
//! both grew against the input from the previous size (1.0 = linear; a value
//! near the size step, 4.0 for a fourfold input, means quadratic).
//!
//! Peak memory is counted by a global allocator wrapping the system one: the
//! bytes live just before `analyze` are the baseline, the peak is reset to
//! them before each run, and the table shows the highest point above the
//! baseline during the run (the input itself, built before, is not counted).
//! It counts capacity requested, which may exceed what becomes resident.
//!
//! `--quick` runs only the two smallest sizes of each family. The families
//! marked "hazard" are known to grow faster than linearly today; they are
//! measured at small sizes so that the run stays short. A benchmark, not a
//! test: it prints figures and asserts nothing.

use bouncedesk::{analyze, Options};
use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------
// Counting allocator.

/// Bytes currently allocated, and the highest value since the last reset.
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

struct CountingAllocator;

fn grew(bytes: usize) {
    let now = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

fn shrank(bytes: usize) {
    LIVE.fetch_sub(bytes, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to `System` unchanged; only counters are kept.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                shrank(layout.size() - new_size);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

// ---------------------------------------------------------------------------
// Inputs (the same shapes as in tests/robustness.rs).

const MB: usize = 1024 * 1024;

const POSTFIX_USER_UNKNOWN: &[u8] = include_bytes!("../tests/fixtures/postfix/userunknown-01.eml");

const BOUNCE_HEADERS: &str = "Return-Path: <>\nFrom: MAILER-DAEMON@mx.example.jp (Mail Delivery System)\nTo: taro@example.jp\nSubject: Undelivered Mail Returned to Sender\nAuto-Submitted: auto-replied\nMIME-Version: 1.0\n";

const NOTICE_SENTENCE: &[u8] =
    b"550 5.1.1 <user@example.org>: Recipient address rejected: User unknown in local recipient table; ";

const BROKEN_JIS: &[u8] = b"\x1b$B08@h\x1b(B: hanako@example.net\n\x1b$B%a!<%k\n\x1b$B0\x1b(B\n\x1b$\n\x1b(\n\x1b\n\x1b$B\x1b$B\x1b$B\n\x1b$(D\x22\x2f\x1b(B\n\x1b(I\x31\x32\x1b(B\n\x1b$B\xb0\xb8\x1b(B\n\x1b$B\n08\n\x1b(B\n\x0e\x0f\x1b$)C\n<hanako@example.net>: 550 5.1.1 User unknown\n";

/// `unit` repeated up to exactly `len` bytes.
fn repeated(unit: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        let take = unit.len().min(len - out.len());
        out.extend_from_slice(&unit[..take]);
    }
    out
}

fn single_line(megabytes: usize) -> Vec<u8> {
    repeated(NOTICE_SENTENCE, megabytes * MB)
}

fn push_recipient_blocks(m: &mut String, count: usize) {
    for i in 0..count {
        let _ = writeln!(
            m,
            "Final-Recipient: rfc822; user{i}@example.org\nAction: failed\nStatus: 5.1.1\n"
        );
    }
}

/// A multipart/report bounce: a Postfix-style notice with `notice_lines`
/// extra evidence lines, and `recipients` recipient blocks.
fn dsn_email(recipients: usize, notice_lines: usize) -> Vec<u8> {
    let mut m = String::with_capacity(recipients * 80 + notice_lines * 70 + 1024);
    m.push_str(BOUNCE_HEADERS);
    m.push_str("Content-Type: multipart/report; report-type=delivery-status; boundary=\"dsn\"\n\n--dsn\nContent-Type: text/plain\n\nThis is the mail system at host mx.example.jp.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n");
    for _ in 0..notice_lines {
        m.push_str("Recipient address rejected: User unknown in local recipient table\n");
    }
    m.push_str(
        "\n--dsn\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.jp\n\n",
    );
    push_recipient_blocks(&mut m, recipients);
    m.push_str("--dsn--\n");
    m.into_bytes()
}

fn dsn_recipients(recipients: usize) -> Vec<u8> {
    dsn_email(recipients, 0)
}

fn dsn_100_recipients_long_notice(notice_lines: usize) -> Vec<u8> {
    dsn_email(100, notice_lines)
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let mut t = line;
    while let [rest @ .., b'\n' | b'\r'] = t {
        t = rest;
    }
    t
}

/// The start of the closing delimiter line of a multipart message, and the boundary.
fn closing_delimiter(mail: &[u8]) -> Option<(usize, &[u8])> {
    let mut found = None;
    let mut start = 0;
    for line in mail.split_inclusive(|b| *b == b'\n') {
        let t = trim_line_end(line);
        if t.len() > 4 && t.starts_with(b"--") && t.ends_with(b"--") {
            found = Some((start, &t[2..t.len() - 2]));
        }
        start += line.len();
    }
    found
}

/// The Postfix fixture with a base64 PDF of about `megabytes` (as sent)
/// added before its closing delimiter.
fn bounce_with_attachment(megabytes: usize) -> Vec<u8> {
    const FIRST: &[u8] =
        b"JVBERi0xLjQKJeLjz9MKMSAwIG9iago8PCAvVHlwZSAvQ2F0YWxvZyAvUGFnZXMgMiAwIFIgPj4K\n";
    const FILLER: &[u8] =
        b"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\n";
    let bounce = POSTFIX_USER_UNKNOWN;
    let (at, boundary) = closing_delimiter(bounce).expect("the fixture is a multipart bounce");
    let mut out = Vec::with_capacity(bounce.len() + megabytes * MB + 1024);
    out.extend_from_slice(&bounce[..at]);
    out.extend_from_slice(b"--");
    out.extend_from_slice(boundary);
    out.extend_from_slice(b"\nContent-Type: application/pdf; name=\"quotation.pdf\"\nContent-Disposition: attachment; filename=\"quotation.pdf\"\nContent-Transfer-Encoding: base64\n\n");
    let end = out.len() + megabytes * MB;
    out.extend_from_slice(FIRST);
    while out.len() < end {
        out.extend_from_slice(FILLER);
    }
    out.extend_from_slice(&bounce[at..]);
    out
}

fn nested_multiparts(depth: usize) -> Vec<u8> {
    let mut m = String::from(BOUNCE_HEADERS);
    for level in 0..depth {
        let _ = writeln!(
            m,
            "Content-Type: multipart/mixed; boundary=\"nest{level:05}\"\n\n--nest{level:05}"
        );
    }
    m.push_str("Content-Type: text/plain\n\n<hanako@example.net>: host mx.example.net[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n");
    for level in (0..depth).rev() {
        let _ = writeln!(m, "--nest{level:05}--");
    }
    m.into_bytes()
}

fn many_parts(count: usize) -> Vec<u8> {
    let mut m = String::from(BOUNCE_HEADERS);
    m.push_str("Content-Type: multipart/mixed; boundary=\"part\"\n\n--part\nContent-Type: text/plain\n\n<hanako@example.net>: host mx.example.net[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n");
    for i in 1..count {
        if i % 2 == 1 {
            let _ = writeln!(
                m,
                "--part\nContent-Type: application/octet-stream; name=\"part{i}.bin\"\nContent-Transfer-Encoding: base64\n\nQUJDRA=="
            );
        } else {
            let _ = writeln!(m, "--part\nContent-Type: text/plain\n\nnote {i}");
        }
    }
    m.push_str("--part--\n");
    m.into_bytes()
}

fn lines_of_one_address(lines: usize) -> Vec<u8> {
    b"a@b.example, a@b.example, a@b.example,\n".repeat(lines)
}

fn angle_brackets(megabytes: usize) -> Vec<u8> {
    vec![b'<'; megabytes * MB]
}

fn broken_iso_2022_jp(megabytes: usize) -> Vec<u8> {
    repeated(BROKEN_JIS, megabytes * MB)
}

/// A `.msg` (OLE2) file saved as `.eml`: the magic and pseudo-random bytes.
fn ole2_like(megabytes: usize) -> Vec<u8> {
    let len = megabytes * MB;
    let mut out = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn arf_paste(recipients: usize) -> Vec<u8> {
    let mut m = String::from("Feedback-Type: abuse\nVersion: 1\n");
    for i in 0..recipients {
        let _ = writeln!(m, "Original-Rcpt-To: user{i}@example.org");
    }
    m.into_bytes()
}

fn distinct_address_lines(lines: usize) -> Vec<u8> {
    let mut m = String::new();
    for i in 0..lines {
        let _ = writeln!(m, "user{i}@example.org");
    }
    m.into_bytes()
}

fn reply_code_lookalikes(kilobytes: usize) -> Vec<u8> {
    repeated(b"x:550 ", kilobytes * 1024)
}

fn x_failed_recipients(count: usize) -> Vec<u8> {
    let mut m = String::from("Return-Path: <>\nFrom: Mail Delivery System <MAILER-DAEMON@mx.example.jp>\nTo: taro@example.jp\nSubject: Mail delivery failed: returning message to sender\nX-Failed-Recipients: ");
    for i in 0..count {
        if i > 0 {
            m.push_str(",\n ");
        }
        let _ = write!(m, "user{i}@example.org");
    }
    m.push_str("\nMIME-Version: 1.0\nContent-Type: text/plain\n\n");
    for _ in 0..140 {
        m.push_str("This message was created automatically by mail delivery software.\n");
    }
    m.into_bytes()
}

// ---------------------------------------------------------------------------
// The families.

/// One kind of pathological input, measured at several sizes.
struct Family {
    name: &'static str,
    /// What a size counts.
    unit: &'static str,
    sizes: &'static [usize],
    build: fn(usize) -> Vec<u8>,
}

const FAMILIES: &[Family] = &[
    Family {
        name: "single line, no newline",
        unit: "MB",
        sizes: &[1, 4, 16],
        build: single_line,
    },
    Family {
        name: "DSN e-mail, recipient blocks",
        unit: "recipients",
        sizes: &[10_000, 40_000, 160_000],
        build: dsn_recipients,
    },
    Family {
        name: "bounce + base64 attachment",
        unit: "MB",
        sizes: &[1, 4, 16],
        build: bounce_with_attachment,
    },
    Family {
        name: "nested multiparts",
        unit: "levels",
        sizes: &[100, 400, 1_600],
        build: nested_multiparts,
    },
    Family {
        name: "MIME parts in one multipart",
        unit: "parts",
        sizes: &[1_000, 4_000, 16_000],
        build: many_parts,
    },
    Family {
        name: "lines of one address",
        unit: "lines",
        sizes: &[10_000, 40_000, 160_000],
        build: lines_of_one_address,
    },
    Family {
        name: "line of '<'",
        unit: "MB",
        sizes: &[1, 4, 16],
        build: angle_brackets,
    },
    Family {
        name: "broken ISO-2022-JP paste",
        unit: "MB",
        sizes: &[1, 4, 16],
        build: broken_iso_2022_jp,
    },
    Family {
        name: ".msg (OLE2) bytes as .eml",
        unit: "MB",
        sizes: &[1, 4, 16],
        build: ole2_like,
    },
    Family {
        name: "ARF paste, Original-Rcpt-To lines",
        unit: "recipients",
        sizes: &[10_000, 40_000, 160_000],
        build: arf_paste,
    },
    Family {
        name: "hazard: distinct address lines",
        unit: "lines",
        sizes: &[1_000, 2_000, 4_000, 8_000],
        build: distinct_address_lines,
    },
    Family {
        name: "hazard: one line of x:550",
        unit: "KB",
        sizes: &[16, 32, 64, 128],
        build: reply_code_lookalikes,
    },
    Family {
        name: "hazard: DSN 100 recipients, long notice",
        unit: "notice lines",
        sizes: &[250, 500, 1_000, 2_000],
        build: dsn_100_recipients_long_notice,
    },
    Family {
        name: "hazard: X-Failed-Recipients addresses",
        unit: "addresses",
        sizes: &[500, 1_000, 2_000, 4_000],
        build: x_failed_recipients,
    },
];

// ---------------------------------------------------------------------------
// Measuring.

/// One analysis of one input.
struct Run {
    elapsed: Duration,
    /// Peak heap bytes above what was live before the run.
    peak: usize,
    /// Recipients found (before the reporting limit).
    recipients: usize,
}

fn measure(input: &[u8], options: &Options) -> Run {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let start = Instant::now();
    let analyses = analyze(input, options);
    let elapsed = start.elapsed();
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    let recipients = analyses.iter().map(|a| a.total_recipients).sum();
    drop(std::hint::black_box(analyses));
    Run {
        elapsed,
        peak,
        recipients,
    }
}

/// The fastest of up to three runs (one when `quick`, or when a run takes
/// more than a second); the peak is the same in every run.
fn best_of(input: &[u8], options: &Options, quick: bool) -> Run {
    let mut best = measure(input, options);
    if !quick && best.elapsed < Duration::from_secs(1) {
        for _ in 0..2 {
            let run = measure(input, options);
            if run.elapsed < best.elapsed {
                best = run;
            }
        }
    }
    best
}

fn megabytes(bytes: usize) -> f64 {
    bytes as f64 / MB as f64
}

/// Growth of `value` from the previous size relative to the growth of the
/// input (1.0 = linear), as a table cell.
fn growth(value: f64, previous: Option<(f64, f64)>, units: f64) -> String {
    match previous {
        Some((prev_value, prev_units)) if prev_value > 0.0 && prev_units > 0.0 => {
            format!("{:.2}", (value / prev_value) / (units / prev_units))
        }
        _ => "-".to_string(),
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let options = Options::default();
    // Warm-up: compiles every rule table once, outside the measurements
    // (each family's smallest input reaches the regexes its path uses).
    std::hint::black_box(analyze(POSTFIX_USER_UNKNOWN, &options));
    for family in FAMILIES {
        std::hint::black_box(analyze(&(family.build)(family.sizes[0]), &options));
    }

    if cfg!(debug_assertions) {
        println!("(debug build: figures are not representative; use `cargo bench`)\n");
    }
    println!(
        "Scaling of `analyze` on pathological inputs ({} mode, single thread, default Options).",
        if quick { "quick" } else { "full" }
    );
    println!("growth = (value / previous value) / (size / previous size): 1.0 is linear.\n");
    println!("| input | size | input MB | ms | ms/MB | us/unit | time growth | peak heap MB | peak/input | memory growth | recipients |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for family in FAMILIES {
        let sizes = if quick {
            &family.sizes[..family.sizes.len().min(2)]
        } else {
            family.sizes
        };
        let mut previous: Option<(f64, f64, f64)> = None; // (ms, peak, units)
        for &size in sizes {
            eprintln!("measuring {} at {size} {}", family.name, family.unit);
            let input = (family.build)(size);
            let run = best_of(&input, &options, quick);
            let ms = run.elapsed.as_secs_f64() * 1e3;
            let input_mb = megabytes(input.len());
            let peak = run.peak as f64;
            let units = size as f64;
            println!(
                "| {} | {size} {} | {input_mb:.2} | {ms:.1} | {:.1} | {:.2} | {} | {:.1} | {:.1}x | {} | {} |",
                family.name,
                family.unit,
                ms / input_mb.max(1e-9),
                ms * 1e3 / units,
                growth(ms, previous.map(|(m, _, u)| (m, u)), units),
                megabytes(run.peak),
                peak / input.len().max(1) as f64,
                growth(peak, previous.map(|(_, p, u)| (p, u)), units),
                run.recipients,
            );
            previous = Some((ms, peak, units));
        }
    }
    println!("\nhazard rows: inputs known to cost more than linear time or memory today (see tests/robustness.rs, hazard_* tests).");
}
