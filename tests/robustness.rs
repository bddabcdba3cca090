//! Hostile and broken input (issue 7, core part): whatever bytes it is given,
//! the analysis returns, never panics, and stays within its configured limits.
//!
//! Three layers:
//! - property tests (proptest, a bounded number of cases so that CI stays
//!   fast): arbitrary bytes, e-mail-shaped noise, and mutations of every file
//!   under `tests/fixtures/` (truncation, overwritten and flipped bytes,
//!   duplicated MIME boundary lines, broken encoded words, base64 and
//!   ISO-2022-JP escapes, CR / CRLF line ends, repeated chunks);
//! - named regression tests for pathological inputs, generated here rather
//!   than stored as files. Each input goes the bot's whole way (analysis,
//!   explanation, terminal rendering, and the code lookup of its first
//!   kilobytes) and the result is checked against the limits of [`Options`]
//!   (recipients reported, input read) and the parser's own caps
//!   (`MAX_PARTS`, `MAX_RECIPIENTS_PARSED`, `MAX_NOTICE_BYTES`);
//! - `hazard_*` tests for inputs that once cost far more than linear time or
//!   overflowed the stack (a paste of thousands of distinct addresses took
//!   seconds per thousand lines, quadratically), kept as regressions.
//!
//! Elapsed times are printed (see them with `--nocapture`) for information
//! only: nothing here asserts speed; `benches/scaling.rs` measures time and
//! memory growth. Tests whose names start with `heavy_` build inputs of tens
//! of megabytes; they run in CI like the others but take a shared lock, so
//! that only one of those inputs is alive at a time when the harness runs
//! tests in parallel (`--skip heavy_` leaves them out on a small machine).

mod inputs;

use bouncedesk::analysis::MAX_RECIPIENTS_PARSED;
use bouncedesk::explain::{explain, ExplainOptions, Explanation};
use bouncedesk::extract::MAX_NOTICE_BYTES;
use bouncedesk::lookup::lookup;
use bouncedesk::parse::MAX_PARTS;
use bouncedesk::render::explanation_text;
use bouncedesk::responses::ResponseSet;
use bouncedesk::{analyze, Analysis, Options, Reason};
use inputs::*;
use proptest::prelude::*;
use proptest::sample::Index;
use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Instant;

/// Messages analysed per input at most (`analysis::analyze` reads the first
/// 10,000 messages of an mbox).
const MAX_MESSAGES: usize = 10_000;

/// Bytes of an input handed to the code lookup: Discord caps a slash-command
/// string option at 6,000 characters, so `/bounce code` never sees more.
const LOOKUP_QUERY_BYTES: usize = 6_000;

// ---------------------------------------------------------------------------
// Running an input the bot's whole way, and the limits every result keeps.

/// What one input gave, end to end.
struct Outcome {
    analyses: Vec<Analysis>,
    explanation: Explanation,
    text: String,
}

/// Analyses, explains and renders `bytes` as the bot does, looks up the start
/// of it as `/bounce code` would, and checks the result against the limits.
fn exercise(bytes: &[u8], options: &Options) -> Outcome {
    let analyses = analyze(bytes, options);
    assert_within_limits(&analyses, options, bytes.len());
    let set = ResponseSet::embedded();
    let explanation = explain(&analyses, set, &ExplainOptions::default());
    let text = explanation_text(&explanation, set, true);
    assert!(!text.trim().is_empty(), "every input gets an answer");
    let query = String::from_utf8_lossy(&bytes[..bytes.len().min(LOOKUP_QUERY_BYTES)]);
    let answer = lookup(&query);
    if answer.exact {
        assert!(
            !answer.entries.is_empty(),
            "an exact code answer has entries"
        );
    }
    Outcome {
        analyses,
        explanation,
        text,
    }
}

/// The promises of `analyze` that hold for any input: the recipient limit,
/// the count before the cut, the truncation flag, and text kept in proportion
/// to the input (decoding may turn one byte into a three-byte U+FFFD, never
/// into more).
fn assert_within_limits(analyses: &[Analysis], options: &Options, input_len: usize) {
    assert!(
        analyses.len() <= MAX_MESSAGES,
        "{} analyses for one input",
        analyses.len()
    );
    let truncated = input_len > options.max_input_bytes;
    let read = input_len.min(options.max_input_bytes);
    for a in analyses {
        assert!(
            a.results.len() <= options.max_recipients,
            "{} results reported, the limit is {}",
            a.results.len(),
            options.max_recipients
        );
        assert!(
            a.total_recipients >= a.results.len(),
            "total_recipients {} counts fewer than the {} reported",
            a.total_recipients,
            a.results.len()
        );
        assert_eq!(
            a.input_truncated, truncated,
            "input_truncated must say whether {input_len} bytes were cut to {}",
            options.max_input_bytes
        );
        assert_eq!(
            a.is_bounce,
            !a.results.is_empty(),
            "is_bounce means at least one recipient result"
        );
        let kept = a.document.notice.len() + a.document.status_text.len();
        assert!(
            kept <= 4 * read + 64 * 1024,
            "the document keeps {kept} bytes of text for {read} bytes read"
        );
    }
}

/// [`exercise`], printing how long it took (for information only).
fn timed(label: &str, input: &[u8], options: &Options) -> Outcome {
    let start = Instant::now();
    let out = exercise(input, options);
    let shown: usize = out.analyses.iter().map(|a| a.results.len()).sum();
    let total: usize = out.analyses.iter().map(|a| a.total_recipients).sum();
    eprintln!(
        "{label}: {} bytes, {} analyses, {shown} of {total} recipients shown, {:?}",
        input.len(),
        out.analyses.len(),
        start.elapsed()
    );
    out
}

/// [`exercise`] with the default options; a panic is reported with `label`
/// (the fixture and its mutations), which proptest then shows.
fn exercise_labelled(label: &str, bytes: &[u8]) {
    let result =
        std::panic::catch_unwind(AssertUnwindSafe(|| exercise(bytes, &Options::default())));
    if let Err(cause) = result {
        panic!(
            "{label} ({} bytes): {}",
            bytes.len(),
            panic_message(cause.as_ref())
        );
    }
}

fn panic_message(cause: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = cause.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = cause.downcast_ref::<&str>() {
        (*s).to_string()
    } else {
        "a panic without a message".to_string()
    }
}

/// Serialises the memory-heavy tests (the `heavy_` ones): at most one of
/// their inputs is alive at a time.
fn heavy() -> MutexGuard<'static, ()> {
    static HEAVY: Mutex<()> = Mutex::new(());
    HEAVY.lock().unwrap_or_else(PoisonError::into_inner)
}

// ---------------------------------------------------------------------------
// The fixtures.

struct Fixture {
    /// Path below `tests/fixtures/`.
    name: String,
    bytes: Vec<u8>,
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every file under `tests/fixtures/`, sorted by path (so that an index drawn
/// by proptest names the same file on every run).
fn fixtures() -> &'static [Fixture] {
    static ALL: OnceLock<Vec<Fixture>> = OnceLock::new();
    ALL.get_or_init(|| {
        let root = fixtures_dir();
        let mut all = Vec::new();
        collect_files(&root, &root, &mut all);
        all.sort_by(|a, b| a.name.cmp(&b.name));
        assert!(!all.is_empty(), "no fixtures under {}", root.display());
        all
    })
}

fn collect_files(root: &Path, dir: &Path, out: &mut Vec<Fixture>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(root, &path, out);
        } else if let Ok(bytes) = std::fs::read(&path) {
            let name = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .display()
                .to_string();
            out.push(Fixture { name, bytes });
        }
    }
}

// ---------------------------------------------------------------------------
// Mutations of a fixture.

/// One way to damage a file.
#[derive(Debug, Clone)]
enum Mutation {
    /// Cut the file at a point.
    Truncate(Index),
    /// Overwrite single bytes with any value.
    Overwrite(Vec<(Index, u8)>),
    /// Flip one bit (0..8) in single bytes.
    FlipBits(Vec<(Index, u8)>),
    /// Copy a MIME boundary line to the start of another line, `times` times.
    DuplicateBoundary {
        line: Index,
        to: Index,
        times: usize,
    },
    /// Insert a broken encoded word, base64 line or ISO-2022-JP sequence.
    InsertBroken {
        kind: Broken,
        which: Index,
        at: Index,
    },
    /// Rewrite every line end.
    LineEnds { style: LineEnd, seed: u64 },
    /// Repeat a chunk of the file in place, `times` copies in all.
    RepeatChunk {
        start: Index,
        len: usize,
        times: usize,
    },
}

#[derive(Debug, Clone, Copy)]
enum Broken {
    EncodedWord,
    Base64,
    Iso2022Jp,
}

#[derive(Debug, Clone, Copy)]
enum LineEnd {
    Crlf,
    Cr,
    CrCrLf,
    /// LF, CRLF, CR and LFCR, drawn per line.
    Mixed,
}

/// RFC 2047 encoded words, broken in the ways mail clients break them.
const ENCODED_WORDS: &[&[u8]] = &[
    b"=?UTF-8?B?5L2Q6Jek",                         // never closed
    b"=?UTF-8?B?5L2Q6Jek?=",                       // well formed, for contrast
    b"=?UTF-8?B?!!!!?=",                           // not base64
    b"=?UTF-8?Q?=E3=81?=",                         // a cut UTF-8 sequence
    b"=?UTF-8?Q?=ZZ=5?=",                          // bad hex
    b"=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=", // well formed
    b"=?ISO-2022-JP?B?GyRCJDMkcw==?=",             // never returns to ASCII
    b"=?ISO-2022-JP?B?GyQ=?=",                     // a cut escape sequence
    b"=?x-unknown-charset?B?QUJD?=",
    b"=??B??=",
    b"=?UTF-8*ja?B?QUJD?=", // RFC 2231 language tag
    b"=?UTF-8?X?QUJD?=",    // unknown encoding
    b"=?=?=?=?=?=?=?",
    b"=?utf-8?b?=?utf-8?b?5L2Q?=?=",
];

/// Lines that break a base64 body.
const BASE64_LINES: &[&[u8]] = &[
    b"QUJD*&^%$#@!\n",
    b"====\n",
    b"Q\n",
    b"QQ=\n",
    b"=QUJD\n",
    b"QUJD====QUJD\n",
    b"\x00\x01\x02\xff\xfe\n",
    b"TVqQAAMAAAAEAAAA//8AALgA\n", // the start of a Windows executable
    b"Content-Transfer-Encoding: base64\n\n@@@@\n",
    b"--\n",
];

/// ISO-2022-JP sequences broken in every way seen in the wild.
const ISO_2022_JP: &[&[u8]] = &[
    b"\x1b$B08@h\x1b(B",      // well formed, for contrast
    b"\x1b$B08@h",            // never returns to ASCII
    b"\x1b$B0",               // an odd byte in double-byte mode
    b"\x1b$",                 // a cut escape sequence
    b"\x1b(",                 // another
    b"\x1b",                  // a lone ESC
    b"\x1b$B\x1b$B\x1b$B",    // escapes with nothing between
    b"\x1b$(D\x22\x2f\x1b(B", // JIS X 0212
    b"\x1b(I\x31\x32\x1b(B",  // half-width katakana set
    b"\x1b$B\xb0\xb8\x1b(B",  // 8-bit bytes in a 7-bit charset
    b"\x1b$B\n08\n\x1b(B",    // line breaks in double-byte mode
    b"\x0e\x0f\x1b$)C",       // SO, SI and an ISO-2022-KR designation
];

impl Broken {
    fn pieces(self) -> &'static [&'static [u8]] {
        match self {
            Broken::EncodedWord => ENCODED_WORDS,
            Broken::Base64 => BASE64_LINES,
            Broken::Iso2022Jp => ISO_2022_JP,
        }
    }
}

fn broken() -> impl Strategy<Value = Broken> {
    prop_oneof![
        Just(Broken::EncodedWord),
        Just(Broken::Base64),
        Just(Broken::Iso2022Jp)
    ]
}

fn line_end() -> impl Strategy<Value = LineEnd> {
    prop_oneof![
        Just(LineEnd::Crlf),
        Just(LineEnd::Cr),
        Just(LineEnd::CrCrLf),
        Just(LineEnd::Mixed)
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<Index>().prop_map(Mutation::Truncate),
        prop::collection::vec((any::<Index>(), any::<u8>()), 1..32).prop_map(Mutation::Overwrite),
        prop::collection::vec((any::<Index>(), 0u8..8), 1..32).prop_map(Mutation::FlipBits),
        (any::<Index>(), any::<Index>(), 1usize..4)
            .prop_map(|(line, to, times)| Mutation::DuplicateBoundary { line, to, times }),
        (broken(), any::<Index>(), any::<Index>())
            .prop_map(|(kind, which, at)| Mutation::InsertBroken { kind, which, at }),
        (line_end(), any::<u64>()).prop_map(|(style, seed)| Mutation::LineEnds { style, seed }),
        (any::<Index>(), 1usize..4096, 2usize..8)
            .prop_map(|(start, len, times)| Mutation::RepeatChunk { start, len, times }),
    ]
}

fn apply(bytes: &[u8], mutation: &Mutation) -> Vec<u8> {
    match mutation {
        Mutation::Truncate(at) => bytes[..point(at, bytes.len())].to_vec(),
        Mutation::Overwrite(edits) => {
            let mut out = bytes.to_vec();
            for (at, value) in edits {
                if let Some(i) = byte_index(at, out.len()) {
                    out[i] = *value;
                }
            }
            out
        }
        Mutation::FlipBits(edits) => {
            let mut out = bytes.to_vec();
            for (at, bit) in edits {
                if let Some(i) = byte_index(at, out.len()) {
                    out[i] ^= 1u8 << *bit;
                }
            }
            out
        }
        Mutation::DuplicateBoundary { line, to, times } => {
            duplicate_boundary(bytes, line, to, *times)
        }
        Mutation::InsertBroken { kind, which, at } => insert_broken(bytes, *kind, which, at),
        Mutation::LineEnds { style, seed } => rewrite_line_ends(bytes, *style, *seed),
        Mutation::RepeatChunk { start, len, times } => repeat_chunk(bytes, start, *len, *times),
    }
}

/// A point in `0..=len` (an insertion or cut position).
fn point(at: &Index, len: usize) -> usize {
    at.index(len + 1)
}

/// A byte position in `0..len`, none for an empty file.
fn byte_index(at: &Index, len: usize) -> Option<usize> {
    (len > 0).then(|| at.index(len))
}

fn insert(bytes: &[u8], at: usize, piece: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + piece.len());
    out.extend_from_slice(&bytes[..at]);
    out.extend_from_slice(piece);
    out.extend_from_slice(&bytes[at..]);
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Offsets where lines start (0, and after every LF).
fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(
        bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i + 1),
    );
    starts
}

/// Lines that look like MIME boundary delimiters: `--` and a token, with or
/// without the closing `--`.
fn boundary_lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes
        .split_inclusive(|b| *b == b'\n')
        .map(trim_line_end)
        .filter(|t| t.len() > 2 && t.starts_with(b"--") && !t.iter().any(u8::is_ascii_whitespace))
        .collect()
}

fn duplicate_boundary(bytes: &[u8], line: &Index, to: &Index, times: usize) -> Vec<u8> {
    let lines = boundary_lines(bytes);
    if lines.is_empty() {
        return bytes.to_vec();
    }
    let mut copy = lines[line.index(lines.len())].to_vec();
    copy.push(b'\n');
    let starts = line_starts(bytes);
    insert(bytes, starts[to.index(starts.len())], &copy.repeat(times))
}

/// Encoded words go where they live (a Subject, From, To or Content-Type
/// value) when the file has that header; base64 lines and ISO-2022-JP
/// sequences go at the start of any line.
fn insert_broken(bytes: &[u8], kind: Broken, which: &Index, at: &Index) -> Vec<u8> {
    let pieces = kind.pieces();
    let piece = pieces[which.index(pieces.len())];
    let position = match kind {
        Broken::EncodedWord => {
            header_value_start(bytes, at).unwrap_or_else(|| point(at, bytes.len()))
        }
        Broken::Base64 | Broken::Iso2022Jp => {
            let starts = line_starts(bytes);
            starts[at.index(starts.len())]
        }
    };
    insert(bytes, position, piece)
}

fn header_value_start(bytes: &[u8], which: &Index) -> Option<usize> {
    const NAMES: &[&[u8]] = &[
        b"\nSubject: ",
        b"\nFrom: ",
        b"\nTo: ",
        b"\nContent-Type: ",
        b"\nContent-Disposition: ",
    ];
    let name = NAMES[which.index(NAMES.len())];
    find(bytes, name).map(|p| p + name.len())
}

fn rewrite_line_ends(bytes: &[u8], style: LineEnd, seed: u64) -> Vec<u8> {
    let mut rng = XorShift::new(seed);
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 8);
    for &b in bytes {
        if b != b'\n' {
            out.push(b);
            continue;
        }
        let end: &[u8] = match style {
            LineEnd::Crlf => b"\r\n".as_slice(),
            LineEnd::Cr => b"\r".as_slice(),
            LineEnd::CrCrLf => b"\r\r\n".as_slice(),
            LineEnd::Mixed => match rng.next_u64() % 4 {
                0 => b"\n".as_slice(),
                1 => b"\r\n".as_slice(),
                2 => b"\r".as_slice(),
                _ => b"\n\r".as_slice(),
            },
        };
        out.extend_from_slice(end);
    }
    out
}

fn repeat_chunk(bytes: &[u8], start: &Index, len: usize, times: usize) -> Vec<u8> {
    let Some(s) = byte_index(start, bytes.len()) else {
        return Vec::new();
    };
    let e = (s + len).min(bytes.len());
    let mut out = Vec::with_capacity(bytes.len() + (e - s) * times);
    out.extend_from_slice(&bytes[..e]);
    for _ in 1..times {
        out.extend_from_slice(&bytes[s..e]);
    }
    out.extend_from_slice(&bytes[e..]);
    out
}

/// A tiny deterministic generator (xorshift64) for the generated inputs.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> XorShift {
        XorShift((seed ^ 0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

// ---------------------------------------------------------------------------
// E-mail-shaped noise: the pieces bounces are made of, in any order.

const NOISE: &[&[u8]] = &[
    b"\n",
    b"\r\n",
    b"\r",
    b" ",
    b"Return-Path: <>\n",
    b"From: MAILER-DAEMON@mx.example.jp\n",
    b"From: \"Mail Delivery System\" <postmaster@example.jp>\n",
    b"To: taro@example.jp\n",
    b"Subject: Undelivered Mail Returned to Sender\n",
    b"Subject: =?ISO-2022-JP?B?GyRCJDMkcw==?=\n",
    b"X-Failed-Recipients: hanako@example.net\n",
    b"MIME-Version: 1.0\n",
    b"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n",
    b"Content-Type: multipart/mixed; boundary=\"b\"\n",
    b"Content-Type: multipart/alternative; boundary=\"c\"\n",
    b"Content-Type: message/delivery-status\n",
    b"Content-Type: message/rfc822\n",
    b"Content-Type: text/rfc822-headers\n",
    b"Content-Type: message/feedback-report\n",
    b"Content-Type: text/html; charset=utf-8\n",
    b"Content-Type: text/plain; charset=iso-2022-jp\n",
    b"Content-Type: text/plain; charset=shift_jis\n",
    b"Content-Transfer-Encoding: base64\n",
    b"Content-Transfer-Encoding: quoted-printable\n",
    b"Content-Disposition: attachment; filename=\"invoice.pdf.exe\"\n",
    b"--b\n",
    b"--b--\n",
    b"--c\n",
    b"--c--\n",
    b"From MAILER-DAEMON Mon Jan  1 00:00:00 2024\n",
    b"Reporting-MTA: dns; mx.example.jp\n",
    b"Final-Recipient: rfc822; hanako@example.net\n",
    b"Original-Recipient: rfc822;jiro@example.org\n",
    b"Action: failed\n",
    b"Action: delayed\n",
    b"Status: 5.1.1\n",
    b"Status: 4.4.7 (delivery expired)\n",
    b"Diagnostic-Code: smtp; 550 5.1.1 <hanako@example.net>: User unknown\n",
    b"Feedback-Type: abuse\n",
    b"Original-Rcpt-To: hanako@example.net\n",
    b"<hanako@example.net>: host mx.example.net[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n",
    b"    Recipient address rejected: mailbox full\n",
    b"550-5.7.1 multi-line\n",
    b">>> RCPT TO:<hanako@example.net>\n",
    b"<<< 550 5.1.1 no such user\n",
    b"(reason: 552 5.2.2 Mailbox full)\n",
    b"------ This is a copy of the message, including all the headers. ------\n",
    b"```\n",
    b"> ",
    b">>> ",
    b"<a href=\"http://192.0.2.7/login\">https://example.jp/</a>",
    b"https://xn--example-9ta.jp/verify",
    b"TVqQAAMAAAAEAAAA//8AALgA",
    b"QUJDRA==\n",
    b"=?UTF-8?B?5L2Q6Jek",
    b"\x1b$B08@h",
    b"\x1b(B",
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbc\x95\xef\xbc\x95\xef\xbc\x90", // full-width "550"
    b"{\"notificationType\":\"Bounce\",\"bounce\":{\"bounceType\":\"Permanent\",\"bouncedRecipients\":[{\"emailAddress\":\"hanako@example.net\",\"status\":\"5.1.1\"}]}}",
    b"{\"notificationType\":\"Complaint\",\"complaint\":{\"complainedRecipients\":[",
    b"Auto-Submitted: auto-replied\n",
    b"Out of office\n",
];

// ---------------------------------------------------------------------------
// The property tests.

/// Cases per property test: 64, so that CI stays fast, or `PROPTEST_CASES`
/// for a longer run.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), .. ProptestConfig::default() })]

    /// Any bytes at all, under any input limit (cuts inside a UTF-8 sequence
    /// included) and a small recipient limit, then under the defaults.
    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..4096),
        max_input_bytes in 0usize..6000,
        max_recipients in 0usize..4
    ) {
        let options = Options { max_input_bytes, max_recipients, ..Options::default() };
        exercise(&bytes, &options);
        exercise(&bytes, &Options::default());
    }

    /// Headers, MIME delimiters, status fields, notice lines and encodings,
    /// in any order and number: input that reaches deep into the parser.
    #[test]
    fn email_shaped_noise_never_panics(
        pieces in prop::collection::vec(prop::sample::select(NOISE), 0..300)
    ) {
        let bytes: Vec<u8> = pieces.concat();
        exercise_labelled("e-mail-shaped noise", &bytes);
        exercise(&bytes, &Options { max_recipients: 1, ..Options::default() });
    }

    /// A fixture damaged one to three times.
    #[test]
    fn mutated_fixtures_never_panic(
        pick in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 1..4)
    ) {
        let all = fixtures();
        let fixture = &all[pick.index(all.len())];
        let mut bytes = fixture.bytes.clone();
        for m in &mutations {
            bytes = apply(&bytes, m);
        }
        exercise_labelled(&format!("{} after {mutations:?}", fixture.name), &bytes);
    }
}

/// The unmutated fixtures keep the same limits (a baseline for the above).
#[test]
fn every_fixture_stays_within_limits() {
    for f in fixtures() {
        exercise_labelled(&f.name, &f.bytes);
    }
}

// ---------------------------------------------------------------------------
// Generators for the named inputs.

/// A `.msg` (Outlook, OLE2 compound file) saved as `.eml`: the OLE2 magic,
/// pseudo-random bytes, and an UTF-16LE subject as Outlook stores it.
fn ole2_like(len: usize) -> Vec<u8> {
    let mut out = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    let mut rng = XorShift::new(7);
    while out.len() < len {
        out.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    out.truncate(len.max(8));
    let subject: Vec<u8> = "Undeliverable: quotation for tanaka@example.com"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    if out.len() > 4096 + subject.len() {
        out[4096..4096 + subject.len()].copy_from_slice(&subject);
    }
    out
}

/// A bounce whose ISO-2022-JP notice and subject are broken but whose
/// delivery-status part is sound.
fn jis_bounce() -> Vec<u8> {
    let mut m = Vec::new();
    m.extend_from_slice(b"Return-Path: <>\nFrom: MAILER-DAEMON@mx.example.jp\nTo: taro@example.jp\nSubject: =?ISO-2022-JP?B?GyRCJDMkcw==?= =?ISO-2022-JP?B?GyQ=?=\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"jis\"\n\n--jis\nContent-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n");
    m.extend_from_slice(BROKEN_JIS);
    m.extend_from_slice(b"\n--jis\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.jp\n\nFinal-Recipient: rfc822; hanako@example.net\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 <hanako@example.net>: User unknown\n\n--jis--\n");
    m
}

/// After the header block, every blank line is followed by a line of NULs
/// (MIME delimiters and header lines stay intact).
fn with_nul_lines(mail: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(mail.len() + 256);
    let mut in_body = false;
    for line in mail.split_inclusive(|b| *b == b'\n') {
        out.extend_from_slice(line);
        if line == b"\n" {
            if in_body {
                out.extend_from_slice(b"\0\0\0\0\n");
            }
            in_body = true;
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Named regression tests.

#[test]
fn heavy_a_50_mb_single_line_is_read_within_limits() {
    let _heavy = heavy();
    let input = repeated(NOTICE_SENTENCE, 50 * MB);
    assert!(!input.contains(&b'\n'));
    let options = Options::default();
    assert!(
        input.len() <= options.max_input_bytes,
        "the default limit reads all of it"
    );
    let out = timed("50 MB single line", &input, &options);
    assert_eq!(out.analyses.len(), 1);
}

#[test]
fn input_over_max_input_bytes_is_cut_and_flagged() {
    // Three-byte characters, cut by a limit that is no multiple of three.
    let input = "\u{3042}".repeat(1_000_000).into_bytes();
    let options = Options {
        max_input_bytes: 1_000_001,
        ..Options::default()
    };
    let out = timed(
        "3 MB of three-byte characters cut at 1,000,001 bytes",
        &input,
        &options,
    );
    assert!(!out.analyses.is_empty());
    assert!(out.analyses.iter().all(|a| a.input_truncated));

    // A real bounce cut inside its delivery-status part.
    let cut = find(POSTFIX_USER_UNKNOWN, b"Action: failed").expect("the fixture has a DSN part");
    let options = Options {
        max_input_bytes: cut,
        ..Options::default()
    };
    let out = timed(
        "a bounce cut inside its DSN",
        POSTFIX_USER_UNKNOWN,
        &options,
    );
    assert!(!out.analyses.is_empty());
    assert!(out.analyses.iter().all(|a| a.input_truncated));
}

#[test]
fn a_thousand_nested_multiparts_stop_at_the_depth_limit() {
    let input = nested_multiparts(1_000);
    let out = timed("1,000 nested multiparts", &input, &Options::default());
    assert_eq!(out.analyses.len(), 1);
    assert!(
        out.analyses[0].document.parts_truncated,
        "the MIME walk must record that it stopped"
    );
}

#[test]
fn a_thousand_nested_messages_are_read() {
    let input = nested_messages(1_000);
    let out = timed("1,000 nested message/rfc822", &input, &Options::default());
    assert_eq!(out.analyses.len(), 1);
}

#[test]
fn ten_thousand_mime_parts_stop_at_max_parts() {
    let count = 10_000;
    assert!(count > MAX_PARTS, "the input must exceed the part limit");
    let input = many_parts(count);
    let out = timed("10,000 MIME parts", &input, &Options::default());
    assert_eq!(out.analyses.len(), 1);
    assert!(
        out.analyses[0].document.parts_truncated,
        "the MIME walk must record that it stopped at MAX_PARTS"
    );
}

#[test]
fn the_part_limit_is_configuration() {
    let input = many_parts(100);
    let cut = |max_parts| {
        let options = Options {
            max_parts,
            ..Options::default()
        };
        analyze(&input, &options)[0].document.parts_truncated
    };
    assert!(cut(50), "100 parts under a limit of 50 are cut");
    assert!(!cut(500), "100 parts under a limit of 500 are read whole");
}

#[test]
fn heavy_a_dsn_with_100000_recipients_is_capped_and_counted() {
    let _heavy = heavy();
    let input = dsn_email(100_000, 0);
    let options = Options {
        max_recipients: 1_000,
        ..Options::default()
    };
    let out = timed("DSN with 100,000 recipient blocks", &input, &options);
    assert_eq!(out.analyses.len(), 1);
    let a = &out.analyses[0];
    assert!(a.is_bounce);
    assert_eq!(a.results.len(), 1_000);
    assert_eq!(a.results[0].recipient, "user0@example.org");
    let total = MAX_RECIPIENTS_PARSED.min(100_000);
    assert_eq!(a.total_recipients, total);
    // The answer says that only the first 1,000 of them are shown.
    let total = total.to_string();
    assert!(
        out.explanation.notes.iter().any(|n| n.contains(&total)),
        "no note about the cut: {:?}",
        out.explanation.notes
    );
    assert!(out.text.contains(&total));
}

#[test]
fn a_pasted_dsn_with_100000_recipients_is_read_up_to_the_notice_limit() {
    let mut text = String::from("Reporting-MTA: dns; mx.example.jp\n\n");
    push_recipient_blocks(&mut text, 100_000);
    let options = Options {
        max_recipients: 1_000,
        ..Options::default()
    };
    let out = timed(
        "pasted DSN with 100,000 recipient blocks",
        text.as_bytes(),
        &options,
    );
    assert_eq!(out.analyses.len(), 1);
    let a = &out.analyses[0];
    // Pasted text is read up to MAX_NOTICE_BYTES: every block within that
    // is counted, the first 1,000 are reported.
    let shortest_block =
        "Final-Recipient: rfc822; user0@example.org\nAction: failed\nStatus: 5.1.1\n\n".len();
    assert!(
        a.total_recipients > 1_000,
        "{} recipients",
        a.total_recipients
    );
    assert!(a.total_recipients <= MAX_NOTICE_BYTES / shortest_block + 1);
    assert_eq!(a.results.len(), 1_000);
    assert!(
        !out.explanation.notes.is_empty(),
        "the answer says what was cut"
    );
}

#[test]
fn a_feedback_report_with_100000_recipients_is_capped_and_counted() {
    let input = arf_paste(100_000);
    let options = Options {
        max_recipients: 1_000,
        ..Options::default()
    };
    let out = timed("abuse report with 100,000 recipients", &input, &options);
    assert_eq!(out.analyses.len(), 1);
    let a = &out.analyses[0];
    assert_eq!(a.results.len(), 1_000);
    // Pasted report text is read up to the notice limit, like a pasted DSN.
    assert!(
        a.total_recipients > 1_000 && a.total_recipients < 100_000,
        "{}",
        a.total_recipients
    );
    assert!(a.results.iter().all(|r| r.reason == Reason::Feedback));
}

#[test]
fn nul_bytes_in_a_bounce_are_tolerated() {
    // NUL lines between the paragraphs of every part: the DSN part still names the recipient.
    let input = with_nul_lines(POSTFIX_USER_UNKNOWN);
    let out = timed("bounce with NUL lines", &input, &Options::default());
    let a = &out.analyses[0];
    assert!(a.is_bounce);
    assert_eq!(a.results[0].recipient, "tanaka.ichiro@example.com");

    // Every seventh byte a NUL: headers and delimiters broken too.
    let mut input = POSTFIX_USER_UNKNOWN.to_vec();
    for (i, b) in input.iter_mut().enumerate() {
        if i % 7 == 3 {
            *b = 0;
        }
    }
    timed(
        "bounce with every 7th byte NUL",
        &input,
        &Options::default(),
    );

    // A paste with NULs inside the lines.
    let paste = b"\0<hanako@example.net>:\0 host mx.example.net[192.0.2.1] said:\0 550 5.1.1 User unknown\0\n\0\0\0\n";
    timed("paste with NULs", paste, &Options::default());
}

#[test]
fn broken_iso_2022_jp_escapes_are_tolerated() {
    // In a bounce with a sound DSN part: still classified.
    let out = timed(
        "bounce with broken ISO-2022-JP",
        &jis_bounce(),
        &Options::default(),
    );
    let a = &out.analyses[0];
    assert!(a.is_bounce);
    assert_eq!(a.results[0].recipient, "hanako@example.net");
    assert_eq!(a.results[0].status.as_deref(), Some("5.1.1"));

    // Pasted, alone and repeated to a megabyte.
    timed("pasted broken ISO-2022-JP", BROKEN_JIS, &Options::default());
    let big = repeated(BROKEN_JIS, MB);
    timed("1 MB of broken ISO-2022-JP", &big, &Options::default());
}

#[test]
fn heavy_a_bounce_with_a_30_mb_base64_attachment_is_still_classified() {
    let _heavy = heavy();
    let input = bounce_with_attachment(POSTFIX_USER_UNKNOWN, 30 * MB);
    let out = timed(
        "bounce with a 30 MB base64 attachment",
        &input,
        &Options::default(),
    );
    assert_eq!(out.analyses.len(), 1);
    let a = &out.analyses[0];
    assert!(!a.input_truncated);
    assert!(a.is_bounce);
    assert_eq!(a.results[0].recipient, "tanaka.ichiro@example.com");
    assert_eq!(a.results[0].reason, Reason::UserUnknown);
    assert_eq!(a.results[0].status.as_deref(), Some("5.1.1"));
    assert!(
        a.document.attachments.iter().any(|x| x.size > 20 * MB),
        "the attachment is described, not lost: {:?}",
        a.document.attachments
    );
}

#[test]
fn an_empty_or_blank_file_is_not_a_bounce() {
    let inputs: [&[u8]; 4] = [b"", b"\n", b"\r\n\r\n", b"   \t  \n\n"];
    for input in inputs {
        let out = timed("blank input", input, &Options::default());
        assert!(out
            .analyses
            .iter()
            .all(|a| !a.is_bounce && a.total_recipients == 0));
        assert!(!out.explanation.is_bounce);
    }
}

#[test]
fn a_msg_file_renamed_eml_is_not_a_bounce() {
    let input = ole2_like(512 * 1024);
    let out = timed(".msg (OLE2) bytes as .eml", &input, &Options::default());
    assert!(out.analyses.iter().all(|a| !a.is_bounce));
}

#[test]
fn a_2_mb_line_of_angle_brackets_is_not_a_bounce() {
    let input = vec![b'<'; 2 * MB];
    let out = timed("2 MB of '<'", &input, &Options::default());
    assert!(out.analyses.iter().all(|a| !a.is_bounce));
}

#[test]
fn a_hundred_thousand_lines_of_one_address_name_one_recipient_at_most() {
    let input = b"a@b.example, a@b.example, a@b.example,\n".repeat(100_000);
    let out = timed("100,000 lines of one address", &input, &Options::default());
    assert!(out.analyses.iter().all(|a| a.total_recipients <= 1));
}

// ---------------------------------------------------------------------------
// Former hazards: inputs that once cost far more than linear time. Each
// takes well under a second in release now (`benches/scaling.rs` measures
// their growth); these keep them from coming back.

#[test]
fn hazard_reply_code_lookalikes_fill_one_notice_line() {
    let input = repeated(b"x:550 ", MAX_NOTICE_BYTES);
    let out = timed("one line of x:550", &input, &Options::default());
    assert!(out.analyses.iter().all(|a| !a.is_bounce));
}

#[test]
fn hazard_a_paste_of_distinct_addresses_one_per_line() {
    let mut text = String::new();
    let mut i = 0;
    while text.len() < MAX_NOTICE_BYTES {
        let _ = writeln!(text, "user{i}@example.org");
        i += 1;
    }
    let out = timed(
        "distinct addresses, one per line",
        text.as_bytes(),
        &Options::default(),
    );
    // A list of addresses says nothing about a failed delivery.
    assert!(out.analyses.iter().all(|a| !a.is_bounce));
}

#[test]
fn hazard_dsn_recipients_with_a_long_notice() {
    let input = dsn_email(2_000, 2_000);
    let options = Options {
        max_recipients: 1_000,
        ..Options::default()
    };
    let out = timed(
        "DSN, 2,000 recipients, 2,000 notice lines",
        &input,
        &options,
    );
    let a = &out.analyses[0];
    assert_eq!(a.total_recipients, 2_000);
    assert_eq!(a.results.len(), 1_000);
}

#[test]
fn hazard_x_failed_recipients_with_many_addresses() {
    let input = x_failed_recipients_email(20_000);
    let options = Options {
        max_recipients: 1_000,
        ..Options::default()
    };
    let out = timed(
        "X-Failed-Recipients with 20,000 addresses",
        &input,
        &options,
    );
    let a = &out.analyses[0];
    assert_eq!(a.total_recipients, 20_000);
    assert_eq!(a.results.len(), 1_000);
}

/// Regression (found in review): two evidence lines far apart above
/// thousands of recipients. Each recipient without evidence of its own takes
/// both, and the lines between them were searched for a reply introduction
/// once per recipient.
#[test]
fn hazard_evidence_lines_far_apart_above_many_recipients() {
    let mut text =
        String::from("This is the mail system at host mx.example.jp.\n550 first reply\n");
    text.push_str(&"\n".repeat(9_000));
    text.push_str("550 second reply\nThe following recipients failed:\n");
    let mut i = 0;
    while text.len() < MAX_NOTICE_BYTES - 64 {
        let _ = writeln!(text, "user{i}@example.org");
        i += 1;
    }
    let options = Options {
        max_recipients: 1_000,
        ..Options::default()
    };
    let out = timed(
        "evidence far apart, many recipients",
        text.as_bytes(),
        &options,
    );
    let a = &out.analyses[0];
    assert!(a.is_bounce);
    assert_eq!(a.results.len(), 1_000);
    assert!(a.total_recipients > 5_000, "{}", a.total_recipients);
}

/// Regression: mail-parser drops nested messages recursively; parse.rs now
/// takes them apart iteratively, so 200,000 levels no longer overflow a
/// 2 MB analysis thread.
#[test]
fn hazard_deeply_nested_messages_on_a_2_mb_stack() {
    let mut m = String::from(BOUNCE_HEADERS);
    m.push_str(&"Content-Type: message/rfc822\n\n".repeat(200_000));
    m.push_str("Content-Type: text/plain\n\n<hanako@example.net>: 550 5.1.1 User unknown\n");
    let input = m.into_bytes();
    // The bot analyses on tokio's blocking threads, which have 2 MiB stacks.
    let worker = std::thread::Builder::new()
        .stack_size(2 * MB)
        .spawn(move || exercise(&input, &Options::default()).analyses.len())
        .expect("an analysis thread");
    assert_eq!(worker.join().expect("the analysis returns"), 1);
}
