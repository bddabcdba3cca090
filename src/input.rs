//! Turns raw bytes into something the parser can read.
//!
//! The same bounce reaches us as an `.eml` file (LF, CRLF or CR line ends), as
//! an mbox holding several messages, or as text a person copied out of a mail
//! client into a chat box: maybe inside a Markdown code fence, quoted with `> `,
//! with trailing spaces, full-width characters or in a Japanese legacy charset.
//! This module decides which of these it is and undoes the decoration, so that
//! everything downstream sees plain lines.

use crate::text::fold_width;
use mail_parser::decoders::charsets::map::charset_decoder;

/// How the input reached us.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    /// A whole RFC 5322 message, headers and all.
    Email,
    /// Text copied from a mail client: no headers, or only some.
    Paste,
}

/// One message's worth of input, ready for the parser.
#[derive(Debug, Clone)]
pub enum Prepared {
    /// Raw message bytes with LF line ends, for the MIME parser.
    Email(Vec<u8>),
    /// Undecorated, width-folded text.
    Paste(String),
}

/// Splits the input into messages (more than one only for an mbox) and
/// prepares each.
pub fn prepare(raw: &[u8]) -> Vec<Prepared> {
    let raw = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
    let unified = unify_line_ends(raw);
    let trimmed_start = skip_blank_lines(&unified);
    if looks_like_mbox(trimmed_start) {
        return split_mbox(trimmed_start)
            .into_iter()
            .map(|m| Prepared::Email(m.to_vec()))
            .collect();
    }
    if looks_like_header_block(trimmed_start) {
        return vec![Prepared::Email(trimmed_start.to_vec())];
    }
    let text = decode_text(&unified);
    let text = undecorate(&text);
    // A message copied with its full header block, inside a fence or quote.
    if looks_like_header_block(skip_blank_lines(text.as_bytes())) {
        return vec![Prepared::Email(skip_blank_lines(text.as_bytes()).to_vec())];
    }
    vec![Prepared::Paste(fold_width(&text))]
}

/// CRLF and lone CR become LF. Works on bytes so that base64 bodies and legacy
/// charsets pass through untouched.
fn unify_line_ends(raw: &[u8]) -> Vec<u8> {
    if !raw.contains(&b'\r') {
        return raw.to_vec();
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut rest = raw;
    // Copy up to each CR, a run at a time.
    while let Some(cr) = memchr::memchr(b'\r', rest) {
        out.extend_from_slice(&rest[..cr]);
        out.push(b'\n');
        let skip = if rest.get(cr + 1) == Some(&b'\n') {
            2
        } else {
            1
        };
        rest = &rest[cr + skip..];
    }
    out.extend_from_slice(rest);
    out
}

fn skip_blank_lines(raw: &[u8]) -> &[u8] {
    let mut start = 0;
    while start < raw.len() {
        let end = memchr::memchr(b'\n', &raw[start..]).map_or(raw.len(), |p| start + p);
        if raw[start..end].iter().all(|b| b.is_ascii_whitespace()) && end < raw.len() {
            start = end + 1;
        } else {
            break;
        }
    }
    &raw[start..]
}

fn looks_like_mbox(raw: &[u8]) -> bool {
    raw.starts_with(b"From ") && {
        let first_line_end = memchr::memchr(b'\n', raw).unwrap_or(raw.len());
        let rest = &raw[first_line_end.min(raw.len())..];
        header_block_fields(rest.strip_prefix(b"\n").unwrap_or(rest))
            .is_some_and(|(fields, _, _)| fields >= 2)
    }
}

fn split_mbox(raw: &[u8]) -> Vec<&[u8]> {
    let mut messages = Vec::new();
    let mut start = None;
    let mut pos = 0;
    let mut prev_blank = true;
    while pos < raw.len() {
        let end = memchr::memchr(b'\n', &raw[pos..]).map_or(raw.len(), |p| pos + p);
        let line = &raw[pos..end];
        if prev_blank && line.starts_with(b"From ") {
            if let Some(s) = start {
                messages.push(&raw[s..pos]);
            }
            start = Some((end + 1).min(raw.len()));
        }
        prev_blank = line.is_empty();
        pos = end + 1;
    }
    if let Some(s) = start {
        messages.push(&raw[s..]);
    }
    messages.retain(|m| !m.iter().all(|b| b.is_ascii_whitespace()));
    messages
}

/// Header names that real messages carry and chat text does not start with.
const TRANSPORT_HEADERS: &[&str] = &[
    "received",
    "return-path",
    "message-id",
    "mime-version",
    "content-type",
    "delivered-to",
    "x-failed-recipients",
    "auto-submitted",
    "dkim-signature",
    "authentication-results",
    "x-mailer",
    "content-transfer-encoding",
    "arc-seal",
    "x-original-to",
];

/// True when the text opens with an RFC 5322 header block that has at least
/// one transport header, or Date, From and one more field (so `From: me` typed
/// in a chat, or Outlook's copied "From/Sent/To/Subject" lines, are not
/// mistaken for a whole message).
pub fn looks_like_header_block(raw: &[u8]) -> bool {
    header_block_fields(raw)
        .is_some_and(|(fields, transport, rfc5322)| fields >= 2 && (transport >= 1 || rfc5322 >= 3))
}

/// (fields, transport headers, Date/From/To/Subject/Cc) of the opening header
/// block, or None when the text does not open with one.
fn header_block_fields(raw: &[u8]) -> Option<(usize, usize, usize)> {
    let mut transport = 0;
    let mut rfc5322 = 0;
    let mut date_and_from = 0;
    let mut fields = 0;
    let mut start = 0;
    let lines = std::iter::from_fn(|| {
        if start > raw.len() {
            return None;
        }
        let end = memchr::memchr(b'\n', &raw[start..]).map_or(raw.len(), |p| start + p);
        let line = &raw[start..end];
        start = end + 1;
        Some(line)
    });
    // Lines found with memchr: header blocks run to kilobytes (DKIM, ARC).
    for (n, line) in lines.enumerate() {
        if line.is_empty() || line.iter().all(|b| *b == b' ' || *b == b'\t') {
            break;
        }
        if n > 400 {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            if fields == 0 {
                return None;
            }
            continue;
        }
        let colon = memchr::memchr(b':', line)?;
        let name = &line[..colon];
        if name.is_empty() || !name.iter().all(|b| b.is_ascii_graphic()) {
            return None;
        }
        fields += 1;
        let is = |wanted: &str| name.eq_ignore_ascii_case(wanted.as_bytes());
        if TRANSPORT_HEADERS.iter().any(|h| is(h))
            || name.get(..2).is_some_and(|p| p.eq_ignore_ascii_case(b"x-"))
        {
            transport += 1;
        }
        if is("date") || is("from") {
            rfc5322 += 1;
            date_and_from += 1;
        } else if is("to") || is("subject") || is("cc") {
            rfc5322 += 1;
        } else if is("sent") {
            return (transport > 0).then_some((fields, transport, 0));
        }
    }
    if date_and_from < 2 {
        rfc5322 = 0;
    }
    Some((fields, transport, rfc5322))
}

/// Decodes text bytes: UTF-8 when valid, else the Japanese legacy charsets
/// (ISO-2022-JP by its escapes, then Shift_JIS or EUC-JP by which decodes more
/// cleanly), else Latin-1-ish lossy UTF-8.
pub fn decode_text(raw: &[u8]) -> String {
    // ISO-2022-JP is 7-bit, so it is valid UTF-8 too: look for its escapes first.
    if memchr::memmem::find(raw, b"\x1b$B").is_some()
        || memchr::memmem::find(raw, b"\x1b$@").is_some()
    {
        if let Some(decode) = charset_decoder(b"iso-2022-jp") {
            return decode(raw);
        }
    }
    if let Ok(s) = std::str::from_utf8(raw) {
        return s.to_string();
    }
    let mut best: Option<(usize, String)> = None;
    for charset in [&b"shift_jis"[..], b"euc-jp"] {
        if let Some(decode) = charset_decoder(charset) {
            let s = decode(raw);
            let bad = s.chars().filter(|c| *c == '\u{FFFD}').count();
            if best.as_ref().is_none_or(|(b, _)| bad < *b) {
                best = Some((bad, s));
            }
        }
    }
    match best {
        Some((bad, s)) if bad * 50 < raw.len().max(1) => s,
        _ => String::from_utf8_lossy(raw).into_owned(),
    }
}

/// Removes what a chat adds around pasted text: Markdown code fences, `> `
/// quote markers (Discord's `>>> ` too) and trailing spaces.
pub fn undecorate(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let non_empty: Vec<&&str> = lines.iter().filter(|l| !l.trim().is_empty()).collect();
    // Quoted when most lines carry a quote marker; SMTP transcript lines
    // (`>>> RCPT TO`, `<<< 550`) are not quote markers.
    let is_quote = |l: &&&&str| {
        let t = l.trim_start();
        t.starts_with('>') && !t.starts_with(">>> ") && !t.starts_with(">>>\t")
    };
    let quoted =
        non_empty.len() >= 2 && non_empty.iter().filter(is_quote).count() * 2 >= non_empty.len();
    // Discord's block quote marks only the first line (`>>> `); an SMTP
    // transcript (`>>> RCPT TO` answered by `<<< 550`) is not a quote.
    let transcript = text.contains("\n<<< ");
    let first_content = lines.iter().position(|l| !l.trim().is_empty());
    let mut out = String::with_capacity(text.len());
    for (n, line) in lines.into_iter().enumerate() {
        let mut l = line;
        if l.trim_start().starts_with("```") {
            // Keep anything after the fence on the same line except a language tag.
            let after = l.trim_start().trim_start_matches('`');
            if after.trim().is_empty() || after.trim().chars().all(|c| c.is_ascii_alphanumeric()) {
                continue;
            }
            l = after;
        }
        if let (false, Some(rest)) = (
            transcript || Some(n) != first_content,
            l.trim_start().strip_prefix(">>> "),
        ) {
            l = rest;
        } else if quoted
            && l.trim_start().starts_with('>')
            && !(transcript && l.trim_start().starts_with(">>> "))
        {
            let t = l.trim_start();
            let mut rest = t;
            while let Some(r) = rest.strip_prefix('>') {
                rest = r.strip_prefix(' ').unwrap_or(r);
            }
            l = rest;
        }
        out.push_str(l.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_are_unified_as_their_definition_says() {
        let by_definition = |raw: &[u8]| -> Vec<u8> {
            String::from_utf8_lossy(raw)
                .replace("\r\n", "\n")
                .replace('\r', "\n")
                .into_bytes()
        };
        let pieces: [&[u8]; 5] = [b"a", b"\r", b"\n", b"\r\n", b"bc"];
        let mut inputs: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..4 {
            inputs = inputs
                .iter()
                .flat_map(|head| pieces.iter().map(move |p| [head.as_slice(), p].concat()))
                .collect();
            for raw in &inputs {
                assert_eq!(unify_line_ends(raw), by_definition(raw), "{raw:?}");
            }
        }
    }

    #[test]
    fn whole_messages_with_any_line_end_are_emails() {
        for raw in [
            &b"Return-Path: <>\nFrom: MAILER-DAEMON\n\nbody\n"[..],
            b"Return-Path: <>\r\nFrom: MAILER-DAEMON\r\n\r\nbody\r\n",
            b"Return-Path: <>\rFrom: MAILER-DAEMON\r\rbody\r",
        ] {
            match prepare(raw).as_slice() {
                [Prepared::Email(bytes)] => assert!(bytes.ends_with(b"\n\nbody\n")),
                other => panic!("expected one email, got {other:?}"),
            }
        }
    }

    #[test]
    fn chat_that_starts_like_a_header_is_still_a_paste() {
        let raw = "From: me\nSubject: help\n\nmy mail bounced".as_bytes();
        assert!(matches!(prepare(raw).as_slice(), [Prepared::Paste(_)]));
    }

    #[test]
    fn mbox_is_split_into_messages() {
        let raw = b"From MAILER-DAEMON Mon Jan  1 00:00:00 2024\nReturn-Path: <>\nSubject: one\n\nbody 1\n\nFrom MAILER-DAEMON Mon Jan  1 00:00:01 2024\nReturn-Path: <>\nSubject: two\n\nbody 2\n";
        let parts = prepare(raw);
        assert_eq!(parts.len(), 2);
    }

    #[test]
    fn fences_and_quotes_are_removed_and_width_folded() {
        let raw = "```\n> ５５０ User unknown   \n> <a@example.jp>\n```\n";
        match prepare(raw.as_bytes()).as_slice() {
            [Prepared::Paste(text)] => assert_eq!(text, "550 User unknown\n<a@example.jp>\n"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn legacy_japanese_charsets_are_decoded() {
        // "\u{5b9b}\u{5148}" in ISO-2022-JP and in Shift_JIS.
        assert_eq!(decode_text(b"\x1b$B08@h\x1b(B"), "\u{5b9b}\u{5148}");
        assert_eq!(decode_text(b"\x88\xb6\x90\xe6"), "\u{5b9b}\u{5148}");
    }
}
