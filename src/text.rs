//! Small text helpers shared by the parser, the extractor and the classifier.
//!
//! Bounce text arrives in every shape: CRLF or CR line ends, full-width
//! characters typed by Japanese input methods (`５５０　５．１．１`), runs of
//! spaces from wrapped lines. Rules are written against one canonical form,
//! made here: [`fold_width`] for text that is still shown, [`normalize`] for
//! text that is only matched.

use regex::Regex;
use std::sync::LazyLock;

/// Folds full-width ASCII (U+FF01..U+FF5E) and the ideographic space to ASCII,
/// and line ends to `\n`. Everything else, Japanese included, is kept.
pub fn fold_width(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        // ASCII other than CR, most of any text, is copied as it is.
        let plain = ascii_without_cr(rest.as_bytes());
        out.push_str(&rest[..plain]);
        rest = &rest[plain..];
        let Some(c) = rest.chars().next() else { break };
        rest = &rest[c.len_utf8()..];
        if c == '\r' {
            if !rest.starts_with('\n') {
                out.push('\n');
            }
        } else {
            out.push(fold_char(c));
        }
    }
    out
}

/// The high bit of each of eight bytes: set in a word of text where a byte
/// is not ASCII.
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The high bit set of each byte of `word` that is zero, exact per byte (the
/// sum of a byte's low seven bits and 0x7F carries into no other byte). A
/// word XORed with a byte repeated eight times marks where that byte is.
fn zero_bytes(word: u64) -> u64 {
    const LOW_BITS: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    !(((word & LOW_BITS) + LOW_BITS) | word) & HIGH_BITS
}

/// How many bytes from the start are ASCII other than CR, eight at a time.
fn ascii_without_cr(bytes: &[u8]) -> usize {
    let mut i = 0;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        if word & HIGH_BITS != 0 || zero_bytes(word ^ 0x0D0D_0D0D_0D0D_0D0D) != 0 {
            break;
        }
        i += 8;
    }
    i + bytes[i..]
        .iter()
        .position(|&b| !b.is_ascii() || b == b'\r')
        .unwrap_or(bytes.len() - i)
}

/// The canonical form rules match against: width-folded, lowercased, and every
/// run of whitespace collapsed to one space, trimmed.
pub fn normalize(text: &str) -> String {
    collapse(text, true)
}

/// Appends `piece` to `out` as [`normalize`] joins the normalised pieces of
/// a text: after one space, unless either side is empty. So the normalised
/// pieces of a text, pushed in order, make the text normalised whole.
pub fn push_joined(out: &mut String, piece: &str) {
    if !piece.is_empty() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(piece);
    }
}

/// Every run of whitespace collapsed to one space, trimmed; nothing else
/// changed. The same as `split_whitespace().collect::<Vec<_>>().join(" ")`,
/// without the vector: for unfolding header values and tidying diagnostics.
pub fn collapse_whitespace(text: &str) -> String {
    collapse(text, false)
}

/// Collapses whitespace; with `canonical`, also folds width and lowercases
/// ([`normalize`]).
fn collapse(text: &str, canonical: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            if is_ascii_space(b) {
                pending_space = !out.is_empty();
                i += 1;
                continue;
            }
            // Runs of ASCII words with single spaces between them, most of
            // any notice, need no rewriting (but lowercasing, done in place
            // on the copy): copied a phrase at a time.
            let start = i;
            i = plain_phrase_end(bytes, i);
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            let from = out.len();
            out.push_str(&text[start..i]);
            if canonical {
                out[from..].make_ascii_lowercase();
            }
            continue;
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        i += c.len_utf8();
        let folded = if canonical { fold_char(c) } else { c };
        if folded.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        if !canonical {
            out.push(folded);
        } else if folded.is_ascii() {
            out.push(folded.to_ascii_lowercase());
        } else {
            out.extend(folded.to_lowercase());
        }
    }
    out
}

/// Where a run that [`collapse`] copies unchanged ends, from `i` (an ASCII
/// byte that is not whitespace): before the first non-ASCII byte, whitespace
/// other than one plain space, or a space not followed by a plain ASCII
/// byte. Eight bytes at a time where they are all plain.
fn plain_phrase_end(bytes: &[u8], mut i: usize) -> usize {
    let plain_next = |j: usize| {
        bytes
            .get(j)
            .is_some_and(|&n| n.is_ascii() && !is_ascii_space(n))
    };
    while i < bytes.len() {
        if let Some(chunk) = bytes.get(i..i + 8) {
            let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            if is_plain_word(word) && (chunk[7] != b' ' || plain_next(i + 8)) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        if b.is_ascii() && !is_ascii_space(b) {
            i += 1;
        } else if b == b' ' && plain_next(i + 1) {
            // One plain space between two words stays as it is.
            i += 2;
        } else {
            break;
        }
    }
    i
}

/// True when the eight bytes of `word` are ASCII, none below 0x20 (tab, line
/// ends and the other controls), and no two adjacent ones are spaces.
fn is_plain_word(word: u64) -> bool {
    if word & HIGH_BITS != 0 {
        return false;
    }
    // Below 0x20 exactly when neither bit 5 nor bit 6 is set.
    let controls = zero_bytes(word & 0x6060_6060_6060_6060);
    let spaces = zero_bytes(word ^ 0x2020_2020_2020_2020);
    controls == 0 && spaces & (spaces >> 8) == 0
}

/// The width fold of one character: full-width ASCII and the ideographic
/// and no-break spaces to ASCII, typographic quotes to plain ones.
fn fold_char(c: char) -> char {
    match c {
        '\u{3000}' | '\u{00A0}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
        // Look-alike punctuation that mail clients and IMEs substitute.
        '\u{2018}' | '\u{2019}' => '\'',
        '\u{201C}' | '\u{201D}' => '"',
        _ => c,
    }
}

/// ASCII whitespace as `char::is_whitespace` sees it (space, `\t` to `\r`).
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t'..=b'\r')
}

/// An e-mail address as found in running text. Deliberately plain: quoted
/// local parts are rare in bounces and the surrounding text decides the role.
pub static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:\x22[^\x22\n@]{1,64}\x22|[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+)@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,63}",
    )
    .expect("address regex compiles")
});

/// Trims the punctuation that clings to an address in text (`<`, `>`, quotes,
/// a trailing dot) and lowercases the domain.
pub fn clean_address(raw: &str) -> Option<String> {
    let trimmed = raw.trim_start_matches(|c: char| "<>'()[],;:.".contains(c) || c.is_whitespace());
    let trimmed =
        trimmed.trim_end_matches(|c: char| "<>\"'()[],;:.".contains(c) || c.is_whitespace());
    let trimmed = if trimmed.starts_with('"') && !trimmed[1..].contains("\"@") {
        &trimmed[1..]
    } else {
        trimmed
    };
    let (local, domain) = trimmed.rsplit_once('@')?;
    let local = local.trim_start_matches(['.', '\'', '`']);
    if local.is_empty() || domain.is_empty() || !domain.contains('.') {
        return None;
    }
    Some(format!("{}@{}", local, domain.to_ascii_lowercase()))
}

/// The first RFC 3463 enhanced status code (`5.1.1`, `4.4.7`, `5.7.509`) in the
/// text, skipping digits that are part of an IP address or a version number.
pub fn find_status(text: &str) -> Option<String> {
    all_statuses(text).next()
}

/// The last enhanced status code in the text: in a nested reply such as
/// `554 4.4.7 Message expired: <421 4.4.2 Connection timed out>` the innermost,
/// last code is the one the remote server gave.
///
/// Failure codes (4.X.X, 5.X.X) are preferred over success codes, which a
/// session transcript also quotes (`250 2.1.5 Ok ... 451 4.3.0 Error ... 221 2.0.0 Bye`).
pub fn find_last_status(text: &str) -> Option<String> {
    let mut last = None;
    let mut last_failure = None;
    for s in all_statuses(text) {
        if !s.starts_with('2') {
            last_failure = Some(s.clone());
        }
        last = Some(s);
    }
    last_failure.or(last)
}

/// Every enhanced status code standing alone in the text, in order: the
/// leftmost-first, non-overlapping matches of `[245]\.\d{1,3}\.\d{1,3}`
/// (the test module keeps that regex as the definition), minus those inside
/// a longer token (a version number, an IP address, a path) and those whose
/// subject digit is not 0-7. A byte scanner: this runs on every line of
/// every notice.
fn all_statuses(text: &str) -> impl Iterator<Item = String> + '_ {
    let bytes = text.as_bytes();
    let digits_from = move |at: usize| {
        bytes.get(at..).map_or(0, |rest| {
            rest.iter().take_while(|b| b.is_ascii_digit()).count()
        })
    };
    let mut pos = 0;
    std::iter::from_fn(move || {
        while let Some(offset) = memchr::memchr3(b'2', b'4', b'5', bytes.get(pos..)?) {
            let start = pos + offset;
            pos = start + 1;
            if bytes.get(start + 1) != Some(&b'.') {
                continue;
            }
            let subject_len = digits_from(start + 2);
            let second_dot = start + 2 + subject_len;
            if !(1..=3).contains(&subject_len) || bytes.get(second_dot) != Some(&b'.') {
                continue;
            }
            let detail_len = digits_from(second_dot + 1).min(3);
            if detail_len == 0 {
                continue;
            }
            let end = second_dot + 1 + detail_len;
            pos = end;
            let before = start.checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(end).copied();
            let after2 = bytes.get(end + 1).copied();
            if matches!(before, Some(b) if b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'/' || b == b'=')
            {
                continue;
            }
            if matches!(after, Some(b) if b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
                continue;
            }
            if after == Some(b'.') && matches!(after2, Some(b) if b.is_ascii_digit()) {
                continue;
            }
            // The subject digit of a real code is 0-7.
            let subject: u32 = text[start + 2..second_dot].parse().unwrap_or(99);
            if subject <= 7 {
                return Some(text[start..end].to_string());
            }
        }
        None
    })
}

/// Where an SMTP reply code may stand: the start of the text, or after one
/// of these (`said: 550`, `'550`, `(550`, `#550`, `smtp; 550`, ...).
fn opens_reply(b: u8) -> bool {
    matches!(
        b,
        b'\t'
            | b'\n'
            | b'\r'
            | b' '
            | b'\''
            | b'"'
            | b'('
            | b'#'
            | b':'
            | b'['
            | b'<'
            | b'='
            | b';'
            | b','
    )
}

/// What may follow an SMTP reply code: the end of the text, or one of these.
fn closes_reply(b: u8) -> bool {
    matches!(
        b,
        b'\t'
            | b'\n'
            | b'\r'
            | b' '
            | b'-'
            | b':'
            | b'.'
            | b','
            | b';'
            | b'\''
            | b'"'
            | b')'
            | b']'
    )
}

/// The three-digit candidates for a reply code, as (start, end): the
/// leftmost-first, non-overlapping matches of
/// `(?:^|[\s'"(#:\[<=;,]|\bsmtp;)([245][0-5]\d)(?:[\s\-:.,;'")\]]|$)`
/// (the test module keeps that regex as the definition). Each match takes
/// the character after the code with it, so the next one needs its own
/// opening character after that.
fn reply_candidates(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        while let Some(offset) = memchr::memchr3(b'2', b'4', b'5', bytes.get(pos..)?) {
            let start = pos + offset;
            pos = start + 1;
            let shaped = matches!(bytes.get(start + 1), Some(b'0'..=b'5'))
                && bytes.get(start + 2).is_some_and(u8::is_ascii_digit);
            let opened = start == 0 || opens_reply(bytes[start - 1]);
            let end = start + 3;
            let closed = bytes.get(end).is_none_or(|b| closes_reply(*b));
            if shaped && opened && closed {
                // The match ends after the closing character.
                pos = (end + 1).min(bytes.len()) + 1;
                return Some((start, end));
            }
        }
        None
    })
}

/// The first SMTP reply code (`550`, `421`) that stands as a reply in the text:
/// at the start, or after `said:`, a quote, `#`, `(`, `reason:` and the like;
/// never inside an IP address, a date or another number.
pub fn find_reply_code(text: &str) -> Option<u16> {
    let bytes = text.as_bytes();
    for (start, end) in reply_candidates(text) {
        // Reject "550." followed by digits (an IP or status), and ports (":25").
        if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(|b| b.is_ascii_digit()) {
            continue;
        }
        if start > 0 && bytes[start - 1] == b':' {
            // "port:550" is unusual but "host:550" is never a reply.
            let prev = &bytes[..start - 1];
            let tail = &prev[prev.len().saturating_sub(6)..];
            let ends_with = |word: &[u8]| {
                tail.len() >= word.len()
                    && tail[tail.len() - word.len()..].eq_ignore_ascii_case(word)
            };
            if prev.last().is_some_and(|b| b.is_ascii_alphanumeric())
                && !ends_with(b"said")
                && !ends_with(b"reason")
                && !ends_with(b"error")
            {
                continue;
            }
        }
        let code: u16 = text[start..end].parse().ok()?;
        if matches!(code, 211 | 214 | 220 | 221 | 250 | 251 | 252 | 421 | 450..=455 | 500..=504 | 521 | 523 | 530 | 534 | 535 | 538 | 550..=557 | 571 | 422 | 431 | 432 | 441 | 442 | 446 | 447 | 449 | 471 | 510 | 511 | 512 | 513 | 515 | 517 | 522 | 524 | 525 | 526 | 531 | 532 | 533 | 540 | 541 | 542 | 543 | 544 | 545 | 546 | 547 | 558 | 559 | 560 | 570 | 572 | 573 | 574 | 575 | 580 | 581 | 590)
        {
            return Some(code);
        }
    }
    None
}

/// Shortens `text` to at most `max` characters on a char boundary, adding `…`.
pub fn truncate_chars(text: &str, max: usize) -> String {
    // No more bytes than `max`: no more characters either.
    if text.len() <= max {
        return text.to_string();
    }
    // The cut: byte index where character `max - 1` starts. An ASCII head
    // (most text) is one byte a character; otherwise count characters.
    let keep = if text.as_bytes()[..=max].is_ascii() {
        max.saturating_sub(1)
    } else if text.chars().count() <= max {
        return text.to_string();
    } else {
        text.char_indices()
            .nth(max.saturating_sub(1))
            .map_or(text.len(), |(i, _)| i)
    };
    let mut out = String::with_capacity(keep + '…'.len_utf8());
    out.push_str(&text[..keep]);
    out.push('…');
    out
}

/// Masks the local part of an address for display in chat: `kijitora@example.org`
/// becomes `ki****@example.org`.
pub fn mask_address(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => {
            let keep: String = local
                .chars()
                .take(if local.chars().count() > 3 { 2 } else { 1 })
                .collect();
            format!("{keep}****@{domain}")
        }
        None => address.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every string made of `n` of the pieces, repeats allowed.
    fn joined_combinations(pieces: &[&str], n: usize) -> Vec<String> {
        (0..n).fold(vec![String::new()], |acc, _| {
            acc.iter()
                .flat_map(|head| pieces.iter().map(move |p| format!("{head}{p}")))
                .collect()
        })
    }

    /// The definition `normalize` must agree with, written plainly.
    fn normalize_by_definition(text: &str) -> String {
        let folded: String = text
            .chars()
            .map(|c| match c {
                '\u{3000}' | '\u{00A0}' => ' ',
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
                '\u{2018}' | '\u{2019}' => '\'',
                '\u{201C}' | '\u{201D}' => '"',
                _ => c,
            })
            .collect();
        folded
            .split(char::is_whitespace)
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The regexes the status and reply-code scanners must agree with.
    fn statuses_by_definition(text: &str) -> Vec<String> {
        static STATUS: LazyLock<Regex> =
            LazyLock::new(|| crate::rules::ascii_regex(r"[245]\.\d{1,3}\.\d{1,3}").unwrap());
        let bytes = text.as_bytes();
        STATUS
            .find_iter(text)
            .filter(|m| {
                let before = m.start().checked_sub(1).map(|i| bytes[i]);
                let after = bytes.get(m.end()).copied();
                let after2 = bytes.get(m.end() + 1).copied();
                let glued_before =
                    matches!(before, Some(b) if b.is_ascii_alphanumeric() || b"._/=".contains(&b));
                let glued_after =
                    matches!(after, Some(b) if b.is_ascii_alphanumeric() || b"_-".contains(&b));
                let longer_number =
                    after == Some(b'.') && after2.is_some_and(|b| b.is_ascii_digit());
                let subject = m
                    .as_str()
                    .split('.')
                    .nth(1)
                    .and_then(|x| x.parse::<u32>().ok());
                let known_subject = subject.is_some_and(|d| d <= 7);
                !(glued_before || glued_after || longer_number) && known_subject
            })
            .map(|m| m.as_str().to_string())
            .collect()
    }

    fn reply_candidates_by_definition(text: &str) -> Vec<(usize, usize)> {
        static REPLY: LazyLock<Regex> = LazyLock::new(|| {
            crate::rules::ascii_regex(
                r"(?:^|[\s'\x22(#:\[<=;,]|\bsmtp;)([245][0-5]\d)(?:[\s\-:.,;'\x22)\]]|$)",
            )
            .unwrap()
        });
        REPLY
            .captures_iter(text)
            .map(|c| c.get(1).map(|m| (m.start(), m.end())).unwrap())
            .collect()
    }

    #[test]
    fn the_code_scanners_agree_with_their_regexes() {
        let pieces = [
            "5", ".", "1", "550", " ", "4.", "2.1.5", "1234", "a", ";", "smtp;", ":", "-",
            "\u{65e5}",
        ];
        for n in 1..=4 {
            for s in joined_combinations(&pieces, n) {
                let scanned: Vec<String> = all_statuses(&s).collect();
                assert_eq!(scanned, statuses_by_definition(&s), "{s:?}");
                let candidates: Vec<(usize, usize)> = reply_candidates(&s).collect();
                assert_eq!(candidates, reply_candidates_by_definition(&s), "{s:?}");
            }
        }
        for s in [
            "550 550 5.1.1 user unknown",
            "said: 550-5.7.1 <a@b>: relay denied 421 4.4.2 timeout",
            "host 192.0.2.55: 554 5.0.0 x; version 5.1.12.4 build 250.",
            "smtp; 550 5.1.1 (#5.1.1) [2.1.5] \u{ff15}",
        ] {
            assert_eq!(
                all_statuses(s).collect::<Vec<_>>(),
                statuses_by_definition(s),
                "{s:?}"
            );
            assert_eq!(
                reply_candidates(s).collect::<Vec<_>>(),
                reply_candidates_by_definition(s),
                "{s:?}"
            );
        }
    }

    #[test]
    fn fold_width_agrees_with_its_definition() {
        fn by_definition(text: &str) -> String {
            let mut out = String::new();
            let mut chars = text.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '\r' if chars.peek() == Some(&'\n') => {}
                    '\r' => out.push('\n'),
                    '\u{3000}' | '\u{00A0}' => out.push(' '),
                    '\u{FF01}'..='\u{FF5E}' => {
                        out.push(char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c))
                    }
                    '\u{2018}' | '\u{2019}' => out.push('\''),
                    '\u{201C}' | '\u{201D}' => out.push('"'),
                    _ => out.push(c),
                }
            }
            out
        }
        let pieces = [
            "A b", "\r", "\n", "\r\n", "\u{3000}", "\u{65e5}", "\u{FF21}", "\u{201C}", "\u{00A0}",
        ];
        for s in joined_combinations(&pieces, 3) {
            assert_eq!(fold_width(&s), by_definition(&s), "{s:?}");
        }
    }

    #[test]
    fn truncate_chars_keeps_whole_characters_and_marks_the_cut() {
        let by_definition = |text: &str, max: usize| {
            if text.chars().count() <= max {
                return text.to_string();
            }
            let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
            out.push('\u{2026}');
            out
        };
        for text in ["", "a", "abc", "\u{65e5}\u{672c}\u{8a9e}x", "abcdef"] {
            for max in 0..8 {
                assert_eq!(
                    truncate_chars(text, max),
                    by_definition(text, max),
                    "{text:?} {max}"
                );
            }
        }
    }

    #[test]
    fn ascii_without_cr_agrees_with_its_definition() {
        for s in joined_combinations(
            &[
                "abcdefgh", "abc", "\r", "\n", "\u{65e5}", "\u{0d0d}", "\u{8d}",
            ],
            4,
        ) {
            let by_definition = s
                .bytes()
                .position(|b| !b.is_ascii() || b == b'\r')
                .unwrap_or(s.len());
            assert_eq!(ascii_without_cr(s.as_bytes()), by_definition, "{s:?}");
        }
    }

    #[test]
    fn is_plain_word_agrees_with_its_definition() {
        let alphabet = [
            b'a', b'Z', b' ', b'\t', b'\n', b'\r', 0x0b, 0x1f, 0x21, 0x7f, 0x80, 0xe3,
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let bytes: [u8; 8] = std::array::from_fn(|k| {
                alphabet[((state >> (k * 5)) % alphabet.len() as u64) as usize]
            });
            let by_definition = bytes.iter().all(|&b| b.is_ascii() && b >= 0x20)
                && !bytes.windows(2).any(|w| w == b"  ");
            assert_eq!(
                is_plain_word(u64::from_le_bytes(bytes)),
                by_definition,
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn collapse_whitespace_agrees_with_split_and_join() {
        let pieces = [
            "A b",
            " ",
            "  ",
            "\n",
            "\r\n",
            "\u{3000}",
            "\u{65e5}",
            "\t",
            "\u{00A0}x",
            "abcdefg ",
            "ab cd ef gh",
        ];
        for s in joined_combinations(&pieces, 3) {
            let by_definition = s.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(collapse_whitespace(&s), by_definition, "{s:?}");
        }
    }

    #[test]
    fn normalize_agrees_with_its_definition() {
        let samples = [
            "",
            " ",
            "550 5.1.1 <Hanako@Example.NET>: User unknown",
            "  leading and trailing  ",
            "two  spaces\tand a tab\r\nand CRLF\n\nend",
            "a b c d",
            "x \u{3000}y",
            "ends with one space ",
            "word \u{65e5}\u{672c} word",
            "\u{FF35}\u{FF53}\u{FF45}\u{FF52}\u{3000}\u{FF55}\u{FF4E}\u{FF4B}\u{FF4E}\u{FF4F}\u{FF57}\u{FF4E}",
            "\u{201C}Quoted\u{201D} \u{2018}x\u{2019}",
            "\u{00C9}COLE \u{0130}stanbul",
            "a\u{0085}b\u{2028}c",
            "\x0b\x0c vertical tab and form feed",
            "single space before non-ascii \u{65e5}",
            "\u{65e5} after",
        ];
        for s in samples {
            assert_eq!(normalize(s), normalize_by_definition(s), "{s:?}");
        }
        // Every combination of a few awkward pieces.
        let pieces = [
            "A", " ", "  ", "\n", "\u{3000}", "\u{65e5}", "b", "\t", "\u{FF21}",
        ];
        for s in joined_combinations(&pieces, 4) {
            assert_eq!(normalize(&s), normalize_by_definition(&s), "{s:?}");
        }
        // Pieces of eight bytes and around, for the word-at-a-time path:
        // a space on each side of a chunk boundary, controls inside one.
        let pieces = [
            "Abcdefg ", "abcdefgh", " ", "  ", "ab cd ef", "a\tb", "\u{65e5}", "\r\n", "x",
        ];
        for s in joined_combinations(&pieces, 4) {
            assert_eq!(normalize(&s), normalize_by_definition(&s), "{s:?}");
        }
    }

    #[test]
    fn normalize_folds_width_case_and_space() {
        assert_eq!(
            normalize("  ５５０　５．１．１\r\n User  Unknown "),
            "550 5.1.1 user unknown"
        );
        assert_eq!(fold_width("a\r\nb\rc"), "a\nb\nc");
        assert_eq!(
            normalize("\u{30a2}\u{30c9}\u{30ec}\u{30b9}\u{304c} \u{898b}\u{3064}\u{304b}\u{308a}\u{307e}\u{305b}\u{3093}"),
            "\u{30a2}\u{30c9}\u{30ec}\u{30b9}\u{304c} \u{898b}\u{3064}\u{304b}\u{308a}\u{307e}\u{305b}\u{3093}"
        );
    }

    #[test]
    fn status_codes_are_found_but_not_inside_ip_addresses_or_versions() {
        assert_eq!(
            find_status("550 5.1.1 <a@example.jp>... User unknown").as_deref(),
            Some("5.1.1")
        );
        assert_eq!(
            find_status("host 10.5.1.1 said: 550 5.7.509 Access denied").as_deref(),
            Some("5.7.509")
        );
        assert_eq!(
            find_status("Server id 15.1.112.19 says 4.4.7").as_deref(),
            Some("4.4.7")
        );
        assert_eq!(find_status("version 2.4.1-rc"), None);
        assert_eq!(find_status("#5.1.1"), Some("5.1.1".into()));
        assert_eq!(find_status("(#4.4.1)"), Some("4.4.1".into()));
        assert_eq!(find_status("nothing here 192.0.2.1"), None);
    }

    #[test]
    fn reply_codes_are_found_where_a_reply_stands() {
        assert_eq!(find_reply_code("550 5.1.1 User unknown"), Some(550));
        assert_eq!(find_reply_code("said: 452 4.2.2 Mailbox full"), Some(452));
        assert_eq!(
            find_reply_code("Remote Server returned '554 5.4.4 SMTPSEND.DNS.NonExistentDomain'"),
            Some(554)
        );
        assert_eq!(find_reply_code("host 192.0.2.550 x"), None);
        assert_eq!(find_reply_code("Date: 12 Jan 2024 10:25:00"), None);
        assert_eq!(find_reply_code("smtp;550 5.1.1"), Some(550));
    }

    #[test]
    fn addresses_are_cleaned_and_masked() {
        assert_eq!(
            clean_address("<Kijitora@EXAMPLE.jp>:").as_deref(),
            Some("Kijitora@example.jp")
        );
        assert_eq!(clean_address("nobody@localhost"), None);
        assert_eq!(mask_address("kijitora@example.org"), "ki****@example.org");
        assert_eq!(mask_address("ab@example.org"), "a****@example.org");
    }
}
