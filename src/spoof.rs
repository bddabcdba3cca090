//! Spoofed-bounce (lure) and backscatter warnings.
//!
//! A "bounce" is one of the most abused disguises in phishing: fake
//! "Undeliverable" notices with an HTML, ZIP or EXE attachment, "N messages
//! held, click to release", "your mailbox is full, upgrade within 24 hours".
//! [`check`] weighs named [`Signal`]s found in a [`Document`] and gives a
//! [`Verdict`]; it never opens, decodes-and-runs or follows anything: links
//! are judged by their text and host name (a redirector such as
//! `google.com/url?q=` by the target in its query; a punycode name by the
//! Latin letters it imitates), attachments by name, type and their first two
//! bytes (`MZ`, recorded by the parser).
//!
//! Weighing (positive points to a lure, negative to a genuine notice):
//! - strong: an executable or a disguised name (`.pdf.exe`) attached (+6), an
//!   HTML/script/archive/macro attachment (+5), a declared delivery report
//!   without a status part (+4), a `javascript:`/`data:` link (+4);
//! - lure wording from `src/rules/lures.toml` (release/verify/upgrade/password
//!   expiry: +3; held messages, deadlines, "open the attachment": +2; "click
//!   here", "your mailbox is almost full": +1), suspicious link hosts
//!   (shortener, form hosting, IP literal, look-alike: a brand's word, a
//!   brand or known domain with more labels after it, a punycode name that
//!   reads as one; shown text naming another domain: +3; punycode +2; merely
//!   unrelated +1), a sender whose
//!   display name claims the mail system from a personal mailbox of another
//!   organisation (+3; +2 for help desks and administrators in general), a
//!   brand named in the display name or subject from a foreign domain (+2), a
//!   From domain the receiving server found forged (DMARC/compauth fail, or
//!   SPF fail without DKIM: +2, +3 for the reader's own domain), a
//!   personal Return-Path on a "bounce" (+2), the recipient's address in the
//!   subject (+2, the bare name +1), a claimed bounce naming no recipient (+2);
//! - genuine structure: a parseable `message/delivery-status` part (-3), else a
//!   notice with SMTP/status codes (-2, not when a personal mailbox or a
//!   foreign domain claims to be the mail system or a brand: such a sender
//!   copies a notice's codes too); `Auto-Submitted`, NDR headers and a
//!   null Return-Path (-1 each, at most -2 together). All genuine evidence
//!   together counts at most -3, and at most -1 when a dangerous file is
//!   attached to the notice itself, so that a forged report structure cannot
//!   hide a strong lure.
//!
//! Score >= [`LIKELY_SPOOFED_AT`] is `likely_spoofed`, >= [`SUSPICIOUS_AT`]
//! `suspicious`. No weak signal decides alone: only an attached program or a
//! disguised file name reaches `likely_spoofed` by itself, and a mail with
//! nothing to act on (no link, file, login or release: [`ACTION_SIGNALS`]) is
//! at most `suspicious`. Storage wording counts only when a link or a file
//! leads out of the sender's organisation (a provider's own quota notice
//! links to its own pages, an Exchange server's says to call the help desk).
//!
//! Backscatter (someone forged the user's address, or the user's account or
//! PC sends spam) is reported separately from the verdict: see
//! [`SpoofReport::backscatter`]. A wrong clock on the sending PC is reported
//! as [`SpoofReport::clock_skew_minutes`].

use crate::analysis::RecipientResult;
use crate::authres::FromAuth;
use crate::input::InputKind;
use crate::parse::Document;
use crate::reason::Reason;
use crate::rules::RULES;
use crate::text::normalize;
use regex::Regex;
use serde::Deserialize;
use std::sync::LazyLock;

const LURES_TOML: &str = include_str!("rules/lures.toml");

/// Text beyond this many bytes (of the notice, of the returned text) is not scanned.
pub const MAX_SCAN_BYTES: usize = 256 * 1024;
/// Links looked at per input.
pub const MAX_LINKS: usize = 200;
/// Attachments looked at per input.
pub const MAX_ATTACHMENTS: usize = 200;
/// Score from which the verdict is `suspicious`.
pub const SUSPICIOUS_AT: i32 = 3;
/// Score from which the verdict is `likely_spoofed`.
pub const LIKELY_SPOOFED_AT: i32 = 6;
/// Genuine-structure evidence counts at most this much (as a negative).
pub const MAX_GENUINE_CREDIT: i32 = 3;
/// Genuine-structure credit when a dangerous file is attached to the notice.
pub const MAX_CREDIT_WITH_ATTACHED_FILE: i32 = 1;
/// `Auto-Submitted`, NDR headers and a null Return-Path together count at most this much.
pub const MAX_SMALL_CREDIT: i32 = 2;
/// Minutes between the original's Date and its first Received from which the clock is wrong.
pub const CLOCK_SKEW_LIMIT_MINUTES: i64 = 30;
/// Distinct unknown recipients in one input that point to backscatter.
pub const MANY_UNKNOWN_RECIPIENTS: usize = 3;

// Signals decided in code (the wording and link-host signals are named in
// src/rules/lures.toml).
const REPORT_WITHOUT_STATUS: &str = "report_without_status";
const PERSONAL_RETURN_PATH: &str = "personal_return_path";
const SENDER_CLAIMS_MAIL_SYSTEM: &str = "sender_claims_mail_system";
const BRAND_DOMAIN_MISMATCH: &str = "brand_domain_mismatch";
const SENDER_AUTHENTICATION_FAILED: &str = "sender_authentication_failed";
const BOUNCE_CLAIM_WITHOUT_RECIPIENTS: &str = "bounce_claim_without_recipients";
const SUBJECT_HAS_RECIPIENT: &str = "subject_has_recipient";
const LURE_RELEASE_LINK: &str = "lure_release_link";
const LURE_HELD_MESSAGES: &str = "lure_held_messages";
const LURE_VERIFY_ACCOUNT: &str = "lure_verify_account";
const LURE_STORAGE_UPGRADE: &str = "lure_storage_upgrade";
const LURE_QUOTA_WARNING: &str = "lure_quota_warning";
const LURE_DEADLINE_THREAT: &str = "lure_deadline_threat";
const LURE_PASSWORD_EXPIRY: &str = "lure_password_expiry";
const LURE_ACCOUNT_ALERT: &str = "lure_account_alert";
const LURE_CLICK_HERE: &str = "lure_click_here";
const LURE_OPEN_ATTACHMENT: &str = "lure_open_attachment";
const LURE_QR_CODE: &str = "lure_qr_code";
const INTERNAL_MAIL: &str = "internal_mail";
const LINK_SHORTENER: &str = "link_shortener";
const LINK_FORM_HOSTING: &str = "link_form_hosting";
const LINK_IP_LITERAL: &str = "link_ip_literal";
const LINK_SCRIPT_OR_DATA: &str = "link_script_or_data";
const LINK_TEXT_MISMATCH: &str = "link_text_mismatch";
const LINK_LOOKALIKE_HOST: &str = "link_lookalike_host";
const LINK_USERINFO: &str = "link_userinfo";
const LINK_PUNYCODE: &str = "link_punycode";
const LINK_UNRELATED_HOST: &str = "link_unrelated_host";
const DANGEROUS_ATTACHMENT: &str = "dangerous_attachment";
const DOUBLE_EXTENSION: &str = "double_extension";
const EXECUTABLE_ATTACHMENT: &str = "executable_attachment";
/// Signals of a dangerous file attached to the notice itself.
const ATTACHED_FILE_SIGNALS: &[&str] = &[
    DANGEROUS_ATTACHMENT,
    DOUBLE_EXTENSION,
    EXECUTABLE_ATTACHMENT,
];
const PDF_ATTACHMENT_WITH_LURE: &str = "pdf_attachment_with_lure";
const ATTACHMENT_NAMED_IN_TEXT: &str = "attachment_named_in_text";
const DSN_STATUS_PART: &str = "dsn_status_part";
const KNOWN_MTA_NOTICE: &str = "known_mta_notice";
const AUTO_SUBMITTED: &str = "auto_submitted";
const NDR_HEADER: &str = "ndr_header";
const NULL_RETURN_PATH: &str = "null_return_path";
const ORIGINAL_NOT_FROM_OWN_DOMAIN: &str = "original_not_from_own_domain";
const MANY_UNKNOWN_RECIPIENTS_SIGNAL: &str = "many_unknown_recipients";

/// Signals that give the reader something to act on (a link, a file, a
/// login, a release, an upgrade): without one of them a mail cannot be
/// `likely_spoofed`, however much its sender and wording look like a lure's.
/// A newsletter about delivery problems names brands and error codes too.
const ACTION_SIGNALS: &[&str] = &[
    REPORT_WITHOUT_STATUS,
    LURE_RELEASE_LINK,
    LURE_VERIFY_ACCOUNT,
    LURE_STORAGE_UPGRADE,
    LURE_PASSWORD_EXPIRY,
    LURE_CLICK_HERE,
    LURE_OPEN_ATTACHMENT,
    LURE_QR_CODE,
    LINK_SHORTENER,
    LINK_FORM_HOSTING,
    LINK_IP_LITERAL,
    LINK_SCRIPT_OR_DATA,
    LINK_TEXT_MISMATCH,
    LINK_LOOKALIKE_HOST,
    LINK_USERINFO,
    LINK_PUNYCODE,
    LINK_UNRELATED_HOST,
    DANGEROUS_ATTACHMENT,
    DOUBLE_EXTENSION,
    EXECUTABLE_ATTACHMENT,
    PDF_ATTACHMENT_WITH_LURE,
    ATTACHMENT_NAMED_IN_TEXT,
];

/// Storage wording ("add capacity", "your mailbox is almost full"): a lure
/// only when the mail also offers a way out of the sender's organisation.
const STORAGE_WORDING: &[&str] = &[LURE_STORAGE_UPGRADE, LURE_QUOTA_WARNING];

/// Every signal name [`check`] can emit. Each has a Japanese sentence in
/// `responses/spoof/signals.toml` (a unit test checks it).
pub const SIGNAL_NAMES: &[&str] = &[
    REPORT_WITHOUT_STATUS,
    PERSONAL_RETURN_PATH,
    SENDER_CLAIMS_MAIL_SYSTEM,
    BRAND_DOMAIN_MISMATCH,
    SENDER_AUTHENTICATION_FAILED,
    BOUNCE_CLAIM_WITHOUT_RECIPIENTS,
    SUBJECT_HAS_RECIPIENT,
    LURE_RELEASE_LINK,
    LURE_HELD_MESSAGES,
    LURE_VERIFY_ACCOUNT,
    LURE_STORAGE_UPGRADE,
    LURE_QUOTA_WARNING,
    LURE_DEADLINE_THREAT,
    LURE_PASSWORD_EXPIRY,
    LURE_ACCOUNT_ALERT,
    LURE_CLICK_HERE,
    LURE_OPEN_ATTACHMENT,
    LURE_QR_CODE,
    INTERNAL_MAIL,
    LINK_SHORTENER,
    LINK_FORM_HOSTING,
    LINK_IP_LITERAL,
    LINK_SCRIPT_OR_DATA,
    LINK_TEXT_MISMATCH,
    LINK_LOOKALIKE_HOST,
    LINK_USERINFO,
    LINK_PUNYCODE,
    LINK_UNRELATED_HOST,
    DANGEROUS_ATTACHMENT,
    DOUBLE_EXTENSION,
    EXECUTABLE_ATTACHMENT,
    PDF_ATTACHMENT_WITH_LURE,
    ATTACHMENT_NAMED_IN_TEXT,
    DSN_STATUS_PART,
    KNOWN_MTA_NOTICE,
    AUTO_SUBMITTED,
    NDR_HEADER,
    NULL_RETURN_PATH,
    ORIGINAL_NOT_FROM_OWN_DOMAIN,
    MANY_UNKNOWN_RECIPIENTS_SIGNAL,
];

/// Pasted text: no headers, so the envelope, sender and structure checks were not made.
pub const HEADERS_MISSING: &str = "headers_missing";
/// A whole e-mail without `Return-Path` (saved by a mail client): the envelope check was not made.
pub const ENVELOPE_MISSING: &str = "envelope_missing";
/// Pasted text: attachments cannot be seen, only what the text says about them.
pub const ATTACHMENTS_MISSING: &str = "attachments_missing";
/// Pasted text without any URL: where its buttons and links lead cannot be seen.
pub const LINK_TARGETS_MISSING: &str = "link_targets_missing";
/// Own domains are configured but the returned original is not in the input: the backscatter check was not made.
pub const ORIGINAL_MISSING: &str = "original_missing";

/// Every id that can appear in [`SpoofReport::not_checked`]; each has a
/// sentence in `responses/spoof/signals.toml`.
pub const NOT_CHECKED_IDS: &[&str] = &[
    HEADERS_MISSING,
    ENVELOPE_MISSING,
    ATTACHMENTS_MISSING,
    LINK_TARGETS_MISSING,
    ORIGINAL_MISSING,
];

/// How likely the input is a lure dressed as a bounce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    None,
    Suspicious,
    LikelySpoofed,
}

impl Verdict {
    /// The machine name: `none`, `suspicious` or `likely_spoofed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::None => "none",
            Verdict::Suspicious => "suspicious",
            Verdict::LikelySpoofed => "likely_spoofed",
        }
    }

    /// The verdict a score gives.
    pub fn from_score(score: i32) -> Verdict {
        if score >= LIKELY_SPOOFED_AT {
            Verdict::LikelySpoofed
        } else if score >= SUSPICIOUS_AT {
            Verdict::Suspicious
        } else {
            Verdict::None
        }
    }
}

/// One fact found, with its weight.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Signal {
    /// Stable snake_case id, one of [`SIGNAL_NAMES`].
    pub name: &'static str,
    /// Positive = points to a lure/forgery, negative = evidence of a genuine notice.
    pub weight: i32,
    /// Short ASCII fact for logs and JSON (an attachment name, a link host).
    pub detail: String,
}

/// The result of [`check`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SpoofReport {
    pub verdict: Verdict,
    pub score: i32,
    pub signals: Vec<Signal>,
    /// Checks that could not be made because the input lacks what they need
    /// (pasted text has no headers): ids from [`NOT_CHECKED_IDS`].
    pub not_checked: Vec<&'static str>,
    /// The returned original was apparently not sent from the user's own
    /// domains (backscatter), or several bounces for different unknown
    /// recipients suggest it.
    pub backscatter: bool,
    /// Minutes between the original's Date and its first (oldest) Received
    /// time, when both parse and differ by more than 30 minutes: the sending
    /// PC's clock is wrong. Positive when the Date is ahead (the clock is fast).
    pub clock_skew_minutes: Option<i64>,
}

// ---------------------------------------------------------------------------
// The data table.

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LureFile {
    known_hosts: Vec<String>,
    sending_services: Vec<String>,
    attachments: AttachmentLists,
    #[serde(default)]
    brand: Vec<BrandEntry>,
    #[serde(default)]
    lure: Vec<LureEntry>,
    #[serde(default)]
    redirector: Vec<RedirectorEntry>,
    #[serde(default)]
    confusables: std::collections::BTreeMap<String, String>,
}

/// A link redirector whose target is in the query (`google.com/url?q=`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RedirectorEntry {
    hosts: Vec<String>,
    path: String,
    params: Vec<String>,
    encoding: RedirectEncoding,
    #[allow(dead_code)] // checked by the tests: every example unwraps
    example: String,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum RedirectEncoding {
    /// The target URL-encoded in the parameter.
    Percent,
    /// Bing's `u=a1` followed by the target in base64url.
    Bing,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachmentLists {
    dangerous: Vec<String>,
    /// Dangerous only on a mail that claims a bounce or uses lure wording.
    with_claim_only: Vec<String>,
    with_lure_only: Vec<String>,
    safe: Vec<String>,
    decoy: Vec<String>,
    dangerous_types: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BrandEntry {
    name: String,
    pattern: String,
    domains: Vec<String>,
    #[serde(default)]
    exact_domains: Vec<String>,
    host_tokens: Vec<String>,
    #[allow(dead_code)] // checked by the tests: every pattern matches its example
    example: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LureEntry {
    name: String,
    weight: i32,
    scope: String,
    pattern: String,
    #[allow(dead_code)] // checked by the tests: every pattern matches its example
    example: String,
}

const SCOPES: &[&str] = &["text", "sender_name", "link_host", "link_url"];

/// One scope's patterns, compiled.
struct Table {
    set: crate::rules::GatedSet,
    regexes: Vec<Regex>,
    names: Vec<&'static str>,
    weights: Vec<i32>,
}

/// A pattern that matched: (signal name, weight, the text it matched).
type Hit = (&'static str, i32, String);

impl Table {
    fn build(entries: &[&LureEntry]) -> Table {
        let patterns: Vec<String> = entries.iter().map(|e| e.pattern.clone()).collect();
        // Literal-gated, ASCII-shorthand matching, as for the reason rules:
        // a plain overlapping RegexSet fell back to the PikeVM on Japanese text.
        let set = crate::rules::GatedSet::new("lures.toml", &patterns);
        let regexes = patterns
            .iter()
            .map(|p| {
                crate::rules::ascii_regex(p).unwrap_or_else(|e| {
                    panic!("src/rules/lures.toml: pattern {p:?} does not compile: {e}")
                })
            })
            .collect();
        Table {
            set,
            regexes,
            names: entries.iter().map(|e| static_name(&e.name)).collect(),
            weights: entries.iter().map(|e| e.weight).collect(),
        }
    }

    /// Every signal whose pattern matches, once per name with its highest weight.
    fn hits(&self, text: &str) -> Vec<Hit> {
        let mut out: Vec<Hit> = Vec::new();
        if text.is_empty() {
            return out;
        }
        for i in self.set.matching(text) {
            let name = self.names[i];
            let weight = self.weights[i];
            let snippet = self.regexes[i]
                .find(text)
                .map(|m| m.as_str().to_string())
                .unwrap_or_default();
            match out.iter_mut().find(|h| h.0 == name) {
                Some(hit) => {
                    if weight > hit.1 {
                        hit.1 = weight;
                        hit.2 = snippet;
                    }
                }
                None => out.push((name, weight, snippet)),
            }
        }
        out
    }
}

fn static_name(name: &str) -> &'static str {
    SIGNAL_NAMES
        .iter()
        .copied()
        .find(|n| *n == name)
        .unwrap_or_else(|| panic!("src/rules/lures.toml: {name:?} is not in spoof::SIGNAL_NAMES"))
}

struct Brand {
    name: String,
    regex: Regex,
    domains: Vec<String>,
    /// Domains that are the brand's only as themselves (and `www.`): the
    /// hosts under them are its customers' (`example.lolipop.jp`).
    exact_domains: Vec<String>,
    host_tokens: Vec<String>,
}

impl Brand {
    /// `host` is one of the brand's own hosts.
    fn owns(&self, host: &str) -> bool {
        self.domains.iter().any(|d| belongs(host, d))
            || self
                .exact_domains
                .iter()
                .any(|d| host == d || host.strip_prefix("www.") == Some(d.as_str()))
    }
}

struct Lures {
    known_hosts: Vec<String>,
    sending_services: Vec<String>,
    attachments: AttachmentLists,
    brands: Vec<Brand>,
    text: Table,
    sender_name: Table,
    link_host: Table,
    link_url: Table,
    redirectors: Vec<RedirectorEntry>,
    /// Look-alike letters of other scripts and the Latin letters they imitate.
    confusables: Vec<(char, String)>,
}

static LURES: LazyLock<Lures> = LazyLock::new(Lures::load);

fn lowercase_all(list: Vec<String>) -> Vec<String> {
    list.into_iter()
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

impl Lures {
    fn load() -> Lures {
        let file: LureFile =
            toml::from_str(LURES_TOML).unwrap_or_else(|e| panic!("src/rules/lures.toml: {e}"));
        let LureFile {
            known_hosts,
            sending_services,
            attachments,
            brand,
            lure,
            redirector,
            confusables,
        } = file;
        for entry in &lure {
            if !SCOPES.contains(&entry.scope.as_str()) {
                panic!(
                    "src/rules/lures.toml: unknown scope {:?} (one of {})",
                    entry.scope,
                    SCOPES.join(", ")
                );
            }
        }
        let scoped = |scope: &str| -> Table {
            let entries: Vec<&LureEntry> = lure.iter().filter(|e| e.scope == scope).collect();
            Table::build(&entries)
        };
        let text = scoped("text");
        let sender_name = scoped("sender_name");
        let link_host = scoped("link_host");
        let link_url = scoped("link_url");
        let confusables = confusables
            .into_iter()
            .map(|(from, to)| {
                let mut chars = from.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => (c, to),
                    _ => panic!("src/rules/lures.toml: confusable {from:?} is not one letter"),
                }
            })
            .collect();
        let redirectors = redirector
            .into_iter()
            .map(|mut r| {
                r.hosts = lowercase_all(r.hosts);
                r
            })
            .collect();
        let brands = brand
            .into_iter()
            .map(|b| Brand {
                regex: crate::rules::ascii_regex(&b.pattern)
                    .unwrap_or_else(|e| panic!("src/rules/lures.toml: brand {:?}: {e}", b.name)),
                name: b.name,
                domains: lowercase_all(b.domains),
                exact_domains: lowercase_all(b.exact_domains),
                host_tokens: lowercase_all(b.host_tokens),
            })
            .collect();
        let attachments = AttachmentLists {
            dangerous: lowercase_all(attachments.dangerous),
            with_claim_only: lowercase_all(attachments.with_claim_only),
            with_lure_only: lowercase_all(attachments.with_lure_only),
            safe: lowercase_all(attachments.safe),
            decoy: lowercase_all(attachments.decoy),
            dangerous_types: lowercase_all(attachments.dangerous_types),
        };
        Lures {
            known_hosts: lowercase_all(known_hosts),
            sending_services: lowercase_all(sending_services),
            attachments,
            brands,
            text,
            sender_name,
            link_host,
            link_url,
            redirectors,
            confusables,
        }
    }
}

// ---------------------------------------------------------------------------
// Fixed patterns.

fn compile(pattern: &str) -> Regex {
    crate::rules::ascii_regex(pattern)
        .unwrap_or_else(|e| panic!("spoof.rs: pattern {pattern:?} does not compile: {e}"))
}

/// Local parts of the mailboxes that really send delivery notices.
static DAEMON_LOCAL: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"^(?:mailer[-_.]?daemon|mail[-_.]?daemon|daemon|p[o0]+st[-_.]?master|post_master|postoffice|mail[-_.]?delivery(?:[-_.]?(?:system|subsystem|service))?|mdaemon|mta|bounces?|double-bounce|microsoftexchange[0-9a-f]{0,40}|dsn|ndr|mailer|root|null|nobody)$",
    )
});

/// Envelope senders of machines (bounce handlers, lists, VERP and SRS
/// addresses): not a personal Return-Path.
static AUTOMATED_ENVELOPE: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"bounce|return|error|dsn|ndr|daemon|p[o0]+stmaster|post_master|-owner|owner-|-request|-admin|listmaster|mailman|majordomo|no-?reply|do-?not-?reply|notification|^prvs=|^btv1=|^srs[01]=|^null$|^nobody$|^root$|=|\+",
    )
});

/// Per-recipient delivery-status fields in a `message/delivery-status` part.
static STATUS_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    compile(r"(?im)^[ \t]*(?:final-recipient|original-recipient|action|status)[ \t]*:")
});

/// Any delivery-status field (some real MTAs send only the per-message ones).
static DSN_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?im)^[ \t]*(?:reporting-mta|received-from-mta|arrival-date|final-recipient|original-recipient|action|status|diagnostic-code|remote-mta)[ \t]*:",
    )
});

/// URLs in running text.
static URL_IN_TEXT: LazyLock<Regex> =
    LazyLock::new(|| compile(r#"(?i)\b(?:https?|hxxps?)://[^\s<>"'()\[\]{}\\^`|]+"#));

/// `shown text<https://target>` as mail clients render a link in plain text.
static LINK_PAIR: LazyLock<Regex> =
    LazyLock::new(|| compile(r#"([^\s<>"]+)<((?:https?|hxxps?)://[^>\s]+)>"#));

/// A domain name shown in link text (not the domain of an e-mail address).
static DOMAIN_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?:^|[^a-z0-9@._-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})(?:[^a-z0-9_-]|$)",
    )
});

/// A domain name anywhere (in a Received header).
static HOST_NAME: LazyLock<Regex> =
    LazyLock::new(|| compile(r"(?i)\b((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})\b"));

/// A Received header's `from` part (group 1) and its `by` host (group 2).
static RECEIVED_BY: LazyLock<Regex> =
    LazyLock::new(|| compile(r"(?is)^(.*?)\bby\s+([a-z0-9][a-z0-9.-]*[a-z0-9])"));

/// A base64-encoded Windows executable header in text.
static BASE64_EXECUTABLE: LazyLock<Regex> =
    LazyLock::new(|| compile(r"TVqQAAMAAAAEAAAA|TVpQAAIAAAAEAA|(?m)^[ \t]*TVqQ[A-Za-z0-9+/]{40}"));

/// A line of pasted text that lists an attachment with a dangerous extension
/// (`invoice.htm`, `Scan_0042.zip (24 KB)`, `Attachment: report.pdf.exe`).
static ATTACHMENT_LINE: LazyLock<Regex> = LazyLock::new(|| {
    // `.com` is left out: in text it is nearly always a domain name.
    let exts: Vec<String> = LURES
        .attachments
        .dangerous
        .iter()
        .filter(|e| e.as_str() != "com")
        .map(|e| regex::escape(e.as_str()))
        .collect();
    compile(&format!(
        r"(?im)^[ \t]*(?:[^\n:]{{0,24}}:[ \t]*)?([^\s\\/:*?<>|@][^\\/:*?<>|@\n]{{0,100}}\.(?:{}))[ \t]*(?:[(\[]?[ \t]*\d+(?:[.,]\d+)?[ \t]*(?:bytes|[kmg]i?b)[ \t]*[)\]]?)?[ \t]*$",
        exts.join("|")
    ))
});

/// Joins the pieces of scanned text.
const SEPARATOR: &str = "\n.\n";

/// The same separator in the normalised text: an ASCII and a Japanese full
/// stop (U+3002), since the English rules stop at `.` (`[^.!?]{0,40}`) and
/// the Japanese ones at the ideographic full stop, so no phrase is matched
/// across the subject, the notice and the link texts in either language.
const NORMALIZED_SEPARATOR: &str = ". \u{3002}";

/// Last labels that are file extensions, not top-level domains, in link text.
const FILE_EXTENSIONS: &[&str] = &[
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "htm", "html", "zip", "png", "jpg",
    "jpeg", "gif", "eml", "msg", "exe", "csv", "php", "asp", "aspx", "js", "json", "xml", "svg",
    "rar", "iso",
];

/// Local parts too common to mean "the recipient" when seen in a subject.
const GENERIC_LOCAL_PARTS: &[&str] = &[
    "info",
    "admin",
    "mail",
    "user",
    "test",
    "support",
    "sales",
    "contact",
    "office",
    "postmaster",
    "webmaster",
    "service",
    "help",
    "news",
    "noreply",
    "no-reply",
    "root",
    "staff",
    "team",
    "account",
    "billing",
    "order",
    "orders",
    "shop",
    "web",
    "www",
    "system",
    "master",
    "desk",
    "center",
    "notice",
    "report",
    "hello",
    "dmarc",
    "abuse",
    "security",
    "alerts",
    "alert",
    "noc",
    "hostmaster",
    "mailer",
    "list",
    "bounce",
    "bounces",
];

/// Second-level labels under a two-letter country code (`example.co.jp`).
const SECOND_LEVEL_LABELS: &[&str] = &[
    "co", "ne", "or", "ac", "ad", "ed", "go", "gr", "lg", "com", "net", "org", "gov", "edu", "mil",
    "nom", "ltd", "plc", "sch", "gob",
];

// ---------------------------------------------------------------------------
// Small helpers.

/// The first `max` bytes of `text`, cut on a character boundary.
fn head(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Keeps a detail on one short line: control characters (line breaks, the
/// bidirectional overrides a lure could hide text with) become spaces.
fn clean_detail(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| {
            if c.is_control()
                || ('\u{200b}'..='\u{200f}').contains(&c)
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
            {
                ' '
            } else {
                c
            }
        })
        .take(120)
        .collect();
    cleaned.trim().to_string()
}

fn domain_of(address: &str) -> Option<String> {
    let (_, domain) = address.rsplit_once('@')?;
    let domain = domain
        .trim()
        .trim_matches(|c: char| {
            c == '<' || c == '>' || c == '[' || c == ']' || c == '"' || c.is_whitespace()
        })
        .trim_end_matches('.')
        .to_ascii_lowercase();
    (!domain.is_empty()).then_some(domain)
}

fn local_of(address: &str) -> String {
    address
        .rsplit_once('@')
        .map_or(address, |(local, _)| local)
        .trim()
        .trim_matches(|c: char| c == '<' || c == '"' || c.is_whitespace())
        .to_ascii_lowercase()
}

/// The registrable part of a host name: `mx.example.co.jp` -> `example.co.jp`.
fn base_domain(host: &str) -> String {
    let labels: Vec<&str> = host
        .trim_end_matches('.')
        .split('.')
        .filter(|l| !l.is_empty())
        .collect();
    let n = labels.len();
    if n <= 2 {
        return labels.join(".");
    }
    let take = if labels[n - 1].len() == 2 && SECOND_LEVEL_LABELS.contains(&labels[n - 2]) {
        3
    } else {
        2
    };
    labels[n - take..].join(".")
}

/// `host` is `domain` or one of its sub-domains.
fn belongs(host: &str, domain: &str) -> bool {
    if domain.is_empty() {
        return false;
    }
    host == domain
        || (host.len() > domain.len()
            && host.ends_with(domain)
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.')
}

fn is_known_host(host: &str) -> bool {
    LURES.known_hosts.iter().any(|k| belongs(host, k))
}

fn is_ip_literal(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    if h.is_empty() {
        return false;
    }
    let dotted_digits = h.chars().all(|c| c.is_ascii_digit() || c == '.')
        && h.chars().any(|c| c.is_ascii_digit())
        && !h.contains("..");
    let hex = h.strip_prefix("0x").is_some_and(|rest| {
        !rest.is_empty() && rest.chars().all(|c| c.is_ascii_hexdigit() || c == '.')
    });
    h.parse::<std::net::IpAddr>().is_ok() || dotted_digits || hex
}

/// A loopback, private or link-local address (a log or an intranet, not a lure).
fn is_local_ip(host: &str) -> bool {
    match host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
    {
        Ok(std::net::IpAddr::V4(v4)) => {
            v4.is_loopback() || v4.is_private() || v4.is_link_local() || v4.is_unspecified()
        }
        Ok(std::net::IpAddr::V6(v6)) => v6.is_loopback() || v6.is_unspecified(),
        Err(_) => false,
    }
}

/// Occurs as a whole word (not inside a longer name or address).
fn contains_word(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let is_word = |c: Option<char>| {
        c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '-' || c == '@')
    };
    let mut start = 0;
    while start <= haystack.len() {
        let Some(pos) = haystack[start..].find(needle) else {
            break;
        };
        let i = start + pos;
        let end = i + needle.len();
        if !is_word(haystack[..i].chars().next_back()) && !is_word(haystack[end..].chars().next()) {
            return true;
        }
        start = end;
    }
    false
}

/// Where a link goes.
enum Target {
    /// `javascript:`, `vbscript:` or `data:`.
    Script(&'static str),
    Web {
        host: String,
        userinfo: bool,
        /// The path after the host (`/forms/d/...`), without query or fragment.
        path: String,
    },
    /// `mailto:`, anchors, relative links: nothing to judge.
    Other,
}

fn target(href: &str) -> Target {
    let lower = href.trim().trim_matches(['"', '\'']).to_ascii_lowercase();
    for scheme in ["javascript", "vbscript", "data"] {
        if lower
            .strip_prefix(scheme)
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
        {
            return Target::Script(scheme);
        }
    }
    let rest = match lower.find("://") {
        Some(pos) => {
            if !matches!(&lower[..pos], "http" | "https" | "hxxp" | "hxxps" | "ftp") {
                return Target::Other;
            }
            &lower[pos + 3..]
        }
        None => match lower.strip_prefix("//") {
            Some(rest) => rest,
            None => return Target::Other,
        },
    };
    let authority = &rest[..rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len())];
    let (userinfo, host_port) = match authority.rfind('@') {
        Some(p) => (true, &authority[p + 1..]),
        None => (false, authority),
    };
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host_port.split(':').next().unwrap_or(""),
    };
    let host = host.trim_end_matches('.');
    let after = &rest[authority.len()..];
    let path = &after[..after.find(['?', '#']).unwrap_or(after.len())];
    if host.is_empty() {
        Target::Other
    } else {
        Target::Web {
            host: host.to_string(),
            userinfo,
            path: path.replace('\\', "/"),
        }
    }
}

/// How many redirectors in a row are unwrapped.
const MAX_REDIRECTS: usize = 3;

/// The target of a known redirector link (`google.com/url?q=<target>`), if
/// `href` is one and its parameter holds a web address.
fn redirect_target(href: &str) -> Option<String> {
    // The host alone, cheaply, before the URL is parsed in full.
    let Target::Web { host, .. } = target(href) else {
        return None;
    };
    if !LURES
        .redirectors
        .iter()
        .any(|r| r.hosts.iter().any(|h| belongs(&host, h)))
    {
        return None;
    }
    let url = url::Url::parse(href.trim().trim_matches(['"', '\''])).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    let entry = LURES.redirectors.iter().find(|r| {
        r.hosts.iter().any(|h| belongs(&host, h))
            && (r.path.is_empty() || url.path().eq_ignore_ascii_case(&r.path))
    })?;
    let value = url
        .query_pairs()
        .find(|(k, _)| entry.params.iter().any(|p| p == k.as_ref()))?
        .1
        .into_owned();
    let target = match entry.encoding {
        RedirectEncoding::Percent => value,
        RedirectEncoding::Bing => {
            use base64::Engine;
            let encoded = value.strip_prefix("a1")?;
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(encoded.trim_end_matches('='))
                .ok()?;
            String::from_utf8(bytes).ok()?
        }
    };
    let lower = target.trim_start().to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("//"))
        .then(|| target.trim().to_string())
}

/// The link's final target: redirectors unwrapped, at most [`MAX_REDIRECTS`] deep.
fn final_target(href: &str) -> String {
    let mut current = href.to_string();
    for _ in 0..MAX_REDIRECTS {
        match redirect_target(&current) {
            Some(next) => current = next,
            None => break,
        }
    }
    current
}

/// A punycode host read as the letters it shows, other scripts' look-alike
/// letters replaced by the Latin ones (`xn--namae-iye.com` -> `onamae.com`);
/// `None` when no label is punycode or the reading has other letters left.
fn punycode_skeleton(host: &str) -> Option<String> {
    if !host.split('.').any(|label| label.starts_with("xn--")) {
        return None;
    }
    let (unicode, result) = idna::domain_to_unicode(host);
    result.ok()?;
    let mut skeleton = String::with_capacity(unicode.len());
    for c in unicode.chars() {
        if c.is_ascii() {
            skeleton.push(c.to_ascii_lowercase());
        } else if let Some((_, latin)) = LURES.confusables.iter().find(|(from, _)| *from == c) {
            skeleton.push_str(latin);
        } else {
            return None;
        }
    }
    (skeleton != host).then_some(skeleton)
}

/// A brand or known domain that `host` carries with more labels after it
/// (`secure.sakura.ad.jp.account-verify.example.net` carries `sakura.ad.jp`),
/// when `host` is not under that domain itself.
fn embedded_domain(host: &str) -> Option<&'static str> {
    // Longer than DNS allows: no real host to compare.
    if host.len() > 253 {
        return None;
    }
    let domains = &*EMBEDDABLE_DOMAINS;
    let bytes = host.as_bytes();
    let dots: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i] == b'.').collect();
    let starts = std::iter::once(0).chain(dots.iter().map(|d| d + 1));
    for (n, start) in starts.enumerate() {
        // A known domain has at most MAX_DOMAIN_LABELS labels: the dot
        // that ends it is one of the next few.
        for &end in dots.iter().skip(n).take(MAX_DOMAIN_LABELS) {
            if end + 1 >= bytes.len() {
                continue;
            }
            let Some(domain) = domains.get(&host[start..end]) else {
                continue;
            };
            // `google.com.hk`, `amazon.com.au`: the brand's own country domain.
            let rest = &host[end + 1..];
            let country = rest.len() == 2
                || rest
                    .split_once('.')
                    .is_some_and(|(l, cc)| cc.len() == 2 && SECOND_LEVEL_LABELS.contains(&l));
            if !belongs(host, domain) && !country {
                return Some(domain);
            }
        }
    }
    None
}

/// Labels of the longest brand or known domain, for [`embedded_domain`].
const MAX_DOMAIN_LABELS: usize = 4;

/// The brand and known domains, for [`embedded_domain`].
static EMBEDDABLE_DOMAINS: LazyLock<std::collections::HashSet<&'static str>> =
    LazyLock::new(|| {
        let lures: &'static Lures = &LURES;
        lures
            .brands
            .iter()
            .flat_map(|b| b.domains.iter().chain(b.exact_domains.iter()))
            .chain(lures.known_hosts.iter())
            .filter(|d| d.contains('.'))
            .map(String::as_str)
            .collect()
    });

/// A link: its target and the text shown for it (empty for a bare URL).
struct LinkRef {
    href: String,
    /// `href` with redirectors unwrapped ([`final_target`]), resolved once.
    target: String,
    text: String,
}

impl LinkRef {
    fn new(href: String, text: String) -> LinkRef {
        LinkRef {
            target: final_target(&href),
            href,
            text,
        }
    }
}

/// Adds to the signal list, once per name, keeping the highest weight.
#[derive(Default)]
struct Signals(Vec<Signal>);

impl Signals {
    fn add(&mut self, name: &'static str, weight: i32, detail: impl Into<String>) {
        let detail = clean_detail(&detail.into());
        match self.0.iter_mut().find(|s| s.name == name) {
            Some(s) => {
                if weight > s.weight {
                    s.weight = weight;
                    s.detail = detail;
                }
            }
            None => self.0.push(Signal {
                name,
                weight,
                detail,
            }),
        }
    }

    fn remove(&mut self, name: &str) {
        self.0.retain(|s| s.name != name);
    }

    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|s| s.name == name)
    }
}

// ---------------------------------------------------------------------------
// The check.

/// Weighs the signs that `doc` is a lure dressed as a bounce, and whether the
/// bounce is backscatter. `results` are the analysis results of the same
/// input (all of them, when an input held several messages); `own_domains`
/// are the user's mail domains (may be empty: the backscatter check on the
/// returned original is then not made).
///
/// Never panics; regexes are compiled once; at most [`MAX_SCAN_BYTES`] of
/// each text, [`MAX_LINKS`] links and [`MAX_ATTACHMENTS`] attachments are read.
pub fn check(doc: &Document, results: &[RecipientResult], own_domains: &[String]) -> SpoofReport {
    let notice = crate::extract::NoticeText::read(&doc.notice);
    check_read(doc, &notice.normalized, results, own_domains)
}

/// [`check`], given the document's notice already normalised
/// ([`crate::extract::NoticeText`]).
pub fn check_read(
    doc: &Document,
    normalized_notice: &str,
    results: &[RecipientResult],
    own_domains: &[String],
) -> SpoofReport {
    let lures = &*LURES;
    let mut signals = Signals::default();
    let mut not_checked: Vec<&'static str> = Vec::new();

    let is_paste = doc.kind == Some(InputKind::Paste) || doc.headers.all.is_empty();
    let is_email = !is_paste;
    let failure_results = results.iter().any(|r| {
        !matches!(
            r.reason,
            Reason::Vacation | Reason::Feedback | Reason::Delivered
        )
    });

    let from_address = doc
        .headers
        .from_address
        .as_deref()
        .map(|a| a.trim().to_ascii_lowercase())
        .filter(|a| a.contains('@'));
    let from_domain = from_address.as_deref().and_then(domain_of);
    let from_local = from_address.as_deref().map(local_of).unwrap_or_default();
    let from_name = doc
        .headers
        .from_name
        .as_deref()
        .map(normalize)
        .unwrap_or_default();
    let to_address = doc
        .headers
        .to
        .as_deref()
        .map(|a| a.trim().to_ascii_lowercase())
        .filter(|a| a.contains('@'));
    let to_domain = to_address.as_deref().and_then(domain_of);
    let subject = doc
        .headers
        .subject
        .as_deref()
        .map(|s| head(s, 4_000))
        .unwrap_or("");
    let original_subject = doc
        .original
        .as_ref()
        .and_then(|o| o.subject.as_deref())
        .map(str::trim)
        .unwrap_or("");
    // The subject without the returned original's own subject ("Undeliverable: <theirs>").
    let own_subject = if original_subject.len() >= 4 {
        subject.replace(original_subject, " ")
    } else {
        subject.to_string()
    };
    let normalized_subject = normalize(&own_subject);

    // What the receiving server found when it checked the From domain
    // (crate::authres): a forged From is not the organisation or the brand
    // it names.
    let auth = crate::authres::read(&doc.headers);
    let from_auth = from_domain.as_deref().map_or(FromAuth::Unknown, |f| {
        auth.from_domain(f, |a, b| base_domain(a) == base_domain(b))
    });
    let from_own_org = from_domain
        .as_deref()
        .zip(to_domain.as_deref())
        .is_some_and(|(f, t)| base_domain(f) == base_domain(t));
    let same_org = from_own_org && from_auth != FromAuth::Forged;
    let brand_hits: Vec<&Brand> = lures
        .brands
        .iter()
        .filter(|b| {
            (!from_name.is_empty() && b.regex.is_match(&from_name))
                || (!normalized_subject.is_empty() && b.regex.is_match(&normalized_subject))
        })
        .collect();
    // A brand's own domain counts only when the server did not see it
    // forged, and, where the server checked at all, saw it proved.
    let sent_by_brand = from_domain
        .as_deref()
        .is_some_and(|f| brand_hits.iter().any(|b| b.owns(f)))
        && match from_auth {
            FromAuth::Verified => true,
            FromAuth::Forged => false,
            FromAuth::Unknown => !auth.is_present(),
        };
    // A mail system's mailbox (MAILER-DAEMON, postmaster) claims a bounce
    // and may call itself "Mail Delivery System" from any relay's domain;
    // it may claim a brand ("Microsoft Outlook") only from a domain that
    // has to do with the notice: postmaster@<look-alike> is still judged.
    let daemon_sender = DAEMON_LOCAL.is_match(&from_local);
    let daemon_for_brand = daemon_sender
        && from_domain
            .as_deref()
            .is_none_or(|f| same_org || is_mail_service(f, &[]) || domain_in_notice(results, f));
    let sender_claim = if from_name.is_empty() {
        Vec::new()
    } else {
        lures.sender_name.hits(&from_name)
    };
    // The display name's claim counts only from outside the recipient's
    // organisation and the brand's own domains ("Google Workspace Team"
    // from google.com claims nothing it is not).
    let claim_counts = !sender_claim.is_empty() && !same_org && !sent_by_brand;
    // A subject that asks ("Mail to Gmail not arriving?") is a newsletter's
    // or a colleague's, not a notice's, and a mailing list's subject names
    // its topics ("June Deliverability Digest: ... bounce handling tips"; a
    // notice is never list mail): neither claims a bounce unless it opens
    // like a notice's own subject (formats.toml `notice_subject_opening`).
    let list_mail = is_email && doc.headers.is_list_mail();
    let opens_like_notice = RULES
        .notice_subject_openings
        .is_match(normalized_subject.trim_start());
    let subject_asks =
        normalized_subject.trim_end().ends_with(['?', '\u{ff1f}']) && !opens_like_notice;
    let subject_says_bounce = !normalized_subject.is_empty()
        && !subject_asks
        && (!list_mail || opens_like_notice)
        && RULES.subject_markers.is_match(&normalized_subject);
    // Only an explicit report-type counts: real MTAs sometimes send a bare
    // multipart/report (no report-type) with a free-text notice.
    let declared_dsn = doc
        .report_type
        .as_deref()
        .is_some_and(|t| t.contains("delivery-status"));
    let claims_bounce =
        declared_dsn || subject_says_bounce || daemon_sender || claim_counts || failure_results;

    // --- Structure (whole e-mails only).
    let status_text = head(&doc.status_text, MAX_SCAN_BYTES);
    let has_status_fields = STATUS_FIELD.is_match(status_text);
    if is_email {
        // A report with broken MIME is read as text by the parser: its fields are then in the notice.
        let fields_anywhere = DSN_FIELD.is_match(status_text)
            || DSN_FIELD.is_match(head(&doc.notice, MAX_SCAN_BYTES))
            || doc
                .after_notice
                .as_deref()
                .is_some_and(|a| DSN_FIELD.is_match(head(a, MAX_SCAN_BYTES)));
        if declared_dsn && !fields_anywhere && doc.feedback_text.is_none() {
            let report_type = doc.report_type.as_deref().unwrap_or("");
            signals.add(
                REPORT_WITHOUT_STATUS,
                4,
                format!("multipart/report; report-type={report_type} has no delivery-status part"),
            );
        }
    } else {
        not_checked.push(HEADERS_MISSING);
    }
    if has_status_fields {
        signals.add(
            DSN_STATUS_PART,
            -3,
            "message/delivery-status part with Final-Recipient/Action/Status",
        );
    } else if results
        .iter()
        .any(|r| r.status.is_some() || r.reply_code.is_some())
    {
        let what = results
            .iter()
            .find_map(|r| r.mta.clone())
            .unwrap_or_else(|| "a mail server".to_string());
        signals.add(
            KNOWN_MTA_NOTICE,
            -2,
            format!("notice from {what} with SMTP/status codes"),
        );
    }
    if is_email {
        if doc
            .headers
            .auto_submitted
            .as_deref()
            .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("auto-"))
        {
            signals.add(AUTO_SUBMITTED, -1, "Auto-Submitted header");
        }
        if let Some(name) = ["x-ms-exchange-message-is-ndr", "x-failed-recipients"]
            .into_iter()
            .find(|n| doc.headers.get(n).is_some())
        {
            signals.add(NDR_HEADER, -1, format!("{name} header"));
        }
        match doc.headers.return_path.as_deref().map(str::trim) {
            Some("") => signals.add(NULL_RETURN_PATH, -1, "Return-Path: <>"),
            Some(rp) => {
                let local = local_of(rp);
                let automated = DAEMON_LOCAL.is_match(&local)
                    || AUTOMATED_ENVELOPE.is_match(&local)
                    || local.len() > 32
                    || local.chars().filter(|c| c.is_ascii_digit()).count() > 8
                    || !rp.contains('@');
                if claims_bounce && !automated {
                    let domain = domain_of(rp).unwrap_or_default();
                    signals.add(
                        PERSONAL_RETURN_PATH,
                        2,
                        format!("Return-Path is a personal mailbox at {domain}"),
                    );
                }
            }
            None => not_checked.push(ENVELOPE_MISSING),
        }
        // A system mailbox of the reader's own organisation (Exchange's
        // "mailbox almost full") writes notices that are no bounce; from
        // there only a bounce's subject or report type claims one.
        if results.is_empty()
            && (declared_dsn || subject_says_bounce || (daemon_sender && !same_org) || claim_counts)
        {
            signals.add(
                BOUNCE_CLAIM_WITHOUT_RECIPIENTS,
                2,
                "claims a delivery failure but names no failed recipient",
            );
        }
    }

    // --- Sender versus what it claims (also from copied header lines of a paste).
    if let Some(from_domain) = from_domain.as_deref() {
        if claim_counts && !daemon_sender {
            signals.add(
                SENDER_CLAIMS_MAIL_SYSTEM,
                sender_claim.iter().map(|h| h.1).max().unwrap_or(3),
                format!("display name claims the mail system; sender {from_local}@{from_domain}"),
            );
        }
        if from_auth == FromAuth::Forged
            && (claims_bounce || !brand_hits.is_empty() || !sender_claim.is_empty())
        {
            // Forging the reader's own domain ("postmaster@<own>") is the
            // stronger sign: a real notice of one's own organisation passes
            // its own checks.
            signals.add(
                SENDER_AUTHENTICATION_FAILED,
                if from_own_org { 3 } else { 2 },
                format!("{} for From domain {from_domain}", auth.describe()),
            );
        }
        if !daemon_for_brand && !same_org && !sent_by_brand {
            if let Some(brand) = brand_hits.first() {
                signals.add(
                    BRAND_DOMAIN_MISMATCH,
                    2,
                    format!("claims {}; sender domain {from_domain}", brand.name),
                );
            }
        }
    }

    // --- The recipient's own address (or name) in the subject.
    if let Some(to) = to_address.as_deref() {
        let subject_lower = subject.to_lowercase();
        let original_lower = original_subject.to_lowercase();
        let local = local_of(to);
        if subject_lower.contains(to) && !original_lower.contains(to) {
            signals.add(
                SUBJECT_HAS_RECIPIENT,
                2,
                "subject contains the recipient's address",
            );
        } else if local.chars().count() >= 4
            && !GENERIC_LOCAL_PARTS.contains(&local.as_str())
            && contains_word(&subject_lower, &local)
            && !contains_word(&original_lower, &local)
        {
            signals.add(
                SUBJECT_HAS_RECIPIENT,
                1,
                "subject contains the recipient's name",
            );
        }
    }

    // --- Wording. The returned original is not read unless the input is no bounce at all.
    let scan_after = results.is_empty();
    // Pieces are joined with a lone "." line (and, normalised, with
    // NORMALIZED_SEPARATOR), so that no phrase is matched across the
    // subject, the notice and the link texts.
    let mut text = String::with_capacity(doc.notice.len().min(MAX_SCAN_BYTES) + 1024);
    text.push_str(&own_subject);
    text.push_str(SEPARATOR);
    text.push_str(head(&doc.notice, MAX_SCAN_BYTES));
    if scan_after {
        if let Some(after) = doc.after_notice.as_deref() {
            text.push_str(SEPARATOR);
            text.push_str(head(after, MAX_SCAN_BYTES));
        }
    }
    for link in doc.links.iter().take(MAX_LINKS) {
        text.push_str(SEPARATOR);
        text.push_str(head(&link.text, 1_000));
    }
    // The same text normalised: the pieces' normalised forms joined as
    // `normalize(&text)` would join them, the notice's taken as given.
    let mut normalized = String::with_capacity(normalized_notice.len() + 1024);
    let mut add = |piece: &str| crate::text::push_joined(&mut normalized, piece);
    add(&normalized_subject);
    add(NORMALIZED_SEPARATOR);
    add(normalized_notice);
    if scan_after {
        if let Some(after) = doc.after_notice.as_deref() {
            add(NORMALIZED_SEPARATOR);
            add(&normalize(head(after, MAX_SCAN_BYTES)));
        }
    }
    for link in doc.links.iter().take(MAX_LINKS) {
        add(NORMALIZED_SEPARATOR);
        add(&normalize(head(&link.text, 1_000)));
    }
    let wording = lures.text.hits(&normalized);
    let any_lure_wording = !wording.is_empty();
    for (name, weight, snippet) in wording {
        signals.add(name, weight, format!("wording: {snippet}"));
    }

    // --- Links.
    let links = collect_links(doc, &text);
    if is_paste && links.is_empty() {
        not_checked.push(LINK_TARGETS_MISSING);
    }
    let related = related_domains(doc, results, from_domain.as_deref(), to_domain.as_deref());
    check_links(&links, &related, to_domain.as_deref(), &mut signals);

    // --- Where the links lead: the recipient's own organisation, and the
    // hosts of the brand that sent the mail (admin.google.com in Google's
    // storage notice), are no place a lure puts its page; anything else is
    // somewhere to act. Another brand's hosts (a SharePoint page linked
    // from anywhere else) are somewhere to act.
    let recipient_org = to_domain.as_deref().map(base_domain);
    let sender_brand = from_domain
        .as_deref()
        .and_then(|f| lures.brands.iter().find(|b| b.owns(f)));
    let leads_out = |link: &LinkRef| match target(&link.target) {
        Target::Web { host, .. } => {
            recipient_org.as_deref() != Some(base_domain(&host).as_str())
                && !sender_brand.is_some_and(|b| b.owns(&host))
        }
        Target::Script(_) => true,
        Target::Other => false,
    };
    let link_out = links.iter().any(leads_out);

    // --- Storage wording in a mail that leads nowhere a lure can use
    // (Exchange's own "add capacity: call the help desk", a provider's
    // storage notice linking to its own admin pages) is the notice it claims
    // to be: a quota lure needs a page or a file.
    if is_email && doc.attachments.is_empty() && !link_out {
        for name in STORAGE_WORDING {
            signals.remove(name);
        }
    }

    // --- Mail within the recipient's own organisation that claims no
    // bounce: an IT department's notice ("log in again after the migration")
    // uses a lure's words; its sender, envelope and every link are the
    // organisation's own. A forged internal sender shows a foreign
    // Return-Path or a link elsewhere.
    if is_email && same_org && !claims_bounce {
        let org = to_domain.as_deref().map(base_domain).unwrap_or_default();
        let envelope_own = doc
            .headers
            .return_path
            .as_deref()
            .and_then(domain_of)
            .is_some_and(|d| base_domain(&d) == org);
        let links_own = links.iter().all(|l| match target(&l.href) {
            Target::Web { host, .. } => base_domain(&host) == org,
            Target::Script(_) => false,
            Target::Other => true,
        });
        if envelope_own && links_own {
            signals.add(
                INTERNAL_MAIL,
                -3,
                format!("sender, envelope and links all at {org}"),
            );
        }
    }

    // --- Attachments.
    if is_paste {
        not_checked.push(ATTACHMENTS_MISSING);
        if let Some(c) = ATTACHMENT_LINE.captures(&text) {
            signals.add(
                ATTACHMENT_NAMED_IN_TEXT,
                3,
                format!("text lists attachment {}", &c[1]),
            );
        }
    }
    check_attachments(
        doc,
        claims_bounce || any_lure_wording,
        any_lure_wording,
        &mut signals,
    );
    let executable_text = if is_paste {
        text.as_str()
    } else {
        head(&doc.notice, MAX_SCAN_BYTES)
    };
    if BASE64_EXECUTABLE.is_match(executable_text) {
        signals.add(
            EXECUTABLE_ATTACHMENT,
            6,
            "base64 Windows executable (TVqQ) in the text",
        );
    }

    // --- A notice's SMTP codes vouch for it only when its sender does not
    // pretend: "Mail Delivery Subsystem" on a personal gmail.com address, or
    // a brand's name from a foreign domain, copies a notice's text too. (A
    // colleague forwarding a real bounce has a personal Return-Path and
    // keeps the credit.)
    if [SENDER_CLAIMS_MAIL_SYSTEM, BRAND_DOMAIN_MISMATCH]
        .iter()
        .any(|name| signals.has(name))
    {
        signals.remove(KNOWN_MTA_NOTICE);
    }

    // --- Backscatter.
    let backscatter = backscatter(doc, results, own_domains, &mut signals, &mut not_checked);

    let signals = signals.0;
    let score = score(&signals);
    let something_to_act_on = link_out || !doc.attachments.is_empty();
    let verdict = verdict_of(&signals, score, something_to_act_on);
    SpoofReport {
        verdict,
        score,
        signals,
        not_checked,
        backscatter,
        clock_skew_minutes: clock_skew_minutes(doc),
    }
}

/// The verdict of a score, `likely_spoofed` only with something to act on:
/// one of [`ACTION_SIGNALS`], or (`act_on`) a link leading out of the
/// recipient's organisation or an attached file.
fn verdict_of(signals: &[Signal], score: i32, act_on: bool) -> Verdict {
    match Verdict::from_score(score) {
        Verdict::LikelySpoofed
            if !act_on && !signals.iter().any(|s| ACTION_SIGNALS.contains(&s.name)) =>
        {
            Verdict::Suspicious
        }
        verdict => verdict,
    }
}

/// Positive weights in full; genuine evidence capped (see the module docs).
fn score(signals: &[Signal]) -> i32 {
    let positive: i32 = signals
        .iter()
        .filter(|s| s.weight > 0)
        .map(|s| s.weight)
        .sum();
    let small_names = [AUTO_SUBMITTED, NDR_HEADER, NULL_RETURN_PATH];
    let small: i32 = signals
        .iter()
        .filter(|s| s.weight < 0 && small_names.contains(&s.name))
        .map(|s| s.weight)
        .sum();
    let structural: i32 = signals
        .iter()
        .filter(|s| s.weight < 0 && !small_names.contains(&s.name))
        .map(|s| s.weight)
        .sum();
    // A file a real notice never carries (a program, a web page, an archive
    // on the notice itself: real MTAs return the original as message/rfc822)
    // is not outweighed by a report structure that costs nothing to copy.
    let cap = if signals
        .iter()
        .any(|s| ATTACHED_FILE_SIGNALS.contains(&s.name))
    {
        MAX_CREDIT_WITH_ATTACHED_FILE
    } else {
        MAX_GENUINE_CREDIT
    };
    let genuine = (structural + small.max(-MAX_SMALL_CREDIT)).max(-cap);
    positive + genuine
}

fn collect_links(doc: &Document, text: &str) -> Vec<LinkRef> {
    let mut links: Vec<LinkRef> = Vec::new();
    for link in doc.links.iter().take(MAX_LINKS) {
        links.push(LinkRef::new(link.href.clone(), link.text.clone()));
    }
    for c in LINK_PAIR.captures_iter(text).take(MAX_LINKS) {
        if links.len() >= MAX_LINKS * 2 {
            break;
        }
        let shown = head(&c[1], 400);
        links.push(LinkRef::new(
            head(&c[2], 4_000).to_string(),
            shown.to_string(),
        ));
    }
    for m in URL_IN_TEXT.find_iter(text).take(MAX_LINKS) {
        if links.len() >= MAX_LINKS * 3 {
            break;
        }
        let href = m.as_str().trim_end_matches(['.', ',', ';', ':', '!', '?']);
        if !links.iter().any(|l| l.href == href) {
            links.push(LinkRef::new(href.to_string(), String::new()));
        }
    }
    links
}

/// Base domains a genuine notice may link to: the sender's, the recipient's,
/// the reporting and remote servers', the failed recipients'.
fn related_domains(
    doc: &Document,
    results: &[RecipientResult],
    from: Option<&str>,
    to: Option<&str>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for d in [from, to].into_iter().flatten() {
        push_base(&mut out, d);
    }
    if let Some(d) = doc.headers.return_path.as_deref().and_then(domain_of) {
        push_base(&mut out, &d);
    }
    if let Some(o) = &doc.original {
        for d in [o.from.as_deref(), o.to.as_deref(), o.message_id.as_deref()]
            .into_iter()
            .flatten()
            .filter_map(domain_of)
        {
            push_base(&mut out, &d);
        }
    }
    for host in notice_hosts(results) {
        push_base(&mut out, &host);
    }
    out
}

/// `domain` is that of a failed recipient or of a server the notice names
/// (the reporting or remote MTA): the domain a genuine notice's
/// `MAILER-DAEMON` writes from.
fn domain_in_notice(results: &[RecipientResult], domain: &str) -> bool {
    let base = base_domain(domain);
    notice_hosts(results).any(|h| base_domain(&h) == base)
}

/// What the results name on the recipients' side, lowercased: each failed
/// recipient's domain and the reporting and remote MTAs' host names.
fn notice_hosts(results: &[RecipientResult]) -> impl Iterator<Item = String> + '_ {
    results.iter().take(1_000).flat_map(|r| {
        let mtas = [r.reporting_mta.as_deref(), r.remote_mta.as_deref()]
            .into_iter()
            .flatten()
            .filter_map(|m| HOST_NAME.captures(m))
            .map(|m| m[1].to_ascii_lowercase());
        domain_of(&r.recipient).into_iter().chain(mtas)
    })
}

/// Adds the base domain of `host` to `out` once.
fn push_base(out: &mut Vec<String>, host: &str) {
    let base = base_domain(&host.trim().trim_end_matches('.').to_ascii_lowercase());
    if base.contains('.') && !out.contains(&base) {
        out.push(base);
    }
}

fn check_links(
    links: &[LinkRef],
    related: &[String],
    to_domain: Option<&str>,
    signals: &mut Signals,
) {
    let lures = &*LURES;
    let mut unrelated: Option<String> = None;
    for link in links {
        // A redirector (google.com/url?q=...) is judged by where it leads.
        let (host, userinfo, path) = match target(&link.target) {
            Target::Script(scheme) => {
                signals.add(LINK_SCRIPT_OR_DATA, 4, format!("{scheme}: link"));
                continue;
            }
            Target::Other => continue,
            Target::Web {
                host,
                userinfo,
                path,
            } => (host, userinfo, path),
        };
        let mut flagged = false;
        if userinfo {
            signals.add(
                LINK_USERINFO,
                3,
                format!("link with user@host form, real host {host}"),
            );
            flagged = true;
        }
        if is_ip_literal(&host) && !is_local_ip(&host) {
            signals.add(LINK_IP_LITERAL, 3, format!("link to IP address {host}"));
            flagged = true;
        }
        for (name, weight, _) in lures.link_host.hits(&host) {
            signals.add(name, weight, format!("link host {host}"));
            flagged = true;
        }
        let host_and_path = format!("{host}{path}");
        for (name, weight, _) in lures.link_url.hits(&host_and_path) {
            signals.add(
                name,
                weight,
                format!("link to {}", head(&host_and_path, 60)),
            );
            flagged = true;
        }
        let skeleton = punycode_skeleton(&host);
        if host.split('.').any(|label| label.starts_with("xn--")) {
            signals.add(LINK_PUNYCODE, 2, format!("punycode link host {host}"));
            flagged = true;
        }
        let own_org = to_domain.is_some_and(|t| base_domain(t) == base_domain(&host));
        if !own_org {
            if let Some(brand) = lookalike_brand(&host) {
                signals.add(
                    LINK_LOOKALIKE_HOST,
                    3,
                    format!("link host {host} borrows the name {}", brand.name),
                );
                flagged = true;
            } else if let Some(domain) = embedded_domain(&host) {
                signals.add(
                    LINK_LOOKALIKE_HOST,
                    3,
                    format!("link host {host} carries the domain {domain} inside"),
                );
                flagged = true;
            } else if let Some(reads) = skeleton.as_deref().filter(|k| {
                is_known_host(k)
                    || lures.brands.iter().any(|b| b.owns(k))
                    || lookalike_brand(k).is_some()
            }) {
                signals.add(
                    LINK_LOOKALIKE_HOST,
                    3,
                    format!("punycode link host {host} reads as {reads}"),
                );
                flagged = true;
            }
        }
        if !link.text.is_empty() {
            if let Some(shown) = mismatched_text_domain(&link.text, &host) {
                signals.add(
                    LINK_TEXT_MISMATCH,
                    3,
                    format!("link shows {shown} but goes to {host}"),
                );
                flagged = true;
            }
        }
        let host_base = base_domain(&host);
        if !flagged
            && unrelated.is_none()
            && !is_known_host(&host)
            && !related.contains(&host_base)
            && !is_ip_literal(&host)
        {
            unrelated = Some(host);
        }
    }
    if let Some(host) = unrelated {
        signals.add(
            LINK_UNRELATED_HOST,
            1,
            format!("link to unrelated host {host}"),
        );
    }
}

/// The brand whose name a host borrows without being one of its domains.
fn lookalike_brand(host: &str) -> Option<&'static Brand> {
    let lures: &'static Lures = &LURES;
    let segments: Vec<&str> = host.split(['.', '-']).collect();
    lures.brands.iter().find(|b| {
        !b.owns(host)
            && segments.iter().any(|seg| {
                b.host_tokens.iter().any(|t| {
                    seg.strip_prefix(t.as_str())
                        .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit()))
                })
            })
    })
}

/// A domain the link text shows that is not the target's (nor the same brand's).
fn mismatched_text_domain(text: &str, host: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let host_base = base_domain(host);
    for c in DOMAIN_TOKEN.captures_iter(&lower).take(20) {
        let shown = c[1].trim_end_matches('.');
        let last = shown.rsplit('.').next().unwrap_or("");
        if FILE_EXTENSIONS.contains(&last) {
            continue;
        }
        if base_domain(shown) == host_base {
            continue;
        }
        let same_brand = LURES.brands.iter().any(|b| b.owns(shown) && b.owns(host));
        if same_brand || (is_known_host(shown) && is_known_host(host)) {
            continue;
        }
        return Some(shown.to_string());
    }
    None
}

/// `claimed`: the mail claims a bounce or uses lure wording, so archives
/// count (a DMARC aggregate report's zipped XML claims nothing).
fn check_attachments(doc: &Document, claimed: bool, any_lure_wording: bool, signals: &mut Signals) {
    let lists = &LURES.attachments;
    for a in doc.attachments.iter().take(MAX_ATTACHMENTS) {
        let name = a
            .name
            .as_deref()
            .unwrap_or("")
            .trim()
            .trim_end_matches(['.', ' '])
            .to_lowercase();
        let content_type = a.content_type.trim().to_ascii_lowercase();
        let label = if name.is_empty() {
            content_type.clone()
        } else {
            name.clone()
        };
        let parts: Vec<&str> = name.split('.').map(str::trim).collect();
        let ext = if parts.len() >= 2 {
            parts[parts.len() - 1]
        } else {
            ""
        };
        let previous = if parts.len() >= 3 {
            parts[parts.len() - 2]
        } else {
            ""
        };
        let dangerous_ext = !ext.is_empty() && lists.dangerous.iter().any(|e| e.as_str() == ext);
        if a.executable_magic {
            signals.add(
                EXECUTABLE_ATTACHMENT,
                6,
                format!("attachment {label} is a Windows program (MZ)"),
            );
        }
        if dangerous_ext
            && !previous.is_empty()
            && previous != ext
            && lists.decoy.iter().any(|e| e.as_str() == previous)
        {
            signals.add(
                DOUBLE_EXTENSION,
                6,
                format!("attachment {label} hides its type behind .{previous}"),
            );
            continue;
        }
        if a.executable_magic {
            continue;
        }
        let safe_ext = !ext.is_empty() && lists.safe.iter().any(|e| e.as_str() == ext);
        let needs_claim = if dangerous_ext {
            lists.with_claim_only.iter().any(|e| e.as_str() == ext)
        } else {
            lists.with_claim_only.contains(&content_type)
        };
        if needs_claim && !claimed {
            continue;
        }
        if dangerous_ext || (!safe_ext && lists.dangerous_types.contains(&content_type)) {
            signals.add(
                DANGEROUS_ATTACHMENT,
                5,
                format!("attachment {label} ({content_type})"),
            );
        } else if any_lure_wording
            && !ext.is_empty()
            && lists.with_lure_only.iter().any(|e| e.as_str() == ext)
        {
            signals.add(
                PDF_ATTACHMENT_WITH_LURE,
                3,
                format!("attachment {label} with lure wording"),
            );
        }
    }
}

/// Decides backscatter; adds its signals and notes.
///
/// - With own domains configured and the returned original present: the
///   original's From (else its Return-Path) outside the own domains is
///   backscatter; so is an own From whose Message-ID domain is neither own nor
///   a known mail service while no host on the sending side of its Received
///   chain ([`sending_side_hosts`]) is own or a known mail service (a forged
///   From sent from someone else's machine).
/// - [`MANY_UNKNOWN_RECIPIENTS`] or more distinct unknown recipients in the
///   input is a signal of its own (weight 0); it makes `backscatter` true only
///   when the original was not cleared: by the own-domain check, or, with no
///   own domains configured, by an original From at the notice's To: domain.
fn backscatter(
    doc: &Document,
    results: &[RecipientResult],
    own_domains: &[String],
    signals: &mut Signals,
    not_checked: &mut Vec<&'static str>,
) -> bool {
    let own: Vec<String> = own_domains
        .iter()
        .map(|d| {
            d.trim()
                .trim_start_matches('@')
                .trim_start_matches('.')
                .trim_end_matches('.')
                .to_ascii_lowercase()
        })
        .filter(|d| !d.is_empty())
        .collect();

    let mut forged = false;
    let mut cleared = false;
    if own.is_empty() {
        // None configured: the user's own mail is recognised, never accused,
        // by the notice's To: (a bounce returns to the original's sender),
        // so that a mail of one's own to several stale addresses is not
        // called backscatter. A differing From proves nothing here: aliases
        // and forwarding make it common.
        let to = doc.headers.to.as_deref().and_then(domain_of);
        let from = doc.original.as_ref().and_then(|o| {
            o.from
                .as_deref()
                .and_then(domain_of)
                .or_else(|| o.return_path.as_deref().and_then(domain_of))
        });
        if let (Some(to), Some(from)) = (to, from) {
            cleared = base_domain(&to) == base_domain(&from);
        }
    } else {
        match &doc.original {
            None => not_checked.push(ORIGINAL_MISSING),
            Some(o) => {
                let from_domain = o
                    .from
                    .as_deref()
                    .and_then(domain_of)
                    .or_else(|| o.return_path.as_deref().and_then(domain_of));
                let id_domain = o.message_id.as_deref().and_then(domain_of);
                match from_domain {
                    Some(d) if !is_own_domain(&d, &own) => {
                        forged = true;
                        signals.add(
                            ORIGINAL_NOT_FROM_OWN_DOMAIN,
                            0,
                            format!("returned original is from {d}"),
                        );
                    }
                    Some(_) => {
                        let foreign_id = id_domain.as_deref().filter(|d| !is_mail_service(d, &own));
                        let relayed_by_own = o.received.is_empty()
                            || sending_side_hosts(&o.received, results)
                                .iter()
                                .any(|h| is_mail_service(h, &own));
                        // A Message-ID at the own domain is as easily forged
                        // as the From; a PC handing the mail straight to the
                        // recipient's server is not (port 25 is blocked for
                        // home and office lines: the user's mail goes
                        // through a mail server).
                        let from_client = (!relayed_by_own)
                            .then(|| entered_from_client(&o.received, results, &own))
                            .flatten();
                        match (foreign_id, from_client) {
                            (Some(id), _) if !relayed_by_own => {
                                forged = true;
                                signals.add(
                                    ORIGINAL_NOT_FROM_OWN_DOMAIN,
                                    0,
                                    format!("original Message-ID at {id}, no own relay"),
                                );
                            }
                            (_, Some(client)) => {
                                forged = true;
                                signals.add(
                                    ORIGINAL_NOT_FROM_OWN_DOMAIN,
                                    0,
                                    format!("original handed from {client} straight to the recipient's server"),
                                );
                            }
                            _ => cleared = true,
                        }
                    }
                    None => match id_domain {
                        Some(id) if !is_mail_service(&id, &own) => {
                            forged = true;
                            signals.add(
                                ORIGINAL_NOT_FROM_OWN_DOMAIN,
                                0,
                                format!("returned original has Message-ID at {id}"),
                            );
                        }
                        Some(_) => cleared = true,
                        None => not_checked.push(ORIGINAL_MISSING),
                    },
                }
            }
        }
    }
    // Unknown users, also those the classifier calls `filtered` because the
    // notice does not say the refusal came at RCPT TO.
    let mut unknown: Vec<String> = results
        .iter()
        .filter(|r| !r.recipient.is_empty())
        .filter(|r| {
            r.reason == Reason::UserUnknown
                || (r.reason == Reason::Filtered
                    && RULES
                        .reasons
                        .matches(&normalize(&r.diagnostic))
                        .contains(&Reason::UserUnknown))
        })
        .map(|r| r.recipient.to_ascii_lowercase())
        .collect();
    unknown.sort();
    unknown.dedup();
    let many = unknown.len() >= MANY_UNKNOWN_RECIPIENTS;
    if many {
        signals.add(
            MANY_UNKNOWN_RECIPIENTS_SIGNAL,
            0,
            format!("{} different unknown recipients", unknown.len()),
        );
    }
    forged || (many && !cleared)
}

/// The hosts on the sending side of a returned original's Received chain
/// (newest first): every hop's `from` part (the host that handed the mail
/// over), and the `by` host of every hop below the receiving side. The
/// receiving side is the newest hop and the hops after it that the
/// recipient's own servers added (a `by` host at a failed recipient's
/// domain or at the reporting or remote MTA's), whose `from` hosts count
/// only when they are not the recipient's servers too. A recipient hosted
/// at Microsoft 365 or Google is no sign that the original came from there,
/// and the `for <address>` clause is not read at all.
fn sending_side_hosts(received: &[String], results: &[RecipientResult]) -> Vec<String> {
    let mut receiving: Vec<String> = Vec::new();
    for host in notice_hosts(results) {
        let family = provider_family(&host);
        if !receiving.contains(&family) {
            receiving.push(family);
        }
    }
    let mut hosts: Vec<String> = Vec::new();
    let mut receiving_side = true;
    for (i, header) in received.iter().take(100).enumerate() {
        let header = head(header, 2_000);
        let (from_part, by_host) = match RECEIVED_BY.captures(header) {
            Some(c) => (
                c.get(1).map_or("", |m| m.as_str()),
                Some(c[2].to_ascii_lowercase()),
            ),
            None => (header, None),
        };
        let from_part = from_part.trim_start();
        let from_part = from_part
            .get(..5)
            .filter(|p| p.eq_ignore_ascii_case("from "))
            .map_or("", |_| &from_part[5..]);
        if let Some(by) = by_host {
            receiving_side =
                receiving_side && (i == 0 || receiving.contains(&provider_family(&by)));
            if !receiving_side {
                hosts.push(by);
            }
        }
        // On the receiving side, a hop between the recipient's own servers
        // says nothing of the sender.
        hosts.extend(
            verified_from_hosts(from_part)
                .filter(|h| !(receiving_side && receiving.contains(&provider_family(h)))),
        );
    }
    hosts
}

/// The client that handed the returned original straight to the failed
/// recipient's own servers, when it was no mail server: the oldest hop's
/// `by` host is on the receiving side, no hop records an authenticated
/// submission, and the `from` clause names a PC rather than a server: a
/// HELO name without a dot (`DESKTOP-7K2M9QF`, `User`), an address literal,
/// or the bare own domain given from an address without a verified name
/// (`from example.co.jp (unknown [198.51.100.187])`).
fn entered_from_client(
    received: &[String],
    results: &[RecipientResult],
    own: &[String],
) -> Option<String> {
    let oldest = head(received.get(..received.len().min(100))?.last()?, 2_000);
    if received.iter().take(100).any(|h| {
        let h = head(h, 2_000).to_ascii_lowercase();
        AUTHENTICATED_SUBMISSION.is_match(&h)
    }) {
        return None;
    }
    let captures = RECEIVED_BY.captures(oldest)?;
    let by = provider_family(&captures[2]);
    let receiving = notice_hosts(results).any(|h| provider_family(&h) == by);
    if !receiving {
        return None;
    }
    let from_part = captures.get(1).map_or("", |m| m.as_str()).trim_start();
    let from_part = from_part
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("from "))
        .map(|_| from_part[5..].trim_start())?;
    let lower = from_part.to_ascii_lowercase();
    // Exim writes the checked name first and the HELO as `helo=`.
    let helo = match lower.find("helo=") {
        Some(i) => &lower[i + 5..],
        None => &lower,
    };
    let helo = helo
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .find(|t| !t.is_empty())?;
    let unverified = lower
        .get(..lower.find(')').unwrap_or(lower.len()))
        .is_some_and(|clause| clause.contains("(unknown"));
    let address_literal = helo.starts_with('[') || helo.parse::<std::net::IpAddr>().is_ok();
    let pc_name = !helo.contains('.') && !helo.is_empty();
    let bare_own_domain = unverified && own.iter().any(|o| o == helo);
    (pc_name || address_literal || bare_own_domain).then(|| {
        let helo: String = helo.chars().take(64).collect();
        format!("HELO {helo}")
    })
}

/// A Received header recording an authenticated submission (SMTP AUTH):
/// the user's own mail client, or an account that someone else logged in to.
static AUTHENTICATED_SUBMISSION: LazyLock<Regex> = LazyLock::new(|| {
    compile(r"authenticated|\bwith (?:e?smtpsa|esmtpa|asmtp)\b|\bauth=|smtp auth")
});

/// The host names of a Received `from` clause that the receiving server
/// checked. The name a client gives in HELO is whatever it chose to say, so
/// it does not count where the server says it could not verify it
/// (`from example.co.jp (unknown [198.51.100.23])`, Exim's `helo=` part).
fn verified_from_hosts(from_part: &str) -> impl Iterator<Item = String> + '_ {
    let unverified_helo = from_part
        .get(..from_part.find(')').unwrap_or(from_part.len()))
        .is_some_and(|clause| clause.to_ascii_lowercase().contains("(unknown"));
    let helo_end = from_part
        .find(|c: char| c.is_whitespace() || c == '(')
        .unwrap_or(from_part.len());
    HOST_NAME.captures_iter(from_part).filter_map(move |c| {
        let m = c.get(1)?;
        let is_helo_token = m.start() < helo_end;
        let after_helo_keyword = from_part[..m.start()]
            .to_ascii_lowercase()
            .ends_with("helo=");
        (!(after_helo_keyword || (unverified_helo && is_helo_token)))
            .then(|| m.as_str().to_ascii_lowercase())
    })
}

/// The organisation a host belongs to: a brand's name for any of its
/// domains (Microsoft's servers are at outlook.com and office365.com alike),
/// else the host's base domain.
fn provider_family(host: &str) -> String {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    LURES
        .brands
        .iter()
        .find(|b| b.owns(&host))
        .map_or_else(|| base_domain(&host), |b| format!("brand:{}", b.name))
}

/// `domain` is one of the own domains or a sub-domain of one.
fn is_own_domain(domain: &str, own: &[String]) -> bool {
    own.iter().any(|o| belongs(domain, o))
}

/// `domain` is an own domain or a mail service that sends for its customers.
fn is_mail_service(domain: &str, own: &[String]) -> bool {
    is_own_domain(domain, own)
        || LURES.sending_services.iter().any(|s| belongs(domain, s))
        || is_known_host(domain)
}

/// Seconds since the epoch of an RFC 5322 date, when it parses.
fn timestamp(value: &str) -> Option<i64> {
    let value = value.trim();
    if value.is_empty() || value.len() > 200 {
        return None;
    }
    let dt = mail_parser::DateTime::parse_rfc822(value)?;
    dt.is_valid().then(|| dt.to_timestamp())
}

/// Minutes from the original's first (oldest) Received time to its Date,
/// when they differ by more than [`CLOCK_SKEW_LIMIT_MINUTES`].
fn clock_skew_minutes(doc: &Document) -> Option<i64> {
    let original = doc.original.as_ref()?;
    let date = timestamp(original.date.as_deref()?)?;
    let received = original
        .received
        .iter()
        .rev()
        .find_map(|r| r.rsplit_once(';').and_then(|(_, d)| timestamp(d)))?;
    let minutes = (date - received) / 60;
    (minutes.abs() > CLOCK_SKEW_LIMIT_MINUTES).then_some(minutes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{analyze, Options};
    use crate::parse::{Attachment, Link, Original};
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};

    const SIGNALS_TOML: &str = include_str!("../responses/spoof/signals.toml");
    const VERDICT_FILES: &[(&str, &str)] = &[
        (
            "suspicious",
            include_str!("../responses/spoof/suspicious.toml"),
        ),
        (
            "likely_spoofed",
            include_str!("../responses/spoof/likely_spoofed.toml"),
        ),
        (
            "backscatter",
            include_str!("../responses/spoof/backscatter.toml"),
        ),
        ("clock", include_str!("../responses/spoof/clock.toml")),
    ];
    /// The own domain the lure fixtures are written for.
    const OWN_DOMAIN: &str = "example.co.jp";

    fn fixtures() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
    }

    fn report_for(bytes: &[u8], own: &[String]) -> SpoofReport {
        let options = Options {
            own_domains: own.to_vec(),
            ..Options::default()
        };
        let analyses = analyze(bytes, &options);
        let first = analyses.first().expect("every input gives one analysis");
        check(&first.document, &first.results, own)
    }

    fn names(report: &SpoofReport) -> Vec<&'static str> {
        report.signals.iter().map(|s| s.name).collect()
    }

    #[test]
    fn every_lure_pattern_matches_the_line_it_was_made_for() {
        let file: LureFile = toml::from_str(LURES_TOML).unwrap();
        assert!(
            file.lure.len() >= 20,
            "lures.toml has only {} entries",
            file.lure.len()
        );
        for entry in &file.lure {
            let example = normalize(&entry.example);
            let re =
                Regex::new(&entry.pattern).unwrap_or_else(|e| panic!("{:?}: {e}", entry.pattern));
            assert!(
                re.is_match(&example),
                "lures.toml: {:?} does not match its example {example:?}",
                entry.pattern
            );
            assert!(
                SIGNAL_NAMES.contains(&entry.name.as_str()),
                "lures.toml: {:?} is not in SIGNAL_NAMES",
                entry.name
            );
            assert!(
                SCOPES.contains(&entry.scope.as_str()),
                "lures.toml: unknown scope {:?}",
                entry.scope
            );
            assert!(
                (1..=6).contains(&entry.weight),
                "lures.toml: weight {} of {:?}",
                entry.weight,
                entry.name
            );
        }
        for brand in &file.brand {
            let re = Regex::new(&brand.pattern).unwrap();
            assert!(
                re.is_match(&normalize(&brand.example)),
                "lures.toml: brand {} does not match its example",
                brand.name
            );
        }
        // Loading compiles everything.
        assert!(!LURES.known_hosts.is_empty());
        assert!(!ATTACHMENT_LINE.as_str().is_empty());
    }

    #[test]
    fn signal_names_are_unique_and_each_has_a_japanese_sentence() {
        let mut seen = Vec::new();
        for name in SIGNAL_NAMES.iter().chain(NOT_CHECKED_IDS) {
            assert!(!seen.contains(name), "{name} listed twice");
            seen.push(*name);
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{name} is not snake_case"
            );
        }
        let table: HashMap<String, String> =
            toml::from_str(SIGNALS_TOML).expect("responses/spoof/signals.toml is a flat table");
        for name in SIGNAL_NAMES.iter().chain(NOT_CHECKED_IDS) {
            let sentence = table
                .get(*name)
                .unwrap_or_else(|| panic!("responses/spoof/signals.toml has no {name}"));
            assert!(!sentence.trim().is_empty(), "{name} is empty");
            assert!(
                !sentence.contains('{') && !sentence.contains('}'),
                "{name}: no placeholders in signals.toml"
            );
        }
        for key in table.keys() {
            assert!(
                seen.contains(&key.as_str()),
                "responses/spoof/signals.toml: {key} is not a signal or not_checked id"
            );
        }
    }

    #[test]
    fn verdict_templates_have_exactly_the_expected_fields() {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Template {
            verdict: String,
            headline: String,
            summary: String,
            checklist: Vec<String>,
        }
        let placeholder = Regex::new(r"\{[^}]*\}").unwrap();
        for (stem, text) in VERDICT_FILES {
            let t: Template =
                toml::from_str(text).unwrap_or_else(|e| panic!("responses/spoof/{stem}.toml: {e}"));
            assert_eq!(
                t.verdict, *stem,
                "responses/spoof/{stem}.toml: verdict must be the file stem"
            );
            assert!(
                !t.headline.trim().is_empty() && !t.summary.trim().is_empty(),
                "{stem}: empty text"
            );
            assert!(
                (3..=8).contains(&t.checklist.len()),
                "{stem}: 3 to 8 checklist items"
            );
            for field in std::iter::once(&t.headline)
                .chain(std::iter::once(&t.summary))
                .chain(t.checklist.iter())
            {
                for m in placeholder.find_iter(field) {
                    assert_eq!(
                        m.as_str(),
                        "{count}",
                        "responses/spoof/{stem}.toml: placeholder {} not allowed",
                        m.as_str()
                    );
                }
                let braces = field.matches('{').count() + field.matches('}').count();
                assert_eq!(
                    braces,
                    2 * placeholder.find_iter(field).count(),
                    "{stem}: stray brace in {field:?}"
                );
            }
        }
    }

    /// Rows of tests/fixtures/lures/README.md: (file, verdict, signals).
    fn lure_table() -> Vec<(String, String, Vec<String>)> {
        let readme = std::fs::read_to_string(fixtures().join("lures/README.md"))
            .expect("tests/fixtures/lures/README.md");
        let mut rows = Vec::new();
        let mut in_table = false;
        for line in readme.lines() {
            let line = line.trim();
            if !line.starts_with('|') {
                in_table = false;
                continue;
            }
            let cells: Vec<String> = line
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().trim_matches('`').to_string())
                .collect();
            if cells.len() >= 3 && cells[0] == "file" && cells[1] == "verdict" {
                in_table = true;
                continue;
            }
            if !in_table || cells[0].starts_with("---") || cells.len() < 3 {
                continue;
            }
            let signals = cells[2]
                .split(',')
                .map(|s| s.trim().trim_matches('`').to_string())
                .filter(|s| !s.is_empty())
                .collect();
            rows.push((cells[0].clone(), cells[1].clone(), signals));
        }
        rows
    }

    #[test]
    fn lure_fixtures_are_all_listed() {
        let rows = lure_table();
        assert!(
            rows.len() >= 20,
            "only {} rows in tests/fixtures/lures/README.md",
            rows.len()
        );
        let mut listed: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        listed.sort();
        let mut on_disk: Vec<String> = std::fs::read_dir(fixtures().join("lures"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| n != "README.md")
            .collect();
        on_disk.sort();
        assert_eq!(listed, on_disk);
    }

    #[test]
    fn lure_fixtures_get_their_verdict_and_signals() {
        let own = [OWN_DOMAIN.to_string()];
        let mut failures = Vec::new();
        for (file, verdict, expected) in lure_table() {
            let bytes = std::fs::read(fixtures().join("lures").join(&file)).unwrap();
            let report = report_for(&bytes, &own);
            let got = names(&report);
            if report.verdict.as_str() != verdict {
                failures.push(format!(
                    "{file}: verdict {} (score {}), expected {verdict}; signals {:?}",
                    report.verdict.as_str(),
                    report.score,
                    report.signals
                ));
            }
            for name in &expected {
                assert!(
                    SIGNAL_NAMES.contains(&name.as_str()),
                    "{file}: README names unknown signal {name}"
                );
                if !got.contains(&name.as_str()) {
                    failures.push(format!("{file}: no {name}; got {got:?}"));
                }
            }
            let want_backscatter = file.starts_with("backscatter-");
            if report.backscatter != want_backscatter {
                failures.push(format!(
                    "{file}: backscatter {}, expected {want_backscatter}; signals {got:?}",
                    report.backscatter
                ));
            }
            if file.ends_with(".txt") && !report.not_checked.contains(&HEADERS_MISSING) {
                failures.push(format!("{file}: pasted text must say headers_missing"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Regression: with no own domains configured, the user's own mail to
    /// several stale addresses was called backscatter. The notice's To:
    /// clears an original From at its domain (and accuses nothing).
    #[test]
    fn own_mail_is_cleared_by_the_notices_to_without_own_domains() {
        let bytes =
            std::fs::read(fixtures().join("lures/genuine-own-mail-stale-addresses.eml")).unwrap();
        let report = report_for(&bytes, &[]);
        assert!(names(&report).contains(&MANY_UNKNOWN_RECIPIENTS_SIGNAL));
        assert!(!report.backscatter, "{:?}", report.signals);
        let other = std::fs::read(fixtures().join("lures/backscatter-many-unknown.eml")).unwrap();
        assert!(report_for(&other, &[]).backscatter);
    }

    #[test]
    fn the_other_fixtures_are_not_called_lures() {
        // Every genuine bounce and paste of the main fixture set stays `none`
        // (the non-bounces may be newsletters with links: not a lure either).
        let mut files: Vec<(String, PathBuf)> = Vec::new();
        for dir in std::fs::read_dir(fixtures())
            .unwrap()
            .flatten()
            .filter(|e| e.path().is_dir())
        {
            let dir_name = dir.file_name().to_string_lossy().to_string();
            if dir_name == "lures" {
                continue;
            }
            for entry in std::fs::read_dir(dir.path()).unwrap().flatten() {
                files.push((dir_name.clone(), entry.path()));
            }
        }
        assert!(files.len() > 100, "only {} fixtures", files.len());
        let mut failures = Vec::new();
        for (dir_name, path) in &files {
            let bytes = std::fs::read(path).unwrap();
            let report = report_for(&bytes, &[]);
            let limit = if dir_name == "not-bounce" {
                Verdict::Suspicious
            } else {
                Verdict::None
            };
            if report.verdict > limit {
                failures.push(format!(
                    "{}: {} (score {}) {:?}",
                    path.display(),
                    report.verdict.as_str(),
                    report.score,
                    report.signals
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn the_genuine_postfix_fixture_shows_the_fast_clock_of_the_sending_pc() {
        let bytes = std::fs::read(fixtures().join("lures/genuine-postfix.eml")).unwrap();
        let report = report_for(&bytes, &[OWN_DOMAIN.to_string()]);
        assert_eq!(report.clock_skew_minutes, Some(120), "{report:?}");
        assert_eq!(report.verdict, Verdict::None);
        assert!(!report.backscatter);
    }

    #[test]
    fn an_empty_or_binary_input_gives_no_verdict_and_never_panics() {
        let report = check(&Document::default(), &[], &[]);
        assert_eq!(report.verdict, Verdict::None);
        assert!(report.not_checked.contains(&HEADERS_MISSING));
        let noise: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let _ = report_for(&noise, &[OWN_DOMAIN.to_string()]);
        let _ = report_for(b"", &[]);
    }

    fn attachment(name: &str, content_type: &str, magic: bool) -> Attachment {
        Attachment {
            name: Some(name.to_string()),
            content_type: content_type.to_string(),
            size: 100,
            executable_magic: magic,
        }
    }

    #[test]
    fn attachments_are_judged_by_name_type_and_magic() {
        let doc = Document {
            kind: Some(InputKind::Email),
            attachments: vec![
                attachment("Undelivered_Messages.HTM", "text/html", false),
                attachment("invoice.pdf.exe", "application/octet-stream", false),
                attachment("winmail.dat", "application/ms-tnef", false),
                attachment("icon.png", "image/png", false),
                attachment("setup.bin", "application/octet-stream", true),
            ],
            ..Document::default()
        };
        let mut signals = Signals::default();
        check_attachments(&doc, true, false, &mut signals);
        let got: Vec<(&str, &str)> = signals
            .0
            .iter()
            .map(|s| (s.name, s.detail.as_str()))
            .collect();
        assert!(
            got.iter()
                .any(|(n, d)| *n == DANGEROUS_ATTACHMENT && d.contains("undelivered_messages.htm")),
            "{got:?}"
        );
        assert!(
            got.iter()
                .any(|(n, d)| *n == DOUBLE_EXTENSION && d.contains("invoice.pdf.exe")),
            "{got:?}"
        );
        assert!(
            got.iter()
                .any(|(n, d)| *n == EXECUTABLE_ATTACHMENT && d.contains("setup.bin")),
            "{got:?}"
        );
        assert_eq!(got.len(), 3, "{got:?}");
        let mut pdf = Signals::default();
        let doc = Document {
            attachments: vec![attachment("scan.pdf", "application/pdf", false)],
            ..Document::default()
        };
        check_attachments(&doc, true, false, &mut pdf);
        assert!(pdf.0.is_empty());
        check_attachments(&doc, true, true, &mut pdf);
        assert!(pdf.has(PDF_ATTACHMENT_WITH_LURE));
    }

    /// Regression: a DMARC aggregate report (zipped XML, no bounce claim)
    /// was `suspicious` for its archive. An archive counts on a mail that
    /// claims a bounce or uses lure wording; a web page always does.
    #[test]
    fn archives_count_only_on_a_claimed_bounce() {
        let doc = Document {
            kind: Some(InputKind::Email),
            attachments: vec![attachment(
                "google.com!example.co.jp!1764460800!1764547199.zip",
                "application/zip",
                false,
            )],
            ..Document::default()
        };
        let mut report = Signals::default();
        check_attachments(&doc, false, false, &mut report);
        assert!(report.0.is_empty());
        let mut claimed = Signals::default();
        check_attachments(&doc, true, false, &mut claimed);
        assert!(claimed.has(DANGEROUS_ATTACHMENT));
        let page = Document {
            attachments: vec![attachment("report.htm", "text/html", false)],
            ..Document::default()
        };
        let mut unclaimed_page = Signals::default();
        check_attachments(&page, false, false, &mut unclaimed_page);
        assert!(unclaimed_page.has(DANGEROUS_ATTACHMENT));
    }

    #[test]
    fn links_are_judged_by_host_and_shown_text() {
        let link = |href: &str, text: &str| LinkRef::new(href.to_string(), text.to_string());
        let mut signals = Signals::default();
        check_links(
            &[
                link(
                    "https://go.microsoft.com/fwlink/?LinkId=532972",
                    "More info",
                ),
                link(
                    "https://support.google.com/mail/?p=NoSuchUser",
                    "Learn more",
                ),
                link("mailto:someone@example.com", "someone@example.com"),
            ],
            &[],
            Some("example.co.jp"),
            &mut signals,
        );
        assert!(signals.0.is_empty(), "{:?}", signals.0);
        let mut signals = Signals::default();
        check_links(
            &[
                link("https://bit.ly/3xAmPLe", ""),
                link("http://192.0.2.10/owa/", ""),
                link(
                    "https://release-mail.example.net/x",
                    "https://outlook.office365.com/owa",
                ),
                link("javascript:void(0)", "Release"),
                link("https://outlook.office.com@login.example.org/", ""),
                link("https://microsoft-mailbox-verify.example.com/", ""),
                link("https://xn--micrsoft-xxa.example/", ""),
                link("https://quota.example.workers.dev/", ""),
            ],
            &[],
            Some("example.co.jp"),
            &mut signals,
        );
        for name in [
            LINK_SHORTENER,
            LINK_IP_LITERAL,
            LINK_TEXT_MISMATCH,
            LINK_SCRIPT_OR_DATA,
            LINK_USERINFO,
            LINK_LOOKALIKE_HOST,
            LINK_PUNYCODE,
            LINK_FORM_HOSTING,
        ] {
            assert!(signals.has(name), "no {name}: {:?}", signals.0);
        }
        assert_eq!(base_domain("mx1.mail.example.co.jp"), "example.co.jp");
        assert_eq!(base_domain("a.b.example.com"), "example.com");
        assert!(belongs("support.google.com", "google.com"));
        assert!(!belongs("notgoogle.com", "google.com"));
    }

    #[test]
    fn a_pasted_lure_is_judged_by_its_wording_and_says_what_it_could_not_check() {
        let text = "Your password expires today.\nTo keep your current password, re-login below.\nhttps://keep-password.example.net/login\n";
        let report = report_for(text.as_bytes(), &[]);
        assert_eq!(report.verdict, Verdict::LikelySpoofed, "{report:?}");
        assert!(names(&report).contains(&LURE_PASSWORD_EXPIRY));
        assert!(report.not_checked.contains(&HEADERS_MISSING));
        assert!(report.not_checked.contains(&ATTACHMENTS_MISSING));
        assert!(!report.not_checked.contains(&LINK_TARGETS_MISSING));
        assert!(!names(&report).contains(&PERSONAL_RETURN_PATH));
    }

    fn original(from: &str, message_id: &str, received: &[&str], date: &str) -> Original {
        Original {
            from: Some(from.to_string()),
            to: Some("someone@example.net".to_string()),
            subject: Some("hello".to_string()),
            message_id: Some(message_id.to_string()),
            date: Some(date.to_string()),
            return_path: None,
            received: received.iter().map(|r| r.to_string()).collect(),
        }
    }

    fn result(recipient: &str, reason: Reason) -> RecipientResult {
        RecipientResult {
            recipient: recipient.to_string(),
            action: Some("failed".into()),
            reason,
            detail: None,
            status: Some("5.1.1".into()),
            reply_code: Some(550),
            hard_bounce: true,
            command: None,
            diagnostic: String::new(),
            remote_mta: None,
            reporting_mta: None,
            mta: None,
        }
    }

    #[test]
    fn backscatter_is_told_from_the_returned_original() {
        let own = ["example.co.jp".to_string()];
        let mut doc = Document {
            kind: Some(InputKind::Email),
            original: Some(original(
                "suzuki@example.co.jp",
                "abc@mail.example.co.jp",
                &["from pc (unknown [192.0.2.5]) by mail.example.co.jp (Postfix); Mon, 3 Jun 2024 10:00:00 +0900"],
                "Mon, 3 Jun 2024 10:00:00 +0900",
            )),
            ..Document::default()
        };
        let mine = check(&doc, &[], &own);
        assert!(!mine.backscatter, "{mine:?}");
        doc.original = Some(original(
            "sales@example.org",
            "x@example.org",
            &[],
            "Mon, 3 Jun 2024 10:00:00 +0900",
        ));
        let foreign = check(&doc, &[], &own);
        assert!(
            foreign.backscatter && names(&foreign).contains(&ORIGINAL_NOT_FROM_OWN_DOMAIN),
            "{foreign:?}"
        );
        doc.original = Some(original(
            "suzuki@example.co.jp",
            "1234@bulk.example.net",
            &["from unknown (HELO bulk) ([203.0.113.9]) by mx.example.net with SMTP; Mon, 3 Jun 2024 10:00:00 +0900"],
            "Mon, 3 Jun 2024 10:00:00 +0900",
        ));
        let forged = check(&doc, &[], &own);
        assert!(forged.backscatter, "{forged:?}");
        assert_eq!(
            forged.verdict,
            Verdict::None,
            "backscatter is not a lure: {forged:?}"
        );
        // Many unknown recipients: backscatter unless the original is cleared.
        let many: Vec<RecipientResult> = ["a@example.net", "b@example.net", "c@example.net"]
            .iter()
            .map(|r| result(r, Reason::UserUnknown))
            .collect();
        let unknown_own = check(
            &Document {
                kind: Some(InputKind::Email),
                ..Document::default()
            },
            &many,
            &[],
        );
        assert!(
            unknown_own.backscatter
                && names(&unknown_own).contains(&MANY_UNKNOWN_RECIPIENTS_SIGNAL)
        );
        doc.original = Some(original(
            "suzuki@example.co.jp",
            "abc@mail.example.co.jp",
            &["from pc by mail.example.co.jp; Mon, 3 Jun 2024 10:00:00 +0900"],
            "Mon, 3 Jun 2024 10:00:00 +0900",
        ));
        let cleared = check(&doc, &many, &own);
        assert!(
            !cleared.backscatter && names(&cleared).contains(&MANY_UNKNOWN_RECIPIENTS_SIGNAL),
            "{cleared:?}"
        );
    }

    #[test]
    fn a_wrong_clock_on_the_sending_pc_is_measured() {
        let mut doc = Document {
            original: Some(original(
                "suzuki@example.co.jp",
                "a@example.co.jp",
                &[
                    "from mail.example.co.jp by mx.example.net; Mon, 3 Jun 2024 10:01:00 +0900",
                    "from pc by mail.example.co.jp; Mon, 3 Jun 2024 10:00:00 +0900",
                ],
                "Tue, 4 Jun 2024 12:00:00 +0900",
            )),
            ..Document::default()
        };
        assert_eq!(clock_skew_minutes(&doc), Some(26 * 60));
        doc.original.as_mut().unwrap().date = Some("Mon, 3 Jun 2024 01:10:00 +0000".into());
        assert_eq!(
            clock_skew_minutes(&doc),
            None,
            "10 minutes is within the limit"
        );
        doc.original.as_mut().unwrap().date = Some("not a date".into());
        assert_eq!(clock_skew_minutes(&doc), None);
    }

    #[test]
    fn the_report_serialises_with_snake_case_names() {
        let doc = Document {
            kind: Some(InputKind::Email),
            links: vec![Link {
                href: "https://bit.ly/3xAmPLe".into(),
                text: "Release messages".into(),
            }],
            ..Document::default()
        };
        let report = check(&doc, &[], &[]);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["verdict"], "likely_spoofed", "{json}");
        assert!(json["signals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "link_shortener"));
        assert_eq!(serde_json::to_value(Verdict::None).unwrap(), "none");
    }

    #[test]
    fn every_redirector_example_unwraps_to_a_web_address() {
        let file: LureFile = toml::from_str(LURES_TOML).unwrap();
        assert!(file.redirector.len() >= 3);
        for r in &file.redirector {
            let unwrapped = redirect_target(&r.example).unwrap_or_else(|| {
                panic!(
                    "lures.toml: redirector example {:?} does not unwrap",
                    r.example
                )
            });
            assert!(
                matches!(target(&unwrapped), Target::Web { .. }),
                "{unwrapped:?} from {:?}",
                r.example
            );
            assert!(
                !r.hosts.iter().any(|h| unwrapped.contains(h.as_str())),
                "{unwrapped}"
            );
        }
        // Not a redirector: the parameter of an ordinary page stays.
        assert_eq!(
            redirect_target("https://www.google.com/search?q=https://x.example.net/"),
            None
        );
        assert_eq!(
            redirect_target("https://example.net/url?q=https://x.example.net/"),
            None
        );
        // A redirector whose parameter is no web address is judged itself.
        assert_eq!(
            redirect_target("https://www.google.com/url?q=javascript:alert(1)"),
            None
        );
        assert_eq!(
            final_target("https://www.google.com/url?q=https%3A%2F%2Fl.facebook.com%2Fl.php%3Fu%3Dhttps%253A%252F%252Frelease.example.net%252F"),
            "https://release.example.net/"
        );
    }

    #[test]
    fn a_punycode_host_is_read_as_the_latin_letters_it_imitates() {
        // Cyrillic o in "onamae.com"; i with an acute accent in "microsoft".
        assert_eq!(
            punycode_skeleton("www.xn--namae-iye.com").as_deref(),
            Some("www.onamae.com")
        );
        assert_eq!(
            punycode_skeleton("xn--mcrosoft-c2a.com").as_deref(),
            Some("microsoft.com")
        );
        // A Japanese domain name has letters with no Latin look-alike.
        assert_eq!(punycode_skeleton("xn--wgv71a119e.jp"), None);
        assert_eq!(punycode_skeleton("www.example.com"), None);
    }

    #[test]
    fn a_host_carrying_a_known_domain_before_more_labels_is_a_lookalike() {
        assert_eq!(
            embedded_domain("secure.sakura.ad.jp.account-verify.example.net"),
            Some("sakura.ad.jp")
        );
        assert_eq!(
            embedded_domain("outlook.office365.com.secure-check.example.net"),
            Some("office365.com")
        );
        assert_eq!(embedded_domain("secure.sakura.ad.jp"), None);
        assert_eq!(embedded_domain("outlook.office365.com"), None);
        // The name must be whole labels: "mymicrosoft.com.example" carries none.
        assert_eq!(embedded_domain("www.notgoogle.com"), None);
    }

    #[test]
    fn an_unverified_helo_name_is_no_sending_host() {
        let hosts = |from: &str| verified_from_hosts(from).collect::<Vec<_>>();
        assert!(hosts("example.co.jp (unknown [198.51.100.23])\n\t").is_empty());
        assert_eq!(
            hosts("mail.example.co.jp (mail.example.co.jp [192.0.2.10])"),
            ["mail.example.co.jp", "mail.example.co.jp"]
        );
        assert_eq!(
            hosts("pc01.example.net (mail.example.co.jp [192.0.2.10])"),
            ["pc01.example.net", "mail.example.co.jp"]
        );
        assert!(hosts("[192.0.2.10] (helo=mail.example.co.jp)").is_empty());
        assert_eq!(
            hosts("mail.example.co.jp ([192.0.2.10] helo=pc01.example.net)"),
            ["mail.example.co.jp"]
        );
    }

    #[test]
    fn signal_details_keep_their_letters_on_one_line() {
        assert_eq!(
            clean_detail("wording: \u{4e0d}\u{6b63}"),
            "wording: \u{4e0d}\u{6b63}"
        );
        assert_eq!(clean_detail("a\nb\u{202e}c"), "a b c");
        assert_eq!(clean_detail(&"x".repeat(500)).len(), 120);
    }

    #[test]
    fn copied_smtp_lines_vouch_for_no_personal_sender() {
        let bytes =
            std::fs::read(fixtures().join("lures/redirect-delivery-subsystem.eml")).unwrap();
        let report = report_for(&bytes, &[OWN_DOMAIN.to_string()]);
        let found = names(&report);
        assert!(found.contains(&SENDER_CLAIMS_MAIL_SYSTEM), "{found:?}");
        assert!(!found.contains(&KNOWN_MTA_NOTICE), "{found:?}");
    }

    /// Regression: a newsletter about delivery problems (sender name with
    /// "mail" in it, a question in the subject naming Gmail, a quoted 550
    /// line) was `likely_spoofed` with nothing in it to act on.
    #[test]
    fn a_newsletter_asking_about_delivery_is_no_lure() {
        let bytes =
            std::fs::read(fixtures().join("not-bounce/newsletter-delivery-question-ja.eml"))
                .unwrap();
        let report = report_for(&bytes, &[OWN_DOMAIN.to_string()]);
        assert_eq!(report.verdict, Verdict::None, "{:?}", names(&report));
        assert!(!names(&report).contains(&SENDER_CLAIMS_MAIL_SYSTEM));
        assert!(!names(&report).contains(&BOUNCE_CLAIM_WITHOUT_RECIPIENTS));
    }

    /// A "postmaster" of the reader's own domain that the receiving server
    /// found forged is judged like any other sender; the same mail without
    /// the header keeps the benefit of the doubt.
    #[test]
    fn a_forged_own_domain_sender_is_no_colleague() {
        let mail = |auth: &str| {
            format!(
                "{auth}Return-Path: <postmaster@example.co.jp>\nFrom: \"Mail Delivery System\" <postmaster@example.co.jp>\nTo: suzuki@example.co.jp\nSubject: Undelivered Mail Returned to Sender\nContent-Type: text/plain\n\nThis is the mail system at host mail.example.co.jp.\n\n<tanaka@example.net>: host mx.example.net[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n\nYou have 3 messages held. Release them here: https://release-mail.example.net/held?u=suzuki\n"
            )
        };
        let forged = report_for(
            mail("Authentication-Results: mx.example.co.jp; spf=fail smtp.mailfrom=example.co.jp; dkim=none; dmarc=fail (p=quarantine) header.from=example.co.jp\n").as_bytes(),
            &[OWN_DOMAIN.to_string()],
        );
        let signal = forged
            .signals
            .iter()
            .find(|s| s.name == SENDER_AUTHENTICATION_FAILED)
            .expect("the forged From is reported");
        assert_eq!(signal.weight, 3);
        assert!(signal.detail.contains("dmarc=fail"), "{}", signal.detail);
        let unchecked = report_for(mail("").as_bytes(), &[OWN_DOMAIN.to_string()]);
        assert!(!names(&unchecked).contains(&SENDER_AUTHENTICATION_FAILED));
        assert!(
            forged.score > unchecked.score,
            "{} vs {}",
            forged.score,
            unchecked.score
        );
    }

    /// A brand's domain in From is the brand only when the receiving
    /// server, having checked, saw it proved.
    #[test]
    fn a_brand_domain_counts_only_when_authenticated() {
        let mail = |auth: &str| {
            format!(
                "{auth}From: Microsoft 365 <no-reply@microsoft.com>\nTo: suzuki@example.co.jp\nSubject: Microsoft 365: 4 messages held\nContent-Type: text/plain\n\n4 incoming messages are held. Review them: https://review.example.net/owa\n"
            )
        };
        let has_mismatch = |auth: &str| {
            names(&report_for(
                mail(auth).as_bytes(),
                &[OWN_DOMAIN.to_string()],
            ))
            .contains(&BRAND_DOMAIN_MISMATCH)
        };
        assert!(!has_mismatch(""), "no header: the From is trusted");
        assert!(!has_mismatch(
            "Authentication-Results: mx.example.co.jp; dkim=pass header.d=microsoft.com; dmarc=pass header.from=microsoft.com\n"
        ));
        assert!(has_mismatch(
            "Authentication-Results: mx.example.co.jp; spf=softfail smtp.mailfrom=microsoft.com; dkim=none; dmarc=fail header.from=microsoft.com\n"
        ));
        assert!(has_mismatch(
            "Authentication-Results: mx.example.co.jp; spf=none smtp.mailfrom=microsoft.com; dkim=none; dmarc=none header.from=microsoft.com\n"
        ), "checked and not proved");
    }

    /// Regression: "Undelivered Mail Returned to Sender - did you send
    /// this?" lost its bounce claim to the question mark.
    #[test]
    fn a_notice_subject_with_a_question_still_claims_a_bounce() {
        let mail = |subject: &str| {
            format!(
                "Return-Path: <kato.m@example.org>\nFrom: Kato Makoto <kato.m@example.org>\nTo: suzuki@example.co.jp\nSubject: {subject}\nContent-Type: text/plain\n\nYour message could not be delivered. View the returned message: https://view.example.org/r\n"
            )
        };
        let asks = report_for(
            mail("Undelivered Mail Returned to Sender - did you send this?").as_bytes(),
            &[OWN_DOMAIN.to_string()],
        );
        assert!(
            names(&asks).contains(&PERSONAL_RETURN_PATH),
            "{:?}",
            names(&asks)
        );
        let question = report_for(
            mail("Mail to the Osaka office not delivered?").as_bytes(),
            &[OWN_DOMAIN.to_string()],
        );
        assert!(
            !names(&question).contains(&PERSONAL_RETURN_PATH),
            "{:?}",
            names(&question)
        );
    }

    /// Regression: a deliverability newsletter whose subject named bounces
    /// and Gmail was `suspicious`. A list's subject claims a bounce only
    /// when it opens like a notice's own.
    #[test]
    fn a_mailing_lists_subject_names_topics_not_a_bounce() {
        let mail = |subject: &str, list: bool| {
            let list_headers = if list {
                "List-Id: <weekly.news.example.com>\nList-Unsubscribe: <https://news.example.com/u>\n"
            } else {
                ""
            };
            format!(
                "Return-Path: <bounce-1@news.example.com>\nFrom: Weekly <weekly@news.example.com>\nTo: suzuki@example.co.jp\nSubject: {subject}\n{list_headers}Content-Type: text/plain\n\nThis week: how to handle hard and soft bounces.\n"
            )
        };
        let own = [OWN_DOMAIN.to_string()];
        for (subject, list, claims) in [
            ("Weekly digest: bounce handling tips", true, false),
            ("Weekly digest: bounce handling tips", false, true),
            ("Undelivered Mail Returned to Sender", true, true),
        ] {
            let report = report_for(mail(subject, list).as_bytes(), &own);
            assert_eq!(
                names(&report).contains(&BOUNCE_CLAIM_WITHOUT_RECIPIENTS),
                claims,
                "{subject} (list mail: {list}): {:?}",
                names(&report)
            );
        }
    }

    /// Regression: a forged Message-ID at the own domain cleared spam that
    /// a PC had handed straight to the recipient's server. A PC that hands
    /// its mail to a mail server first (its provider's, here an unlisted
    /// one) is still the user's own mail.
    #[test]
    fn a_pc_handing_mail_to_the_recipients_server_is_no_own_mail() {
        let own = [OWN_DOMAIN.to_string()];
        let bytes =
            std::fs::read(fixtures().join("lures/backscatter-pc-helo-own-message-id.eml")).unwrap();
        assert!(report_for(&bytes, &own).backscatter);
        let text = String::from_utf8(bytes).unwrap();
        let direct = "Received: from WIN-4K2J9Q1LMZ0 (198-51-100-62.dyn.example.net [198.51.100.62])\n\tby mail.trading.example.net";
        assert!(text.contains(direct));
        let via_provider = text.replace(
            direct,
            "Received: from smtp.hosting.example.org (smtp.hosting.example.org [192.0.2.80])\n\tby mail.trading.example.net (8.15.2/8.15.2) with ESMTP id 5AJKe8Qx012340;\n\tThu, 20 Nov 2025 05:40:05 +0900\nReceived: from WIN-4K2J9Q1LMZ0 (198-51-100-62.dyn.example.net [198.51.100.62])\n\tby smtp.hosting.example.org",
        );
        assert!(!report_for(via_provider.as_bytes(), &own).backscatter);
        let authenticated = text.replace(
            direct,
            "Received: from WIN-4K2J9Q1LMZ0 (198-51-100-62.dyn.example.net [198.51.100.62])\n\t(authenticated bits=0)\n\tby mail.trading.example.net",
        );
        assert!(!report_for(authenticated.as_bytes(), &own).backscatter);
    }

    #[test]
    fn without_anything_to_act_on_a_mail_is_at_most_suspicious() {
        let mut signals = Signals::default();
        signals.add(SENDER_CLAIMS_MAIL_SYSTEM, 3, "x");
        signals.add(BRAND_DOMAIN_MISMATCH, 2, "x");
        signals.add(BOUNCE_CLAIM_WITHOUT_RECIPIENTS, 2, "x");
        let points = score(&signals.0);
        assert!(points >= LIKELY_SPOOFED_AT);
        assert_eq!(verdict_of(&signals.0, points, false), Verdict::Suspicious);
        assert_eq!(verdict_of(&signals.0, points, true), Verdict::LikelySpoofed);
        signals.add(LINK_FORM_HOSTING, 3, "x");
        let points = score(&signals.0);
        assert_eq!(
            verdict_of(&signals.0, points, false),
            Verdict::LikelySpoofed
        );
        for name in ACTION_SIGNALS {
            assert!(SIGNAL_NAMES.contains(name), "{name}");
        }
    }

    #[test]
    fn a_brand_country_domain_or_an_overlong_host_is_no_lookalike() {
        assert_eq!(embedded_domain("www.google.com.hk"), None);
        assert_eq!(embedded_domain("www.amazon.co.jp"), None);
        assert_eq!(
            embedded_domain("www.google.com.hk.example.net"),
            Some("google.com")
        );
        let long = format!("{}google.com.example.net", "a.".repeat(200));
        assert_eq!(embedded_domain(&long), None);
    }

    #[test]
    fn hosts_under_a_customer_hosting_domain_are_not_the_brand() {
        let lolipop = LURES
            .brands
            .iter()
            .find(|b| b.exact_domains.iter().any(|d| d == "lolipop.jp"))
            .expect("lures.toml: lolipop.jp is an exact brand domain");
        assert!(lolipop.owns("lolipop.jp"));
        assert!(lolipop.owns("www.lolipop.jp"));
        assert!(!lolipop.owns("secure-panel.lolipop.jp"));
    }
}
