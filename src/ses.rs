//! Amazon SES notifications in JSON.
//!
//! SES reports bounces, complaints and deliveries as a JSON document (sent
//! through SNS to an e-mail subscription, or forwarded as it is). There is no
//! human-readable notice to read, so the JSON itself is the format: this
//! module finds the document in the text and turns each recipient it names
//! into the same evidence the notice reader produces.

use crate::extract::Found;
use serde::Deserialize;

/// What a SES notification says.
#[derive(Debug, Clone)]
pub enum Notification {
    /// A bounce: recipients with their evidence.
    Bounce(Vec<Found>),
    /// A complaint (the recipient pressed "spam"): the complaining addresses.
    Complaint(Vec<String>),
    /// A delivery report: recipients with the receiving server's reply.
    Delivery(Vec<Found>),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    notification_type: Option<String>,
    event_type: Option<String>,
    bounce: Option<Bounce>,
    complaint: Option<Complaint>,
    delivery: Option<Delivery>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bounce {
    bounce_type: Option<String>,
    #[serde(default)]
    bounced_recipients: Vec<BouncedRecipient>,
    reporting_mta: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BouncedRecipient {
    email_address: String,
    action: Option<String>,
    status: Option<String>,
    diagnostic_code: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Complaint {
    #[serde(default)]
    complained_recipients: Vec<ComplainedRecipient>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ComplainedRecipient {
    email_address: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Delivery {
    #[serde(default)]
    recipients: Vec<String>,
    smtp_response: Option<String>,
    reporting_mta: Option<String>,
}

/// Reads a SES notification out of the text, if there is one.
pub fn parse(text: &str) -> Option<Notification> {
    let start = text
        .find("{\"notificationType\"")
        .or_else(|| text.find("{\"eventType\""))?;
    // Mail clients wrap long lines, also inside JSON strings: join them.
    let joined: String = text[start..]
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("");
    let mut stream = serde_json::Deserializer::from_str(&joined).into_iter::<Document>();
    let doc = stream.next()?.ok()?;
    let kind = doc
        .notification_type
        .or(doc.event_type)?
        .to_ascii_lowercase();
    match kind.as_str() {
        "bounce" => {
            let bounce = doc.bounce?;
            let transient = bounce
                .bounce_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("transient"));
            let found = bounce
                .bounced_recipients
                .into_iter()
                .map(|r| {
                    let diagnostic = r.diagnostic_code.unwrap_or_default();
                    Found {
                        recipient: r.email_address,
                        action: r
                            .action
                            .or_else(|| Some(if transient { "delayed" } else { "failed" }.into())),
                        status: r
                            .status
                            .and_then(|s| crate::text::find_status(&s))
                            .or_else(|| crate::text::find_last_status(&diagnostic)),
                        reply_code: crate::text::find_reply_code(&diagnostic),
                        diagnostic,
                        remote_mta: bounce.reporting_mta.clone(),
                        certain: true,
                        ..Default::default()
                    }
                })
                .collect();
            Some(Notification::Bounce(found))
        }
        "complaint" => Some(Notification::Complaint(
            doc.complaint?
                .complained_recipients
                .into_iter()
                .map(|r| r.email_address)
                .collect(),
        )),
        "delivery" => {
            let delivery = doc.delivery?;
            let response = delivery.smtp_response.unwrap_or_default();
            let found = delivery
                .recipients
                .into_iter()
                .map(|recipient| Found {
                    recipient,
                    action: Some("delivered".into()),
                    status: crate::text::find_status(&response),
                    reply_code: crate::text::find_reply_code(&response),
                    diagnostic: response.clone(),
                    remote_mta: delivery.reporting_mta.clone(),
                    certain: true,
                    ..Default::default()
                })
                .collect();
            Some(Notification::Delivery(found))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_bounce_notification_is_read() {
        let text = "{\"notificationType\":\"Bounce\",\"bounce\":{\"bounceType\":\"Permanent\",\"bouncedRecipients\":[{\"emailAddress\":\"hanako@exa\nmple.net\",\"action\":\"failed\",\"status\":\"5.1.1\",\"diagnosticCode\":\"smtp; 550 5.1.1 user unknown\"}]}}\n--\nfooter";
        match parse(text) {
            Some(Notification::Bounce(found)) => {
                assert_eq!(found.len(), 1);
                assert_eq!(found[0].recipient, "hanako@example.net");
                assert_eq!(found[0].status.as_deref(), Some("5.1.1"));
                assert_eq!(found[0].reply_code, Some(550));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn complaints_and_deliveries_are_told_apart() {
        let complaint = "{\"notificationType\":\"Complaint\",\"complaint\":{\"complainedRecipients\":[{\"emailAddress\":\"a@example.jp\"}]}}";
        assert!(
            matches!(parse(complaint), Some(Notification::Complaint(v)) if v == ["a@example.jp"])
        );
        let delivery = "{\"notificationType\":\"Delivery\",\"delivery\":{\"recipients\":[\"b@example.jp\"],\"smtpResponse\":\"250 2.6.0 Message received\"}}";
        assert!(
            matches!(parse(delivery), Some(Notification::Delivery(v)) if v[0].status.as_deref() == Some("2.6.0"))
        );
        assert!(parse("{\"notificationType\": broken").is_none());
    }
}
