//! Decides the reason, the finer detail and hard/soft for one recipient.
//!
//! # Precedence
//!
//! This is the one place where the order of evidence is decided. It follows
//! Sisimai's (`Sisimai::Reason::find` and `anotherone`), so results compare
//! with it:
//!
//! 1. The report kind decides outright: a delivery report with `Action:
//!    delivered` or a 2.X.X status is `delivered`. Then a *decisive* rule
//!    (`decisive = true` in `reasons.toml`: a provider's documented error code
//!    or one vendor's fixed notice wording) decides, on the diagnostic first,
//!    then on the notice text around the recipient.
//! 2. **Tier 1**, walking [`TIER1`] in order: the first reason that the
//!    status code names, *or* that the diagnostic text names, wins. So a
//!    diagnostic saying "mailbox full" under a 5.1.1 status is `mailboxfull`
//!    (MailboxFull comes before UserUnknown), and a 5.1.1 whose text names a
//!    relay or blocklist refusal yields to that reason ([`YIELDS`]).
//! 3. **Tier 2**: a status that names a reason outside the "retry" set
//!    (see [`RETRY`]) decides.
//! 4. **Tier 3**, walking [`TIER3`]: the first reason the diagnostic text names.
//! 5. Tiers 1 and 3 again on the wider notice text around the recipient
//!    (text only), for notices whose diagnostic line says little.
//! 6. **Tier 4**: a status naming a "retry" reason (userunknown, expired, ...).
//! 7. **Fallbacks**: an `expired` action (the queue gave up) -> expired,
//!    X.6.X -> contenterror, X.7.X -> securityerror, an
//!    `X-Unix`/`X-Postfix` diagnostic -> mailererror, a 500-504 reply ->
//!    syntaxerror, a delayed action -> expired, a refusal at HELO/EHLO or
//!    connection -> blocked, the format's own default (Google Groups ->
//!    rejected), a refusal at MAIL FROM -> rejected, any other diagnostic ->
//!    onhold, nothing at all (or only the notice's headline, "delivery to
//!    the following recipients failed") -> undefined.
//!
//! Two reasons also weigh the SMTP command (see [`tier1_hit`]): "user unknown"
//! is `userunknown` in reply to RCPT TO but `filtered` after DATA, and
//! "does not exist" in reply to MAIL FROM is the sender, so `rejected`.
//!
//! The diagnostic text therefore outranks a generic status code (X.0.0, 5.7.1
//! name no reason by themselves), and a specific status outranks a text that
//! only matches a reason later in the order. `tests::precedence_is_pinned`
//! pins the lists.

use crate::reason::Reason;
use crate::rules::RULES;
use crate::text::normalize;

/// Reasons decided by status code *or* diagnostic text, in this order.
pub const TIER1: &[Reason] = &[
    Reason::MailboxFull,
    Reason::MesgTooBig,
    Reason::ExceedLimit,
    Reason::Suspend,
    Reason::HasMoved,
    Reason::NoRelaying,
    Reason::AuthFailure,
    Reason::UserUnknown,
    Reason::Filtered,
    Reason::RequirePtr,
    Reason::NotCompliantRfc,
    Reason::BadReputation,
    Reason::ContentError,
    Reason::Rejected,
    Reason::HostUnknown,
    Reason::SpamDetected,
    Reason::Speeding,
    Reason::TooManyConn,
    Reason::Blocked,
];

/// Reasons decided by diagnostic text alone, after tier 1 and tier 2.
pub const TIER3: &[Reason] = &[
    Reason::VirusDetected,
    Reason::PolicyViolation,
    Reason::Suppressed,
    Reason::FailedStartTls,
    Reason::SystemError,
    Reason::NetworkError,
    Reason::SystemFull,
    Reason::NotAccept,
    Reason::Expired,
    Reason::SecurityError,
    Reason::MailerError,
    Reason::SyntaxError,
    Reason::Vacation,
    Reason::OnHold,
];

/// Reasons a status code names only weakly: a text naming another reason in
/// tier 3 outranks them.
pub const RETRY: &[Reason] = &[
    Reason::UserUnknown,
    Reason::HostUnknown,
    Reason::Expired,
    Reason::NetworkError,
    Reason::SystemError,
    Reason::SecurityError,
    Reason::OnHold,
    Reason::Undefined,
];

/// A status-named reason that gives way when the text names one of these.
pub const YIELDS: &[(Reason, &[Reason])] = &[
    (
        Reason::UserUnknown,
        &[
            Reason::NoRelaying,
            Reason::Blocked,
            Reason::MailboxFull,
            Reason::HasMoved,
            Reason::Rejected,
            Reason::NotAccept,
        ],
    ),
    (
        Reason::HostUnknown,
        &[Reason::NetworkError, Reason::NotAccept],
    ),
];

/// A text-named reason that gives way when the status names its close
/// relative: "message too large" under X.2.3 is the recipient's own limit.
pub const TEXT_YIELDS: &[(Reason, Reason)] = &[(Reason::MesgTooBig, Reason::ExceedLimit)];

/// What the classifier looks at for one recipient.
#[derive(Debug, Default, Clone, Copy)]
pub struct Evidence<'a> {
    pub status: Option<&'a str>,
    pub reply_code: Option<u16>,
    pub diagnostic: &'a str,
    pub diagnostic_type: Option<&'a str>,
    pub command: Option<&'a str>,
    pub action: Option<&'a str>,
    /// The notice text around the recipient.
    pub context: &'a str,
    /// What the recognised format's notices mean when nothing else decides.
    pub format_default: Option<Reason>,
    /// The diagnostic is only the notice's headline ("Delivery to the
    /// following recipients failed"), not a reply about this recipient.
    pub diagnostic_is_headline: bool,
}

/// The decision for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    pub reason: Reason,
    pub detail: Option<&'static str>,
    pub hard_bounce: bool,
}

/// Classifies one recipient's evidence. Never fails: no evidence is `undefined`.
pub fn classify(ev: &Evidence<'_>) -> Classification {
    let texts = Texts {
        diagnostic: joined_reply(normalize(ev.diagnostic)),
        context: joined_reply(normalize(ev.context)),
    };
    let reason = decide(ev, &texts);
    let detail = detail_for(reason, &texts);
    let permanent = match (ev.status, ev.reply_code) {
        (Some(s), _) if s.starts_with('4') => false,
        (_, Some(c)) if c < 500 => false,
        _ => true,
    };
    Classification {
        reason,
        detail,
        hard_bounce: reason.is_hard(permanent),
    }
}

/// A multi-line SMTP reply read as one sentence. Joined onto one line (a
/// DSN's folded Diagnostic-Code, Postfix's wrapped "said:"), its lines'
/// `550-5.7.1` prefixes cut its sentences apart:
///
/// > said: 550-5.7.1 The user or domain that you are sending to (or from) has a policy that 550-5.7.1 prohibited the mail that you sent. Please contact your domain 550-5.7.1 administrator for further details.
///
/// The first prefix is kept (as `550 5.7.1`); the repeats, and the last
/// line's `550 5.7.1` prefix, are taken out, so the rules read "has a policy
/// that prohibited the mail".
fn joined_reply(normalized: String) -> String {
    use std::sync::LazyLock;
    static CONTINUED: LazyLock<regex::Regex> = LazyLock::new(|| {
        crate::rules::ascii_regex(r"(?:^|[\s;])([245]\d\d)-((?:[245]\.\d{1,3}\.\d{1,3}\s)?)")
            .expect("continued reply regex compiles")
    });
    // Most texts have no "550-" at all: found by a byte scan, not the regex.
    let bytes = normalized.as_bytes();
    let continued_code_at = |dash: usize| {
        dash >= 3
            && matches!(bytes[dash - 3], b'2' | b'4' | b'5')
            && bytes[dash - 2].is_ascii_digit()
            && bytes[dash - 1].is_ascii_digit()
            && (dash == 3 || matches!(bytes[dash - 4], b' ' | b';'))
    };
    if !memchr::memchr_iter(b'-', bytes).any(continued_code_at) {
        return normalized;
    }
    let Some(first) = CONTINUED.captures(&normalized) else {
        return normalized;
    };
    let (code, status) = (&first[1], &first[2]); // the status keeps its space
    let continued = format!(" {code}-{status}");
    let last = if status.is_empty() {
        format!(" {code} ")
    } else {
        format!(" {code} {status}")
    };
    // Up to the code (the space or ';' before it included), the first prefix
    // as the last line's, then the rest without the others.
    let code_start = first.get(1).expect("group 1").start();
    let rest = normalized[first.get(0).expect("group 0").end()..].replace(&continued, " ");
    let mut out = String::with_capacity(normalized.len());
    out.push_str(&normalized[..code_start]);
    out.push_str(&last[1..]);
    out.push_str(&rest.replacen(&last, " ", 1));
    out
}

/// The evidence texts, normalised once.
struct Texts {
    diagnostic: String,
    context: String,
}

fn decide(ev: &Evidence<'_>, texts: &Texts) -> Reason {
    let action = ev.action.unwrap_or("").to_ascii_lowercase();
    if action.starts_with("delivered")
        || action.starts_with("relayed")
        || action.starts_with("expanded")
        || ev.status.is_some_and(|s| s.starts_with("2."))
    {
        return Reason::Delivered;
    }
    let diagnostic = &texts.diagnostic;
    let diagnostic_scan = RULES.reasons.scan(diagnostic);
    // A provider's own code or a vendor's fixed wording decides outright.
    if let Some(r) = diagnostic_scan.decisive.first() {
        return *r;
    }
    if !texts.context.is_empty() {
        if let Some(r) = RULES.decisive.matches(&texts.context).first() {
            return *r;
        }
    }
    let text_reasons = diagnostic_scan.labels;
    let status_reason =
        ev.status
            .and_then(|s| RULES.reason_for_status(s))
            .or(match ev.reply_code {
                // 551 "User not local; please try <forward-path>": the address moved.
                Some(551) => Some(Reason::HasMoved),
                _ => None,
            });

    // A local delivery program failed (Diagnostic-Code: X-Unix), unless the
    // text says the mailbox is full.
    let local_delivery =
        matches!(ev.diagnostic_type, Some("x-unix")) || text_reasons.contains(&Reason::MailerError);
    // Tier 1: status or text, in order.
    for &r in TIER1 {
        if ev.command == Some("MAIL")
            && matches!(r, Reason::UserUnknown | Reason::HostUnknown)
            && text_reasons.contains(&r)
        {
            // "does not exist" in reply to MAIL FROM is about the sender.
            return Reason::Rejected;
        }
        if r == Reason::UserUnknown
            && local_delivery
            && !text_reasons.contains(&Reason::MailboxFull)
        {
            return Reason::MailerError;
        }
        if tier1_hit(r, ev.command, status_reason, &text_reasons) {
            return r;
        }
    }
    // Tier 2: a decisive status.
    if let Some(r) = status_reason {
        if !RETRY.contains(&r) {
            return r;
        }
    }
    // Tier 3: text only.
    if let Some(r) = TIER3.iter().copied().find(|r| text_reasons.contains(r)) {
        return r;
    }
    // The wider notice text, text only.
    if !texts.context.is_empty() {
        let context_reasons = RULES.reasons.matches(&texts.context);
        let usable = |r: &Reason| {
            context_reasons.contains(r) && !matches!(r, Reason::Vacation | Reason::OnHold)
        };
        if let Some(r) = TIER1.iter().chain(TIER3).copied().find(usable) {
            return r;
        }
    }
    // Tier 4: a weak status.
    if let Some(r) = status_reason {
        return r;
    }
    fallback(ev, diagnostic, &action)
}

/// Whether a tier-1 reason holds. Two reasons need the SMTP command as well,
/// because the same words mean different things at different stages: "user
/// unknown" in reply to RCPT TO is an unknown address, but after DATA (or with
/// no command named) it is the recipient's filter refusing the message.
fn tier1_hit(
    r: Reason,
    command: Option<&str>,
    status_reason: Option<Reason>,
    text: &[Reason],
) -> bool {
    let by_status = status_reason == Some(r) && !yields(r, text);
    match r {
        Reason::UserUnknown => by_status || (text.contains(&r) && command == Some("RCPT")),
        Reason::Filtered => {
            let unknown_words =
                text.contains(&Reason::UserUnknown) || text.contains(&Reason::Filtered);
            unknown_words && (status_reason == Some(r) || !matches!(command, Some("RCPT" | "MAIL")))
        }
        _ => {
            let text_holds = text.contains(&r)
                && !TEXT_YIELDS
                    .iter()
                    .any(|(t, s)| *t == r && status_reason == Some(*s));
            by_status || text_holds
        }
    }
}

fn yields(r: Reason, text_reasons: &[Reason]) -> bool {
    YIELDS
        .iter()
        .find(|(from, _)| *from == r)
        .is_some_and(|(_, to)| to.iter().any(|t| text_reasons.contains(t)))
}

fn fallback(ev: &Evidence<'_>, diagnostic: &str, action: &str) -> Reason {
    // The sender's own server gave up retrying (a queue's `status=expired`):
    // whatever the last temporary refusal's class, that is expiry.
    if action.starts_with("expired") {
        return Reason::Expired;
    }
    if let Some(status) = ev.status {
        if status.get(1..4) == Some(".6.") {
            return Reason::ContentError;
        }
        if status.get(1..4) == Some(".7.") {
            return Reason::SecurityError;
        }
    }
    if matches!(ev.diagnostic_type, Some("x-unix" | "x-postfix")) {
        return Reason::MailerError;
    }
    if matches!(ev.reply_code, Some(500..=504)) {
        return Reason::SyntaxError;
    }
    if action.starts_with("delayed") {
        return Reason::Expired;
    }
    if matches!(ev.command, Some("HELO" | "EHLO" | "CONN")) {
        return Reason::Blocked;
    }
    if let Some(r) = ev.format_default {
        return r;
    }
    if ev.command == Some("MAIL") {
        // Refused at MAIL FROM for no stated reason: the sender was refused.
        return Reason::Rejected;
    }
    // A headline says that delivery failed, not why: nothing to hold on.
    let said_something = !diagnostic.is_empty() && !ev.diagnostic_is_headline;
    if said_something || ev.status.is_some() || ev.reply_code.is_some() {
        return Reason::OnHold;
    }
    Reason::Undefined
}

/// The topic a reason implies by itself (a full mailbox is a quota problem).
/// Advice for such a topic adds nothing to the reason's own advice.
pub fn implied_detail(reason: Reason) -> Option<&'static str> {
    match reason {
        Reason::MailboxFull => Some("quota"),
        Reason::NoRelaying => Some("relay_denied"),
        Reason::Suspend => Some("account_disabled"),
        Reason::RequirePtr => Some("reverse_dns"),
        Reason::MesgTooBig | Reason::ExceedLimit => Some("message_size"),
        Reason::Speeding => Some("rate_limit"),
        Reason::FailedStartTls => Some("tls"),
        Reason::HostUnknown => Some("dns_failure"),
        _ => None,
    }
}

/// The finer topic: the first detail rule matching the diagnostic, else the
/// wider text, that fits the reason ([`detail_fits`]); else the topic the
/// reason implies by itself.
fn detail_for(reason: Reason, texts: &Texts) -> Option<&'static str> {
    if reason.is_not_a_failure() {
        return None;
    }
    // No topic explains this reason (an unknown user): nothing to look for.
    if !crate::rules::DETAIL_TOPICS
        .iter()
        .any(|t| detail_fits(reason, t))
    {
        return implied_detail(reason);
    }
    let mut found = RULES.details.matches(&texts.diagnostic);
    if !texts.context.is_empty() && !found.iter().any(|t| detail_fits(reason, t)) {
        found.extend(RULES.details.matches(&texts.context));
    }
    found
        .into_iter()
        .find(|t| detail_fits(reason, t))
        .or(implied_detail(reason))
}

/// Which finer topics can explain a reason: a DNS failure never explains an
/// unknown user, whatever else the notice mentions.
pub fn detail_fits(reason: Reason, topic: &str) -> bool {
    use Reason::*;
    let allowed: &[&str] = match reason {
        AuthFailure => &["spf", "dkim", "dmarc"],
        Blocked | BadReputation | SpamDetected | Rejected | PolicyViolation => &[
            "rbl",
            "reverse_dns",
            "spf",
            "dkim",
            "dmarc",
            "rate_limit",
            "greylisting",
            "date_header",
            "auth_required",
            "tls",
            "sender_restricted",
        ],
        SecurityError => &[
            "sender_restricted",
            "auth_required",
            "tls",
            "relay_denied",
            "spf",
            "dkim",
            "dmarc",
            "rbl",
            "date_header",
            "greylisting",
        ],
        NoRelaying => &["relay_denied", "auth_required"],
        UserUnknown | HasMoved => &[],
        // A 4.2.0 (filtered by its status) that says it is greylisted is a
        // refusal to retry later, not a recipient's filter.
        Filtered => &["greylisting"],
        Suspend => &["account_disabled"],
        MailboxFull => &["quota"],
        HostUnknown | NetworkError | NotAccept => &["dns_failure"],
        Expired => &["dns_failure", "tls", "greylisting", "rate_limit"],
        MesgTooBig => &["message_size"],
        ExceedLimit => &["too_many_recipients", "message_size"],
        Speeding => &["rate_limit", "greylisting"],
        TooManyConn => &["too_many_recipients", "rate_limit", "greylisting"],
        ContentError | NotCompliantRfc => &["date_header", "message_size"],
        FailedStartTls => &["tls"],
        RequirePtr => &["reverse_dns"],
        Feedback => &["unsubscribe"],
        // An unsubscribe request explains nothing but a feedback report.
        _ => return topic != "unsubscribe",
    };
    allowed.contains(&topic)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason_of(status: Option<&str>, diagnostic: &str) -> Reason {
        classify(&Evidence {
            status,
            diagnostic,
            ..Default::default()
        })
        .reason
    }

    #[test]
    fn precedence_is_pinned() {
        let names = |l: &[Reason]| l.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" ");
        assert_eq!(
            names(TIER1),
            "mailboxfull mesgtoobig exceedlimit suspend hasmoved norelaying authfailure userunknown filtered requireptr notcompliantrfc badreputation contenterror rejected hostunknown spamdetected speeding toomanyconn blocked"
        );
        assert_eq!(
            names(TIER3),
            "virusdetected policyviolation suppressed failedstarttls systemerror networkerror systemfull notaccept expired securityerror mailererror syntaxerror vacation onhold"
        );
        // Every reason is reachable by some tier or fallback.
        for r in Reason::ALL {
            let reachable = TIER1.contains(r)
                || TIER3.contains(r)
                || matches!(r, Reason::Delivered | Reason::Feedback | Reason::Undefined);
            assert!(reachable, "{r} cannot be reached");
        }
    }

    #[test]
    fn diagnostic_text_outranks_a_generic_status() {
        assert_eq!(
            reason_of(Some("5.1.1"), "550 5.1.1 Mailbox full"),
            Reason::MailboxFull
        );
        // "User unknown" is an unknown address only in reply to RCPT TO.
        let rcpt = Evidence {
            status: Some("5.0.0"),
            diagnostic: "550 5.0.0 User unknown",
            command: Some("RCPT"),
            ..Default::default()
        };
        assert_eq!(classify(&rcpt).reason, Reason::UserUnknown);
        let data = Evidence {
            command: Some("DATA"),
            ..rcpt
        };
        assert_eq!(classify(&data).reason, Reason::Filtered);
        assert_eq!(
            reason_of(Some("5.0.0"), "550 5.0.0 User unknown"),
            Reason::Filtered
        );
        assert_eq!(
            reason_of(Some("5.7.1"), "554 5.7.1 Relay access denied"),
            Reason::NoRelaying
        );
        assert_eq!(
            reason_of(Some("5.1.1"), "550 5.1.1 Relay access denied"),
            Reason::NoRelaying
        );
    }

    #[test]
    fn a_specific_status_decides_when_the_text_is_silent() {
        assert_eq!(
            reason_of(Some("5.1.1"), "550 5.1.1 see https://example.jp/help"),
            Reason::UserUnknown
        );
        assert_eq!(reason_of(Some("5.2.2"), ""), Reason::MailboxFull);
        assert_eq!(reason_of(Some("4.4.7"), ""), Reason::Expired);
        assert_eq!(reason_of(Some("5.3.4"), ""), Reason::MesgTooBig);
    }

    #[test]
    fn fallbacks_apply_in_order() {
        assert_eq!(
            reason_of(Some("5.7.0"), "550 5.7.0 nyaan"),
            Reason::SecurityError
        );
        assert_eq!(reason_of(Some("5.6.0"), "nyaan"), Reason::ContentError);
        let delayed = Evidence {
            action: Some("delayed"),
            ..Default::default()
        };
        assert_eq!(classify(&delayed).reason, Reason::Expired);
        assert_eq!(classify(&Evidence::default()).reason, Reason::Undefined);
        let delivered = Evidence {
            status: Some("2.0.0"),
            ..Default::default()
        };
        assert_eq!(classify(&delivered).reason, Reason::Delivered);
        // A diagnostic that says nothing known is held; a headline alone
        // ("delivery failed") says nothing about why: undefined.
        let unexplained = Evidence {
            diagnostic: "Delivery to the following recipients failed permanently:",
            ..Default::default()
        };
        assert_eq!(classify(&unexplained).reason, Reason::OnHold);
        let headline = Evidence {
            diagnostic_is_headline: true,
            ..unexplained
        };
        assert_eq!(classify(&headline).reason, Reason::Undefined);
    }

    #[test]
    fn hard_bounce_follows_reason_and_permanence() {
        let c = classify(&Evidence {
            status: Some("5.1.1"),
            ..Default::default()
        });
        assert!(c.hard_bounce);
        let c = classify(&Evidence {
            status: Some("5.2.2"),
            ..Default::default()
        });
        assert!(!c.hard_bounce);
        assert_eq!(c.detail, Some("quota"));
    }

    /// Regression: Postfix wraps Google's multi-line policy reply onto its
    /// own lines, and the `550-5.7.1` prefixes left mid-sentence split "has a
    /// policy that prohibited the mail", so "contact your domain
    /// administrator" decided (securityerror).
    #[test]
    fn a_multi_line_reply_joined_on_one_line_is_read_as_one_sentence() {
        let diagnostic = "<keiri@example.jp>: host aspmx.l.google.com[192.0.2.27] said: 550-5.7.1 The user or domain that you are sending to (or from) has a policy that 550-5.7.1 prohibited the mail that you sent. Please contact your domain 550-5.7.1 administrator for further details. For more information, go to 550 5.7.1  https://support.google.com/a/answer/172179 - gsmtp (in reply to end of DATA command)";
        assert_eq!(
            joined_reply(normalize(diagnostic)),
            "<keiri@example.jp>: host aspmx.l.google.com[192.0.2.27] said: 550 5.7.1 the user or domain that you are sending to (or from) has a policy that prohibited the mail that you sent. please contact your domain administrator for further details. for more information, go to https://support.google.com/a/answer/172179 - gsmtp (in reply to end of data command)"
        );
        assert_eq!(
            reason_of(Some("5.7.1"), diagnostic),
            Reason::PolicyViolation
        );
        // A DSN's "smtp;" right before the first prefix.
        assert_eq!(
            joined_reply(normalize(
                "smtp;550-5.7.1 has a policy that 550-5.7.1 prohibited the mail"
            )),
            "smtp;550 5.7.1 has a policy that prohibited the mail"
        );
        // Text without a continued reply is left as it is.
        let plain = normalize("550 5.1.1 user unknown - see x-y");
        assert_eq!(joined_reply(plain.clone()), plain);
    }

    /// Regression: Microsoft 365's directory refusal pasted without the
    /// command was demoted to filtered (user unknown not at RCPT TO).
    #[test]
    fn microsofts_directory_refusal_is_an_unknown_user_without_the_command() {
        let diagnostic = "550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [XX0PR00MB0000.example.prod.outlook.com]";
        assert_eq!(reason_of(Some("5.4.1"), diagnostic), Reason::UserUnknown);
    }

    /// Regression: greylisting under a status that names another reason
    /// (4.2.0 filtered, 4.7.1 securityerror) lost its topic, and the reply
    /// told the user to ask for their mail to be let through.
    #[test]
    fn greylisting_is_the_topic_whatever_reason_its_status_gives() {
        for (status, diagnostic) in [
            ("4.2.0", "450 4.2.0 <hanako@example.jp>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.jp.html"),
            ("4.7.1", "451 4.7.1 Greylisting in action, please come back later"),
        ] {
            let c = classify(&Evidence {
                status: Some(status),
                diagnostic,
                ..Default::default()
            });
            assert_eq!(c.detail, Some("greylisting"), "{diagnostic}");
            assert!(!c.hard_bounce, "{diagnostic}");
        }
    }
}
