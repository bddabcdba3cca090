//! Generators for pathological inputs, shared by `tests/robustness.rs`
//! (correctness: no panic, limits kept) and `benches/scaling.rs` (time and
//! memory growth), so that both measure the very same shapes. Each user
//! takes a subset, hence the `dead_code` allowance.

#![allow(dead_code)]

use std::fmt::Write as _;

pub const MB: usize = 1024 * 1024;

/// A real-looking Postfix bounce (multipart/report with a delivery-status
/// part and the returned original): one recipient, `userunknown`, 5.1.1.
pub const POSTFIX_USER_UNKNOWN: &[u8] = include_bytes!("../fixtures/postfix/userunknown-01.eml");

/// Headers of a bounce built by the generators below (no Content-Type: each
/// generator adds its own).
pub const BOUNCE_HEADERS: &str = "Return-Path: <>\nFrom: MAILER-DAEMON@mx.example.jp (Mail Delivery System)\nTo: taro@example.jp\nSubject: Undelivered Mail Returned to Sender\nAuto-Submitted: auto-replied\nMIME-Version: 1.0\n";

/// One sentence of a notice, repeated to make a single huge line.
pub const NOTICE_SENTENCE: &[u8] =
    b"550 5.1.1 <user@example.org>: Recipient address rejected: User unknown in local recipient table; ";

/// `line` without its line end (`\n`, `\r\n` or `\r`).
pub fn trim_line_end(line: &[u8]) -> &[u8] {
    let mut t = line;
    while let [rest @ .., b'\n' | b'\r'] = t {
        t = rest;
    }
    t
}

/// `unit` repeated up to exactly `len` bytes.
pub fn repeated(unit: &[u8], len: usize) -> Vec<u8> {
    assert!(!unit.is_empty());
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        let take = unit.len().min(len - out.len());
        out.extend_from_slice(&unit[..take]);
    }
    out
}

/// Multiparts nested `depth` deep, each the only part of its parent, with a
/// notice line at the bottom.
pub fn nested_multiparts(depth: usize) -> Vec<u8> {
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

/// `message/rfc822` parts nested `depth` deep (a bounce of a bounce of ...).
pub fn nested_messages(depth: usize) -> Vec<u8> {
    let mut m = String::from(BOUNCE_HEADERS);
    m.push_str("Content-Type: message/rfc822\n\n");
    for level in 1..depth {
        let _ = writeln!(
            m,
            "From: level{level}@example.org\nSubject: level {level}\nMIME-Version: 1.0\nContent-Type: message/rfc822\n"
        );
    }
    m.push_str("From: innermost@example.org\nSubject: innermost\nContent-Type: text/plain\n\n<hanako@example.net>: 550 5.1.1 User unknown\n");
    m.into_bytes()
}

/// One multipart with `count` parts: the notice, then small attachments and
/// text parts alternating.
pub fn many_parts(count: usize) -> Vec<u8> {
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

/// `Final-Recipient: rfc822; userN@example.org` / `Action: failed` /
/// `Status: 5.1.1` blocks, each followed by a blank line.
pub fn push_recipient_blocks(m: &mut String, count: usize) {
    for i in 0..count {
        let _ = writeln!(
            m,
            "Final-Recipient: rfc822; user{i}@example.org\nAction: failed\nStatus: 5.1.1\n"
        );
    }
}

/// A multipart/report bounce: a Postfix-style notice with `notice_lines`
/// extra evidence lines (no addresses), and a delivery-status part with
/// `recipients` recipient blocks.
pub fn dsn_email(recipients: usize, notice_lines: usize) -> Vec<u8> {
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

/// An abuse report pasted as text: one `Original-Rcpt-To` line per recipient.
pub fn arf_paste(recipients: usize) -> Vec<u8> {
    let mut m = String::from("Feedback-Type: abuse\nVersion: 1\n");
    for i in 0..recipients {
        let _ = writeln!(m, "Original-Rcpt-To: user{i}@example.org");
    }
    m.into_bytes()
}

/// A bounce whose notice names no recipient, with `count` addresses in
/// X-Failed-Recipients and a notice longer than 8,000 characters.
pub fn x_failed_recipients_email(count: usize) -> Vec<u8> {
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

/// The 76-character base64 lines of a PDF: its header, then filler.
pub fn push_base64_lines(out: &mut Vec<u8>, len: usize) {
    const FIRST: &[u8] =
        b"JVBERi0xLjQKJeLjz9MKMSAwIG9iago8PCAvVHlwZSAvQ2F0YWxvZyAvUGFnZXMgMiAwIFIgPj4K\n";
    const FILLER: &[u8] =
        b"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\n";
    let end = out.len() + len;
    out.extend_from_slice(FIRST);
    while out.len() < end {
        out.extend_from_slice(FILLER);
    }
}

/// The start of the closing delimiter line (`--boundary--`) of a multipart
/// message, and the boundary.
pub fn closing_delimiter(mail: &[u8]) -> Option<(usize, &[u8])> {
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

/// `bounce` with one more part before its closing delimiter: a base64 PDF of
/// about `encoded_len` bytes as sent.
pub fn bounce_with_attachment(bounce: &[u8], encoded_len: usize) -> Vec<u8> {
    let (at, boundary) = closing_delimiter(bounce).expect("the bounce is a multipart message");
    let mut out = Vec::with_capacity(bounce.len() + encoded_len + 1024);
    out.extend_from_slice(&bounce[..at]);
    out.extend_from_slice(b"--");
    out.extend_from_slice(boundary);
    out.extend_from_slice(b"\nContent-Type: application/pdf; name=\"quotation.pdf\"\nContent-Disposition: attachment; filename=\"quotation.pdf\"\nContent-Transfer-Encoding: base64\n\n");
    push_base64_lines(&mut out, encoded_len);
    out.extend_from_slice(&bounce[at..]);
    out
}

/// ISO-2022-JP text broken in every way at once, with an ASCII notice line
/// at the end (the escapes spell Japanese words; this file holds no Japanese).
pub const BROKEN_JIS: &[u8] = b"\x1b$B08@h\x1b(B: hanako@example.net\n\x1b$B%a!<%k\n\x1b$B0\x1b(B\n\x1b$\n\x1b(\n\x1b\n\x1b$B\x1b$B\x1b$B\n\x1b$(D\x22\x2f\x1b(B\n\x1b(I\x31\x32\x1b(B\n\x1b$B\xb0\xb8\x1b(B\n\x1b$B\n08\n\x1b(B\n\x0e\x0f\x1b$)C\n<hanako@example.net>: 550 5.1.1 User unknown\n";
