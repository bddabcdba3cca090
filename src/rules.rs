//! The knowledge tables, loaded once.
//!
//! What the classifier knows lives in TOML files under `src/rules/`, each
//! entry quoting the real bounce line it was made for:
//! - `reasons.toml`: diagnostic phrases -> reason,
//! - `details.toml`: diagnostic phrases -> finer topic (spf, rbl, quota, ...),
//! - `status.toml`: RFC 3463 status codes -> reason,
//! - `formats.toml`: how each mail system's notice is recognised, and where the
//!   returned original starts.
//!
//! They are embedded in the binary and compiled into `RegexSet`s the first
//! time they are used; a malformed table is a bug caught by the unit tests
//! below, so loading panics with the file's name rather than returning errors.

use crate::reason::Reason;
use regex::{RegexSet, RegexSetBuilder};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::LazyLock;

const REASONS_TOML: &str = include_str!("rules/reasons.toml");
const DETAILS_TOML: &str = include_str!("rules/details.toml");
const STATUS_TOML: &str = include_str!("rules/status.toml");
const FORMATS_TOML: &str = include_str!("rules/formats.toml");

/// Every compiled table.
pub static RULES: LazyLock<Rules> = LazyLock::new(Rules::load);

/// A phrase rule as written in `reasons.toml` or `details.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhraseRule {
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
    pub pattern: String,
    pub example: String,
    #[serde(default)]
    pub source: Option<String>,
    /// Decides the reason outright, before the precedence walk.
    #[serde(default)]
    pub decisive: bool,
}

#[derive(Debug, Deserialize)]
struct PhraseFile {
    rule: Vec<PhraseRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusEntry {
    code: String,
    reason: String,
    #[allow(dead_code)]
    meaning: String,
}

#[derive(Debug, Deserialize)]
struct StatusFile {
    status: Vec<StatusEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MarkerEntry {
    pattern: String,
    #[allow(dead_code)] // checked by the tests: every pattern matches its example
    example: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FormatEntry {
    name: String,
    detect: Vec<String>,
    #[serde(default)]
    default_reason: Option<String>,
    #[allow(dead_code)] // checked by the tests: every pattern matches its example
    example: String,
}

#[derive(Debug, Deserialize)]
struct FormatsFile {
    original_marker: Vec<MarkerEntry>,
    notice_marker: Vec<MarkerEntry>,
    subject_marker: Vec<MarkerEntry>,
    format: Vec<FormatEntry>,
}

/// Phrase rules compiled into one `RegexSet`, with each pattern's label.
pub struct PhraseTable<L> {
    set: RegexSet,
    labels: Vec<L>,
    pub rules: Vec<PhraseRule>,
}

impl<L: Copy + PartialEq> PhraseTable<L> {
    /// Labels of every rule matching the normalised text, in table order,
    /// without repeats.
    pub fn matches(&self, normalized: &str) -> Vec<L> {
        let mut out: Vec<L> = Vec::new();
        for i in self.set.matches(normalized).iter() {
            if !out.contains(&self.labels[i]) {
                out.push(self.labels[i]);
            }
        }
        out
    }

    /// Whether any rule matches: one pass, no overlapping search.
    pub fn is_match(&self, normalized: &str) -> bool {
        self.set.is_match(normalized)
    }

    /// Indexes of the rules that match, for explaining a decision.
    pub fn matching_rules(&self, normalized: &str) -> Vec<usize> {
        self.set.matches(normalized).into_iter().collect()
    }
}

/// A recognised mail-system family.
pub struct Format {
    pub name: String,
    /// The reason this system's notices always mean when nothing more
    /// specific is said (Google Groups: the post was refused).
    pub default_reason: Option<Reason>,
    set: RegexSet,
}

/// All tables.
pub struct Rules {
    pub reasons: PhraseTable<Reason>,
    /// Every reason pattern as one multi-line alternation, to find which lines
    /// of a notice say anything at all in one pass.
    pub reasons_any: regex::Regex,
    /// The `decisive = true` subset of `reasons`.
    pub decisive: PhraseTable<Reason>,
    pub details: PhraseTable<&'static str>,
    status: HashMap<String, Reason>,
    pub original_markers: RegexSet,
    /// Phrases only a delivery-failure notice writes.
    pub notice_markers: RegexSet,
    /// Subjects of bounce notices.
    pub subject_markers: RegexSet,
    pub formats: Vec<Format>,
}

/// Rewrites Unicode-aware shorthands to their ASCII forms. The text rules
/// see is normalised (full-width folded, whitespace collapsed to spaces), so
/// nothing is lost, and a Unicode `\b` would stop the lazy DFA on every
/// Japanese byte and send matching to the slow PikeVM.
pub fn asciify(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let mut in_class = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('b') if in_class == 0 => out.push_str("(?-u:\\b)"),
                Some('B') if in_class == 0 => out.push_str("(?-u:\\B)"),
                Some('d') => out.push_str(if in_class > 0 { "0-9" } else { "[0-9]" }),
                Some('w') => out.push_str(if in_class > 0 { "0-9A-Za-z_" } else { "[0-9A-Za-z_]" }),
                Some('s') => out.push_str(if in_class > 0 { "\\t\\n\\r " } else { "[\\t\\n\\r ]" }),
                Some('S') if in_class == 0 => out.push_str("[^\\t\\n\\r ]"),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            '{' if in_class == 0 => {
                // A long counted repeat ("with some words between") multiplies
                // DFA states by its count; unbounded means the same here.
                let mut spec = String::new();
                while let Some(&d) = chars.peek() {
                    chars.next();
                    if d == '}' {
                        break;
                    }
                    spec.push(d);
                }
                match spec.split_once(',') {
                    Some((lo, hi)) if hi.parse::<u32>().is_ok_and(|h| h > 10) => {
                        out.push('{');
                        out.push_str(lo);
                        out.push_str(",}");
                    }
                    _ => {
                        out.push('{');
                        out.push_str(&spec);
                        out.push('}');
                    }
                }
            }
            '[' => {
                in_class += 1;
                out.push(c);
            }
            ']' if in_class > 0 => {
                in_class -= 1;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

fn compile_set(file: &str, patterns: &[String]) -> RegexSet {
    let patterns: Vec<String> = patterns.iter().map(|p| asciify(p)).collect();
    RegexSetBuilder::new(&patterns)
        .size_limit(64 << 20)
        .dfa_size_limit(64 << 20)
        .build()
        .unwrap_or_else(|e| panic!("src/rules/{file}: a pattern does not compile: {e}"))
}

impl Rules {
    fn load() -> Rules {
        let reasons: PhraseFile = toml::from_str(REASONS_TOML).unwrap_or_else(|e| panic!("src/rules/reasons.toml: {e}"));
        let reason_labels: Vec<Reason> = reasons
            .rule
            .iter()
            .map(|r| {
                let name = r.reason.as_deref().unwrap_or_else(|| panic!("src/rules/reasons.toml: rule {:?} has no reason", r.pattern));
                Reason::from_name(name).unwrap_or_else(|| panic!("src/rules/reasons.toml: unknown reason {name:?}"))
            })
            .collect();
        let reason_patterns: Vec<String> = reasons.rule.iter().map(|r| r.pattern.clone()).collect();
        let decisive_rules: Vec<PhraseRule> = reasons.rule.iter().filter(|r| r.decisive).cloned().collect();
        let decisive_labels: Vec<Reason> = reasons
            .rule
            .iter()
            .zip(&reason_labels)
            .filter(|(r, _)| r.decisive)
            .map(|(_, l): (&PhraseRule, &Reason)| *l)
            .collect();
        let decisive_patterns: Vec<String> = decisive_rules.iter().map(|r| r.pattern.clone()).collect();

        let details: PhraseFile = toml::from_str(DETAILS_TOML).unwrap_or_else(|e| panic!("src/rules/details.toml: {e}"));
        let detail_labels = details
            .rule
            .iter()
            .map(|r| {
                let name = r.detail.as_deref().unwrap_or_else(|| panic!("src/rules/details.toml: rule {:?} has no detail", r.pattern));
                DETAIL_TOPICS
                    .iter()
                    .copied()
                    .find(|t| *t == name)
                    .unwrap_or_else(|| panic!("src/rules/details.toml: unknown detail topic {name:?}"))
            })
            .collect();
        let detail_patterns: Vec<String> = details.rule.iter().map(|r| r.pattern.clone()).collect();

        let status: StatusFile = toml::from_str(STATUS_TOML).unwrap_or_else(|e| panic!("src/rules/status.toml: {e}"));
        let status = status
            .status
            .into_iter()
            .map(|s| {
                let reason = Reason::from_name(&s.reason).unwrap_or_else(|| panic!("src/rules/status.toml: unknown reason {:?}", s.reason));
                (s.code, reason)
            })
            .collect();

        let formats: FormatsFile = toml::from_str(FORMATS_TOML).unwrap_or_else(|e| panic!("src/rules/formats.toml: {e}"));
        let markers: Vec<String> = formats.original_marker.iter().map(|m| m.pattern.clone()).collect();
        let notice: Vec<String> = formats.notice_marker.iter().map(|m| m.pattern.clone()).collect();
        let subject: Vec<String> = formats.subject_marker.iter().map(|m| m.pattern.clone()).collect();

        Rules {
            reasons_any: {
                let joined = reason_patterns.iter().map(|p| format!("(?:{})", asciify(p))).collect::<Vec<_>>().join("|");
                regex::RegexBuilder::new(&format!("(?m){joined}"))
                    .size_limit(64 << 20)
                    .dfa_size_limit(64 << 20)
                    .build()
                    .unwrap_or_else(|e| panic!("src/rules/reasons.toml: the patterns do not combine: {e}"))
            },
            decisive: PhraseTable { set: compile_set("reasons.toml", &decisive_patterns), labels: decisive_labels, rules: decisive_rules },
            reasons: PhraseTable { set: compile_set("reasons.toml", &reason_patterns), labels: reason_labels, rules: reasons.rule },
            details: PhraseTable { set: compile_set("details.toml", &detail_patterns), labels: detail_labels, rules: details.rule },
            status,
            original_markers: compile_set("formats.toml", &markers),
            notice_markers: compile_set("formats.toml", &notice),
            subject_markers: compile_set("formats.toml", &subject),
            formats: formats
                .format
                .into_iter()
                .map(|f| Format {
                    set: compile_set("formats.toml", &f.detect),
                    default_reason: f.default_reason.as_deref().map(|r| {
                        Reason::from_name(r).unwrap_or_else(|| panic!("src/rules/formats.toml: unknown default_reason {r:?}"))
                    }),
                    name: f.name,
                })
                .collect(),
        }
    }

    /// The reason a status code names by itself, if it is specific enough.
    /// A provider's full code (`5.7.509`) wins over the class-free entry
    /// (`X.7.509`), which wins over nothing.
    pub fn reason_for_status(&self, status: &str) -> Option<Reason> {
        if let Some(r) = self.status.get(status) {
            return Some(*r);
        }
        let rest = status.get(1..)?;
        self.status.get(&format!("X{rest}")).copied()
    }

    /// The first format whose markers match the normalised text.
    pub fn detect_format(&self, normalized: &str) -> Option<&Format> {
        self.formats.iter().find(|f| f.set.is_match(normalized))
    }
}

/// The finer topics a `detail` may name; each has advice in `responses/details/`.
pub const DETAIL_TOPICS: &[&str] = &[
    "spf", "dkim", "dmarc", "rbl", "greylisting", "quota", "relay_denied", "account_disabled",
    "date_header", "tls", "rate_limit", "reverse_dns", "message_size", "dns_failure", "auth_required",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize;
    use regex::Regex;

    fn check_examples(file: &str, source: &str, key: &str) {
        #[derive(Deserialize)]
        struct Any {
            #[serde(default)]
            rule: Vec<toml::Value>,
            #[serde(default)]
            format: Vec<toml::Value>,
            #[serde(default)]
            original_marker: Vec<toml::Value>,
            #[serde(default)]
            notice_marker: Vec<toml::Value>,
            #[serde(default)]
            subject_marker: Vec<toml::Value>,
        }
        let any: Any = toml::from_str(source).unwrap();
        let entries = match key {
            "rule" => any.rule,
            "format" => any.format,
            "notice_marker" => any.notice_marker,
            "subject_marker" => any.subject_marker,
            _ => any.original_marker,
        };
        assert!(!entries.is_empty(), "{file} has no {key} entries");
        for entry in entries {
            let example = normalize(entry["example"].as_str().unwrap());
            let patterns: Vec<String> = match entry.get("pattern") {
                Some(p) => vec![p.as_str().unwrap().to_string()],
                None => entry["detect"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect(),
            };
            let hit = patterns.iter().any(|p| Regex::new(p).unwrap().is_match(&example));
            assert!(hit, "{file}: no pattern of {patterns:?} matches its own example {example:?}");
        }
    }

    #[test]
    fn every_rule_matches_the_line_it_was_made_for() {
        check_examples("reasons.toml", REASONS_TOML, "rule");
        check_examples("details.toml", DETAILS_TOML, "rule");
        check_examples("formats.toml", FORMATS_TOML, "format");
        check_examples("formats.toml", FORMATS_TOML, "original_marker");
        check_examples("formats.toml", FORMATS_TOML, "notice_marker");
        check_examples("formats.toml", FORMATS_TOML, "subject_marker");
    }

    #[test]
    fn ascii_rewriting_keeps_meaning() {
        assert_eq!(asciify(r"\buser\s+unknown\b"), r"(?-u:\b)user[\t\n\r ]+unknown(?-u:\b)");
        assert_eq!(asciify(r"[\d.]+\S"), r"[0-9.]+[^\t\n\r ]");
        assert_eq!(asciify(r"a\\b"), r"a\\b");
        assert_eq!(asciify(r"a.{0,160}b.{1,3}c"), r"a.{0,}b.{1,3}c");
        let re = Regex::new(&asciify(r"\bno such user\b")).unwrap();
        assert!(re.is_match("550 no such user here"));
        assert!(re.is_match("ユーザー no such user。"));
        assert!(!re.is_match("550 no such users"));
    }

    #[test]
    fn tables_load_and_status_codes_map_by_class_or_provider() {
        let rules = &*RULES;
        assert_eq!(rules.reason_for_status("5.1.1"), Some(Reason::UserUnknown));
        assert_eq!(rules.reason_for_status("4.2.2"), Some(Reason::MailboxFull));
        assert_eq!(rules.reason_for_status("5.7.509"), Some(Reason::AuthFailure));
        assert_eq!(rules.reason_for_status("5.0.0"), None);
        assert_eq!(rules.reason_for_status("5.7.1"), None);
    }

    #[test]
    fn every_reason_but_the_fallbacks_has_phrase_rules() {
        let covered: Vec<Reason> = RULES.reasons.labels.clone();
        for r in Reason::ALL {
            if matches!(r, Reason::Delivered | Reason::Feedback | Reason::Undefined | Reason::OnHold) {
                continue;
            }
            assert!(covered.contains(r), "no phrase rule for {r}");
        }
    }
}
