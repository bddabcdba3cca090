//! The analysis entry point: bytes in, one [`Analysis`] per message out.
//!
//! input (decode, undecorate) -> parse (MIME, notice, status parts, original)
//! -> extract (recipients and their evidence) -> classify (reason, detail,
//! hard/soft). "Not a bounce" is an ordinary result with no recipients, never
//! an error, and no input makes this panic: limits on size, parts and
//! recipients keep the work proportional to the input.

use crate::classify::{classify, Evidence};
use crate::extract::{extract, Found, NoticeText};
use crate::input::{prepare, InputKind};
use crate::parse::{parse_with_limit, Document, Original};
use crate::reason::Reason;
use crate::rules::RULES;
use crate::text::{clean_address, normalize, ADDRESS};
use regex::Regex;
use serde::Serialize;
use std::sync::LazyLock;

/// Recipients read from one delivery-status part at most.
pub const MAX_RECIPIENTS_PARSED: usize = 200_000;

/// Limits and site facts the analysis needs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Input beyond this many bytes is not read (the result says so).
    pub max_input_bytes: usize,
    /// Recipients reported per message; the rest are counted, not listed.
    pub max_recipients: usize,
    /// MIME parts walked per message; the rest are not read.
    pub max_parts: usize,
    /// The user's own mail domains, for the backscatter check.
    pub own_domains: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_input_bytes: 64 * 1024 * 1024,
            max_recipients: 1_000,
            max_parts: crate::parse::MAX_PARTS,
            own_domains: Vec::new(),
        }
    }
}

/// The result for one recipient.
#[derive(Debug, Clone, Serialize)]
pub struct RecipientResult {
    pub recipient: String,
    pub action: Option<String>,
    pub reason: Reason,
    pub detail: Option<&'static str>,
    pub status: Option<String>,
    pub reply_code: Option<u16>,
    pub hard_bounce: bool,
    pub command: Option<String>,
    pub diagnostic: String,
    pub remote_mta: Option<String>,
    pub reporting_mta: Option<String>,
    /// The mail system or format the notice was recognised as.
    pub mta: Option<String>,
}

/// What one message (or pasted text) turned out to be.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub kind: InputKind,
    /// True when the input is a bounce, delivery report, feedback report or
    /// auto-reply with at least one recipient.
    pub is_bounce: bool,
    pub format: Option<String>,
    pub results: Vec<RecipientResult>,
    /// Recipients found before the `max_recipients` cut.
    pub total_recipients: usize,
    /// The input was longer than `max_input_bytes` and was cut.
    pub input_truncated: bool,
    /// The `max_input_bytes` this input was read under.
    pub input_limit: usize,
    /// It reads like a delivery-failure notice, but no recipient could be
    /// found in it (a screenshot's worth of text, a cut-off paste).
    pub notice_without_recipients: bool,
    /// Whether the "bounce" looks like a lure, and backscatter/clock findings.
    pub spoof: crate::spoof::SpoofReport,
    pub document: Document,
}

impl Analysis {
    /// Worth an answer in a busy channel: a bounce, or something the spoof
    /// check flags with more than a stray link (a lure's wording, an
    /// attachment, a forged structure).
    pub fn worth_answering(&self) -> bool {
        use crate::spoof::Verdict;
        self.is_bounce
            || self.spoof.verdict == Verdict::LikelySpoofed
            || (self.spoof.verdict == Verdict::Suspicious
                && self
                    .spoof
                    .signals
                    .iter()
                    .any(|s| s.weight > 0 && !s.name.starts_with("link_")))
    }
}

impl Analysis {
    /// The returned original message's headers, when present.
    pub fn original(&self) -> Option<&Original> {
        self.document.original.as_ref()
    }
}

/// Analyses raw input: a whole email, an mbox, or pasted text.
pub fn analyze(raw: &[u8], options: &Options) -> Vec<Analysis> {
    let input_truncated = raw.len() > options.max_input_bytes;
    let raw = &raw[..raw.len().min(options.max_input_bytes)];
    let mut out: Vec<Analysis> = prepare(raw)
        .iter()
        .take(10_000)
        .map(|p| {
            let doc = parse_with_limit(p, options.max_parts);
            analyze_document(doc, options, 0)
        })
        .collect();
    for a in &mut out {
        a.input_truncated = input_truncated;
    }
    out
}

/// A short Postfix bounce that takes every stage of the analysis (parse,
/// extraction, classification, the spoof check) through its rule tables.
const WARM_UP_SAMPLE: &[u8] = b"From: MAILER-DAEMON@mx.example.jp\nSubject: Undelivered Mail Returned to Sender\n\nThis is the mail system at host mx.example.jp.\n\n<hanako@example.net>: host mx.example.net[192.0.2.1] said: 550 5.1.1\n    <hanako@example.net>: Recipient address rejected: User unknown (in reply\n    to RCPT TO command)\n";

/// Builds every rule table now rather than on the first message. That is
/// about 0.2 s of regex and automaton compilation, which a bot would
/// otherwise spend while its first answers wait.
pub fn warm_up() {
    std::hint::black_box(analyze(WARM_UP_SAMPLE, &Options::default()));
}

/// Analyses text (a chat message).
pub fn analyze_text(text: &str, options: &Options) -> Vec<Analysis> {
    analyze(text.as_bytes(), options)
}

static DAEMON_SENDER: LazyLock<Regex> = LazyLock::new(|| {
    crate::rules::ascii_regex(r"(?i)^(?:mailer-daemon|postmaster|post_master|mail-daemon|mailer_daemon|bounce|bounces|nobody|noreply-dmarc|mdaemon)\b|mail delivery|delivery subsystem|postmaster|post_master|mailer-daemon|microsoft outlook|mail administrator|mail system")
        .expect("daemon regex compiles")
});

fn analyze_document(doc: Document, options: &Options, depth: usize) -> Analysis {
    let kind = doc.kind.unwrap_or(InputKind::Paste);
    // The notice is normalised once here, for format detection, the notice
    // markers, extraction and the spoof check.
    let notice_text = NoticeText::read(&doc.notice);
    let head = head_text(&doc, &notice_text);
    let detected = RULES.detect_format(&head);
    let mut format = detected.map(|f| f.name.clone());
    let format_default = detected.and_then(|f| f.default_reason);

    let subject = doc.headers.subject.as_deref().unwrap_or("");
    let subject_says_bounce =
        !subject.is_empty() && RULES.subject_markers.is_match(&normalize(subject));
    let from_daemon = doc
        .headers
        .from_address
        .as_deref()
        .is_some_and(|a| DAEMON_SENDER.is_match(a))
        || doc
            .headers
            .from_name
            .as_deref()
            .is_some_and(|n| DAEMON_SENDER.is_match(n));
    let notice_says_bounce = RULES
        .notice_markers
        .is_match(notice_text.normalized_head(8_000))
        || RULES.notice_markers.is_match(&normalize(
            crate::text::truncate_chars(&doc.status_text, 4_000).as_str(),
        ));

    let mut results: Vec<RecipientResult> = Vec::new();
    let mut notice_without_recipients = false;
    // The only result is for a recipient the notice does not name: a bounce
    // forwarded below it, which names one, is the better answer.
    let mut unnamed_only = false;

    let feedback_like = doc.report_type.as_deref() == Some("feedback-report")
        || doc.feedback_text.is_some()
        || doc
            .headers
            .get("x-apple-unsubscribe")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        || (doc.status_text.is_empty()
            && RULES
                .notice
                .feedback_text
                .is_match(&crate::text::truncate_chars(&doc.notice, 4_000)));
    let log = (kind == InputKind::Paste)
        .then(|| crate::maillog::read(&doc.notice))
        .flatten();
    if let Some(log) = log {
        format = Some(log.mta.into());
        results = log
            .found
            .iter()
            .map(|f| to_result(f, None, format.clone(), None))
            .collect();
    } else if let Some(notification) = crate::ses::parse(&doc.notice) {
        format = Some("AmazonSES".into());
        results = match notification {
            crate::ses::Notification::Complaint(addresses) => {
                addresses.into_iter().map(feedback_result).collect()
            }
            crate::ses::Notification::Bounce(found) | crate::ses::Notification::Delivery(found) => {
                found
                    .iter()
                    .map(|f| to_result(f, None, format.clone(), None))
                    .collect()
            }
        };
    } else if feedback_like {
        format = Some("ARF".into());
        results = feedback_results(&doc);
    } else {
        let excluded = excluded_addresses(&doc);
        let extraction = extract(&doc, &notice_text, &excluded);
        let reporting = extraction.reporting_mta.clone();
        let mut found = extraction.found;
        // The text has a copied notice's shape (`extract::copied_notice_headline`);
        // read at most once, and only if asked.
        let copied_notice = std::cell::LazyCell::new(|| {
            crate::extract::copied_notice_headline(&notice_text).is_some()
        });
        // Below a paste, a returned original makes it a bounce when it has
        // what a sent message's header has and a quoted reply does not (a
        // Message-ID, Received lines) or sits under a copied notice. A mail
        // thread quoted below a chat message that quotes a notice's phrase
        // in a sentence ("-----Original Message-----", From/Sent/To/Subject)
        // is not one.
        let original_counts = doc.original.as_ref().is_some_and(|o| {
            kind == InputKind::Email
                || o.message_id.is_some()
                || !o.received.is_empty()
                || *copied_notice
        });
        let mut bounce_like = extraction.has_status_fields
            || (kind == InputKind::Email
                && doc.headers.get("x-failed-recipients").is_some()
                && (from_daemon || subject_says_bounce || notice_says_bounce))
            || doc.report_type.as_deref() == Some("delivery-status")
            || (notice_says_bounce
                && (!found.is_empty() || from_daemon || subject_says_bounce || original_counts))
            || ((from_daemon || subject_says_bounce)
                && kind == InputKind::Email
                && !found.is_empty());
        if bounce_like
            && found.is_empty()
            && (from_daemon
                || subject_says_bounce
                || notice_says_bounce
                || doc.report_type.is_some())
        {
            found = fallback_recipients(&doc, &excluded);
        }
        // A mailing list's message (a newsletter about bounces quoting
        // "Mail Delivery Subsystem" and example replies) is not a notice
        // unless a mail system sent it.
        let list_mail = kind == InputKind::Email && doc.headers.is_list_mail();
        if found.is_empty() && notice_says_bounce && (from_daemon || !list_mail) {
            // The notice says why but not for whom (the address cut out
            // before pasting, a pipe delivery): one result, recipient unnamed.
            if let Some(f) = crate::extract::unnamed_recipient(&notice_text) {
                found.push(f);
                bounce_like = true;
                unnamed_only = true;
            }
        }
        // A pasted notice that names neither recipient nor reason (Postfix's
        // "--- Delivery report unavailable ---", a notice cut short) is still
        // a bounce, when it has a copied notice's shape and a known mail
        // system's wording: say so, and ask for the whole message, rather
        // than "not a bounce".
        notice_without_recipients = found.is_empty()
            && (bounce_like
                || (notice_says_bounce && (from_daemon || subject_says_bounce))
                || (notice_says_bounce
                    && kind == InputKind::Paste
                    && format.is_some()
                    && *copied_notice));
        if bounce_like {
            if doc.report_type.as_deref() == Some("delivery-status") && format.is_none() {
                format = Some("RFC3464".into());
            }
            results = found
                .iter()
                .map(|f| to_result(f, reporting.clone(), format.clone(), format_default))
                .collect();
        } else if let Some(r) = auto_reply(&doc, kind, notice_says_bounce) {
            format = Some("RFC3834".into());
            results = vec![r];
        }
    }
    if (results.is_empty() || unnamed_only) && depth == 0 {
        // A bounce forwarded inline (an ISP's "the message returned below
        // could not be delivered", a user's "Fwd:"): read the inner one.
        if let Some(inner) = doc
            .after_notice
            .as_deref()
            .and_then(|text| inner_bounce(text, options))
        {
            let spoof = crate::spoof::check_read(
                &doc,
                &notice_text.normalized,
                &inner.results,
                &options.own_domains,
            );
            return Analysis {
                document: doc,
                spoof,
                ..inner
            };
        }
    }
    let total_recipients = results.len();
    let spoof = crate::spoof::check_read(
        &doc,
        &notice_text.normalized,
        &results,
        &options.own_domains,
    );
    drop(notice_text);
    results.truncate(options.max_recipients);
    Analysis {
        spoof,
        kind,
        is_bounce: !results.is_empty(),
        format: if results.is_empty() { None } else { format },
        results,
        total_recipients,
        input_truncated: false,
        input_limit: options.max_input_bytes,
        notice_without_recipients,
        document: doc,
    }
}

/// Analyses text that follows a notice as a message of its own, when it
/// starts like one.
fn inner_bounce(text: &str, options: &Options) -> Option<Analysis> {
    let trimmed = text.trim_start();
    let starts_like_mail =
        trimmed.starts_with("From ") || crate::input::looks_like_header_block(trimmed.as_bytes());
    if !starts_like_mail {
        return None;
    }
    let prepared = prepare(trimmed.as_bytes()).into_iter().next()?;
    let inner = analyze_document(parse_with_limit(&prepared, options.max_parts), options, 1);
    inner.is_bounce.then_some(inner)
}

/// From, Subject and the first lines of the notice, normalised: what format
/// detection reads.
fn head_text(doc: &Document, notice: &NoticeText<'_>) -> String {
    let mut head = String::new();
    for v in [
        doc.headers.from_name.as_deref(),
        doc.headers.from_address.as_deref(),
        doc.headers.subject.as_deref(),
    ]
    .into_iter()
    .flatten()
    {
        head.push_str(v);
        head.push('\n');
    }
    for (name, value) in doc
        .headers
        .all
        .iter()
        .filter(|(n, _)| n.starts_with("x-") || n == "received")
        .take(8)
    {
        head.push_str(name);
        head.push_str(": ");
        head.push_str(value);
        head.push('\n');
    }
    let mut head = normalize(&head);
    crate::text::push_joined(&mut head, notice.normalized_head(1_500));
    head
}

/// Addresses that belong to the sender, never to a failed recipient.
fn excluded_addresses(doc: &Document) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |a: Option<&str>| {
        if let Some(a) = a.and_then(clean_address) {
            if !out.contains(&a) {
                out.push(a);
            }
        }
    };
    push(doc.headers.from_address.as_deref());
    push(doc.headers.to.as_deref());
    if let Some(o) = &doc.original {
        push(o.from.as_deref());
        push(o.return_path.as_deref());
    }
    if let Some(v) = doc.headers.get("x-postfix-sender") {
        push(ADDRESS.find(v).map(|m| m.as_str()));
    }
    out
}

/// When a notice is a bounce but names no recipient in the text: the
/// `X-Failed-Recipients` header, else the returned original's To.
fn fallback_recipients(doc: &Document, excluded: &[String]) -> Vec<Found> {
    let mut addresses: Vec<String> = Vec::new();
    if let Some(v) = doc.headers.get("x-failed-recipients") {
        let mut seen = std::collections::HashSet::new();
        addresses.extend(
            ADDRESS
                .find_iter(v)
                .filter_map(|m| clean_address(m.as_str()))
                .filter(|a| seen.insert(a.to_ascii_lowercase()))
                .take(MAX_RECIPIENTS_PARSED),
        );
    }
    if addresses.is_empty() {
        if let Some(to) = doc.original.as_ref().and_then(|o| o.to.clone()) {
            if !excluded.contains(&to) {
                addresses.push(to);
            }
        }
    }
    let context = crate::text::truncate_chars(&doc.notice, 2_000);
    addresses
        .into_iter()
        .map(|recipient| Found {
            recipient,
            action: Some("failed".into()),
            status: crate::text::find_status(&context),
            reply_code: crate::text::find_reply_code(&context),
            diagnostic: String::new(),
            context: context.clone(),
            certain: false,
            ..Default::default()
        })
        .collect()
}

fn to_result(
    f: &Found,
    reporting_mta: Option<String>,
    mta: Option<String>,
    format_default: Option<Reason>,
) -> RecipientResult {
    let c = classify(&Evidence {
        status: f.status.as_deref(),
        reply_code: f.reply_code,
        diagnostic: &f.diagnostic,
        diagnostic_type: f.diagnostic_type.as_deref(),
        command: f.command.as_deref(),
        action: f.action.as_deref(),
        context: &f.context,
        format_default,
        diagnostic_is_headline: f.diagnostic_is_headline,
    });
    RecipientResult {
        recipient: f.recipient.clone(),
        action: f.action.clone(),
        reason: c.reason,
        detail: c.detail,
        status: f.status.clone(),
        reply_code: f.reply_code,
        hard_bounce: c.hard_bounce,
        command: f.command.clone(),
        diagnostic: f.diagnostic.clone(),
        remote_mta: f.remote_mta.clone(),
        reporting_mta,
        mta,
    }
}

/// An RFC 5965 feedback report: one result per reported recipient.
fn feedback_results(doc: &Document) -> Vec<RecipientResult> {
    // A report part is read whole; report text pasted into a notice only up
    // to the notice limit.
    let fields = match doc.feedback_text.as_deref() {
        Some(f) => f,
        None => {
            let n = &doc.notice;
            &n[..(0..=n.len().min(crate::extract::MAX_NOTICE_BYTES))
                .rev()
                .find(|i| n.is_char_boundary(*i))
                .unwrap_or(0)]
        }
    };
    let mut recipients: Vec<String> = Vec::new();
    let mut feedback_type = None;
    for line in fields.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        match name.trim().to_ascii_lowercase().as_str() {
            "original-rcpt-to" | "removal-recipient" => {
                if let Some(a) = ADDRESS.find(value).and_then(|m| clean_address(m.as_str())) {
                    if recipients.len() < MAX_RECIPIENTS_PARSED {
                        recipients.push(a);
                    }
                }
            }
            "feedback-type" => feedback_type = Some(value.trim().to_string()),
            _ => {}
        }
    }
    if recipients.is_empty() {
        if let Some(to) = doc
            .original
            .as_ref()
            .and_then(|o| o.to.clone())
            .or_else(|| doc.headers.to.clone())
        {
            recipients.push(to);
        }
    }
    if recipients.is_empty() {
        // A complaint about an unnamed recipient is still a complaint.
        recipients.push(String::new());
    }
    let diagnostic = feedback_type
        .map(|t| format!("Feedback-Type: {t}"))
        .unwrap_or_default();
    // Apple Mail's unsubscribe request is feedback too, but not a complaint.
    let unsubscribe = doc
        .headers
        .get("x-apple-unsubscribe")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        || RULES
            .details
            .matches(&normalize(&crate::text::truncate_chars(&doc.notice, 2_000)))
            .contains(&"unsubscribe");
    recipients
        .into_iter()
        .map(|recipient| RecipientResult {
            diagnostic: diagnostic.clone(),
            detail: unsubscribe.then_some("unsubscribe"),
            ..feedback_result(recipient)
        })
        .collect()
}

/// Longest pasted text read as a headerless auto-reply: out-of-office
/// replies are a few lines; a long text that mentions one is something else.
const MAX_PASTED_AUTO_REPLY_CHARS: usize = 3_000;

/// A headerless paste of an auto-reply: it opens with the reply's subject
/// line (notice.toml `auto_reply_opening`: "Automatic reply: ...") or says it was sent
/// automatically, and it says that someone is away. Chat that talks about
/// such a reply asks something; a text with a question in it is not one.
fn pasted_auto_reply(text: &str) -> bool {
    if text.chars().count() > MAX_PASTED_AUTO_REPLY_CHARS {
        return false;
    }
    let lines = || {
        text.lines()
            .map(|l| l.trim_start_matches(['>', ' ', '\t']).trim())
            .filter(|l| !l.is_empty())
    };
    if lines().any(|l| l.ends_with('?') || l.ends_with('\u{ff1f}')) {
        return false;
    }
    let opens_as_reply = lines()
        .next()
        .is_some_and(|first| RULES.notice.auto_reply_opening.is_match(first));
    (opens_as_reply || RULES.notice.auto_reply_statement.is_match(text))
        && RULES.notice.away_statement.is_match(text)
}

/// A `feedback` result for one complaining recipient.
fn feedback_result(recipient: String) -> RecipientResult {
    RecipientResult {
        recipient,
        action: None,
        reason: Reason::Feedback,
        detail: None,
        status: None,
        reply_code: None,
        hard_bounce: false,
        command: None,
        diagnostic: String::new(),
        remote_mta: None,
        reporting_mta: None,
        mta: Some("ARF".into()),
    }
}

/// An RFC 3834 auto-reply (out of office): one `vacation` result for the
/// person who is away. A paste that kept no sender is one too when its text
/// says both that it was sent automatically and that someone is away
/// ([`pasted_auto_reply`]); its person is then not named.
fn auto_reply(
    doc: &Document,
    kind: InputKind,
    notice_says_bounce: bool,
) -> Option<RecipientResult> {
    if notice_says_bounce {
        return None;
    }
    let auto_submitted = doc
        .headers
        .auto_submitted
        .as_deref()
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("auto-replied"));
    let subject = doc.headers.subject.as_deref().unwrap_or("");
    let flagged = doc.headers.all.iter().any(|(n, v)| {
        (n == "x-autoreply"
            || n == "x-autorespond"
            || n == "x-auto-response-suppress" && v.eq_ignore_ascii_case("all"))
            || (n == "precedence" && v.eq_ignore_ascii_case("auto_reply"))
    });
    // A subject alone is enough when the client copied it (a whole email, or
    // Outlook's "Subject:" line of a paste); chat has no subject.
    let recipient =
        if auto_submitted || flagged || RULES.notice.auto_reply_subject.is_match(subject) {
            doc.headers.from_address.clone()?
        } else if kind == InputKind::Paste
            && doc.headers.from_address.is_none()
            && pasted_auto_reply(&doc.notice)
        {
            String::new()
        } else {
            return None;
        };
    Some(RecipientResult {
        recipient,
        action: None,
        reason: Reason::Vacation,
        detail: None,
        status: None,
        reply_code: None,
        hard_bounce: false,
        command: None,
        diagnostic: crate::text::truncate_chars(doc.notice.trim(), 300),
        remote_mta: None,
        reporting_mta: None,
        mta: Some("RFC3834".into()),
    })
}
