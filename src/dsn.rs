//! RFC 3464 delivery-status fields.
//!
//! Reads the per-message and per-recipient field groups of a
//! `message/delivery-status` part, and the same fields when a person pasted
//! them as text. Tolerant on purpose: fields may be folded, groups may lack
//! the blank line between them, and vendors add `X-` fields of their own.

/// Fields about the whole report.
#[derive(Debug, Default, Clone)]
pub struct MessageFields {
    pub reporting_mta: Option<String>,
    pub received_from_mta: Option<String>,
    pub arrival_date: Option<String>,
}

/// Fields about one recipient.
#[derive(Debug, Default, Clone)]
pub struct RecipientFields {
    pub final_recipient: Option<String>,
    pub original_recipient: Option<String>,
    pub action: Option<String>,
    pub status: Option<String>,
    /// A comment after the status code: `5.2.1 (mailbox disabled, ...)`.
    pub status_comment: Option<String>,
    pub remote_mta: Option<String>,
    /// The type of the diagnostic (`smtp`, `x-unix`, `x-postfix`), lowercased.
    pub diagnostic_type: Option<String>,
    pub diagnostic: Option<String>,
    pub last_attempt_date: Option<String>,
}

impl RecipientFields {
    /// The address the report is about: Final-Recipient, else Original-Recipient.
    pub fn address(&self) -> Option<&str> {
        self.final_recipient
            .as_deref()
            .or(self.original_recipient.as_deref())
    }
}

/// A parsed delivery-status part.
#[derive(Debug, Default, Clone)]
pub struct DeliveryStatus {
    pub message: MessageFields,
    pub recipients: Vec<RecipientFields>,
}

/// Unfolds the text into (lowercased name, value) fields, keeping order.
fn fields(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut last_was_field = false;
    for line in text.lines() {
        if line.trim().is_empty() {
            out.push((String::new(), String::new()));
            last_was_field = false;
            continue;
        }
        if line.starts_with([' ', '\t']) && last_was_field {
            if let Some((_, v)) = out.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        match line.split_once(':') {
            Some((name, value))
                if !name.is_empty()
                    && name.len() < 40
                    && name
                        .trim()
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-') =>
            {
                out.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
                last_was_field = true;
            }
            _ => {
                last_was_field = false;
            }
        }
    }
    out
}

/// Strips the address-type or MTA-name-type prefix: `rfc822; a@b` -> `a@b`.
fn typed_value(value: &str) -> (Option<String>, String) {
    match value.split_once(';') {
        Some((kind, rest)) if !kind.trim().is_empty() && !kind.contains(' ') && kind.len() < 20 => {
            (
                Some(kind.trim().to_ascii_lowercase()),
                rest.trim().to_string(),
            )
        }
        _ => (None, value.trim().to_string()),
    }
}

fn clean_recipient(value: &str) -> Option<String> {
    let (_, v) = typed_value(value);
    crate::text::ADDRESS
        .find(&v)
        .and_then(|m| crate::text::clean_address(m.as_str()))
}

/// False when the text cannot hold a recipient group: every group opens
/// with a `Final-Recipient` or `Original-Recipient` field (a notice's
/// "one or more recipients" has no hyphen). A cheap test before [`parse`]
/// reads every line of a notice as a field.
pub fn may_name_recipients(text: &str) -> bool {
    static RECIPIENT: std::sync::LazyLock<aho_corasick::AhoCorasick> =
        std::sync::LazyLock::new(|| {
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(["-recipient"])
                .expect("a single literal builds")
        });
    RECIPIENT.is_match(text)
}

/// Reads every field group of the text. Recipients without an address are
/// dropped; a recipient group starts at the first Final- or Original-Recipient
/// after a blank line or after another recipient's fields.
pub fn parse(text: &str) -> DeliveryStatus {
    let mut ds = DeliveryStatus::default();
    let mut current: Option<RecipientFields> = None;
    let flush = |current: &mut Option<RecipientFields>, ds: &mut DeliveryStatus| {
        if let Some(r) = current.take() {
            if r.address().is_some() && ds.recipients.len() < crate::analysis::MAX_RECIPIENTS_PARSED
            {
                ds.recipients.push(r);
            }
        }
    };
    // A blank line ends a group: the next recipient field starts a new one.
    let mut after_blank = true;
    for (name, value) in fields(text) {
        if name.is_empty() {
            after_blank = true;
            continue;
        }
        let blank_before = std::mem::replace(&mut after_blank, false);
        match name.as_str() {
            "reporting-mta" => ds.message.reporting_mta = Some(typed_value(&value).1),
            "received-from-mta" => ds.message.received_from_mta = Some(typed_value(&value).1),
            "arrival-date" => ds.message.arrival_date = Some(value),
            "final-recipient" | "original-recipient" => {
                let addr = clean_recipient(&value);
                let starts_new = match &current {
                    None => true,
                    Some(r) => {
                        blank_before
                            || if name == "final-recipient" {
                                r.final_recipient.is_some()
                            } else {
                                r.original_recipient.is_some()
                            }
                    }
                };
                if starts_new {
                    flush(&mut current, &mut ds);
                    current = Some(RecipientFields::default());
                }
                let r = current.get_or_insert_with(RecipientFields::default);
                if name == "final-recipient" {
                    r.final_recipient = addr;
                } else {
                    r.original_recipient = addr;
                }
            }
            other => {
                let Some(r) = current.as_mut() else { continue };
                match other {
                    "action" => r.action = Some(value.to_ascii_lowercase()),
                    "status" => {
                        r.status_comment = value
                            .split_once('(')
                            .map(|(_, c)| c.trim_end().trim_end_matches(')').trim().to_string())
                            .filter(|c| !c.is_empty());
                        r.status = crate::text::find_status(&value).or_else(|| {
                            let v = value.trim();
                            (!v.is_empty())
                                .then(|| v.split_whitespace().next().unwrap_or(v).to_string())
                        })
                    }
                    "remote-mta" => r.remote_mta = Some(typed_value(&value).1),
                    "diagnostic-code" => {
                        let (kind, text) = typed_value(&value);
                        r.diagnostic_type = kind;
                        r.diagnostic = Some(text);
                    }
                    "last-attempt-date" => r.last_attempt_date = Some(value),
                    "x-actual-recipient" if r.final_recipient.is_none() => {
                        r.final_recipient = clean_recipient(&value)
                    }
                    _ => {}
                }
            }
        }
    }
    flush(&mut current, &mut ds);
    ds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_folded_fields_and_types_are_read() {
        let text = "Reporting-MTA: dns; mx.example.jp\nArrival-Date: Mon, 1 Jan 2024\n\nFinal-Recipient: rfc822; hanako@example.net\nOriginal-Recipient: rfc822;hanako@example.net\nAction: failed\nStatus: 5.1.1\nRemote-MTA: dns; mx.example.net\nDiagnostic-Code: smtp; 550 5.1.1 <hanako@example.net>:\n    Recipient address rejected: User unknown\n\nFinal-Recipient: rfc822; jiro@example.net\nAction: delayed\nStatus: 4.4.7\n";
        let ds = parse(text);
        assert_eq!(ds.message.reporting_mta.as_deref(), Some("mx.example.jp"));
        assert_eq!(ds.recipients.len(), 2);
        let first = &ds.recipients[0];
        assert_eq!(first.address(), Some("hanako@example.net"));
        assert_eq!(first.status.as_deref(), Some("5.1.1"));
        assert_eq!(first.diagnostic_type.as_deref(), Some("smtp"));
        assert_eq!(
            first.diagnostic.as_deref(),
            Some("550 5.1.1 <hanako@example.net>: Recipient address rejected: User unknown")
        );
        assert_eq!(ds.recipients[1].action.as_deref(), Some("delayed"));
    }

    #[test]
    fn only_a_text_naming_a_recipient_field_may_hold_a_group() {
        for text in [
            "Final-Recipient: rfc822; a@example.jp\nStatus: 5.1.1\n",
            "ORIGINAL-RECIPIENT: rfc822; a@example.jp\n",
        ] {
            assert!(may_name_recipients(text));
            assert_eq!(parse(text).recipients.len(), 1);
        }
        let text = "Could not be delivered to one or more recipients.\nReporting-MTA: dns; mx.example.jp\nAction: failed\nStatus: 5.1.1\n";
        assert!(!may_name_recipients(text));
        assert!(parse(text).recipients.is_empty());
    }

    #[test]
    fn groups_without_blank_lines_are_split_at_each_recipient() {
        let ds = parse("Final-Recipient: rfc822; a@example.jp\nStatus: 5.1.1\nFinal-Recipient: rfc822; b@example.jp\nStatus: 5.2.2\n");
        assert_eq!(ds.recipients.len(), 2);
        assert_eq!(ds.recipients[1].status.as_deref(), Some("5.2.2"));
    }
}
