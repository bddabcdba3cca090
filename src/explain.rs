//! Turns analyses into an [`Explanation`]: what happened, who must act, what
//! to do, in the Japanese of the response templates.
//!
//! The explanation is platform-neutral: plain strings and lists that the
//! terminal renderer and the Discord adapter lay out as they see fit. A bounce
//! with many recipients is summarised per reason, not repeated per address,
//! and addresses can be masked for chat.

use crate::analysis::{Analysis, RecipientResult};
use crate::classify::implied_detail;
use crate::reason::Reason;
use crate::responses::{fill, ResponseSet, Side, Template};
use crate::text::{mask_address, truncate_chars};
use serde::Serialize;

/// How an explanation is built.
#[derive(Debug, Clone)]
pub struct ExplainOptions {
    /// Show `ki****@example.org` instead of full addresses (chat default).
    pub mask_addresses: bool,
    /// Recipients listed per reason before "and N more".
    pub recipients_per_group: usize,
}

impl Default for ExplainOptions {
    fn default() -> Self {
        ExplainOptions {
            mask_addresses: true,
            recipients_per_group: 5,
        }
    }
}

/// How serious the answer is, for colouring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Not a failure (delivered, auto-reply, feedback) or not a bounce.
    Info,
    /// A failure that may pass later or once something is fixed.
    Soft,
    /// A failure that resending cannot fix.
    Hard,
}

/// One labelled fact ("status code: 5.1.1").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fact {
    pub label: String,
    pub value: String,
}

/// The advice for one reason, covering every recipient that failed for it.
#[derive(Debug, Clone, Serialize)]
pub struct ReasonGroup {
    pub reason: Reason,
    pub detail: Option<&'static str>,
    pub headline: String,
    /// English phrases people see in such bounces.
    pub seen_as: Vec<String>,
    pub summary: String,
    pub side: Side,
    pub side_label: String,
    pub hard_bounce: bool,
    pub bounce_kind_label: String,
    pub retry: String,
    pub checklist: Vec<String>,
    pub tell_recipient: Option<String>,
    /// Recipients as displayed (masked when asked).
    pub recipients: Vec<String>,
    pub recipient_count: usize,
    pub facts: Vec<Fact>,
    /// The servers' own words, one line per recipient, for the technical view.
    pub technical: Vec<String>,
}

/// What a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// The "bounce" has traits of a lure.
    Suspicious,
    /// The "bounce" is very probably a lure (phishing, malware).
    LikelySpoofed,
    /// Bounces for mail the user's domains did not send: a forged address or
    /// a hijacked account.
    Backscatter,
    /// The sending PC's clock is wrong (the returned original's Date is far
    /// from when it was received).
    Clock,
}

/// A warning shown before the explanation.
#[derive(Debug, Clone, Serialize)]
pub struct Warning {
    pub kind: WarningKind,
    pub headline: String,
    pub summary: String,
    pub checklist: Vec<String>,
    /// Why: one sentence per signal found.
    pub reasons: Vec<String>,
    /// Checks that could not be made (pasted text has no headers).
    pub not_checked: Vec<String>,
}

/// A whole answer.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// False when the input is not a bounce: `groups` is empty and
    /// `headline`/`summary`/`checklist` hold the not-a-bounce answer.
    pub is_bounce: bool,
    pub severity: Severity,
    /// The overall headline (the first group's, or the special answer's).
    pub headline: String,
    /// One sentence when several reasons were found.
    pub intro: Option<String>,
    pub groups: Vec<ReasonGroup>,
    /// For special answers (not a bounce, unknown): what to do.
    pub summary: Option<String>,
    pub checklist: Vec<String>,
    /// Notes about limits (only the first N recipients are shown).
    pub notes: Vec<String>,
    /// Spoof, backscatter and clock warnings, shown first.
    pub warnings: Vec<Warning>,
}

/// Builds the explanation of everything found in one input.
pub fn explain(
    analyses: &[Analysis],
    responses: &ResponseSet,
    options: &ExplainOptions,
) -> Explanation {
    let results: Vec<&RecipientResult> = analyses.iter().flat_map(|a| a.results.iter()).collect();
    let warnings = warnings(analyses, responses);
    // A mail that is most likely a lure gets no bounce advice at all:
    // "check the address and send again" would have the reader act on it.
    let likely_lure = warnings
        .iter()
        .any(|w| w.kind == WarningKind::LikelySpoofed);
    if results.is_empty() || likely_lure {
        let lure = warnings
            .iter()
            .find(|w| matches!(w.kind, WarningKind::Suspicious | WarningKind::LikelySpoofed));
        if let Some(first) = lure {
            // A lure dressed as a bounce: the warning is the answer.
            return Explanation {
                is_bounce: false,
                severity: Severity::Hard,
                headline: first.headline.clone(),
                intro: None,
                groups: Vec::new(),
                summary: (!results.is_empty()).then(|| responses.ui("bounce_advice_withheld", &[])),
                checklist: Vec::new(),
                notes: Vec::new(),
                warnings,
            };
        }
        let name = if analyses.iter().any(|a| a.notice_without_recipients) {
            "unknown"
        } else {
            "not_a_bounce"
        };
        return special(responses.special(name), name == "unknown", responses);
    }
    let total: usize = analyses.iter().map(|a| a.total_recipients).sum();
    let mut e = explain_results(&results, total, responses, options);
    if warnings.iter().any(|w| w.kind == WarningKind::Suspicious) {
        // The bounce may be fake: its advice holds only if it is genuine.
        let caveat = responses.ui("bounce_if_genuine", &[]);
        e.intro = Some(match e.intro.take() {
            Some(intro) => format!("{caveat}\n{intro}"),
            None => caveat,
        });
    }
    e.warnings = warnings;
    // Say what was not read.
    if let Some(cut) = analyses.iter().find(|a| a.input_truncated) {
        let limit = format_size(cut.input_limit);
        e.notes
            .push(responses.ui("input_truncated", &[("limit", limit)]));
    }
    if analyses.iter().any(|a| a.document.parts_truncated) {
        e.notes.push(responses.ui("parts_truncated", &[]));
    }
    e
}

/// The warnings the spoof check calls for: the strongest verdict of all the
/// inputs with the sentences of its signals, then backscatter, then a wrong
/// clock.
fn warnings(analyses: &[Analysis], responses: &ResponseSet) -> Vec<Warning> {
    use crate::spoof::Verdict;
    let mut out = Vec::new();
    let sentences = |names: Vec<&str>| -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        for name in names {
            if let Some(sentence) = responses.signal(name) {
                if !seen.iter().any(|s| s == sentence) {
                    seen.push(sentence.to_string());
                }
            }
        }
        seen
    };
    let count = analyses
        .iter()
        .map(|a| a.results.len())
        .sum::<usize>()
        .to_string();
    let warning =
        |kind: WarningKind, name: &str, reasons: Vec<String>, not_checked: Vec<String>| {
            let t = responses.warning(name);
            let fill_count = |s: &str| fill(s, |n| (n == "count").then(|| count.clone()));
            Warning {
                kind,
                headline: t.headline.clone(),
                summary: fill_count(&t.summary),
                checklist: t.checklist.iter().map(|c| fill_count(c)).collect(),
                reasons,
                not_checked,
            }
        };
    let verdict = analyses
        .iter()
        .map(|a| a.spoof.verdict)
        .max()
        .unwrap_or(Verdict::None);
    if verdict != Verdict::None {
        let flagged: Vec<&Analysis> = analyses
            .iter()
            .filter(|a| a.spoof.verdict == verdict)
            .collect();
        let reasons = sentences(
            flagged
                .iter()
                .flat_map(|a| {
                    a.spoof
                        .signals
                        .iter()
                        .filter(|s| s.weight > 0)
                        .map(|s| s.name)
                })
                .collect(),
        );
        let not_checked = sentences(
            flagged
                .iter()
                .flat_map(|a| a.spoof.not_checked.iter().copied())
                .collect(),
        );
        let (kind, name) = if verdict == Verdict::LikelySpoofed {
            (WarningKind::LikelySpoofed, "likely_spoofed")
        } else {
            (WarningKind::Suspicious, "suspicious")
        };
        out.push(warning(kind, name, reasons, not_checked));
    }
    if analyses.iter().any(|a| a.spoof.backscatter) {
        let names = analyses
            .iter()
            .flat_map(|a| a.spoof.signals.iter())
            .filter(|s| {
                matches!(
                    s.name,
                    "original_not_from_own_domain" | "many_unknown_recipients"
                )
            })
            .map(|s| s.name)
            .collect();
        out.push(warning(
            WarningKind::Backscatter,
            "backscatter",
            sentences(names),
            Vec::new(),
        ));
    }
    if analyses
        .iter()
        .any(|a| a.spoof.clock_skew_minutes.is_some())
    {
        out.push(warning(WarningKind::Clock, "clock", Vec::new(), Vec::new()));
    }
    out
}

/// Builds the explanation of a list of recipient results (`total` counts
/// those cut by the recipient limit too).
pub fn explain_results(
    results: &[&RecipientResult],
    total: usize,
    responses: &ResponseSet,
    options: &ExplainOptions,
) -> Explanation {
    if results.is_empty() {
        return special(responses.special("not_a_bounce"), false, responses);
    }

    // Group by reason, in order of first appearance.
    let mut order: Vec<Reason> = Vec::new();
    for r in results {
        if !order.contains(&r.reason) {
            order.push(r.reason);
        }
    }
    let groups: Vec<ReasonGroup> = order
        .iter()
        .map(|reason| {
            let members: Vec<&RecipientResult> = results
                .iter()
                .copied()
                .filter(|r| r.reason == *reason)
                .collect();
            group(*reason, &members, responses, options)
        })
        .collect();

    let severity = groups
        .iter()
        .map(|g| match (g.reason.is_not_a_failure(), g.hard_bounce) {
            (true, _) => Severity::Info,
            (false, true) => Severity::Hard,
            (false, false) => Severity::Soft,
        })
        .max()
        .unwrap_or(Severity::Info);

    let intro = (groups.len() > 1).then(|| {
        responses.ui(
            "multiple_reasons",
            &[
                ("count", results.len().to_string()),
                ("kinds", groups.len().to_string()),
            ],
        )
    });

    let mut notes = Vec::new();
    if total > results.len() {
        notes.push(responses.ui(
            "truncated",
            &[
                ("shown", results.len().to_string()),
                ("total", total.to_string()),
            ],
        ));
    }

    Explanation {
        is_bounce: true,
        severity,
        headline: groups[0].headline.clone(),
        intro,
        groups,
        summary: None,
        checklist: Vec::new(),
        notes,
        warnings: Vec::new(),
    }
}

fn special(t: &Template, is_bounce: bool, responses: &ResponseSet) -> Explanation {
    // Inside a sentence, where the template brackets the value itself.
    let unknown = responses.ui("unknown_inline", &[]);
    let fill_unknown = |s: &str| fill(s, |_| Some(unknown.clone()));
    Explanation {
        is_bounce,
        severity: Severity::Info,
        headline: t.headline.clone(),
        intro: None,
        groups: Vec::new(),
        summary: Some(fill_unknown(&t.summary)),
        checklist: t.checklist.iter().map(|c| fill_unknown(c)).collect(),
        notes: Vec::new(),
        warnings: Vec::new(),
    }
}

fn display_address(address: &str, options: &ExplainOptions, responses: &ResponseSet) -> String {
    if address.is_empty() {
        // The notice says why but not for whom (see `extract::unnamed_recipient`).
        responses.ui("recipient_not_named", &[])
    } else if options.mask_addresses {
        mask_address(address)
    } else {
        address.to_string()
    }
}

fn group(
    reason: Reason,
    members: &[&RecipientResult],
    responses: &ResponseSet,
    options: &ExplainOptions,
) -> ReasonGroup {
    let first = members[0];
    // The most specific advice: a detail topic the text showed, unless it is
    // only what the reason implies anyway.
    let detail = members.iter().find_map(|m| m.detail);
    let detail_template = detail
        .filter(|d| implied_detail(reason) != Some(*d))
        .and_then(|d| responses.detail(d));
    let reason_template = responses.reason(reason);
    let t = detail_template.unwrap_or(reason_template);

    // Template values stand inside sentences that put them in brackets
    // themselves ("the address ({recipient})"), so the unbracketed forms.
    let unknown = responses.ui("unknown_inline", &[]);
    let recipient = if first.recipient.is_empty() {
        responses.ui("recipient_not_named_inline", &[])
    } else {
        display_address(&first.recipient, options, responses)
    };
    let domain = first.recipient.rsplit_once('@').map(|(_, d)| d.to_string());
    let value = |name: &str| -> Option<String> {
        Some(match name {
            "recipient" => recipient.clone(),
            "recipient_domain" => domain.clone().unwrap_or_else(|| unknown.clone()),
            "status" => first.status.clone().unwrap_or_else(|| unknown.clone()),
            "reply_code" => first
                .reply_code
                .map(|c| c.to_string())
                .unwrap_or_else(|| unknown.clone()),
            "reporting_mta" => first
                .reporting_mta
                .clone()
                .unwrap_or_else(|| unknown.clone()),
            "remote_mta" => first.remote_mta.clone().unwrap_or_else(|| unknown.clone()),
            "command" => first.command.clone().unwrap_or_else(|| unknown.clone()),
            "count" => members.len().to_string(),
            _ => return None,
        })
    };
    let render = |s: &str| fill(s, value);

    let shown: Vec<String> = members
        .iter()
        .take(options.recipients_per_group)
        .map(|m| display_address(&m.recipient, options, responses))
        .collect();
    let mut recipients_line = shown.join(", ");
    if members.len() > shown.len() {
        recipients_line.push(' ');
        recipients_line.push_str(&responses.ui(
            "recipients_more",
            &[("n", (members.len() - shown.len()).to_string())],
        ));
    }

    let mut facts = vec![Fact {
        label: responses.ui("fact_recipient", &[]),
        value: recipients_line,
    }];
    let mut push_fact = |key: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            facts.push(Fact {
                label: responses.ui(key, &[]),
                value: v,
            });
        }
    };
    push_fact("fact_status", first.status.clone());
    push_fact("fact_reply_code", first.reply_code.map(|c| c.to_string()));
    push_fact("fact_reporting_mta", first.reporting_mta.clone());
    push_fact("fact_remote_mta", first.remote_mta.clone());
    push_fact("fact_command", first.command.clone());
    push_fact("fact_reason", Some(reason.as_str().to_string()));
    if members.len() > 1 {
        push_fact("fact_count", Some(members.len().to_string()));
    }

    let technical = members
        .iter()
        .filter(|m| !m.diagnostic.is_empty())
        .take(20)
        .map(|m| {
            let text = truncate_chars(&m.diagnostic, 600);
            let text = if options.mask_addresses {
                mask_addresses_in(&text)
            } else {
                text
            };
            if m.recipient.is_empty() {
                text
            } else {
                format!(
                    "{}: {}",
                    display_address(&m.recipient, options, responses),
                    text
                )
            }
        })
        .collect();

    let hard_bounce = members.iter().any(|m| m.hard_bounce);
    ReasonGroup {
        reason,
        detail,
        headline: t.headline.clone(),
        seen_as: t.seen_as.clone(),
        summary: render(&t.summary),
        side: t.side,
        side_label: responses.ui(t.side.ui_key(), &[]),
        hard_bounce,
        bounce_kind_label: responses.ui(bounce_kind(reason, hard_bounce, members), &[]),
        retry: render(&t.retry),
        checklist: t.checklist.iter().map(|c| render(c)).collect(),
        tell_recipient: t.tell_recipient.as_deref().map(render),
        recipients: shown,
        recipient_count: members.len(),
        facts,
        technical,
    }
}

/// The `ui.toml` key of the "resending" label of a reason group.
///
/// A soft bounce is not always temporary: a 5xx refusal for a reason the
/// sender can remove (a blocklisted server, a filter, a full mailbox) is
/// final for this mail, and only a mail sent again after the cause is fixed
/// can arrive. So the label follows the notice itself: still being retried
/// (`delayed`), given up after temporary (4xx) errors (`temporary_failure`),
/// or refused for good (`soft_bounce`, "fix the cause, then send again").
fn bounce_kind(reason: Reason, hard_bounce: bool, members: &[&RecipientResult]) -> &'static str {
    if reason.is_not_a_failure() {
        return "not_a_failure";
    }
    if hard_bounce {
        return "hard_bounce";
    }
    let delayed = |m: &&RecipientResult| {
        m.action
            .as_deref()
            .is_some_and(|a| a.eq_ignore_ascii_case("delayed"))
    };
    if !members.is_empty() && members.iter().all(delayed) {
        return "delayed";
    }
    let temporary = |m: &&RecipientResult| match (m.status.as_deref(), m.reply_code) {
        (Some(status), _) => status.starts_with('4'),
        (None, Some(code)) => (400..500).contains(&code),
        (None, None) => false,
    };
    if !members.is_empty() && members.iter().all(temporary) {
        "temporary_failure"
    } else {
        "soft_bounce"
    }
}

/// Masks every address in free text (diagnostics quote the recipient).
pub fn mask_addresses_in(text: &str) -> String {
    crate::text::ADDRESS
        .replace_all(text, |c: &regex::Captures<'_>| mask_address(&c[0]))
        .into_owned()
}

/// A byte count as the answers show it: whole MB, else KB, else bytes.
fn format_size(bytes: usize) -> String {
    const MB: usize = 1024 * 1024;
    match bytes {
        b if b >= MB && b % MB == 0 => format!("{} MB", b / MB),
        b if b >= MB => format!("{:.1} MB", b as f64 / MB as f64),
        b if b >= 1024 => format!("{} KB", b / 1024),
        b => format!("{b} B"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{analyze_text, Options};

    fn explain_text(text: &str) -> Explanation {
        explain(
            &analyze_text(text, &Options::default()),
            ResponseSet::embedded(),
            &ExplainOptions::default(),
        )
    }

    #[test]
    fn sizes_are_shown_in_the_largest_whole_unit() {
        assert_eq!(format_size(64 * 1024 * 1024), "64 MB");
        assert_eq!(format_size(10_000_000), "9.5 MB");
        assert_eq!(format_size(4096), "4 KB");
        assert_eq!(format_size(100), "100 B");
    }

    #[test]
    fn chat_gets_the_not_a_bounce_answer() {
        let e = explain_text("what does 550 5.1.1 mean?");
        assert!(!e.is_bounce);
        assert!(e.groups.is_empty());
        assert_eq!(
            e.headline,
            ResponseSet::embedded().special("not_a_bounce").headline
        );
    }

    #[test]
    fn recipients_are_grouped_per_reason_and_masked() {
        let text = "This is the mail system at host mx.example.jp.\n\n<kijitora@example.net>: host mx.example.net[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n<mikeneko@example.net>: host mx.example.net[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n<sabineko@example.org>: host mx.example.org[192.0.2.2] said: 552 5.2.2 Mailbox full (in reply to RCPT TO command)\n";
        let e = explain_text(text);
        assert!(e.is_bounce);
        assert_eq!(e.groups.len(), 2);
        assert_eq!(e.groups[0].reason, Reason::UserUnknown);
        assert_eq!(e.groups[0].recipient_count, 2);
        assert_eq!(
            e.groups[0].recipients,
            ["ki****@example.net", "mi****@example.net"]
        );
        assert_eq!(e.severity, Severity::Hard);
        assert!(e.intro.is_some());
        let rendered = format!("{:?}", e);
        assert!(!rendered.contains("kijitora@"), "addresses must be masked");
        for g in &e.groups {
            for text in g
                .checklist
                .iter()
                .chain([&g.summary, &g.retry])
                .chain(g.tell_recipient.iter())
            {
                assert!(!text.contains('{'), "every placeholder is filled: {text}");
            }
        }
    }

    #[test]
    fn a_detail_topic_replaces_the_reason_advice() {
        let text = "This is the mail system at host mx.example.jp.\n\n<kijitora@example.net>: host mx.example.net[192.0.2.1] said: 550 5.7.26 This message does not pass DMARC policy checks (in reply to end of DATA command)\n";
        let e = explain_text(text);
        let g = &e.groups[0];
        assert_eq!(g.reason, Reason::AuthFailure);
        assert_eq!(g.detail, Some("dmarc"));
        assert_eq!(
            g.headline,
            ResponseSet::embedded().detail("dmarc").unwrap().headline
        );
    }
}
