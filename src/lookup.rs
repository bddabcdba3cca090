//! Error-code lookup: what do `550 5.1.1`, `0x800CCC0F` or `10060` mean?
//!
//! A support desk is often handed a bare code rather than a whole bounce: a
//! number read out over the phone, the error line of an Outlook dialog, a
//! sentence copied from Thunderbird. The bounce analysis needs a message; this
//! module needs only the code. It answers with every table entry that applies,
//! most specific first (a provider's own explanation, then the registry entry,
//! then the reply code), and when the exact code is unknown it still says what
//! its class digit means, so a well-formed code never comes back empty.
//!
//! All wording comes from `responses/codes/*.toml`, embedded at build time and
//! parsed once; this file holds no Japanese text.

use crate::text::{fold_width, normalize, truncate_chars};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::fmt;
use std::sync::LazyLock;

/// What kind of code an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeKind {
    SmtpReply,
    EnhancedStatus,
    ProviderStatus,
    MailClient,
    WindowsError,
    Thunderbird,
}

/// One entry found for the input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeEntry {
    pub kind: CodeKind,
    /// Canonical form: "550", "5.1.1", "0x800CCC0F",
    /// "0x80072AF9 (11001 WSAHOST_NOT_FOUND)", a Thunderbird key. Generic
    /// class-level entries use x for the unknown digits: "5xx", "5.7.x", "5.x.x".
    pub code: String,
    /// Japanese short title.
    pub title: String,
    /// Japanese meaning.
    pub meaning: String,
    pub english: Option<String>,
    /// The table's source, the defining RFC, or the provider.
    pub source: Option<String>,
}

/// The answer for one lookup: every entry that applies, most specific first,
/// or a generic explanation of what the first digit / class means when the
/// exact code is unknown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeAnswer {
    /// The input as given.
    pub query: String,
    /// What was looked up, e.g. "550 5.1.1".
    pub normalized: String,
    pub entries: Vec<CodeEntry>,
    /// False when only a class/subject-level (generic) answer was possible.
    pub exact: bool,
}

// ---------------------------------------------------------------- tables

/// One row of a code table: a `[[code]]`, `[[class]]` or `[[subject]]`.
#[derive(Debug, Deserialize)]
struct Row {
    code: String,
    title: String,
    meaning: String,
    #[serde(default)]
    english: Option<String>,
    /// enhanced_status.toml: the RFC that defines the code.
    #[serde(default)]
    rfc: Option<String>,
    /// provider_status.toml: the mail service that returns the code.
    #[serde(default)]
    provider: Option<String>,
    /// mail_client.toml: the programmers' name of the error (IXP_E_...).
    #[serde(default)]
    constant: Option<String>,
}

/// smtp_reply.toml, provider_status.toml and mail_client.toml.
#[derive(Debug, Deserialize)]
struct CodeFile {
    source: String,
    code: Vec<Row>,
}

#[derive(Debug, Deserialize)]
struct EnhancedFile {
    source: String,
    /// "2", "4", "5".
    class: Vec<Row>,
    /// "X.0" .. "X.7".
    subject: Vec<Row>,
    /// "X.1.1" and so on.
    code: Vec<Row>,
}

#[derive(Debug, Deserialize)]
struct WindowsRow {
    number: u32,
    name: String,
    hresult: String,
    title: String,
    meaning: String,
    #[serde(default)]
    english: Option<String>,
}

#[derive(Debug, Deserialize)]
struct WindowsFile {
    source: String,
    code: Vec<WindowsRow>,
}

/// A Thunderbird message, found by substrings of its English or Japanese text.
#[derive(Debug, Deserialize)]
struct Message {
    key: String,
    english: String,
    #[serde(rename = "match")]
    patterns: Vec<String>,
    #[serde(default)]
    match_ja: Vec<String>,
    title: String,
    meaning: String,
}

#[derive(Debug, Deserialize)]
struct ThunderbirdFile {
    source: String,
    message: Vec<Message>,
}

/// labels.toml: the few phrases no code table has.
#[derive(Debug, Deserialize)]
struct Labels {
    reply_class_3_title: String,
    reply_class_3_meaning: String,
    /// Contains `{number}`.
    wrapped_windows_title: String,
    /// Contains `{number}`.
    wrapped_windows_meaning: String,
    /// What to type when nothing was recognised.
    no_match: String,
}

struct CodeTables {
    smtp: CodeFile,
    enhanced: EnhancedFile,
    provider: CodeFile,
    client: CodeFile,
    windows: WindowsFile,
    thunderbird: ThunderbirdFile,
    labels: Labels,
}

static TABLES: LazyLock<CodeTables> = LazyLock::new(|| CodeTables {
    smtp: toml::from_str(include_str!("../responses/codes/smtp_reply.toml"))
        .expect("responses/codes/smtp_reply.toml: invalid code table"),
    enhanced: toml::from_str(include_str!("../responses/codes/enhanced_status.toml"))
        .expect("responses/codes/enhanced_status.toml: invalid code table"),
    provider: toml::from_str(include_str!("../responses/codes/provider_status.toml"))
        .expect("responses/codes/provider_status.toml: invalid code table"),
    client: toml::from_str(include_str!("../responses/codes/mail_client.toml"))
        .expect("responses/codes/mail_client.toml: invalid code table"),
    windows: toml::from_str(include_str!("../responses/codes/windows_errors.toml"))
        .expect("responses/codes/windows_errors.toml: invalid code table"),
    thunderbird: toml::from_str(include_str!("../responses/codes/thunderbird.toml"))
        .expect("responses/codes/thunderbird.toml: invalid message table"),
    labels: toml::from_str(include_str!("../responses/codes/labels.toml"))
        .expect("responses/codes/labels.toml: invalid label table"),
});

fn tables() -> &'static CodeTables {
    &TABLES
}

// ---------------------------------------------------------------- lookup

/// Thunderbird messages returned for one text at most.
const MAX_MESSAGES: usize = 3;

/// What one kind of code found in the query contributes to the answer.
struct Part {
    /// The code as looked up, for [`CodeAnswer::normalized`].
    code: String,
    entries: Vec<CodeEntry>,
    exact: bool,
}

/// Looks up every code in `query`: an SMTP reply and/or enhanced status code,
/// an Outlook error number, a Windows error number, a Thunderbird message.
/// Never fails: input with no code gives no entries and `exact == false`.
/// The answer when the input holds no code at all: which forms are understood.
pub fn no_match_hint() -> &'static str {
    &tables().labels.no_match
}

pub fn lookup(query: &str) -> CodeAnswer {
    let text = fold_width(query);
    let words = split_words(&text);
    let matched = normalize(&text);

    let parts: Vec<Part> = [
        hex_part(&words),
        smtp_part(&words, &matched),
        windows_part(&words),
    ]
    .into_iter()
    .flatten()
    .collect();
    let normalized = if parts.is_empty() {
        matched.clone()
    } else {
        parts
            .iter()
            .map(|p| p.code.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };

    let mut entries: Vec<CodeEntry> = Vec::new();
    let found = parts.iter().flat_map(|p| p.entries.iter().cloned());
    for entry in found.chain(thunderbird_entries(&matched)) {
        // The same explanation can come twice, e.g. class 5 for both 599 and 5.9.9.
        if !entries
            .iter()
            .any(|e| e.title == entry.title && e.meaning == entry.meaning)
        {
            entries.push(entry);
        }
    }
    let exact = !entries.is_empty() && parts.iter().all(|p| p.exact);
    CodeAnswer {
        query: query.to_string(),
        normalized,
        entries,
        exact,
    }
}

/// Splits width-folded text into the words a code can be: runs of ASCII
/// letters, digits, dots and brackets, dots trimmed from the ends. `#550-5.1.1.`
/// gives `550` and `5.1.1`; Japanese text around a code separates like spaces.
fn split_words(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '[' | ']')))
        .map(|w| w.trim_matches('.'))
        .filter(|w| !w.is_empty())
        .collect()
}

// ---------------------------------------------------------------- SMTP codes

/// `5.1.1`, `4.7.500`: class 2, 4 or 5, then subject and detail.
static STATUS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([245])\.([0-9]{1,3})\.([0-9]{1,3})$").expect("status regex compiles")
});

/// `[TS01]`, `[PH01]`: the bracketed reason tags some providers add.
static TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\[([A-Za-z]{1,4}[0-9]{1,4})\]$").expect("tag regex compiles"));

/// An enhanced status code (RFC 3463): class.subject.detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Status {
    class: u16,
    subject: u16,
    detail: u16,
}

impl Status {
    fn parse(word: &str) -> Option<Status> {
        let caps = STATUS.captures(word)?;
        let number = |i: usize| caps.get(i).and_then(|m| m.as_str().parse::<u16>().ok());
        Some(Status {
            class: number(1)?,
            subject: number(2)?,
            detail: number(3)?,
        })
    }

    /// The registry's form, with the class digit replaced by X: `X.1.1`.
    fn registry_code(self) -> String {
        format!("X.{}.{}", self.subject, self.detail)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// A provider range such as `5.7.606-5.7.649`: both ends share class and subject.
fn parse_range(code: &str) -> Option<(Status, Status)> {
    let (low, high) = code.split_once('-')?;
    let (low, high) = (Status::parse(low.trim())?, Status::parse(high.trim())?);
    (low.class == high.class && low.subject == high.subject).then_some((low, high))
}

fn range_contains(code: &str, status: Status) -> bool {
    parse_range(code).is_some_and(|(low, high)| {
        status.class == low.class
            && status.subject == low.subject
            && (low.detail..=high.detail).contains(&status.detail)
    })
}

/// A three-digit SMTP reply code, 2xx to 5xx.
fn parse_reply(word: &str) -> Option<u16> {
    let bytes = word.as_bytes();
    if bytes.len() == 3 && matches!(bytes[0], b'2'..=b'5') && bytes.iter().all(u8::is_ascii_digit) {
        word.parse().ok()
    } else {
        None
    }
}

/// The parts of an SMTP answer found in a query: `550`, `5.1.1`, `[TS01]`.
struct SmtpCode {
    reply: Option<u16>,
    status: Option<Status>,
    tag: Option<String>,
}

impl SmtpCode {
    /// The first reply code, status code and tag among `words`; None when
    /// there is neither a reply nor a status code.
    fn find(words: &[&str]) -> Option<SmtpCode> {
        let reply = words.iter().find_map(|w| parse_reply(w));
        let status = words.iter().find_map(|w| Status::parse(w));
        if reply.is_none() && status.is_none() {
            return None;
        }
        let tag = words
            .iter()
            .find_map(|w| TAG.captures(w))
            .and_then(|caps| caps.get(1).map(|m| m.as_str().to_ascii_uppercase()));
        Some(SmtpCode { reply, status, tag })
    }

    /// The code as the tables write it: `550 5.1.1`, `421 4.7.0 [TS01]`.
    fn key(&self) -> String {
        join_code(self.reply, self.status, self.tag.as_deref())
    }

    /// The forms a provider table may list this code under, most specific first.
    fn provider_keys(&self) -> Vec<String> {
        let mut keys = vec![self.key(), join_code(self.reply, self.status, None)];
        keys.extend(self.status.map(|s| s.to_string()));
        keys.dedup();
        keys
    }
}

fn join_code(reply: Option<u16>, status: Option<Status>, tag: Option<&str>) -> String {
    let mut parts: Vec<String> = Vec::new();
    parts.extend(reply.map(|r| r.to_string()));
    parts.extend(status.map(|s| s.to_string()));
    parts.extend(tag.map(|t| format!("[{t}]")));
    parts.join(" ")
}

/// A provider code that is no plain code, such as `554 delivery error: dd`: it
/// is found by its words in the query rather than by its parts.
fn is_phrase(code: &str) -> bool {
    parse_range(code).is_none()
        && SmtpCode::find(&split_words(code)).is_none_or(|c| !c.key().eq_ignore_ascii_case(code))
}

/// Provider entries, then the registry entry (or subject and class), then the
/// reply code (or its class).
fn smtp_part(words: &[&str], text: &str) -> Option<Part> {
    let code = SmtpCode::find(words)?;
    let providers = &tables().provider.code;

    let mut entries: Vec<CodeEntry> = providers
        .iter()
        .filter(|row| is_phrase(&row.code) && text.contains(&normalize(&row.code)))
        .map(provider_entry)
        .collect();
    for key in code.provider_keys() {
        entries.extend(
            providers
                .iter()
                .filter(|row| row.code.eq_ignore_ascii_case(&key))
                .map(provider_entry),
        );
    }
    if let Some(status) = code.status {
        entries.extend(
            providers
                .iter()
                .filter(|row| range_contains(&row.code, status))
                .map(provider_entry),
        );
    }
    let provider_found = !entries.is_empty();

    let mut exact = true;
    if let Some(status) = code.status {
        match registry_row(status) {
            Some(row) => entries.push(registry_entry(status, row)),
            None => {
                entries.extend(subject_entry(status));
                entries.extend(class_entry(status.class));
                exact &= provider_found;
            }
        }
    }
    if let Some(reply) = code.reply {
        match reply_row(reply) {
            Some(row) => entries.push(row_entry(
                CodeKind::SmtpReply,
                row.code.clone(),
                row,
                Some(tables().smtp.source.as_str()),
            )),
            None => {
                entries.extend(reply_class_entry(reply));
                exact &= provider_found;
            }
        }
    }
    Some(Part {
        code: code.key(),
        entries,
        exact,
    })
}

fn reply_row(reply: u16) -> Option<&'static Row> {
    let code = reply.to_string();
    tables().smtp.code.iter().find(|row| row.code == code)
}

fn registry_row(status: Status) -> Option<&'static Row> {
    let code = status.registry_code();
    tables().enhanced.code.iter().find(|row| row.code == code)
}

fn class_row(digit: u16) -> Option<&'static Row> {
    let code = digit.to_string();
    tables().enhanced.class.iter().find(|row| row.code == code)
}

fn row_entry(kind: CodeKind, code: String, row: &Row, source: Option<&str>) -> CodeEntry {
    CodeEntry {
        kind,
        code,
        title: row.title.clone(),
        meaning: row.meaning.clone(),
        english: row.english.clone(),
        source: source.map(str::to_string),
    }
}

fn provider_entry(row: &Row) -> CodeEntry {
    row_entry(
        CodeKind::ProviderStatus,
        row.code.clone(),
        row,
        row.provider.as_deref(),
    )
}

fn registry_entry(status: Status, row: &Row) -> CodeEntry {
    let source = row
        .rfc
        .as_deref()
        .unwrap_or(tables().enhanced.source.as_str());
    row_entry(
        CodeKind::EnhancedStatus,
        status.to_string(),
        row,
        Some(source),
    )
}

/// The subject entry (`X.7`) for an unknown detail: code `5.7.x`.
fn subject_entry(status: Status) -> Option<CodeEntry> {
    let code = format!("X.{}", status.subject);
    let row = tables()
        .enhanced
        .subject
        .iter()
        .find(|row| row.code == code)?;
    let shown = format!("{}.{}.x", status.class, status.subject);
    Some(row_entry(
        CodeKind::EnhancedStatus,
        shown,
        row,
        Some(tables().enhanced.source.as_str()),
    ))
}

/// The class entry for an enhanced code: code `5.x.x`.
fn class_entry(class: u16) -> Option<CodeEntry> {
    let row = class_row(class)?;
    Some(row_entry(
        CodeKind::EnhancedStatus,
        format!("{class}.x.x"),
        row,
        Some(tables().enhanced.source.as_str()),
    ))
}

/// What the first digit of an unknown reply code means: code `5xx`. Classes
/// 2, 4 and 5 share the enhanced-status class entries; 3 has its own label.
fn reply_class_entry(reply: u16) -> Option<CodeEntry> {
    let digit = reply / 100;
    let code = format!("{digit}xx");
    let source = Some(tables().smtp.source.as_str());
    if digit == 3 {
        let labels = &tables().labels;
        return Some(CodeEntry {
            kind: CodeKind::SmtpReply,
            code,
            title: labels.reply_class_3_title.clone(),
            meaning: labels.reply_class_3_meaning.clone(),
            english: None,
            source: source.map(str::to_string),
        });
    }
    Some(row_entry(
        CodeKind::SmtpReply,
        code,
        class_row(digit)?,
        source,
    ))
}

// ---------------------------------------------------------------- Windows and Outlook numbers

/// `0x800CCC0F` or `800CCC0F`: the 32-bit error numbers of Windows mail programs.
static HEX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:0[xX])?(8[0-9A-Fa-f]{7})$").expect("hex regex compiles"));

fn parse_hex(word: &str) -> Option<u32> {
    let caps = HEX.captures(word)?;
    u32::from_str_radix(caps.get(1)?.as_str(), 16).ok()
}

/// An Outlook error number, or else a `0x8007xxxx` number decoded as the
/// Windows error it wraps (HRESULT_FROM_WIN32: the low 16 bits).
fn hex_part(words: &[&str]) -> Option<Part> {
    let value = words.iter().find_map(|w| parse_hex(w))?;
    let code = format!("0x{value:08X}");
    if let Some(row) = tables()
        .client
        .code
        .iter()
        .find(|row| row.code.eq_ignore_ascii_case(&code))
    {
        let entries = vec![client_entry(row)];
        return Some(Part {
            code,
            entries,
            exact: true,
        });
    }
    if value >> 16 != 0x8007 {
        return Some(Part {
            code,
            entries: Vec::new(),
            exact: false,
        });
    }
    let number = value & 0xFFFF;
    let (entry, exact) = match windows_row(number) {
        Some(row) => (
            windows_entry(row, format!("{code} ({} {})", row.number, row.name)),
            true,
        ),
        None => (wrapped_windows_entry(&code, number), false),
    };
    Some(Part {
        code,
        entries: vec![entry],
        exact,
    })
}

/// A Windows error number given as such. Winsock and WinINet numbers (10000
/// and up) count anywhere in the text; smaller ones only as the whole query,
/// since text is full of small numbers (ports, sizes) that are no error numbers.
fn windows_part(words: &[&str]) -> Option<Part> {
    let alone = words.len() == 1;
    let row = words
        .iter()
        .filter(|w| w.len() <= 5 && w.bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|w| w.parse::<u32>().ok())
        .filter(|&n| alone || n >= 10_000)
        .find_map(windows_row)?;
    let entry = windows_entry(row, format!("{} {}", row.number, row.name));
    Some(Part {
        code: row.number.to_string(),
        entries: vec![entry],
        exact: true,
    })
}

fn windows_row(number: u32) -> Option<&'static WindowsRow> {
    tables()
        .windows
        .code
        .iter()
        .find(|row| row.number == number)
}

fn client_entry(row: &Row) -> CodeEntry {
    let mut entry = row_entry(
        CodeKind::MailClient,
        row.code.clone(),
        row,
        Some(tables().client.source.as_str()),
    );
    if let (Some(english), Some(constant)) = (&row.english, &row.constant) {
        entry.english = Some(format!("{english} ({constant})"));
    }
    entry
}

fn windows_entry(row: &WindowsRow, code: String) -> CodeEntry {
    CodeEntry {
        kind: CodeKind::WindowsError,
        code,
        title: row.title.clone(),
        meaning: row.meaning.clone(),
        english: row.english.clone(),
        source: Some(tables().windows.source.clone()),
    }
}

/// A `0x8007xxxx` number whose Windows error is not in the table: say what it is.
fn wrapped_windows_entry(code: &str, number: u32) -> CodeEntry {
    let labels = &tables().labels;
    let fill = |template: &str| template.replace("{number}", &number.to_string());
    CodeEntry {
        kind: CodeKind::WindowsError,
        code: format!("{code} ({number})"),
        title: fill(labels.wrapped_windows_title.as_str()),
        meaning: fill(labels.wrapped_windows_meaning.as_str()),
        english: None,
        source: Some(tables().windows.source.clone()),
    }
}

// ---------------------------------------------------------------- Thunderbird messages

/// A Thunderbird message whose patterns (English or Japanese) all occur in the text.
struct Hit<'a> {
    message: &'a Message,
    patterns: &'a [String],
    /// How many patterns matched, and their total length.
    score: (usize, usize),
}

impl<'a> Hit<'a> {
    fn find(message: &'a Message, text: &str) -> Option<Hit<'a>> {
        [message.patterns.as_slice(), message.match_ja.as_slice()]
            .into_iter()
            .filter(|patterns| {
                !patterns.is_empty() && patterns.iter().all(|p| text.contains(&p.to_lowercase()))
            })
            .map(|patterns| Hit {
                message,
                patterns,
                score: (
                    patterns.len(),
                    patterns.iter().map(|p| p.chars().count()).sum::<usize>(),
                ),
            })
            .max_by_key(|hit| hit.score)
    }

    /// A generic message is one whose patterns all occur in another matching
    /// message's text: "The mail server responded" is the opening of several
    /// more specific messages, which should come first.
    fn is_generic(&self, hits: &[Hit<'_>]) -> bool {
        hits.iter().any(|other| {
            other.message.key != self.message.key && {
                let english = other.message.english.to_lowercase();
                self.patterns
                    .iter()
                    .all(|p| english.contains(&p.to_lowercase()))
            }
        })
    }
}

/// The Thunderbird messages in `text` (already normalized), most specific
/// first; or the one whose key the text is.
fn thunderbird_entries(text: &str) -> Vec<CodeEntry> {
    let messages = &tables().thunderbird.message;
    if let Some(message) = messages.iter().find(|m| m.key.eq_ignore_ascii_case(text)) {
        return vec![thunderbird_entry(message)];
    }
    let hits: Vec<Hit<'_>> = messages.iter().filter_map(|m| Hit::find(m, text)).collect();
    type Ranked<'m> = (bool, Reverse<(usize, usize)>, &'m Message);
    let mut ranked: Vec<Ranked<'_>> = hits
        .iter()
        .map(|hit| (hit.is_generic(&hits), Reverse(hit.score), hit.message))
        .collect();
    ranked.sort_by_key(|&(generic, score, _)| (generic, score));
    ranked
        .into_iter()
        .take(MAX_MESSAGES)
        .map(|(_, _, message)| thunderbird_entry(message))
        .collect()
}

fn thunderbird_entry(message: &Message) -> CodeEntry {
    CodeEntry {
        kind: CodeKind::Thunderbird,
        code: message.key.clone(),
        title: message.title.clone(),
        meaning: message.meaning.clone(),
        english: Some(message.english.clone()),
        source: Some(tables().thunderbird.source.clone()),
    }
}

// ---------------------------------------------------------------- autocomplete

/// Longest autocomplete label, in characters.
const LABEL_CHARS: usize = 80;

/// Offered first when nothing has been typed yet: the codes people ask about most.
const COMMON_CODES: &[&str] = &[
    "550",
    "5.1.1",
    "5.2.2",
    "554",
    "421",
    "0x800CCC0E",
    "0x800CCC0F",
    "5.7.1",
    "552",
    "553",
    "451",
    "450",
    "4.4.7",
    "5.7.26",
    "5.4.1",
    "535",
    "0x800CCC0D",
    "0x8004210B",
    "0x80042108",
    "0x800CCC92",
    "0x800CCC79",
    "10060",
    "11001",
];

/// Sections of the autocomplete list, in the order shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    Reply,
    ReplyPair,
    Enhanced,
    Hex,
    Windows,
    Thunderbird,
}

/// One code offered by [`complete`].
struct Candidate {
    group: Group,
    /// Sort order within the group: the code's numbers.
    order: Vec<u32>,
    code: String,
    title: &'static str,
    /// Lowercase forms the typed prefix is matched against.
    forms: Vec<String>,
}

impl Candidate {
    fn new(group: Group, order: Vec<u32>, code: &str, title: &'static str) -> Candidate {
        let lower = code.to_lowercase();
        let mut forms = Vec::new();
        if let Some(bare) = lower.strip_prefix("0x") {
            forms.push(bare.to_string());
        }
        forms.push(lower);
        Candidate {
            group,
            order,
            code: code.to_string(),
            title,
            forms,
        }
    }
}

/// The decimal numbers in a code, for sorting: `421 4.7.0` -> 421, 4, 7, 0.
fn numbers(code: &str) -> Vec<u32> {
    code.split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect()
}

/// Every code of every table, sorted, each code once.
static CANDIDATES: LazyLock<Vec<Candidate>> = LazyLock::new(|| {
    let t = tables();
    let mut all = Vec::new();
    for row in &t.smtp.code {
        all.push(Candidate::new(
            Group::Reply,
            numbers(&row.code),
            &row.code,
            &row.title,
        ));
    }
    // Registry codes first, so a provider's code of the same number is dropped as a duplicate.
    for row in &t.enhanced.code {
        for class in [2, 4, 5] {
            let code = row.code.replacen('X', &class.to_string(), 1);
            all.push(Candidate::new(
                Group::Enhanced,
                numbers(&code),
                &code,
                &row.title,
            ));
        }
    }
    for row in &t.provider.code {
        let starts_with_reply = row.code.split(' ').next().and_then(parse_reply).is_some();
        let group = if starts_with_reply {
            Group::ReplyPair
        } else {
            Group::Enhanced
        };
        all.push(Candidate::new(
            group,
            numbers(&row.code),
            &row.code,
            &row.title,
        ));
    }
    for row in &t.client.code {
        let value = parse_hex(&row.code).unwrap_or_default();
        all.push(Candidate::new(
            Group::Hex,
            vec![value],
            &row.code,
            &row.title,
        ));
    }
    for row in &t.windows.code {
        all.push(Candidate::new(
            Group::Windows,
            vec![row.number],
            &row.number.to_string(),
            &row.title,
        ));
        let value = parse_hex(&row.hresult).unwrap_or_default();
        all.push(Candidate::new(
            Group::Hex,
            vec![value],
            &row.hresult,
            &row.title,
        ));
    }
    for (i, message) in t.thunderbird.message.iter().enumerate() {
        let order = vec![u32::try_from(i).unwrap_or(u32::MAX)];
        all.push(Candidate::new(
            Group::Thunderbird,
            order,
            &message.key,
            &message.title,
        ));
    }
    all.sort_by(|a, b| (a.group, &a.order).cmp(&(b.group, &b.order)));
    all.dedup_by(|later, earlier| later.code == earlier.code);
    all
});

/// Autocomplete: up to `limit` (code, label) pairs whose code starts with
/// `prefix`, SMTP reply codes first (numerically), then provider pairs,
/// enhanced codes, Outlook and Windows numbers, Thunderbird keys. The label is
/// the code and its title, cut to about 80 characters. An empty prefix lists
/// the most common codes first.
pub fn complete(prefix: &str, limit: usize) -> Vec<(String, String)> {
    let prefix = normalize(prefix);
    let prefix = prefix.trim_start_matches('#');
    let chosen: Vec<&Candidate> = if prefix.is_empty() {
        let common = COMMON_CODES
            .iter()
            .filter_map(|code| CANDIDATES.iter().find(|c| c.code == *code));
        let rest = CANDIDATES
            .iter()
            .filter(|c| !COMMON_CODES.contains(&c.code.as_str()));
        common.chain(rest).take(limit).collect()
    } else {
        CANDIDATES
            .iter()
            .filter(|c| c.forms.iter().any(|f| f.starts_with(prefix)))
            .take(limit)
            .collect()
    };
    chosen
        .into_iter()
        .map(|c| {
            (
                c.code.clone(),
                truncate_chars(&format!("{} {}", c.code, c.title), LABEL_CHARS),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(answer: &CodeAnswer) -> Vec<&str> {
        answer.entries.iter().map(|e| e.code.as_str()).collect()
    }

    fn kinds(answer: &CodeAnswer) -> Vec<CodeKind> {
        answer.entries.iter().map(|e| e.kind).collect()
    }

    fn keys(answer: &CodeAnswer) -> Vec<&str> {
        answer
            .entries
            .iter()
            .filter(|e| e.kind == CodeKind::Thunderbird)
            .map(|e| e.code.as_str())
            .collect()
    }

    #[test]
    fn a_reply_code_alone() {
        let answer = lookup("550");
        assert_eq!(codes(&answer), ["550"]);
        assert_eq!(kinds(&answer), [CodeKind::SmtpReply]);
        assert_eq!(answer.normalized, "550");
        assert!(answer.exact);
    }

    #[test]
    fn an_enhanced_code_alone_gives_provider_then_registry() {
        let answer = lookup("5.1.1");
        assert_eq!(codes(&answer), ["5.1.1", "5.1.1"]);
        assert_eq!(
            kinds(&answer),
            [CodeKind::ProviderStatus, CodeKind::EnhancedStatus]
        );
        assert!(answer.exact);
    }

    #[test]
    fn reply_and_enhanced_pairs_in_every_spelling() {
        let full_width = "\u{FF15}\u{FF15}\u{FF10}\u{3000}\u{FF15}\u{FF0E}\u{FF11}\u{FF0E}\u{FF11}";
        for query in [
            "550 5.1.1",
            "550-5.1.1",
            "#550 5.1.1",
            "550 #5.1.1",
            full_width,
            "said: 550 5.1.1 <a@example.jp>",
        ] {
            let answer = lookup(query);
            assert_eq!(answer.normalized, "550 5.1.1", "{query}");
            assert_eq!(
                codes(&answer),
                ["550 5.1.1", "5.1.1", "5.1.1", "550"],
                "{query}"
            );
            assert_eq!(
                kinds(&answer),
                [
                    CodeKind::ProviderStatus,
                    CodeKind::ProviderStatus,
                    CodeKind::EnhancedStatus,
                    CodeKind::SmtpReply
                ],
                "{query}"
            );
            assert!(answer.exact, "{query}");
        }
    }

    #[test]
    fn provider_pairs_and_tags() {
        assert_eq!(codes(&lookup("550 5.7.26"))[0], "550 5.7.26");
        assert_eq!(codes(&lookup("554 5.7.9"))[0], "554 5.7.9");
        assert_eq!(codes(&lookup("554 5.7.9")).last(), Some(&"554"));
        let tagged = lookup("421 4.7.0 [TS01]");
        assert_eq!(tagged.normalized, "421 4.7.0 [TS01]");
        assert_eq!(codes(&tagged)[..2], ["421 4.7.0 [TS01]", "421 4.7.0"]);
        assert_eq!(
            codes(&lookup(
                "554 Message not allowed - [PH01] Email not accepted"
            ))[0],
            "554 [PH01]"
        );
        assert_eq!(
            codes(&lookup(
                "554 delivery error: dd This user doesn't have an account"
            ))[0],
            "554 delivery error: dd"
        );
        // A plain 554 is not the Yahoo phrase.
        assert_eq!(codes(&lookup("554")), ["554"]);
    }

    #[test]
    fn microsoft_codes_and_ranges() {
        let answer = lookup("5.7.509");
        assert_eq!(answer.entries[0].code, "5.7.509");
        assert_eq!(answer.entries[0].kind, CodeKind::ProviderStatus);
        assert!(answer.entries[0]
            .source
            .as_deref()
            .is_some_and(|s| s.contains("Microsoft")));
        assert!(answer.exact);
        assert_eq!(codes(&lookup("550 5.7.620"))[0], "5.7.606-5.7.649");
        assert_eq!(codes(&lookup("4.7.500"))[0], "4.7.500-4.7.699");
    }

    #[test]
    fn unknown_codes_fall_back_to_subject_and_class() {
        let answer = lookup("5.7.650");
        assert_eq!(codes(&answer), ["5.7.x", "5.x.x"]);
        assert!(!answer.exact);

        let answer = lookup("599");
        assert!(!answer.exact);
        assert_eq!(codes(&answer), ["5xx"]);
        assert_eq!(kinds(&answer), [CodeKind::SmtpReply]);
        assert_eq!(
            Some(answer.entries[0].title.as_str()),
            class_row(5).map(|r| r.title.as_str())
        );

        assert_eq!(codes(&lookup("459")), ["4xx"]);
        assert_eq!(codes(&lookup("399")), ["3xx"]);
        // Class 5 is explained once, not for both the reply and the status code.
        let answer = lookup("599 5.9.9");
        assert_eq!(codes(&answer), ["5.x.x"]);
        assert!(!answer.exact);
    }

    #[test]
    fn outlook_error_numbers_in_every_spelling() {
        let full_width =
            "\u{FF10}\u{FF58}\u{FF18}\u{FF10}\u{FF10}\u{FF23}\u{FF23}\u{FF23}\u{FF10}\u{FF26}";
        for query in [
            "0x800ccc0f",
            "0x800CCC0F",
            "800CCC0F",
            "0X800CCC0F",
            "error 0x800ccc0f happened",
            full_width,
        ] {
            let answer = lookup(query);
            assert_eq!(codes(&answer), ["0x800CCC0F"], "{query}");
            assert_eq!(kinds(&answer), [CodeKind::MailClient], "{query}");
            assert_eq!(answer.normalized, "0x800CCC0F", "{query}");
            assert!(answer.exact, "{query}");
        }
        assert_eq!(codes(&lookup("0x8004210b")), ["0x8004210B"]);
    }

    #[test]
    fn wrapped_windows_errors_are_decoded() {
        for query in ["0x80072AF9", "0x80072af9", "80072AF9"] {
            let answer = lookup(query);
            assert_eq!(
                codes(&answer),
                ["0x80072AF9 (11001 WSAHOST_NOT_FOUND)"],
                "{query}"
            );
            assert_eq!(kinds(&answer), [CodeKind::WindowsError], "{query}");
            assert!(answer.exact, "{query}");
        }
        let unknown = lookup("0x8007FFFF");
        assert_eq!(codes(&unknown), ["0x8007FFFF (65535)"]);
        assert!(unknown.entries[0].title.contains("65535"));
        assert!(unknown.entries[0].meaning.contains("65535"));
        assert!(!unknown.entries[0].meaning.contains("{number}"));
        assert!(!unknown.exact);
        // Not an Outlook number and not a wrapped Windows error: nothing to say.
        assert!(lookup("0x80004005").entries.is_empty());
    }

    #[test]
    fn bare_windows_numbers() {
        assert_eq!(codes(&lookup("10060")), ["10060 WSAETIMEDOUT"]);
        assert_eq!(codes(&lookup("11001")), ["11001 WSAHOST_NOT_FOUND"]);
        let outlook = lookup("Socket Error: 10061, Error Number: 0x800CCC0E");
        assert_eq!(codes(&outlook), ["0x800CCC0E", "10061 WSAECONNREFUSED"]);
        // Small numbers count only as the whole query, not inside text.
        assert_eq!(codes(&lookup("5")), ["5 ERROR_ACCESS_DENIED"]);
        assert!(lookup("port 5 closed").entries.is_empty());
    }

    #[test]
    fn thunderbird_messages() {
        assert_eq!(
            keys(&lookup("Sending of the message failed.")),
            ["sendFailed"]
        );
        assert_eq!(keys(&lookup("smtpAuthFailure")), ["smtpAuthFailure"]);

        let text = "An error occurred while sending mail. The mail server responded: 550 5.1.1 User unknown. \
                    Please check the message recipient \"a@example.jp\" and try again.";
        let answer = lookup(text);
        assert_eq!(answer.entries[0].code, "550 5.1.1");
        assert_eq!(
            keys(&answer),
            ["errorSendingRcptCommand", "smtpServerResponded"]
        );

        // Every message is found from its own patterns, English and Japanese.
        for message in &tables().thunderbird.message {
            for patterns in [&message.patterns, &message.match_ja] {
                if patterns.is_empty() {
                    continue;
                }
                let answer = lookup(&patterns.join(" "));
                assert!(
                    keys(&answer).contains(&message.key.as_str()),
                    "{}: {:?}",
                    message.key,
                    keys(&answer)
                );
            }
        }
    }

    #[test]
    fn garbage_gives_nothing() {
        for query in [
            "hello",
            "",
            "   ",
            "\u{1F642}",
            "1.2.3.4",
            "0x",
            "[TS01]",
            "#",
            "x.7.1",
        ] {
            let answer = lookup(query);
            assert!(answer.entries.is_empty(), "{query}: {:?}", codes(&answer));
            assert!(!answer.exact, "{query}");
            assert_eq!(answer.query, query);
        }
    }

    #[test]
    fn completion_by_prefix() {
        let found = complete("55", 10);
        assert!(!found.is_empty() && found.len() <= 10);
        assert!(
            found.iter().all(|(code, _)| code.starts_with("55")),
            "{found:?}"
        );
        assert_eq!(found[0].0, "550");
        assert!(found
            .iter()
            .all(|(code, label)| label.starts_with(code.as_str())));

        let found = complete("0x800ccc0", 5);
        let codes: Vec<&str> = found.iter().map(|(code, _)| code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "0x800CCC00",
                "0x800CCC01",
                "0x800CCC02",
                "0x800CCC03",
                "0x800CCC04"
            ]
        );

        let found = complete("", 7);
        let codes: Vec<&str> = found.iter().map(|(code, _)| code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "550",
                "5.1.1",
                "5.2.2",
                "554",
                "421",
                "0x800CCC0E",
                "0x800CCC0F"
            ]
        );

        assert!(complete("5.7.5", 100)
            .iter()
            .any(|(code, _)| code == "5.7.509"));
        assert!(complete("zzz", 10).is_empty());
        assert!(complete("5", 0).is_empty());
        assert!(complete("", 1000)
            .iter()
            .all(|(_, label)| label.chars().count() <= LABEL_CHARS));
    }

    #[test]
    fn every_completion_can_be_looked_up() {
        for (code, _) in complete("", usize::MAX) {
            assert!(!lookup(&code).entries.is_empty(), "{code}");
        }
    }

    #[test]
    fn every_entry_has_a_title_and_meaning() {
        let t = tables();
        let rows = t
            .smtp
            .code
            .iter()
            .chain(&t.enhanced.class)
            .chain(&t.enhanced.subject)
            .chain(&t.enhanced.code);
        for row in rows.chain(&t.provider.code).chain(&t.client.code) {
            assert!(
                !row.title.trim().is_empty() && !row.meaning.trim().is_empty(),
                "{}",
                row.code
            );
        }
        for row in &t.windows.code {
            assert!(
                !row.title.trim().is_empty() && !row.meaning.trim().is_empty(),
                "{}",
                row.number
            );
        }
        for message in &t.thunderbird.message {
            assert!(
                !message.title.trim().is_empty() && !message.meaning.trim().is_empty(),
                "{}",
                message.key
            );
            assert!(!message.patterns.is_empty(), "{}", message.key);
        }
        let labels = &t.labels;
        for label in [&labels.reply_class_3_title, &labels.reply_class_3_meaning] {
            assert!(!label.trim().is_empty());
        }
        for label in [
            &labels.wrapped_windows_title,
            &labels.wrapped_windows_meaning,
        ] {
            assert!(label.contains("{number}"));
        }
    }

    #[test]
    fn the_registry_has_x_7_0_to_x_7_30() {
        for detail in 0..=30 {
            let code = format!("X.7.{detail}");
            assert!(
                tables().enhanced.code.iter().any(|row| row.code == code),
                "{code} missing"
            );
        }
        for class in [2, 4, 5] {
            assert!(class_row(class).is_some(), "class {class}");
        }
        for subject in 0..=7 {
            let code = format!("X.{subject}");
            assert!(
                tables().enhanced.subject.iter().any(|row| row.code == code),
                "{code} missing"
            );
        }
    }
}
