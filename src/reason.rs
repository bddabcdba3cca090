//! The 36 bounce reasons.
//!
//! The vocabulary is Sisimai's, the most widely used bounce classifier, so that
//! results compare with it and with its public corpus. Each reason has a one-line
//! meaning (shown by `bouncedesk reasons`) and a default hard/soft nature.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! reasons {
    ($($variant:ident => $name:literal, $doc:literal;)*) => {
        /// Why a message could not be delivered (or what the report is, for
        /// `delivered`, `feedback` and `vacation`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum Reason { $(#[doc = $doc] $variant,)* }

        impl Reason {
            /// Every reason, in alphabetical order of its machine name.
            pub const ALL: &'static [Reason] = &[$(Reason::$variant,)*];

            /// The machine name, e.g. `userunknown`.
            pub fn as_str(self) -> &'static str {
                match self { $(Reason::$variant => $name,)* }
            }

            /// One line saying what the reason means.
            pub fn description(self) -> &'static str {
                match self { $(Reason::$variant => $doc,)* }
            }

            /// Parses a machine name (case-insensitive).
            pub fn from_name(name: &str) -> Option<Reason> {
                let lower = name.trim().to_ascii_lowercase();
                match lower.as_str() { $($name => Some(Reason::$variant),)* _ => None }
            }
        }
    };
}

reasons! {
    AuthFailure => "authfailure", "SPF, DKIM or DMARC authentication of the sender failed.";
    BadReputation => "badreputation", "The sending IP address or domain has a poor reputation at the receiver.";
    Blocked => "blocked", "The sending host or IP address was refused (blocklist, no PTR, rejected at connection).";
    ContentError => "contenterror", "The message content or format was refused (broken headers, MIME, encoding).";
    Delivered => "delivered", "Not a failure: the report says the message was delivered.";
    ExceedLimit => "exceedlimit", "The message exceeds the recipient's own size limit.";
    Expired => "expired", "Delivery gave up after retrying for too long (remote host unreachable or deferring).";
    FailedStartTls => "failedstarttls", "STARTTLS failed or TLS was required and could not be established.";
    Feedback => "feedback", "A feedback (ARF) report: a recipient marked the message as spam or abuse.";
    Filtered => "filtered", "The recipient's filter or settings refused the message (sender not allowed, rule).";
    HasMoved => "hasmoved", "The recipient address has moved; mail must go to a new address.";
    HostUnknown => "hostunknown", "The recipient's domain does not exist or has no mail server.";
    MailboxFull => "mailboxfull", "The recipient's mailbox is full (over quota).";
    MailerError => "mailererror", "The recipient server's local delivery program failed (procmail, pipe).";
    MesgTooBig => "mesgtoobig", "The message is larger than the receiving server accepts.";
    NetworkError => "networkerror", "A DNS, routing or network error, or a mail loop, stopped delivery.";
    NoRelaying => "norelaying", "Relaying was denied: the server does not forward mail for this sender.";
    NotAccept => "notaccept", "The recipient's domain or server does not accept mail at all (null MX, 521/556).";
    NotCompliantRfc => "notcompliantrfc", "The message violates the RFCs (duplicate or malformed headers).";
    OnHold => "onhold", "A failure whose reason could not be decided from the text given.";
    PolicyViolation => "policyviolation", "The receiving organisation's policy forbids this message (attachment, external mail).";
    Rejected => "rejected", "The envelope sender address was refused.";
    RequirePtr => "requireptr", "The sending host has no valid reverse DNS (PTR) record.";
    SecurityError => "securityerror", "A security problem: authentication required or failed, or a certificate error.";
    SpamDetected => "spamdetected", "The message was judged to be spam.";
    Speeding => "speeding", "The sender is sending too fast and is being rate limited.";
    Suppressed => "suppressed", "The address is on a suppression list, so the message was not even sent.";
    Suspend => "suspend", "The recipient's account is suspended, disabled or inactive.";
    SyntaxError => "syntaxerror", "An SMTP command syntax or sequence error.";
    SystemError => "systemerror", "An internal error of the receiving mail system.";
    SystemFull => "systemfull", "The receiving server's disk is full.";
    TooManyConn => "toomanyconn", "Too many connections or recipients from the sender at once.";
    Undefined => "undefined", "A bounce whose reason could not be determined at all.";
    UserUnknown => "userunknown", "The recipient address does not exist.";
    Vacation => "vacation", "Not a failure: an automatic reply such as an out-of-office notice.";
    VirusDetected => "virusdetected", "A virus or malware was found in the message.";
}

impl Reason {
    /// Whether resending the same message to the same address cannot succeed.
    ///
    /// Only an address that does not exist, a domain that does not exist and an
    /// address that has moved are hard; `notaccept` is hard when the refusal was
    /// permanent (a 5xx reply). Everything else may succeed once something is
    /// fixed or time passes, which is how Sisimai counts it too.
    pub fn is_hard(self, permanent: bool) -> bool {
        match self {
            Reason::UserUnknown | Reason::HostUnknown | Reason::HasMoved => true,
            Reason::NotAccept => permanent,
            _ => false,
        }
    }

    /// Reports that are not failures at all.
    pub fn is_not_a_failure(self) -> bool {
        matches!(
            self,
            Reason::Delivered | Reason::Feedback | Reason::Vacation
        )
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_36_reasons_with_unique_names_that_round_trip() {
        assert_eq!(Reason::ALL.len(), 36);
        let mut names: Vec<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 36);
        for r in Reason::ALL {
            assert_eq!(Reason::from_name(r.as_str()), Some(*r));
            assert_eq!(
                serde_json::to_string(r).unwrap(),
                format!("\"{}\"", r.as_str())
            );
        }
        assert_eq!(
            Reason::from_name(" UserUnknown "),
            Some(Reason::UserUnknown)
        );
        assert_eq!(Reason::from_name("nosuchreason"), None);
    }

    #[test]
    fn only_address_and_domain_failures_are_hard() {
        let hard: Vec<Reason> = Reason::ALL
            .iter()
            .copied()
            .filter(|r| r.is_hard(true))
            .collect();
        assert_eq!(
            hard,
            [
                Reason::HasMoved,
                Reason::HostUnknown,
                Reason::NotAccept,
                Reason::UserUnknown
            ]
        );
        assert!(!Reason::NotAccept.is_hard(false));
    }
}
