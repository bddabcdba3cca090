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
//! `--quick` runs only the two smallest sizes of each family. The last four
//! families once grew faster than linearly (one recipient's evidence was
//! gathered by rescanning every line for every other recipient); they are
//! kept to show that they no longer do. A benchmark, not a test: it prints
//! figures and asserts nothing.

#[path = "../tests/inputs/mod.rs"]
mod inputs;

use bouncedesk::{analyze, Options};
use inputs::*;
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
// Inputs beyond the shared ones of tests/inputs/ (also used by
// tests/robustness.rs).

fn single_line(megabytes: usize) -> Vec<u8> {
    repeated(NOTICE_SENTENCE, megabytes * MB)
}

fn dsn_recipients(recipients: usize) -> Vec<u8> {
    dsn_email(recipients, 0)
}

fn dsn_100_recipients_long_notice(notice_lines: usize) -> Vec<u8> {
    dsn_email(100, notice_lines)
}

/// The Postfix fixture with a base64 PDF of about `megabytes` (as sent)
/// added before its closing delimiter.
fn postfix_with_attachment(megabytes: usize) -> Vec<u8> {
    bounce_with_attachment(POSTFIX_USER_UNKNOWN, megabytes * MB)
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
        build: postfix_with_attachment,
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
        name: "distinct address lines",
        unit: "lines",
        sizes: &[2_000, 4_000, 8_000, 16_000],
        build: distinct_address_lines,
    },
    Family {
        name: "one line of x:550",
        unit: "KB",
        sizes: &[16, 32, 64, 128],
        build: reply_code_lookalikes,
    },
    Family {
        name: "DSN 100 recipients, long notice",
        unit: "notice lines",
        sizes: &[250, 500, 1_000, 2_000],
        build: dsn_100_recipients_long_notice,
    },
    Family {
        name: "X-Failed-Recipients addresses",
        unit: "addresses",
        sizes: &[500, 1_000, 2_000, 4_000],
        build: x_failed_recipients_email,
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
}
