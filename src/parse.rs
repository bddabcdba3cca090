//! Reads a prepared input into a [`Document`]: the bounce's own headers, the
//! human-readable notice, the machine-readable status and feedback parts, the
//! returned original's headers, and what is attached.
//!
//! Whole emails go through `mail-parser` (MIME, transfer encodings, every
//! Japanese charset); pasted text is split by hand into the same pieces, so
//! that extraction and classification never care which one they got.

use crate::input::{InputKind, Prepared};
use crate::rules::RULES;
use crate::text::clean_address;
use mail_parser::{Address, HeaderValue, MessageParser, MessagePart, MimeHeaders, PartType};

/// MIME parts walked in one message unless configured otherwise
/// (`Options::max_parts`); the rest is ignored and the answer says so.
pub const MAX_PARTS: usize = 2_000;

/// The bounce, split into the pieces the extractor reads.
#[derive(Debug, Default, Clone)]
pub struct Document {
    pub kind: Option<InputKind>,
    /// The bounce's own headers (partial for pastes: what the client copied).
    pub headers: Headers,
    /// The human-readable notice, with the returned original cut off.
    pub notice: String,
    /// Bodies of `message/delivery-status` parts (RFC 3464 fields).
    pub status_text: String,
    /// Body of a `message/feedback-report` part (RFC 5965), when present.
    pub feedback_text: Option<String>,
    /// `report-type` of a top-level `multipart/report`, lowercased.
    pub report_type: Option<String>,
    /// The returned original message, when its headers are present.
    pub original: Option<Original>,
    /// Everything attached that is not text of the notice.
    pub attachments: Vec<Attachment>,
    /// Link targets and their visible text found in HTML parts.
    pub links: Vec<Link>,
    /// True when the MIME walk stopped at [`MAX_PARTS`].
    pub parts_truncated: bool,
    /// The text after the notice when it was cut there (the returned
    /// original, or a whole bounce that someone forwarded inline).
    pub after_notice: Option<String>,
}

/// Headers of the bounce message itself.
#[derive(Debug, Default, Clone)]
pub struct Headers {
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    pub to: Option<String>,
    pub subject: Option<String>,
    /// `Some("")` for a null `Return-Path: <>`.
    pub return_path: Option<String>,
    pub auto_submitted: Option<String>,
    pub date: Option<String>,
    pub message_id: Option<String>,
    pub content_type: Option<String>,
    /// Every header as (lowercased name, unfolded raw value), in order.
    pub all: Vec<(String, String)>,
}

impl Headers {
    /// The first value of a header, by lowercase name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.all
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A mailing list's message (List-Id or List-Unsubscribe): a newsletter,
    /// a digest; a mail system's notice never carries them.
    pub fn is_list_mail(&self) -> bool {
        self.get("list-id").is_some() || self.get("list-unsubscribe").is_some()
    }
}

/// Headers of the returned original message.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Original {
    pub from: Option<String>,
    pub to: Option<String>,
    pub subject: Option<String>,
    pub message_id: Option<String>,
    pub date: Option<String>,
    pub return_path: Option<String>,
    pub received: Vec<String>,
}

/// A part that is not notice text. Never opened, only described.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Attachment {
    pub name: Option<String>,
    pub content_type: String,
    pub size: usize,
    /// Starts like a Windows executable (`MZ`), after transfer decoding.
    pub executable_magic: bool,
}

/// A hyperlink in an HTML part.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Link {
    pub href: String,
    pub text: String,
}

/// Reads one prepared input, walking at most [`MAX_PARTS`] MIME parts.
pub fn parse(prepared: &Prepared) -> Document {
    parse_with_limit(prepared, MAX_PARTS)
}

/// Reads one prepared input, walking at most `max_parts` MIME parts.
pub fn parse_with_limit(prepared: &Prepared, max_parts: usize) -> Document {
    match prepared {
        Prepared::Email(bytes) => parse_email(bytes, max_parts),
        Prepared::Paste(text) => parse_paste(text),
    }
}

/// mail-parser reading only the headers we use in structured form (the
/// addresses, subject and ids we read, the MIME headers its decoder needs);
/// every other header, Received included, is only located: `headers_raw`
/// and `header_raw` read it from the message by its offsets. Its default
/// parses all of them, and a bounce's Received chains made a tenth of the
/// time spent.
static EMAIL_PARSER: std::sync::LazyLock<MessageParser> = std::sync::LazyLock::new(|| {
    use mail_parser::HeaderName;
    MessageParser::new()
        .with_mime_headers()
        .header_address(HeaderName::From)
        .header_address(HeaderName::To)
        .header_text(HeaderName::Subject)
        .header_id(HeaderName::MessageId)
        .header_id(HeaderName::ReturnPath)
        .default_header_ignore()
});

fn parse_email(bytes: &[u8], max_parts: usize) -> Document {
    let mut doc = Document {
        kind: Some(InputKind::Email),
        ..Default::default()
    };
    let Some(message) = EMAIL_PARSER.parse(bytes) else {
        // No headers after all: read it as text.
        return parse_paste(&crate::input::decode_text(bytes));
    };
    doc.headers = read_headers(&message);
    if let Some(ct) = message.root_part().content_type() {
        doc.headers.content_type =
            Some(format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("")).to_ascii_lowercase());
        if ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
        {
            doc.report_type = Some(
                ct.attribute("report-type")
                    .unwrap_or("")
                    .to_ascii_lowercase(),
            );
        }
    }
    let mut walker = Walker {
        message: &message,
        doc: &mut doc,
        visited: 0,
        max_parts,
        notice_parts: Vec::new(),
        html_parts: Vec::new(),
    };
    walker.walk(0, 0);
    let Walker {
        notice_parts,
        html_parts,
        ..
    } = walker;
    dismantle(message);
    let mut notice = notice_parts.join("\n");
    if notice.trim().is_empty() {
        notice = html_parts
            .iter()
            .map(|h| mail_parser::decoders::html::html_to_text(h))
            .collect::<Vec<_>>()
            .join("\n");
    }
    if notice.trim().is_empty() && doc.status_text.trim().is_empty() {
        // Broken MIME (a boundary that never appears, a multipart without
        // delimiters): read the raw body as text rather than lose it.
        notice = raw_body_text(bytes);
    }
    let notice = crate::text::fold_width(&notice);
    let (notice, inline_original, after) = split_original(&notice);
    doc.notice = notice;
    doc.after_notice = after;
    if doc.original.is_none() {
        doc.original = inline_original;
    }
    doc
}

/// The message body after the header block, decoded as text.
fn raw_body_text(bytes: &[u8]) -> String {
    let start = memchr::memmem::find(bytes, b"\n\n").map_or(bytes.len(), |p| p + 2);
    let body = &bytes[start..bytes.len().min(start + crate::extract::MAX_NOTICE_BYTES)];
    crate::input::decode_text(body)
}

/// Drops a parsed message without recursion. mail-parser nests returned
/// messages (`message/rfc822` inside `message/rfc822` ...) as values, so the
/// default drop recurses once per level and a few hundred kilobytes of
/// nesting would overflow a thread's stack. Take them apart with a heap stack.
fn dismantle(message: mail_parser::Message<'_>) {
    let mut stack = vec![message];
    while let Some(mut m) = stack.pop() {
        for part in m.parts.iter_mut() {
            if matches!(part.body, PartType::Message(_)) {
                if let PartType::Message(inner) = std::mem::take(&mut part.body) {
                    stack.push(inner);
                }
            }
        }
    }
}

struct Walker<'a, 'x> {
    message: &'a mail_parser::Message<'x>,
    doc: &'a mut Document,
    visited: usize,
    max_parts: usize,
    notice_parts: Vec<String>,
    html_parts: Vec<String>,
}

impl Walker<'_, '_> {
    fn walk(&mut self, id: usize, depth: usize) {
        if self.visited >= self.max_parts || depth > 64 {
            self.doc.parts_truncated = true;
            return;
        }
        self.visited += 1;
        let Some(part) = self.message.parts.get(id) else {
            return;
        };
        let (ctype, subtype) = part
            .content_type()
            .map(|ct| {
                (
                    ct.ctype().to_ascii_lowercase(),
                    ct.subtype().unwrap_or("").to_ascii_lowercase(),
                )
            })
            .unwrap_or_else(|| ("text".into(), "plain".into()));
        match &part.body {
            PartType::Multipart(children) => {
                for child in children.clone() {
                    self.walk(child as usize, depth + 1);
                }
            }
            PartType::Message(nested) => {
                if self.doc.original.is_none() {
                    self.doc.original = Some(original_from_message(nested));
                }
            }
            PartType::Text(text) => self.text_part(part, &ctype, &subtype, text),
            PartType::Html(html) => {
                self.doc.links.extend(extract_links(html));
                if part
                    .content_disposition()
                    .is_some_and(|d| d.is_attachment())
                {
                    self.attachment(part, &ctype, &subtype, html.as_bytes());
                }
                self.html_parts.push(html.to_string());
            }
            PartType::Binary(bytes) | PartType::InlineBinary(bytes) => {
                match (ctype.as_str(), subtype.as_str()) {
                    ("message", "delivery-status" | "global-delivery-status") => {
                        self.doc
                            .status_text
                            .push_str(&crate::input::decode_text(bytes));
                        self.doc.status_text.push('\n');
                    }
                    ("message", "feedback-report") => {
                        self.doc.feedback_text = Some(crate::input::decode_text(bytes));
                    }
                    ("message", "rfc822-headers") | ("text", "rfc822-headers") => {
                        self.set_original_from_text(&crate::input::decode_text(bytes));
                    }
                    _ => self.attachment(part, &ctype, &subtype, bytes),
                }
            }
        }
    }

    fn text_part(&mut self, part: &MessagePart<'_>, ctype: &str, subtype: &str, text: &str) {
        match (ctype, subtype) {
            (_, "rfc822-headers") => self.set_original_from_text(text),
            ("message", "delivery-status" | "global-delivery-status") => {
                self.doc.status_text.push_str(text);
                self.doc.status_text.push('\n');
            }
            ("message", "feedback-report") => self.doc.feedback_text = Some(text.to_string()),
            ("text", "plain") | ("text", "") | ("text", "enriched") => {
                // A later text part that is a whole message is the returned original.
                let attached = part
                    .content_disposition()
                    .is_some_and(|d| d.is_attachment());
                if !self.notice_parts.is_empty()
                    && crate::input::looks_like_header_block(text.trim_start().as_bytes())
                {
                    self.set_original_from_text(text);
                } else if attached && !self.notice_parts.is_empty() {
                    self.attachment(part, ctype, subtype, text.as_bytes());
                } else {
                    self.notice_parts.push(text.to_string());
                }
            }
            ("text", "html")
                if !part
                    .content_disposition()
                    .is_some_and(|d| d.is_attachment()) =>
            {
                self.doc.links.extend(extract_links(text));
                self.html_parts.push(text.to_string());
            }
            _ => self.attachment(part, ctype, subtype, text.as_bytes()),
        }
    }

    fn set_original_from_text(&mut self, text: &str) {
        if self.doc.original.is_none() {
            self.doc.original = Some(original_from_header_text(text));
        }
    }

    fn attachment(&mut self, part: &MessagePart<'_>, ctype: &str, subtype: &str, bytes: &[u8]) {
        self.doc.attachments.push(Attachment {
            name: part.attachment_name().map(str::to_string),
            content_type: format!("{ctype}/{subtype}"),
            size: bytes.len(),
            executable_magic: bytes.starts_with(b"MZ"),
        });
    }
}

fn address_parts(addr: Option<&Address<'_>>) -> (Option<String>, Option<String>) {
    let Some(first) = addr.and_then(|a| a.first()) else {
        return (None, None);
    };
    (
        first.address.as_deref().map(str::to_string),
        first
            .name
            .as_deref()
            .map(str::to_string)
            .filter(|n| !n.trim().is_empty()),
    )
}

fn read_headers(message: &mail_parser::Message<'_>) -> Headers {
    let (from_address, from_name) = address_parts(message.from());
    let (to, _) = address_parts(message.to());
    let return_path = match message.return_path() {
        HeaderValue::Text(t) => Some(
            t.trim_matches(|c: char| c == '<' || c == '>' || c.is_whitespace())
                .to_string(),
        ),
        HeaderValue::Address(a) => Some(
            a.first()
                .and_then(|x| x.address.as_deref())
                .unwrap_or("")
                .to_string(),
        ),
        HeaderValue::Empty => message
            .header_raw("Return-Path")
            .map(|raw| raw.trim().trim_matches(['<', '>']).to_string()),
        _ => None,
    };
    let all = message
        .headers_raw()
        .take(500)
        .map(|(name, value)| (name.to_ascii_lowercase(), unfold(value)))
        .collect();
    Headers {
        from_address,
        from_name,
        to,
        subject: message.subject().map(str::to_string),
        return_path,
        auto_submitted: message
            .header_raw("Auto-Submitted")
            .map(|v| v.trim().to_string()),
        date: message.header_raw("Date").map(|v| v.trim().to_string()),
        message_id: message.message_id().map(str::to_string),
        content_type: None,
        all,
    }
}

fn unfold(value: &str) -> String {
    crate::text::collapse_whitespace(value)
}

fn original_from_message(message: &mail_parser::Message<'_>) -> Original {
    let (from, _) = address_parts(message.from());
    let (to, _) = address_parts(message.to());
    Original {
        from,
        to,
        subject: message.subject().map(str::to_string),
        message_id: message.message_id().map(str::to_string),
        date: message.header_raw("Date").map(|v| v.trim().to_string()),
        return_path: message
            .header_raw("Return-Path")
            .map(|v| v.trim().trim_matches(['<', '>']).to_string()),
        received: message
            .headers_raw()
            .filter(|(n, _)| n.eq_ignore_ascii_case("received"))
            .take(100)
            .map(|(_, v)| unfold(v))
            .collect(),
    }
}

/// Reads the headers of a returned original given as text (a
/// `text/rfc822-headers` part, or what follows a marker in a notice).
pub fn original_from_header_text(text: &str) -> Original {
    /// The fields read; the others are skipped without being copied.
    const READ: [&str; 7] = [
        "from",
        "to",
        "subject",
        "message-id",
        "date",
        "return-path",
        "received",
    ];
    let mut original = Original::default();
    let mut apply = |name: &str, value: String| match name {
        "from" if original.from.is_none() => original.from = first_address(&value),
        "to" if original.to.is_none() => original.to = first_address(&value),
        "subject" if original.subject.is_none() => {
            original.subject = Some(decode_words(&value));
        }
        "message-id" if original.message_id.is_none() => {
            original.message_id = Some(value.trim_matches(['<', '>', ' ']).to_string());
        }
        "date" if original.date.is_none() => original.date = Some(value),
        "return-path" if original.return_path.is_none() => {
            original.return_path = Some(value.trim_matches(['<', '>', ' ']).to_string());
        }
        "received" => original.received.push(value),
        _ => {}
    };
    // The field being read, when it is one of READ, with its value so far.
    let mut current: Option<(&'static str, String)> = None;
    let mut fields_done = 0;
    for line in text.lines().skip_while(|l| l.trim().is_empty()) {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = current.as_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.is_empty() || name.contains(' ') {
                continue;
            }
            if let Some((done, value)) = current.take() {
                apply(done, value);
            }
            fields_done += 1;
            let name = name.trim();
            current = READ
                .iter()
                .find(|r| r.eq_ignore_ascii_case(name))
                .map(|r| (*r, value.trim().to_string()));
        }
        if fields_done > 301 {
            break;
        }
    }
    if let Some((done, value)) = current {
        apply(done, value);
    }
    original
}

fn first_address(value: &str) -> Option<String> {
    crate::text::ADDRESS
        .find(value)
        .and_then(|m| clean_address(m.as_str()))
}

/// Decodes RFC 2047 encoded words in a header value read from text.
fn decode_words(value: &str) -> String {
    if !value.contains("=?") {
        return value.to_string();
    }
    let raw = format!("Subject: {value}\n\n");
    MessageParser::default()
        .parse_headers(raw.as_bytes())
        .and_then(|m| m.subject().map(str::to_string))
        .unwrap_or_else(|| value.to_string())
}

/// The links of an HTML text: each `<a ... href=...>text</a>`, its target
/// and its text without tags, at most 200.
///
/// A scanner rather than a regex: the lazy `(.*?)</a>` capture ran the
/// backtracking engine over every page, and a notice's HTML is often most of
/// the message. Reads as `(?is)<a\b[^>]*?\bhref\s*=\s*["']?([^"'\s>]+)["']?[^>]*>(.*?)</a>`
/// would (a unit test compares the two).
fn extract_links(html: &str) -> Vec<Link> {
    use regex::Regex;
    use std::sync::LazyLock;
    static TAG: LazyLock<Regex> =
        LazyLock::new(|| crate::rules::ascii_regex(r"(?s)<[^>]*>").expect("tag regex compiles"));
    let bytes = html.as_bytes();
    let mut links = Vec::new();
    let mut at = 0;
    while links.len() < 200 {
        let Some(open) = find_anchor_open(bytes, at) else {
            break;
        };
        let Some(tag_end) = memchr::memchr(b'>', &bytes[open..]).map(|p| open + p) else {
            break; // no tag ends after this one, so no later one does
        };
        // A tag without href: an `<a` inside it sees a tail of the same tag.
        at = tag_end + 1;
        let Some(href) = anchor_href(bytes, open + 2, tag_end) else {
            continue;
        };
        let Some(close) = find_ascii_ci(bytes, tag_end + 1, b"</a>") else {
            break; // no closing tag after this one, so none after the later ones
        };
        links.push(Link {
            href: html[href].to_string(),
            text: crate::text::collapse_whitespace(
                &TAG.replace_all(&html[tag_end + 1..close], " "),
            ),
        });
        at = close + 4;
    }
    links
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The next `<a` followed by a non-word byte (not `<abbr`), from `from`.
fn find_anchor_open(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(p) = memchr::memchr(b'<', bytes.get(at..)?) {
        let i = at + p;
        if bytes
            .get(i + 1)
            .is_some_and(|b| b.eq_ignore_ascii_case(&b'a'))
            && !bytes.get(i + 2).copied().is_some_and(is_word_byte)
        {
            return Some(i);
        }
        at = i + 1;
    }
    None
}

/// In the tag from `from` (after `<a`) to its closing `>` at `tag_end`: the
/// range of the first `href` value.
fn anchor_href(bytes: &[u8], from: usize, tag_end: usize) -> Option<std::ops::Range<usize>> {
    // `ascii_regex`'s `\s`.
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let mut i = from;
    while i + 4 <= tag_end {
        let name = &bytes[i..i + 4];
        if name.eq_ignore_ascii_case(b"href") && (i == 0 || !is_word_byte(bytes[i - 1])) {
            let mut j = i + 4;
            while j < tag_end && is_space(bytes[j]) {
                j += 1;
            }
            if j < tag_end && bytes[j] == b'=' {
                j += 1;
                while j < tag_end && is_space(bytes[j]) {
                    j += 1;
                }
                if j < tag_end && matches!(bytes[j], b'"' | b'\'') {
                    j += 1;
                }
                let start = j;
                while j < tag_end && !matches!(bytes[j], b'"' | b'\'' | b'>') && !is_space(bytes[j])
                {
                    j += 1;
                }
                if j > start {
                    return Some(start..j);
                }
            }
        }
        i += 1;
    }
    None
}

/// The first case-insensitive occurrence of the ASCII `needle` from `from`.
fn find_ascii_ci(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let first = needle[0];
    let mut at = from;
    while let Some(p) = memchr::memchr2(first, first.to_ascii_uppercase(), bytes.get(at..)?) {
        let i = at + p;
        if bytes
            .get(i..i + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
        {
            return Some(i);
        }
        at = i + 1;
    }
    None
}

/// Header names that begin a copied header block of a returned original.
const ORIGINAL_HEADER_NAMES: &[&str] = &[
    "received",
    "return-path",
    "message-id",
    "date",
    "from",
    "to",
    "subject",
    "mime-version",
    "content-type",
    "reply-to",
    "delivered-to",
    "references",
    "in-reply-to",
    "cc",
    "sender",
    "authentication-results",
    "received-spf",
    "content-transfer-encoding",
    "dkim-signature",
    "domainkey-signature",
    "list-id",
    "precedence",
    "importance",
    "organization",
    "errors-to",
    "disposition-notification-to",
    "accept-language",
    "feedback-id",
    "x-mailer",
    "user-agent",
    "list-unsubscribe",
    "arc-seal",
    "arc-message-signature",
    "arc-authentication-results",
    "thread-topic",
    "thread-index",
    "content-language",
];

fn header_name_of(line: &str) -> Option<&str> {
    // A name is at most 40 bytes: the colon is looked for no further.
    let head = &line.as_bytes()[..line.len().min(41)];
    let colon = memchr::memchr(b':', head)?;
    let name = &line[..colon];
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return None;
    }
    Some(name)
}

/// Splits a notice into (the notice proper, the returned original). The
/// original starts at a marker line (see `original_marker` in
/// `rules/formats.toml`) or at a run of three or more header lines.
pub fn split_original(notice: &str) -> (String, Option<Original>, Option<String>) {
    let lines: Vec<&str> = notice.lines().collect();
    let mut cut: Option<(usize, usize)> = None; // (notice end, headers start)
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if RULES.original_markers.is_match(trimmed) {
            cut = Some((i, i + 1));
            break;
        }
        if i > 0 && is_header_run(&lines[i..]) {
            cut = Some((i, i));
            break;
        }
    }
    match cut {
        Some((end, start)) => {
            let rest = lines[start.min(lines.len())..].join("\n");
            let original = original_from_header_text(&rest);
            let has_any = original.from.is_some()
                || original.to.is_some()
                || original.subject.is_some()
                || original.message_id.is_some()
                || !original.received.is_empty();
            (
                lines[..end].join("\n"),
                has_any.then_some(original),
                Some(rest),
            )
        }
        None => (notice.to_string(), None, None),
    }
}

/// One of the headers a returned original's header block is made of.
fn is_original_header_name(name: &str) -> bool {
    ORIGINAL_HEADER_NAMES
        .iter()
        .any(|h| h.eq_ignore_ascii_case(name))
}

fn is_header_run(lines: &[&str]) -> bool {
    let mut count = 0;
    for line in lines.iter().take(40) {
        if line.starts_with([' ', '\t']) && count > 0 {
            continue;
        }
        match header_name_of(line) {
            Some(name)
                if is_original_header_name(name)
                    || name.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("x-")) =>
            {
                count += 1;
                if count >= 3 {
                    return true;
                }
            }
            _ => return false,
        }
    }
    false
}

fn parse_paste(text: &str) -> Document {
    let mut doc = Document {
        kind: Some(InputKind::Paste),
        ..Default::default()
    };
    // Leading copied headers (Outlook's "From:/Sent:/To:/Subject:"), else
    // the header block of a bounce forwarded or quoted below a few lines of
    // chat (under Outlook's "-----Original Message-----" or a mail client's
    // forward separator).
    let lines: Vec<&str> = text.lines().collect();
    let mut start = 0;
    while start < lines.len() && lines[start].trim().is_empty() {
        start += 1;
    }
    let (mut copied, mut body_start) = copied_headers_at(&lines, start);
    if copied.len() < 2 {
        body_start = start;
        if let Some((block, end)) = forwarded_bounce_headers(&lines, start) {
            copied = block;
            body_start = end;
        }
    }
    if copied.len() >= 2 {
        for (name, value) in &copied {
            match name.as_str() {
                "from" => {
                    doc.headers.from_address = first_address(value);
                    let display = value
                        .split('<')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .trim_matches('"')
                        .to_string();
                    if !display.is_empty() && !display.contains('@') {
                        doc.headers.from_name = Some(display);
                    }
                }
                "to" => doc.headers.to = first_address(value),
                "subject" => doc.headers.subject = Some(value.clone()),
                "date" => doc.headers.date = Some(value.clone()),
                "return-path" => {
                    doc.headers.return_path = Some(value.trim_matches(['<', '>', ' ']).to_string())
                }
                "auto-submitted" => doc.headers.auto_submitted = Some(value.clone()),
                _ => {}
            }
            doc.headers.all.push((name.clone(), value.clone()));
        }
    }
    let body = lines[body_start.min(lines.len())..].join("\n");
    let (notice, original, after) = split_original(&body);
    doc.notice = notice;
    doc.original = original;
    doc.after_notice = after;
    doc
}

/// The copied header lines ("From: ...", and their Japanese forms) starting at line
/// `start`, with the line after them.
fn copied_headers_at(lines: &[&str], start: usize) -> (Vec<(String, String)>, usize) {
    let mut copied: Vec<(String, String)> = Vec::new();
    let mut i = start;
    while i < lines.len() {
        let line = lines[i];
        if i == start && is_system_sender_line(line) {
            // A web mail client shows the notice's sender as a bare
            // "Mail Delivery System <mailer-daemon@gmx.net>" above its
            // To line (in Japanese clients too).
            copied.push(("from".to_string(), line.trim().to_string()));
            i += 1;
            continue;
        }
        let Some((label, value)) = line.split_once(':').or_else(|| line.split_once('：')) else {
            break;
        };
        let label = label.trim().to_ascii_lowercase();
        let Some(name) = RULES.notice.copied_header_labels.get(&label) else {
            break;
        };
        copied.push((name.to_string(), value.trim().to_string()));
        i += 1;
    }
    (copied, i)
}

/// `Display Name <address>` alone on a line, the address a mail system's own
/// mailbox (`MAILER-DAEMON`, `postmaster`).
fn is_system_sender_line(line: &str) -> bool {
    let t = line.trim();
    let Some(inner) = t.strip_suffix('>').and_then(|rest| rest.rsplit_once('<')) else {
        return false;
    };
    let (display, address) = inner;
    !display.contains(':')
        && address.split_once('@').is_some_and(|(local, domain)| {
            domain.contains('.') && RULES.notice.system_mailbox.is_match(local)
        })
}

/// How far down a paste a forwarded bounce's header block is looked for.
const FORWARDED_HEADERS_WITHIN: usize = 40;

/// The copied header block of a bounce that someone forwarded or quoted
/// under a few lines of their own, with the line after it: three or more
/// header lines whose sender is a mail system's mailbox (`MAILER-DAEMON`,
/// `postmaster`, Exchange's `MicrosoftExchange...`) or whose subject is a
/// bounce's (not a reply: a thread "RE: <bounce subject>" is about one). The
/// block is the bounce's own headers, not its returned original, and its
/// `To:` is the person who got the bounce, not a failed recipient.
fn forwarded_bounce_headers(
    lines: &[&str],
    start: usize,
) -> Option<(Vec<(String, String)>, usize)> {
    let end = lines.len().min(start + FORWARDED_HEADERS_WITHIN);
    // Only the first block of three or more header lines is considered, or
    // of two when they are a sender and a subject (an auto-reply's Subject
    // and From, as a Japanese mail client's preview shows them).
    let (i, (block, after)) = (start + 1..end)
        .map(|i| (i, copied_headers_at(lines, i)))
        .find(|(_, (block, _))| {
            block.len() >= 3
                || (block.len() == 2
                    && block.iter().any(|(name, _)| name == "from")
                    && block
                        .iter()
                        .any(|(name, _)| name == "subject" || name == "to"))
        })?;
    // A forwarded block stands apart: a separator or blank line above it,
    // a blank line (or the end) below it, and no returned original's
    // header (Received, Message-ID, ...) above it.
    let above = lines[i - 1].trim();
    let separator = ["---", "===", "___"].iter().any(|d| above.starts_with(d));
    let apart = (above.is_empty() || separator || RULES.original_markers.is_match(above))
        && lines.get(after).is_none_or(|l| l.trim().is_empty())
        && !lines[start..i]
            .iter()
            .any(|l| header_name_of(l).is_some_and(is_original_header_name));
    if !apart {
        return None;
    }
    let bounce_like = block.iter().any(|(name, value)| match name.as_str() {
        "from" => first_address(value).is_some_and(|a| {
            RULES
                .notice
                .system_mailbox
                .is_match(a.split('@').next().unwrap_or(""))
        }),
        "subject" => {
            let subject = crate::text::normalize(value);
            !RULES.notice.reply_subject.is_match(&subject)
                && (RULES.subject_markers.is_match(&subject)
                    || RULES.notice.auto_reply_subject.is_match(&subject))
        }
        _ => false,
    });
    bounce_like.then_some((block, after))
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_link_scanner_reads_as_the_anchor_regex() {
        let anchor = crate::rules::ascii_regex(
            r#"(?is)<a\b[^>]*?\bhref\s*=\s*["']?([^"'\s>]+)["']?[^>]*>(.*?)</a>"#,
        )
        .unwrap();
        let tag = crate::rules::ascii_regex(r"(?s)<[^>]*>").unwrap();
        let samples = [
            r#"<p><a href="https://a.example/x">A <b>bold</b> link</a> and <A HREF='http://b.example'>B</A></p>"#,
            "<a name=top>no href</a><a\nhref = https://c.example/ >C</a>",
            r#"<abbr href="x">not an anchor</abbr><a data-href="d" href="e">D</a>"#,
            r#"<a href="">empty</a><a href="" href="f">F</a><a title="x>y" href=g>G</a>"#,
            "<a href=h>unclosed <a href=i>I</a> tail <a href=j>",
            "<a href=k>multi\nline\r\n text</a><a href=l></a><a href=\"m\"onclick=x>M</a>",
            "text only, <a",
            "<a href=n>no end",
            "",
            "<a href=o>\u{3042}\u{3044}</a><a href=p>",
            "<a hrefx=q>no</a><a xhref=r href=s>S</a><a\thref=t>T</A >",
            "<a href\x0c=u>U</a><a href=v\x0cw>V</a><a <a <a href=x>X</a>",
        ];
        for html in samples {
            let expected: Vec<(String, String)> = anchor
                .captures_iter(html)
                .map(|c| {
                    (
                        c[1].to_string(),
                        crate::text::collapse_whitespace(&tag.replace_all(&c[2], " ")),
                    )
                })
                .collect();
            let got: Vec<(String, String)> = extract_links(html)
                .into_iter()
                .map(|l| (l.href, l.text))
                .collect();
            assert_eq!(got, expected, "{html:?}");
        }
    }
    use super::*;
    use crate::input::prepare;

    fn doc(raw: &str) -> Document {
        parse(&prepare(raw.as_bytes()).remove(0))
    }

    #[test]
    fn a_multipart_report_is_split_into_notice_status_and_original() {
        let raw = "Return-Path: <>\nFrom: MAILER-DAEMON@example.jp\nTo: taro@example.org\nSubject: Undelivered Mail\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nThe mail system\n\n<hanako@example.net>: user unknown\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.jp\n\nFinal-Recipient: rfc822; hanako@example.net\nAction: failed\nStatus: 5.1.1\n\n--B\nContent-Type: text/rfc822-headers\n\nFrom: taro@example.org\nTo: hanako@example.net\nSubject: hello\nMessage-ID: <abc@example.org>\n\n--B--\n";
        let d = doc(raw);
        assert_eq!(d.kind, Some(InputKind::Email));
        assert_eq!(d.report_type.as_deref(), Some("delivery-status"));
        assert!(d.notice.contains("user unknown"));
        assert!(d.status_text.contains("Final-Recipient"));
        let original = d.original.expect("original headers");
        assert_eq!(original.from.as_deref(), Some("taro@example.org"));
        assert_eq!(original.message_id.as_deref(), Some("abc@example.org"));
        assert_eq!(d.headers.return_path.as_deref(), Some(""));
    }

    #[test]
    fn a_paste_loses_copied_headers_and_its_original() {
        let raw = "From: Microsoft Outlook <postmaster@example.jp>\nSent: Monday\nTo: taro@example.org\nSubject: Undeliverable: hi\n\nDelivery has failed to these recipients or groups:\n\nhanako@example.net\n\nOriginal message headers:\n\nFrom: taro@example.org\nTo: hanako@example.net\nSubject: hi\n";
        let d = doc(raw);
        assert_eq!(d.kind, Some(InputKind::Paste));
        assert_eq!(d.headers.subject.as_deref(), Some("Undeliverable: hi"));
        assert!(d.notice.contains("hanako@example.net"));
        assert!(!d.notice.contains("Original message headers"));
        assert_eq!(
            d.original.unwrap().to.as_deref(),
            Some("hanako@example.net")
        );
    }

    #[test]
    fn a_header_run_starts_the_original_without_a_marker() {
        let (notice, original, _) = split_original("<a@example.jp>: user unknown\n\nReceived: from x\nFrom: b@example.org\nTo: a@example.jp\nSubject: s\n");
        assert_eq!(notice.trim(), "<a@example.jp>: user unknown");
        assert_eq!(original.unwrap().subject.as_deref(), Some("s"));
    }

    /// Regression: PowerMTA pastes the original's signatures right under the
    /// recipient line; DomainKey-Signature broke the run, so the signature
    /// lines were read as the diagnostic's continuation.
    #[test]
    fn signature_headers_start_the_original_too() {
        let (notice, original, _) = split_original("  <a@example.jp>  delivery failed; will not continue trying\nDKIM-Signature: v=1; a=rsa-sha1; d=mx.example.org;\n b=t84yblXg8Omvun\nDomainKey-Signature: a=rsa-sha1; c=nofws; d=mx.example.org;\n b=qfGdWFspSJJZ\nReceived: from x by mx.example.org\nSubject: s\nFrom: b@example.org\n");
        assert_eq!(
            notice.trim(),
            "<a@example.jp>  delivery failed; will not continue trying"
        );
        assert_eq!(original.unwrap().subject.as_deref(), Some("s"));
    }
}
