//! Mail server log lines that an administrator pastes instead of a notice.
//!
//! "The log says this" is how a help channel's admins report a bounce: a few
//! lines grepped by queue id, one per delivery attempt, each naming the
//! recipient, the outcome and the remote server's reply. There is no notice
//! to read, so the log lines are the format. This module reads the three
//! logs met most (Postfix, Sendmail, Exim) and turns each recipient's last
//! attempt into the same evidence the notice reader produces:
//!
//! > Postfix: `May 14 10:02:11 mail postfix/smtp[20457]: 4F2A81C0B3: to=<k.ito@example.jp>, relay=mx.example.jp[203.0.113.25]:25, delay=1.3, delays=0.1/0.01/0.7/0.5, dsn=5.1.1, status=bounced (host mx.example.jp[203.0.113.25] said: 550 5.1.1 <k.ito@example.jp>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command))`
//! >
//! > Sendmail: `May 14 10:02:11 mail sm-mta[4711]: 54E12abc004711: to=<k.ito@example.jp>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120415, relay=mx.example.jp. [203.0.113.25], dsn=5.1.1, stat=User unknown`
//! >
//! > Exim: `2025-05-14 10:02:11 1uF2aB-0001xY-Ab ** k.ito@example.jp R=dnslookup T=remote_smtp H=mx.example.jp [203.0.113.25]: SMTP error from remote mail server after RCPT TO:<k.ito@example.jp>: 550 5.1.1 User unknown`
//!
//! Postfix's queue manager gives up on a message in a line of its own
//! (`5F2A81C0A2: from=<sender>, status=expired, returned to sender`): the
//! recipients of that queue id still deferred then failed as expired.
//!
//! An application that sends mail itself logs the refusal as its mail
//! library's exception instead ("the web form's mail fails"); the recipient
//! refusals of the libraries met most are read the same way
//! ([`read_client_errors`]):
//!
//! > Python: `smtplib.SMTPRecipientsRefused: {'k.ito@example.jp': (550, b'5.1.1 <k.ito@example.jp>: Recipient address rejected: User unknown in virtual mailbox table')}`
//! >
//! > PHPMailer: `SMTP Error: The following recipients failed: k.ito@example.jp: <k.ito@example.jp>: Recipient address rejected: User unknown in local recipient table`
//! >
//! > JavaMail: `com.sun.mail.smtp.SMTPAddressFailedException: 550 5.1.1 <k.ito@example.jp>... User unknown`
//! >
//! > Nodemailer: `Error: Can't send mail - all recipients were rejected: 550 5.7.1 <k.ito@example.jp>: Relay access denied`
//! >
//! > .NET: `System.Net.Mail.SmtpFailedRecipientException: Mailbox unavailable. The server response was: 5.1.1 <k.ito@example.jp> User unknown`

use crate::extract::Found;
use crate::text::{find_last_status, find_reply_code};
use regex::Regex;
use std::sync::LazyLock;

/// At most this many lines are read; a log paste is a handful of lines.
const MAX_LINES: usize = 2_000;

/// A Postfix delivery agent's line: queue id, recipient, the fields up to
/// `status=` and the reply in parentheses.
static POSTFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bpostfix[\w.-]*/[\w/.-]+\[\d+\]: ([0-9a-z]{5,}): to=<([^>\s]*)>,(.*?)\bstatus=([a-z]+)(?: \((.*)\))?\s*$")
        .expect("postfix log regex compiles")
});

/// A Postfix queue manager's line that gives up on a whole message.
static POSTFIX_EXPIRED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\bpostfix[\w.-]*/[\w/.-]+\[\d+\]: ([0-9a-z]{5,}): from=<[^>\s]*>, status=expired\b",
    )
    .expect("postfix expiry regex compiles")
});

/// A Sendmail delivery line: queue id, recipients, the fields, `stat=`.
static SENDMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:sendmail|sm-mta)\[\d+\]: ([0-9a-z]{8,}): to=(.+?), (.*?)\bstat=(.+?)\s*$")
        .expect("sendmail log regex compiles")
});

/// An Exim main-log delivery line: message id, the flag (`**` failed, `==`
/// deferred, `=>` and `->` delivered), the address, then the router,
/// transport and host fields and, after a colon, the reply.
static EXIM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|\s)([0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}) (\*\*|==|=>|->) <?([^\s<>]+@[^\s<>]+?)>?(?: <[^>\s]*>)?(?: (.*))?$")
        .expect("exim log regex compiles")
});

/// `relay=host[ip]:port` (Postfix) or `relay=host. [ip]` (Sendmail).
static RELAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\brelay=([a-z0-9][a-z0-9.-]*[a-z0-9])\.?[\[ ,]").expect("relay regex compiles")
});

/// Exim's `H=host [ip]` field.
static EXIM_HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bH=([a-z0-9][a-z0-9.-]*\.[a-z]{2,})\b").expect("exim host regex compiles")
});

/// `dsn=5.1.1`, Postfix's and Sendmail's status field.
static DSN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bdsn=(\d\.\d{1,3}\.\d{1,3})\b").expect("dsn regex compiles"));

/// Python's `SMTPRecipientsRefused`: a dict of address to `(code, b'reply')`.
static PYTHON_REFUSED_ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"'([^'\s]+@[^'\s]+)'\s*:\s*\((\d{3}),\s*b?(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\)"#,
    )
    .expect("smtplib regex compiles")
});

/// smtplib's refusals of the whole message rather than of a recipient: the
/// sender (`raise SMTPSenderRefused(code, resp, from_addr)`, after MAIL FROM)
/// or the content (`raise SMTPDataError(code, resp)`, after DATA). They name
/// no recipient: one result, recipient unnamed, when no recipient was refused.
///
/// > smtplib.SMTPSenderRefused: (553, b'5.7.1 <info@example.jp>: Sender address rejected: not owned by user web@example.jp', 'info@example.jp')
/// > smtplib.SMTPDataError: (550, b'5.7.1 Message rejected as spam by Content Filtering.')
static PYTHON_MESSAGE_REFUSED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"\bSMTP(Sender|Data)(?:Refused|Error): \((\d{3}),\s*b?(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")"#,
    )
    .expect("smtplib message refusal regex compiles")
});

/// Where a library's one-line refusal names the refused address.
#[derive(Clone, Copy)]
enum AddressAt {
    /// Before the reply (PHPMailer's "failed: <address>: <reply>"), group 1.
    BeforeReply,
    /// Inside the server's reply, found there.
    InReply,
}

/// The other libraries' one-line refusals of a recipient, each with the
/// library's name and where the address is; the reply is the last group.
static CLIENT_REFUSAL: LazyLock<Vec<(&'static str, AddressAt, Regex)>> = LazyLock::new(|| {
    use AddressAt::*;
    [
        (
            "PHPMailer",
            BeforeReply,
            r"(?i)\bSMTP Error: The following recipients failed: ([^\s:]+@[^\s:]+): (.+)$",
        ),
        (
            "PHPMailer",
            InReply,
            r"(?i)\bSMTP ERROR: RCPT TO command failed: (\d{3}\b.+)$",
        ),
        (
            "JavaMail",
            InReply,
            r"\bSMTPAddressFailedException: (\d{3}\b.+)$",
        ),
        (
            "Nodemailer",
            InReply,
            r"(?i)\bCan't send mail - all recipients were rejected: (\d{3}\b.+)$",
        ),
        (
            ".NET SmtpClient",
            InReply,
            r"(?i)\bSmtpFailedRecipients?Exception: .*?The server response was: (.+)$",
        ),
    ]
    .into_iter()
    .map(|(name, at, pattern)| {
        (
            name,
            at,
            Regex::new(pattern).expect("client refusal regex compiles"),
        )
    })
    .collect()
});

/// What one log says: the last attempt for each recipient, and the MTA.
#[derive(Debug, Clone)]
pub struct LogReport {
    /// "Postfix", "Sendmail" or "Exim".
    pub mta: &'static str,
    pub found: Vec<Found>,
}

/// One delivery attempt as a log line records it.
struct Attempt {
    queue_id: String,
    recipient: String,
    outcome: Outcome,
    status: Option<String>,
    reply: String,
    remote: Option<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Outcome {
    Delivered,
    Deferred,
    Failed,
    Expired,
}

/// Reads the log lines in `text`; `None` when it holds no delivery line of a
/// known log (ordinary chat, a notice).
pub fn read(text: &str) -> Option<LogReport> {
    read_server_log(text).or_else(|| read_client_errors(text))
}

fn read_server_log(text: &str) -> Option<LogReport> {
    // Every log line of the three names its recipient after `to=` (Postfix,
    // Sendmail) or after a two-character flag and a space (Exim).
    if memchr::memmem::find(text.as_bytes(), b"to=").is_none()
        && !["** ", "== ", "=> ", "-> "]
            .iter()
            .any(|flag| memchr::memmem::find(text.as_bytes(), flag.as_bytes()).is_some())
    {
        return None;
    }
    let mut attempts: Vec<Attempt> = Vec::new();
    let mut expired_queues: Vec<String> = Vec::new();
    let mut mta = None;
    for line in text.lines().take(MAX_LINES) {
        let line = line.trim_end();
        if let Some(c) = POSTFIX.captures(line) {
            let outcome = match c[4].to_ascii_lowercase().as_str() {
                "sent" | "delivered" => Outcome::Delivered,
                "deferred" => Outcome::Deferred,
                "bounced" | "undeliverable" => Outcome::Failed,
                "expired" => Outcome::Expired,
                _ => continue,
            };
            let fields = &c[3];
            attempts.push(Attempt {
                queue_id: c[1].to_string(),
                recipient: c[2].to_string(),
                outcome,
                status: DSN.captures(fields).map(|d| d[1].to_string()),
                reply: c.get(5).map_or("", |m| m.as_str()).to_string(),
                remote: relay_host(fields),
            });
            mta = Some("Postfix");
        } else if let Some(c) = POSTFIX_EXPIRED.captures(line) {
            expired_queues.push(c[1].to_string());
            mta = Some("Postfix");
        } else if let Some(c) = SENDMAIL.captures(line) {
            let stat = c[4].to_string();
            let lower = stat.to_ascii_lowercase();
            let outcome = if lower.starts_with("sent") {
                Outcome::Delivered
            } else if lower.starts_with("deferred") {
                Outcome::Deferred
            } else {
                Outcome::Failed
            };
            let fields = &c[3];
            let status = DSN.captures(fields).map(|d| d[1].to_string());
            let remote = relay_host(fields);
            for recipient in c[2].split(',').filter_map(|a| {
                let a = a.trim().trim_start_matches('<').trim_end_matches('>');
                a.contains('@').then_some(a)
            }) {
                attempts.push(Attempt {
                    queue_id: c[1].to_string(),
                    recipient: recipient.to_string(),
                    outcome,
                    status: status.clone(),
                    reply: stat.clone(),
                    remote: remote.clone(),
                });
            }
            mta = Some("Sendmail");
        } else if let Some(c) = EXIM.captures(line) {
            let outcome = match &c[2] {
                "**" => Outcome::Failed,
                "==" => Outcome::Deferred,
                _ => Outcome::Delivered,
            };
            let rest = c.get(4).map_or("", |m| m.as_str());
            // The reply follows the routing fields, after the first ": ".
            let reply = rest
                .split_once(": ")
                .map_or(rest, |(_, reply)| reply)
                .to_string();
            attempts.push(Attempt {
                queue_id: c[1].to_string(),
                recipient: c[3].to_string(),
                outcome,
                status: None,
                reply,
                remote: EXIM_HOST.captures(rest).map(|h| h[1].to_ascii_lowercase()),
            });
            mta = Some("Exim");
        }
    }
    let mta = mta?;
    // The last attempt per recipient (and queue) decides.
    let mut last: Vec<Attempt> = Vec::new();
    for attempt in attempts {
        match last.iter_mut().find(|a| {
            a.queue_id == attempt.queue_id && a.recipient.eq_ignore_ascii_case(&attempt.recipient)
        }) {
            Some(slot) => *slot = attempt,
            None => last.push(attempt),
        }
    }
    let found: Vec<Found> = last
        .into_iter()
        .filter_map(|mut a| {
            if a.outcome == Outcome::Deferred && expired_queues.contains(&a.queue_id) {
                a.outcome = Outcome::Expired;
            }
            to_found(a)
        })
        .collect();
    (!found.is_empty()).then_some(LogReport { mta, found })
}

/// Reads a mail library's recipient refusals (Python's smtplib, PHPMailer,
/// JavaMail, Nodemailer, .NET's SmtpClient): each refused address with the
/// server's reply, refused at RCPT TO. `None` when there is none.
pub fn read_client_errors(text: &str) -> Option<LogReport> {
    let bytes = text.as_bytes();
    let mentions = |needle: &[u8]| memchr::memmem::find(bytes, needle).is_some();
    if !(mentions(b"SMTPRecipientsRefused")
        || mentions(b"SMTPSenderRefused")
        || mentions(b"SMTPDataError")
        || mentions(b"Exception")
        || mentions(b"SMTP Error")
        || mentions(b"SMTP ERROR")
        || mentions(b"recipients were rejected"))
    {
        return None;
    }
    let mut mta = None;
    let mut refused: Vec<(String, String)> = Vec::new();
    let mut message_refused: Option<Found> = None;
    for line in text.lines().take(MAX_LINES) {
        let line = line.trim_end();
        if let Some(c) = PYTHON_MESSAGE_REFUSED.captures(line) {
            let command = if &c[1] == "Sender" { "MAIL" } else { "DATA" };
            message_refused = Some(refusal(String::new(), command, &python_reply(&c)));
            mta = Some("Python smtplib");
            continue;
        }
        if line.contains("SMTPRecipientsRefused") {
            for c in PYTHON_REFUSED_ENTRY.captures_iter(line) {
                refused.push((c[1].to_string(), python_reply(&c)));
                mta = Some("Python smtplib");
            }
            continue;
        }
        for (name, at, re) in CLIENT_REFUSAL.iter() {
            let Some(c) = re.captures(line) else { continue };
            let reply_group = c.len() - 1;
            let reply = c[reply_group]
                .trim()
                .trim_end_matches(['\'', '"'])
                .to_string();
            let address = match at {
                AddressAt::BeforeReply => Some(c[1].to_string()),
                AddressAt::InReply => crate::text::ADDRESS
                    .find(&reply)
                    .map(|m| m.as_str().to_string()),
            };
            if let Some(address) = address {
                refused.push((address, reply));
                mta = Some(*name);
            }
            break;
        }
    }
    let mta = mta?;
    let mut found: Vec<Found> = Vec::new();
    for (address, reply) in refused {
        let Some(recipient) = crate::text::clean_address(&address) else {
            continue;
        };
        if found
            .iter()
            .any(|f| f.recipient.eq_ignore_ascii_case(&recipient))
        {
            continue;
        }
        found.push(refusal(recipient, "RCPT", &reply));
    }
    if found.is_empty() {
        found.extend(message_refused);
    }
    (!found.is_empty()).then_some(LogReport { mta, found })
}

/// The reply of an smtplib exception's `(code, b'reply')`: groups 2 (code)
/// and 3 or 4 (the bytes literal, single- or double-quoted), whose line
/// breaks are written `\n`.
fn python_reply(c: &regex::Captures<'_>) -> String {
    let literal = c.get(3).or(c.get(4)).map_or("", |m| m.as_str());
    format!(
        "{} {}",
        &c[2],
        literal.replace("\\r", "").replace("\\n", " ")
    )
}

/// A library's refusal as a result: failed, with the server's reply.
fn refusal(recipient: String, command: &str, reply: &str) -> Found {
    Found {
        recipient,
        action: Some("failed".into()),
        status: find_last_status(reply),
        reply_code: find_reply_code(reply),
        command: Some(command.into()),
        diagnostic: crate::text::collapse_whitespace(reply),
        certain: true,
        ..Default::default()
    }
}

fn relay_host(fields: &str) -> Option<String> {
    RELAY
        .captures(fields)
        .map(|r| r[1].to_ascii_lowercase())
        .filter(|h| h != "none" && h != "local" && h.contains('.'))
}

fn to_found(a: Attempt) -> Option<Found> {
    let recipient = crate::text::clean_address(&a.recipient)?;
    let action = match a.outcome {
        Outcome::Delivered => "delivered",
        Outcome::Deferred => "delayed",
        Outcome::Failed => "failed",
        Outcome::Expired => "expired",
    };
    // The reply's own code is the remote server's words; the log's dsn=
    // field is Postfix's summary of it.
    let status = find_last_status(&a.reply)
        .filter(|s| a.status.is_none() || !s.ends_with(".0.0"))
        .or(a.status);
    Some(Found {
        recipient,
        action: Some(action.into()),
        status,
        reply_code: find_reply_code(&a.reply),
        command: crate::extract::find_command(&a.reply),
        diagnostic: crate::text::collapse_whitespace(&a.reply),
        remote_mta: a.remote,
        certain: true,
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postfix_bounce_line_gives_its_recipient_reply_and_relay() {
        let log = "Here is the server log\n\nMay 14 10:02:10 mail postfix/qmgr[1123]: 4F2A81C0B3: from=<t.suzuki@example.co.jp>, size=48211, nrcpt=1 (queue active)\nMay 14 10:02:11 mail postfix/smtp[20457]: 4F2A81C0B3: to=<k.ito@example-client.co.jp>, relay=mx.example-client.co.jp[203.0.113.25]:25, delay=1.3, delays=0.1/0.01/0.7/0.5, dsn=5.1.1, status=bounced (host mx.example-client.co.jp[203.0.113.25] said: 550 5.1.1 <k.ito@example-client.co.jp>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command))\n";
        let report = read(log).expect("a Postfix log");
        assert_eq!(report.mta, "Postfix");
        assert_eq!(
            report.found.len(),
            1,
            "the sender of the qmgr line is no recipient"
        );
        let f = &report.found[0];
        assert_eq!(f.recipient, "k.ito@example-client.co.jp");
        assert_eq!(f.action.as_deref(), Some("failed"));
        assert_eq!(f.status.as_deref(), Some("5.1.1"));
        assert_eq!(f.reply_code, Some(550));
        assert_eq!(f.command.as_deref(), Some("RCPT"));
        assert_eq!(f.remote_mta.as_deref(), Some("mx.example-client.co.jp"));
    }

    #[test]
    fn deferred_attempts_end_as_expired_when_the_queue_gives_up() {
        let deferred = "May 12 09:14:02 mx1 postfix/smtp[28411]: 5F2A81C0A2: to=<y.ikeda@example.org>, relay=mx.example.org[192.0.2.45]:25, delay=86402, delays=86371/0.01/0.6/30, dsn=4.7.1, status=deferred (host mx.example.org[192.0.2.45] said: 451 4.7.1 Please try again later (in reply to end of DATA command))\n";
        let report = read(deferred).expect("a Postfix log");
        assert_eq!(report.found[0].action.as_deref(), Some("delayed"));
        let expired = format!("{deferred}{deferred}May 16 09:14:05 mx1 postfix/qmgr[1123]: 5F2A81C0A2: from=<sales@example.co.jp>, status=expired, returned to sender\n");
        let report = read(&expired).expect("a Postfix log");
        assert_eq!(
            report.found.len(),
            1,
            "one recipient, however many attempts"
        );
        assert_eq!(report.found[0].action.as_deref(), Some("expired"));
        assert_eq!(report.found[0].status.as_deref(), Some("4.7.1"));
    }

    #[test]
    fn sendmail_and_exim_lines_are_read() {
        let sendmail = "May 14 10:02:11 mail sm-mta[4711]: 54E12abc004711: to=<k.ito@example.jp>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120415, relay=mx.example.jp. [203.0.113.25], dsn=5.1.1, stat=User unknown\n";
        let report = read(sendmail).expect("a Sendmail log");
        assert_eq!(report.mta, "Sendmail");
        assert_eq!(report.found[0].status.as_deref(), Some("5.1.1"));
        assert_eq!(report.found[0].diagnostic, "User unknown");
        assert_eq!(report.found[0].remote_mta.as_deref(), Some("mx.example.jp"));
        let exim = "2025-05-14 10:02:11 1uF2aB-0001xY-Ab ** k.ito@example.jp R=dnslookup T=remote_smtp H=mx.example.jp [203.0.113.25]: SMTP error from remote mail server after RCPT TO:<k.ito@example.jp>: 550 5.1.1 User unknown\n";
        let report = read(exim).expect("an Exim log");
        assert_eq!(report.mta, "Exim");
        let f = &report.found[0];
        assert_eq!(f.recipient, "k.ito@example.jp");
        assert_eq!(
            (f.reply_code, f.status.as_deref()),
            (Some(550), Some("5.1.1"))
        );
        assert_eq!(f.remote_mta.as_deref(), Some("mx.example.jp"));
    }

    #[test]
    fn mail_libraries_refusals_are_read_with_their_address_and_reply() {
        let cases = [
            ("smtplib.SMTPRecipientsRefused: {'k.ito@example.jp': (550, b'5.1.1 <k.ito@example.jp>: Recipient address rejected: User unknown'), 'y.abe@example.jp': (450, b'4.2.2 Mailbox full\\nTry later')}", "Python smtplib", "k.ito@example.jp", Some(550), 2),
            ("2026-12-07 10:15:02 SMTP Error: The following recipients failed: k.ito@example.jp: <k.ito@example.jp>: Recipient address rejected: User unknown in local recipient table", "PHPMailer", "k.ito@example.jp", None, 1),
            ("\tcom.sun.mail.smtp.SMTPAddressFailedException: 550 5.1.1 <k.ito@example.jp>... User unknown", "JavaMail", "k.ito@example.jp", Some(550), 1),
            ("Error: Can't send mail - all recipients were rejected: 550 5.7.1 <k.ito@example.jp>: Relay access denied", "Nodemailer", "k.ito@example.jp", Some(550), 1),
            ("System.Net.Mail.SmtpFailedRecipientException: Mailbox unavailable. The server response was: 5.1.1 <k.ito@example.jp> User unknown", ".NET SmtpClient", "k.ito@example.jp", None, 1),
        ];
        for (text, mta, recipient, reply_code, count) in cases {
            let report = read(text).unwrap_or_else(|| panic!("not read: {text}"));
            assert_eq!(report.mta, mta);
            assert_eq!(report.found.len(), count, "{text}");
            let f = &report.found[0];
            assert_eq!(f.recipient, recipient);
            assert_eq!(f.reply_code, reply_code, "{text}");
            assert_eq!(f.command.as_deref(), Some("RCPT"));
            assert!(
                f.diagnostic.contains("<k.ito@example.jp>"),
                "{}",
                f.diagnostic
            );
        }
        let python = read(cases[0].0).unwrap();
        assert_eq!(python.found[1].status.as_deref(), Some("4.2.2"));
        assert_eq!(
            python.found[1].diagnostic,
            "450 4.2.2 Mailbox full Try later"
        );
    }

    #[test]
    fn smtplib_refusals_of_the_sender_or_the_content_give_one_unnamed_result() {
        let cases = [
            ("smtplib.SMTPSenderRefused: (553, b'5.7.1 <info@example.jp>: Sender address rejected: not owned by user web@example.jp', 'info@example.jp')", "MAIL", Some(553), Some("5.7.1")),
            ("smtplib.SMTPDataError: (550, b'5.7.1 Message rejected as spam\\nby Content Filtering.')", "DATA", Some(550), Some("5.7.1")),
        ];
        for (text, command, reply_code, status) in cases {
            let report = read(text).unwrap_or_else(|| panic!("not read: {text}"));
            assert_eq!(report.mta, "Python smtplib");
            assert_eq!(report.found.len(), 1);
            let f = &report.found[0];
            assert_eq!(f.recipient, "");
            assert_eq!(f.command.as_deref(), Some(command));
            assert_eq!((f.reply_code, f.status.as_deref()), (reply_code, status));
        }
        assert_eq!(
            read(cases[1].0).unwrap().found[0].diagnostic,
            "550 5.7.1 Message rejected as spam by Content Filtering."
        );
        // A refused recipient is the better answer than the message's refusal.
        let both = format!(
            "{}\nsmtplib.SMTPRecipientsRefused: {{'k.ito@example.jp': (550, b'5.1.1 User unknown')}}",
            cases[1].0
        );
        let report = read(&both).unwrap();
        assert_eq!(report.found.len(), 1);
        assert_eq!(report.found[0].recipient, "k.ito@example.jp");
    }

    #[test]
    fn chat_about_a_log_is_no_log() {
        for text in [
            "the log said status=bounced and to= was our client",
            "they say my mail never arrived => please check",
            "settings: relay=smtp.example.jp dsn=5.1.1",
            "PHPMailer says SMTP Error: The following recipients failed, why?",
            "we get SMTPRecipientsRefused and a NullPointerException sometimes",
            "what does smtplib.SMTPDataError mean? it happens with big attachments",
        ] {
            assert!(read(text).is_none(), "{text}");
        }
    }
}
