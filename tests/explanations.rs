//! Snapshot tests of the Japanese explanation, one per reason and one per
//! detail topic, so every change of wording is a reviewable diff
//! (`cargo insta review`). The results are built directly, with fixed
//! facts, so the snapshots change only when the wording or layout does.

use bouncedesk::explain::{explain_results, ExplainOptions};
use bouncedesk::render::explanation_text;
use bouncedesk::responses::ResponseSet;
use bouncedesk::rules::DETAIL_TOPICS;
use bouncedesk::{Reason, RecipientResult};

fn result(reason: Reason, detail: Option<&'static str>) -> RecipientResult {
    RecipientResult {
        recipient: "kijitora@example.org".into(),
        action: Some("failed".into()),
        reason,
        detail,
        status: Some("5.0.0".into()),
        reply_code: Some(550),
        hard_bounce: reason.is_hard(true),
        command: Some("RCPT".into()),
        diagnostic: "550 5.0.0 <kijitora@example.org>: example diagnostic".into(),
        remote_mta: Some("mx.example.org".into()),
        reporting_mta: Some("mail.example.jp".into()),
        mta: Some("Postfix".into()),
    }
}

fn render(results: &[RecipientResult]) -> String {
    let set = ResponseSet::embedded();
    let refs: Vec<&RecipientResult> = results.iter().collect();
    let e = explain_results(&refs, refs.len(), set, &ExplainOptions::default());
    explanation_text(&e, set, true)
}

#[test]
fn every_reason_renders() {
    for reason in Reason::ALL {
        let text = render(&[result(*reason, None)]);
        assert!(
            !text.contains("kijitora@"),
            "{reason}: the address must be masked"
        );
        assert!(
            !text.contains('{'),
            "{reason}: a placeholder was left: {text}"
        );
        insta::assert_snapshot!(format!("reason_{}", reason.as_str()), text);
    }
}

#[test]
fn every_detail_topic_renders() {
    // A reason the topic fits, so the topic's advice is the one shown.
    for topic in DETAIL_TOPICS {
        let reason = [
            Reason::Blocked,
            Reason::SecurityError,
            Reason::Expired,
            Reason::OnHold,
            Reason::Feedback,
        ]
        .into_iter()
        .find(|r| {
            bouncedesk::classify::detail_fits(*r, topic)
                && bouncedesk::classify::implied_detail(*r) != Some(*topic)
        })
        .unwrap_or_else(|| panic!("{topic}: no reason here that it explains"));
        let text = render(&[result(reason, Some(topic))]);
        let headline = &ResponseSet::embedded().detail(topic).unwrap().headline;
        assert!(
            text.contains(headline.as_str()),
            "{topic}: its advice is not shown"
        );
        insta::assert_snapshot!(format!("detail_{topic}"), text);
    }
}

#[test]
fn several_reasons_are_summarised_per_reason() {
    let mut many: Vec<RecipientResult> = (0..7)
        .map(|i| RecipientResult {
            recipient: format!("user{i}@example.org"),
            ..result(Reason::UserUnknown, None)
        })
        .collect();
    many.push(result(Reason::MailboxFull, Some("quota")));
    insta::assert_snapshot!("several_reasons", render(&many));
}

/// A notice that names no recipient (the address cut out before pasting):
/// the facts say so instead of showing an empty address.
#[test]
fn an_unnamed_recipient_is_said_to_be_missing_from_the_notice() {
    let mut unnamed = result(Reason::UserUnknown, None);
    unnamed.recipient = String::new();
    let text = render(&[unnamed]);
    let set = ResponseSet::embedded();
    assert!(text.contains(&set.ui("recipient_not_named", &[])), "{text}");
    insta::assert_snapshot!("unnamed_recipient", text);
}

/// Values inside sentences that bracket them themselves come unbracketed: no
/// 「（（不明））」 when a fact is missing or the recipient is not named.
#[test]
fn missing_values_inside_sentences_are_not_bracketed_twice() {
    for reason in Reason::ALL {
        let mut unnamed = result(*reason, None);
        unnamed.recipient = String::new();
        unnamed.status = None;
        unnamed.reply_code = None;
        unnamed.remote_mta = None;
        unnamed.reporting_mta = None;
        unnamed.command = None;
        let text = render(&[unnamed]);
        assert!(!text.contains("（（"), "{reason:?}: {text}");
    }
}

/// The "resending" label follows the notice, not only hard/soft: a soft
/// bounce still being retried, one given up after temporary errors, and a
/// permanent refusal each get their own label, never "temporary" for a 5xx.
#[test]
fn the_resending_label_follows_the_notice() {
    let set = ResponseSet::embedded();
    let with = |reason: Reason, action: &str, status: Option<&str>, reply: Option<u16>| {
        let mut r = result(reason, None);
        r.action = Some(action.into());
        r.status = status.map(Into::into);
        r.reply_code = reply;
        r.hard_bounce = reason.is_hard(status.is_some_and(|s| s.starts_with('5')));
        render(&[r])
    };
    let cases = [
        (
            with(Reason::UserUnknown, "failed", Some("5.1.1"), Some(550)),
            "hard_bounce",
        ),
        (
            with(Reason::Expired, "delayed", Some("4.4.7"), None),
            "delayed",
        ),
        (
            with(Reason::Expired, "failed", Some("4.4.7"), None),
            "temporary_failure",
        ),
        (
            with(Reason::TooManyConn, "failed", None, Some(421)),
            "temporary_failure",
        ),
        (
            with(Reason::Blocked, "failed", Some("5.7.1"), Some(554)),
            "soft_bounce",
        ),
        (
            with(Reason::MailboxFull, "failed", Some("5.2.2"), Some(552)),
            "soft_bounce",
        ),
    ];
    for (text, key) in cases {
        let label = set.ui(key, &[]);
        assert!(
            text.contains(&label),
            "expected the {key} label in:\n{text}"
        );
        for other in ["hard_bounce", "delayed", "temporary_failure", "soft_bounce"] {
            if other != key {
                assert!(
                    !text.contains(&set.ui(other, &[])),
                    "{other} label too in:\n{text}"
                );
            }
        }
    }
}

fn explain_file(path: &str, edit: impl Fn(&mut bouncedesk::Analysis)) -> String {
    let set = ResponseSet::embedded();
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let bytes = std::fs::read(file).expect("fixture");
    let mut analyses = bouncedesk::analyze(&bytes, &bouncedesk::Options::default());
    analyses.iter_mut().for_each(edit);
    let e = bouncedesk::explain::explain(&analyses, set, &ExplainOptions::default());
    explanation_text(&e, set, false)
}

#[test]
fn a_likely_lure_gets_no_bounce_advice_and_a_suspicious_one_a_caveat() {
    let set = ResponseSet::embedded();
    let retry = set.ui("section_retry", &[]);
    // A fake "Returned mail" with a transcript.zip that names a recipient.
    let lure = explain_file(
        "tests/fixtures/lures/fake-ndr-zip-sendmail-shape.eml",
        |_| {},
    );
    assert!(
        lure.contains(&set.ui("bounce_advice_withheld", &[])),
        "{lure}"
    );
    assert!(
        !lure.contains(&retry),
        "no resend advice under a likely lure:\n{lure}"
    );
    // A genuine bounce is explained without the caveat...
    let genuine = explain_file("tests/fixtures/lures/genuine-postfix.eml", |_| {});
    let caveat = set.ui("bounce_if_genuine", &[]);
    assert!(
        genuine.contains(&retry) && !genuine.contains(&caveat),
        "{genuine}"
    );
    // ...and, when the check only doubts it, with the caveat above the advice.
    let doubted = explain_file("tests/fixtures/lures/genuine-postfix.eml", |a| {
        a.spoof.verdict = bouncedesk::spoof::Verdict::Suspicious;
    });
    let at = doubted.find(&caveat).expect("the caveat");
    assert!(at < doubted.find(&retry).expect("the advice"), "{doubted}");
}
