//! Finds each failed recipient in a [`Document`] and the evidence about it:
//! status, reply code, SMTP command, diagnostic text, remote MTA.
//!
//! Two sources, merged per address:
//! - the RFC 3464 fields of a delivery-status part (or the same fields pasted
//!   as text), which name recipients and statuses exactly;
//! - the human-readable notice, read line by line. Every mail system writes
//!   the failed address in one of a few positions (alone on a line, `<addr>:`
//!   at the start, `addr... reason`, after "delivered to", `RCPT TO:<addr>`),
//!   and the reason on the same line or the lines around it. Reading those
//!   positions, rather than one parser per vendor, is what lets pasted text
//!   with no headers and no MIME structure be read as well as a whole email.

use crate::dsn::{self, DeliveryStatus};
use crate::parse::Document;
use crate::rules::RULES;
use crate::text::{
    clean_address, find_last_status, find_reply_code, find_status, normalize, ADDRESS,
};
use regex::{Regex, RegexSet};
use std::sync::LazyLock;

/// Notice text beyond this many bytes is not scanned: real notices are a few
/// kilobytes, and this keeps a 50 MB single line from costing more than it must.
pub const MAX_NOTICE_BYTES: usize = 256 * 1024;

/// What was found about one recipient.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub recipient: String,
    pub action: Option<String>,
    pub status: Option<String>,
    pub reply_code: Option<u16>,
    pub command: Option<String>,
    /// The diagnostic text, as the receiving server or the notice gave it.
    pub diagnostic: String,
    /// The RFC 3464 diagnostic type (`smtp`, `x-unix`, `x-postfix`), if any.
    pub diagnostic_type: Option<String>,
    pub remote_mta: Option<String>,
    /// The notice text around this recipient, for rules the diagnostic alone
    /// does not settle.
    pub context: String,
    /// True when the address came from a strong position in the notice or the
    /// status fields, false when it was only inferred (original To).
    pub certain: bool,
}

/// Everything found in one document.
#[derive(Debug, Clone, Default)]
pub struct Extraction {
    pub found: Vec<Found>,
    pub reporting_mta: Option<String>,
    /// Recipient fields were present in a delivery-status part or as text.
    pub has_status_fields: bool,
}

/// Labels before an address that say it is not a failed recipient.
static NOT_RECIPIENT: LazyLock<Regex> = LazyLock::new(|| {
    crate::rules::ascii_regex(r"(?i)(?:^|\b)(?:from|sender|return-path|reply-to|x-postfix-sender|envelope-from|mail from|message-id|references|in-reply-to|received|reporting-mta|差出人|送信者|送信元)\s*[:=]?\s*<?[^\s@<]*$|further assistance|send mail to\s*<?$|postmaster|https?://\S*$")
        .expect("not-recipient regex compiles")
});

/// Labels before an address that say it is the failed recipient.
static RECIPIENT_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    crate::rules::ascii_regex(r"(?i)(?:(?:^|[\s(])(?:final-recipient|original-recipient|x-actual-recipient|x-failed-recipients|recipient(?: address)?|failed recipient|rcpt to|address|to|addressed to|unknown user|user unknown|invalid final delivery userid|delivery failed \d+ attempts|no such user|invalid recipient|undeliverable (?:address|recipient)|bad address|expanded from|宛先|受信者|送信先|あて先|メールアドレス|アドレス)\s*[:：]\s*(?:rfc822\s*;)?\s*<?|^\s*[\w.+-]+:\d+:<)$")
        .expect("recipient-label regex compiles")
});

/// Sentences that name the failed recipient right before the address.
static RECIPIENT_PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    crate::rules::ascii_regex(r"(?i)(?:(?:could not|couldn't|cannot|can't|was not|wasn't|not be|unable to|failed to|failure to|be) (?:be )?(?:delivered|deliver|sent|reach)(?: it)?|delivery (?:to|of your message to)|message (?:to|for)|mail (?:to|for)|addressed to|undeliverable to|rejected by|recipient|rcpt to:?|deliver(?:ing|y)? (?:of )?(?:your |the )?(?:mail|message|e-?mail)|following (?:recipient|address)e?s?|delivery to the following recipient[^:]*|to the following addresses?|reach)(?:\s+(?:to|for))?\s*[:<\x22'(\[]*\s*$")
        .expect("recipient-phrase regex compiles")
});

/// Japanese sentences that follow the failed recipient's address.
static RECIPIENT_AFTER_JA: LazyLock<Regex> = LazyLock::new(|| {
    crate::rules::ascii_regex(r"^[>\s]*(?:さん|様)?\s*(?:宛|宛て|あて|へ|に)(?:の|は|に)?(?:メッセージ|メール|電子メール)?(?:は|を|が)?\s*(?:配信|送信|転送|お届け)(?:でき|され|が)")
        .expect("japanese recipient regex compiles")
});

/// What may follow an address on a line that names a recipient: nothing, a
/// colon, Sendmail's `...`, Exchange's ` on <date>`, a mailto duplicate, a
/// bracket or dash.
static AFTER_ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    crate::rules::ascii_regex(r"(?i)^[>\s]*(?:$|:|\s*\.\.\.|,|;|\(|-|\s+on\s|\s*<mailto:|\s*\[mailto:|\s*\(expanded from|\s+\S+@\S+\s*$|\s+(?:invalid address|user unknown|unknown user|no such user|does not exist|is not|was not|could not|cannot))")
        .expect("after-address regex compiles")
});

/// Which SMTP command a failure answered.
static COMMAND: LazyLock<Regex> = LazyLock::new(|| {
    crate::rules::ascii_regex(r"(?i)(?:after|in reply to|in response to|while sending|during|reply to|responded to)\s+(?:the\s+)?(rcpt to|rcpt|mail from|mail|end of data|data|helo|ehlo|starttls|auth|connect|banner|greeting|quit)\b|(?:>>>\s*|\bafter\s+)(rcpt to|mail from|data|helo|ehlo|starttls)\b|\b(rcpt|mail|data|helo|ehlo) command\b")
        .expect("command regex compiles")
});

static REMOTE_HOST: LazyLock<Regex> = LazyLock::new(|| {
    crate::rules::ascii_regex(r"(?i)(?:\bhost|remote server|remote host|generated by|mx)\s+\(?([a-z0-9][a-z0-9.-]*\.[a-z]{2,})\)?\s*\[")
        .expect("remote-host regex compiles")
});

static REPORTING_HOST: LazyLock<Regex> = LazyLock::new(|| {
    crate::rules::ascii_regex(r"(?i)(?:this is the mail system at host|qmail-send program at|generating server:|生成元サーバー\s*:|reporting-mta:\s*dns;|mailer-daemon at|courier mail server at|this is the mailerdaemon at)\s*([a-z0-9][a-z0-9.-]*\.[a-z]{2,})")
        .expect("reporting-host regex compiles")
});

/// The first line of a multi-line SMTP reply (`550-5.7.1 ...`), which the
/// next line continues.
static MULTILINE_REPLY: LazyLock<Regex> = LazyLock::new(|| {
    crate::rules::ascii_regex(r"^(?:<<<\s*)?[245]\d\d-").expect("multiline regex compiles")
});

/// A line that starts another (final) reply: a new item, not a continuation.
static NEW_REPLY: LazyLock<Regex> =
    LazyLock::new(|| crate::rules::ascii_regex(r"^[245]\d\d ").expect("new-reply regex compiles"));

/// Phrases that say delivery is only delayed, not failed.
static DELAYED: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"(?i)delivery (?:to the following recipients? )?(?:has been|is) delayed",
        r"(?i)delayed mail|delivery delayed|message delayed|delay(?:ed)? notification|\(delay\)",
        r"(?i)will (?:continue|keep) (?:trying|to try|retrying)|will retry|still trying|not yet been delivered|has not been delivered yet|warning: message still undelivered",
        r"配信(?:が|の)遅延|遅延しています|再試行",
    ])
    .expect("delay set compiles")
});

/// Splits the notice into lines, normalised, each marked when it carries
/// evidence about a failure: a reply or status code, or one of the evidence
/// words of `rules/formats.toml`. RFC 3464 field lines are structure, read by
/// the DSN parser, not evidence.
fn read_lines(notice: &str) -> Vec<Line<'_>> {
    notice
        .lines()
        .take(20_000)
        .map(|raw| {
            let normalized = normalize(raw);
            let evidence = !normalized.is_empty()
                && !DSN_FIELD.is_match(&normalized)
                && (RULES.evidence_words.is_match(&normalized)
                    || find_reply_code(raw).is_some()
                    || find_status(raw).is_some());
            Line {
                raw,
                normalized,
                evidence,
            }
        })
        .collect()
}

static DSN_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    crate::rules::ascii_regex(r"^(?:final-recipient|original-recipient|x-actual-recipient|action|status|remote-mta|reporting-mta|received-from-mta|arrival-date|last-attempt-date|will-retry-until|x-postfix-[a-z-]+|original-envelope-id|x-original-message-id):")
        .expect("dsn field regex compiles")
});

struct Occurrence {
    line: usize,
    address: String,
    strong: bool,
}

/// One line of the notice, read once.
struct Line<'a> {
    raw: &'a str,
    normalized: String,
    evidence: bool,
}

/// Reads the recipients and their evidence out of a document.
pub fn extract(doc: &Document, excluded: &[String]) -> Extraction {
    let mut ds: DeliveryStatus = dsn::parse(&doc.status_text);
    let notice = cap(&doc.notice);
    if ds.recipients.is_empty() {
        let inline = dsn::parse(notice);
        if !inline.recipients.is_empty() {
            ds = inline;
        }
    }
    let lines = read_lines(notice);
    let mut candidates = strong_candidates(&find_occurrences(&lines, excluded));
    if candidates.is_empty() && !excluded.is_empty() {
        // Someone who mailed themselves: the sender is the recipient.
        candidates = strong_candidates(&find_occurrences(&lines, &[]));
    }
    let delayed_notice = DELAYED.is_match(notice);

    let mut extraction = Extraction {
        reporting_mta: ds.message.reporting_mta.clone().or_else(|| {
            REPORTING_HOST
                .captures(notice)
                .map(|c| c[1].to_ascii_lowercase())
        }),
        has_status_fields: !ds.recipients.is_empty(),
        ..Default::default()
    };

    if !ds.recipients.is_empty() {
        for r in &ds.recipients {
            let Some(address) = r.address() else { continue };
            let from_notice = notice_evidence(&lines, &candidates, address);
            let mut diagnostic = r.diagnostic.clone().unwrap_or_default();
            // The comment after a Status code says what it means in words.
            if let Some(comment) = &r.status_comment {
                if !diagnostic
                    .to_ascii_lowercase()
                    .contains(&comment.to_ascii_lowercase())
                {
                    diagnostic = if diagnostic.is_empty() {
                        comment.clone()
                    } else {
                        format!("{diagnostic} ({comment})")
                    };
                }
            }
            if !has_meaning(&diagnostic) && !from_notice.diagnostic.is_empty() {
                diagnostic = if diagnostic.is_empty() {
                    from_notice.diagnostic.clone()
                } else {
                    format!("{diagnostic} {}", from_notice.diagnostic)
                };
            }
            // The code in the remote server's own words beats the coarser
            // Status field, unless it is the more generic of the two.
            let mut status = r.status.clone().filter(|s| find_status(s).is_some());
            if let Some(diag_status) = find_last_status(&diagnostic) {
                if status
                    .as_deref()
                    .is_none_or(|s| is_generic_status(s) || !is_generic_status(&diag_status))
                {
                    status = Some(diag_status);
                }
            }
            if status.is_none() {
                status = from_notice.status.clone();
            }
            let mut context = format!("{} {}", from_notice.diagnostic, from_notice.context);
            if let Some(comment) = &r.status_comment {
                context = format!("{comment} {context}");
            }
            extraction.found.push(Found {
                recipient: address.to_string(),
                action: r
                    .action
                    .clone()
                    .or_else(|| Some(if delayed_notice { "delayed" } else { "failed" }.into())),
                reply_code: find_reply_code(&diagnostic).or(from_notice.reply_code),
                command: find_command(&diagnostic)
                    .or(from_notice.command.clone())
                    .or_else(|| find_or_imply_command(&diagnostic, &from_notice.context)),
                remote_mta: r
                    .remote_mta
                    .clone()
                    .or_else(|| find_remote(&diagnostic))
                    .or(from_notice.remote_mta.clone()),
                status,
                diagnostic: tidy(&diagnostic),
                diagnostic_type: r.diagnostic_type.clone(),
                context,
                certain: true,
            });
        }
        return extraction;
    }

    for (address, _) in &candidates {
        let ev = notice_evidence(&lines, &candidates, address);
        extraction.found.push(Found {
            recipient: address.clone(),
            action: Some(if delayed_notice { "delayed" } else { "failed" }.into()),
            // With no enhanced code in the text, the reply code's class is
            // what the reporting MTA writes in its Status field (550 -> 5.0.0).
            status: ev
                .status
                .or_else(|| ev.reply_code.map(|c| format!("{}.0.0", c / 100))),
            reply_code: ev.reply_code,
            command: ev.command,
            diagnostic: tidy(&ev.diagnostic),
            diagnostic_type: None,
            remote_mta: ev.remote_mta,
            context: ev.context,
            certain: true,
        });
    }
    extraction
}

/// Distinct strongly placed addresses with the line each is first named on.
fn strong_candidates(occurrences: &[Occurrence]) -> Vec<(String, usize)> {
    let mut candidates: Vec<(String, usize)> = Vec::new();
    for o in occurrences.iter().filter(|o| o.strong) {
        if !candidates
            .iter()
            .any(|(a, _)| a.eq_ignore_ascii_case(&o.address))
        {
            candidates.push((o.address.clone(), o.line));
        }
    }
    candidates
}

fn cap(text: &str) -> &str {
    if text.len() <= MAX_NOTICE_BYTES {
        return text;
    }
    let mut end = MAX_NOTICE_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Whether a DSN Diagnostic-Code says more than a bare code.
fn has_meaning(diagnostic: &str) -> bool {
    diagnostic.chars().filter(|c| c.is_alphabetic()).count() >= 8
}

fn is_generic_status(status: &str) -> bool {
    status.ends_with(".0.0")
}

fn find_command(text: &str) -> Option<String> {
    let caps = COMMAND.captures(text)?;
    let word = caps
        .get(1)
        .or(caps.get(2))
        .or(caps.get(3))?
        .as_str()
        .to_ascii_lowercase();
    Some(
        match word.as_str() {
            "rcpt to" | "rcpt" => "RCPT",
            "mail from" | "mail" => "MAIL",
            "end of data" | "data" => "DATA",
            "helo" => "HELO",
            "ehlo" => "EHLO",
            "starttls" => "STARTTLS",
            "auth" => "AUTH",
            "quit" => "QUIT",
            _ => "CONN",
        }
        .to_string(),
    )
}

/// Wording that says the refusal came at the recipient stage (RCPT TO) even
/// though the command is not named: qmail's "does not like recipient", Yahoo's
/// `[RCPT_TO]`, Gmail's "address not found" notice, a directory lookup that
/// failed, a server that "has rejected address".
static IMPLIED_RCPT: LazyLock<Regex> = LazyLock::new(|| {
    crate::rules::ascii_regex(r"(?i)does not like recipient|\[rcpt_to\]|smtp:rcpt|after rcpt\b|unknown user: |invalid final delivery userid|address (?:not found|couldn.t be found|could not be found)|not listed in (?:the )?(?:domino directory|public name & address book)|ディレクトリ(?:に|には)見つかりません|ディレクトリのリストにありません")
        .expect("implied-rcpt regex compiles")
});

/// The command named in the text, else the one its wording implies.
fn find_or_imply_command(text: &str, context: &str) -> Option<String> {
    let mut end = context.len().min(2_048);
    while !context.is_char_boundary(end) {
        end -= 1;
    }
    let near = &context[..end];
    find_command(text).or_else(|| {
        (IMPLIED_RCPT.is_match(text) || IMPLIED_RCPT.is_match(near)).then(|| "RCPT".to_string())
    })
}

fn find_remote(text: &str) -> Option<String> {
    REMOTE_HOST
        .captures(text)
        .map(|c| c[1].to_ascii_lowercase())
}

/// Collapses whitespace and bounds the length of a diagnostic for output.
fn tidy(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::text::truncate_chars(&joined, 2_000)
}

fn find_occurrences(lines: &[Line<'_>], excluded: &[String]) -> Vec<Occurrence> {
    let mut out = Vec::new();
    let mut after_intro = false;
    for (i, line) in lines.iter().enumerate() {
        let raw = line.raw;
        if raw.trim().is_empty() {
            continue;
        }
        let lower = &line.normalized;
        let mut strong_line = false;
        for m in ADDRESS.find_iter(raw).take(50) {
            let Some(address) = clean_address(m.as_str()) else {
                continue;
            };
            let local = address.split('@').next().unwrap_or("").to_ascii_lowercase();
            if matches!(
                local.as_str(),
                "mailer-daemon" | "mailer_daemon" | "mail-daemon" | "double-bounce"
            ) || excluded.iter().any(|e| e.eq_ignore_ascii_case(&address))
            {
                continue;
            }
            let before = &raw[..m.start()];
            let after = &raw[m.end()..];
            if before.ends_with("mailto:") || before.trim_end().ends_with("message-id:") {
                continue;
            }
            let before_trim = before.trim_end_matches(['<', '"', '\'', ' ', '\t', '[', '(']);
            let strong = if NOT_RECIPIENT.is_match(before) {
                false
            } else {
                let before_plain = before_trim.trim_start_matches(|c: char| {
                    c.is_whitespace() || c == '>' || c == '*' || c == '-' || c == '•' || c == '・'
                });
                let at_start = before_plain.is_empty()
                    || before_plain
                        .chars()
                        .all(|c| c.is_ascii_digit() || c == '.' || c == ')')
                    || RECIPIENT_LABEL.is_match(before);
                (at_start && (AFTER_ADDRESS.is_match(after) || after_intro || line.evidence))
                    || RECIPIENT_LABEL.is_match(before)
                    || RECIPIENT_PHRASE.is_match(before)
                    || RECIPIENT_AFTER_JA.is_match(after)
            };
            // One recipient per line: a second address on the same line is an
            // alias ("expanded from"), a mailto: duplicate or a sender.
            let strong = strong && !strong_line;
            strong_line |= strong;
            out.push(Occurrence {
                line: i,
                address,
                strong,
            });
        }
        // A line ending in "recipients:" or similar makes the next lines'
        // lone addresses recipients whatever follows them.
        after_intro = lower.ends_with(':')
            && (lower.contains("recipient")
                || lower.contains("address")
                || lower.contains("宛先")
                || lower.contains("受信者"))
            || (after_intro && (strong_line || raw.trim().is_empty()));
    }
    out
}

struct NoticeEvidence {
    diagnostic: String,
    status: Option<String>,
    reply_code: Option<u16>,
    command: Option<String>,
    remote_mta: Option<String>,
    context: String,
}

/// Gathers the diagnostic lines for one recipient: first the lines that name
/// it and carry evidence (with their continuation lines), then the evidence
/// lines of its block (from where it is named to where the next recipient
/// is), then evidence lines that belong to no other recipient.
fn notice_evidence(
    lines: &[Line<'_>],
    candidates: &[(String, usize)],
    address: &str,
) -> NoticeEvidence {
    let lower_addr = address.to_ascii_lowercase();
    let others: Vec<String> = candidates
        .iter()
        .filter(|(a, _)| !a.eq_ignore_ascii_case(address))
        .map(|(a, _)| a.to_ascii_lowercase())
        .collect();
    let mentions_other = |l: &Line<'_>| {
        let lower = l.raw.to_ascii_lowercase();
        others.iter().any(|o| lower.contains(o.as_str()))
    };
    let (block_start, block_end) = match candidates
        .iter()
        .position(|(a, _)| a.eq_ignore_ascii_case(address))
    {
        Some(pos) => {
            let start = candidates[pos].1;
            let end = candidates
                .iter()
                .map(|(_, l)| *l)
                .filter(|l| *l > start)
                .min()
                .unwrap_or(lines.len());
            (start, end)
        }
        None => (0, lines.len()),
    };

    let mut picked: Vec<usize> = Vec::new();
    let take_with_continuation = |start: usize, picked: &mut Vec<usize>| {
        let mut i = start;
        let mut n = 0;
        while i < lines.len() && n < 8 {
            let l = &lines[i];
            let t = l.raw.trim_start();
            let multiline_reply = i > 0 && MULTILINE_REPLY.is_match(lines[i - 1].raw.trim_start());
            if l.raw.trim().is_empty()
                || (i != start
                    && (mentions_other(l)
                        || t.starts_with("---")
                        || t.starts_with(">>>")
                        || ((t.starts_with("<<<")
                            || t.starts_with("...")
                            || NEW_REPLY.is_match(t))
                            && !multiline_reply)))
            {
                break;
            }
            if i != start
                && !l.raw.starts_with([' ', '\t'])
                && !l.evidence
                && n >= 1
                && !lines[i - 1].raw.trim_end().ends_with([':', ','])
            {
                // A flush-left line without evidence ends a wrapped diagnostic
                // unless the previous line clearly continues.
                if !continues(lines[i - 1].raw) {
                    break;
                }
            }
            if !picked.contains(&i) {
                picked.push(i);
            }
            i += 1;
            n += 1;
        }
    };

    // P0: Sendmail's "(reason: ...)" under the recipient quotes the remote
    // server's reply; its own "550 5.1.1 <a>... User unknown" verdict that
    // follows in the transcript always says "User unknown" and is not used.
    let block = block_start.min(lines.len())..block_end.min(lines.len());
    if let Some(i) = block
        .clone()
        .find(|i| lines[*i].normalized.starts_with("(reason:") && lines[*i].evidence)
    {
        take_with_continuation(i, &mut picked);
    }
    // P1: lines naming this recipient that carry evidence.
    for (i, l) in lines.iter().enumerate() {
        if !picked.is_empty() {
            break;
        }
        if l.evidence && l.raw.to_ascii_lowercase().contains(&lower_addr) && !mentions_other(l) {
            take_with_continuation(i, &mut picked);
        }
    }
    // P2: evidence lines in the recipient's block (also when the lines that
    // name the recipient quote no code: "...couldn't be delivered to a@b"
    // above "550 5.2.2 ...").
    let has_code = |picked: &Vec<usize>| {
        picked.iter().any(|i| {
            find_reply_code(lines[*i].raw).is_some() || find_status(lines[*i].raw).is_some()
        })
    };
    if picked.is_empty() || !has_code(&picked) {
        for i in block.clone() {
            let l = &lines[i];
            if l.evidence && !mentions_other(l) && !picked.contains(&i) {
                take_with_continuation(i, &mut picked);
            }
        }
    }
    // P3: evidence lines outside every block.
    if picked.is_empty() {
        let first_block = candidates
            .iter()
            .map(|(_, l)| *l)
            .min()
            .unwrap_or(lines.len());
        for (i, l) in lines.iter().enumerate().take(first_block) {
            if l.evidence && !mentions_other(l) {
                take_with_continuation(i, &mut picked);
            }
        }
    }
    // P4: a reason written just above the address in the same paragraph
    // (Lotus Notes' "Failure Reasons" section), when nothing else was found.
    if picked.is_empty() && block_start < lines.len() {
        let mut i = block_start;
        while i > 0 && i + 3 > block_start {
            let prev = lines[i - 1].raw.trim();
            if prev.is_empty() || prev.starts_with("---") || prev.ends_with(':') {
                break;
            }
            i -= 1;
        }
        if i < block_start
            && (i == 0
                || lines[i - 1].raw.trim().is_empty()
                || lines[i - 1].raw.trim().starts_with("---"))
        {
            picked.extend(i..block_start);
        }
    }
    picked.sort_unstable();
    picked.dedup();
    let diagnostic = picked
        .iter()
        .map(|i| lines[*i].raw.trim())
        .collect::<Vec<_>>()
        .join(" ");
    let block: Vec<&str> = lines[block_start.min(lines.len())..block_end.min(lines.len())]
        .iter()
        .filter(|l| !mentions_other(l))
        .map(|l| l.raw.trim())
        .filter(|l| !l.is_empty())
        .collect();
    let mut context = block.join(" ");
    if context.len() < 1_500 {
        // The lines before the first recipient often say what happened.
        let first_block = candidates.iter().map(|(_, l)| *l).min().unwrap_or(0);
        let preface: Vec<&str> = lines[..first_block.min(lines.len())]
            .iter()
            .map(|l| l.raw.trim())
            .filter(|l| !l.is_empty())
            .collect();
        context = format!("{} {}", preface.join(" "), context);
    }
    let context = crate::text::truncate_chars(&context, 2_000);
    let status = find_last_status(&diagnostic)
        .or_else(|| {
            // A status on the line right before (Sendmail's "(reason: ...)" above).
            picked
                .first()
                .and_then(|i| i.checked_sub(1))
                .and_then(|i| find_status(lines[i].raw))
        })
        .or_else(|| {
            // The reporting MTA's own verdict on the address (Sendmail's
            // "550 5.1.1 <a>... User unknown") carries the status it reports.
            lines
                .iter()
                .filter(|l| {
                    l.evidence
                        && l.raw.to_ascii_lowercase().contains(&lower_addr)
                        && !l.raw.trim_start().starts_with("<<<")
                })
                .find_map(|l| find_status(l.raw))
        });
    let command = find_command(&diagnostic)
        .or_else(|| {
            picked.first().and_then(|i| {
                (i.saturating_sub(3)..*i)
                    .rev()
                    .find_map(|j| find_command(lines[j].raw))
            })
        })
        .or_else(|| transcript_command(lines, &diagnostic))
        .or_else(|| find_or_imply_command(&diagnostic, &context));
    NoticeEvidence {
        status,
        reply_code: find_reply_code(&diagnostic),
        command,
        remote_mta: find_remote(&diagnostic).or_else(|| {
            (block_start..block_end.min(lines.len())).find_map(|i| find_remote(lines[i].raw))
        }),
        diagnostic,
        context,
    }
}

/// In an SMTP session transcript (`>>> RCPT To:<a>` / `<<< 550 ...`), the
/// command sent just before the reply the diagnostic quotes.
fn transcript_command(lines: &[Line<'_>], diagnostic: &str) -> Option<String> {
    let reply = diagnostic
        .trim_start_matches("(reason:")
        .trim()
        .trim_end_matches(')');
    let key: String = reply.chars().take(24).collect();
    if key.len() < 5 {
        return None;
    }
    let at = lines
        .iter()
        .position(|l| l.raw.trim_start().starts_with("<<<") && l.raw.contains(key.as_str()))?;
    lines[..at].iter().rev().take(6).find_map(|l| {
        let t = l.raw.trim_start();
        t.strip_prefix(">>>")
            .and_then(|cmd| find_command(&format!(">>> {}", cmd.trim())))
    })
}

/// A line whose end says the sentence goes on.
fn continues(line: &str) -> bool {
    let t = line.trim_end();
    !(t.ends_with('.')
        || t.ends_with('。')
        || t.ends_with(')')
        || t.ends_with('>')
        || t.ends_with(']')
        || t.ends_with('\''))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::prepare;
    use crate::parse::parse;

    fn found(raw: &str) -> Vec<Found> {
        let doc = parse(&prepare(raw.as_bytes()).remove(0));
        extract(&doc, &[]).found
    }

    #[test]
    fn postfix_style_lines_give_address_and_diagnostic() {
        let f = found("This is the mail system at host mx.example.jp.\n\n<hanako@example.net>: host mx.example.net[192.0.2.1] said: 550 5.1.1\n    <hanako@example.net>: Recipient address rejected: User unknown (in reply to\n    RCPT TO command)\n");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].recipient, "hanako@example.net");
        assert_eq!(f[0].status.as_deref(), Some("5.1.1"));
        assert_eq!(f[0].reply_code, Some(550));
        assert_eq!(f[0].command.as_deref(), Some("RCPT"));
        assert_eq!(f[0].remote_mta.as_deref(), Some("mx.example.net"));
        assert!(f[0].diagnostic.contains("User unknown"));
    }

    #[test]
    fn exim_style_indented_blocks_are_read_per_recipient() {
        let f = found("This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  a@example.net\n    host mx.example.net [192.0.2.1]\n    SMTP error from remote mail server after RCPT TO:<a@example.net>:\n    550 5.1.1 User unknown\n  b@example.org\n    host mx.example.org [192.0.2.2]\n    SMTP error from remote mail server after RCPT TO:<b@example.org>:\n    552 5.2.2 Mailbox full\n");
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].status.as_deref(), Some("5.1.1"));
        assert_eq!(f[1].status.as_deref(), Some("5.2.2"));
        assert_eq!(f[1].command.as_deref(), Some("RCPT"));
    }

    #[test]
    fn sender_and_postmaster_addresses_are_not_recipients() {
        let f = found("For further assistance, please send mail to <postmaster@example.jp>\nFrom: taro@example.org\n\nDelivery to the following recipient failed permanently:\n\n     jiro@example.net\n\nThe response from the remote server was:\n550 5.1.1 The email account that you tried to reach does not exist.\n");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].recipient, "jiro@example.net");
        assert_eq!(f[0].status.as_deref(), Some("5.1.1"));
    }

    #[test]
    fn chat_mentioning_an_address_has_no_recipient() {
        assert!(found(
            "田中さん(tanaka@example.jp)に送ったメールが届きませんでした。どうすればいいですか？"
        )
        .is_empty());
        assert!(found("could you cc tanaka@example.jp on the invoice thread?").is_empty());
    }
}
