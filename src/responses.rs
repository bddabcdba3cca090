//! The Japanese wording: response templates loaded from `responses/`.
//!
//! Every sentence a user reads lives in TOML files, one per reason, one per
//! finer topic, plus the special answers and the UI labels, so that a team can
//! change the wording without touching code. The default set is embedded in
//! the binary (see `build.rs`); [`ResponseSet::load_dir`] reads a team's own
//! copy. Either way the set is validated when loaded: a missing reason, an
//! unknown placeholder or a malformed file is an error naming the file.

use crate::reason::Reason;
use crate::rules::DETAIL_TOPICS;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_responses.rs"));
}

/// A file of the built-in response set, by its path under `responses/`.
pub fn embedded_file(path: &str) -> Option<&'static str> {
    embedded::EMBEDDED
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, c)| *c)
}

/// Placeholders a template may use, and what fills them.
pub const PLACEHOLDERS: &[&str] = &[
    "recipient",
    "recipient_domain",
    "status",
    "reply_code",
    "reporting_mta",
    "remote_mta",
    "command",
    "count",
];

/// UI labels every response set must define, with the placeholders each may use.
pub const UI_KEYS: &[(&str, &[&str])] = &[
    ("section_what_happened", &[]),
    ("bounce_if_genuine", &[]),
    ("bounce_advice_withheld", &[]),
    ("section_who_acts", &[]),
    ("section_retry", &[]),
    ("section_checklist", &[]),
    ("section_tell_recipient", &[]),
    ("section_facts", &[]),
    ("section_technical", &[]),
    ("section_warnings", &[]),
    ("side_sender", &[]),
    ("side_recipient", &[]),
    ("side_admin", &[]),
    ("hard_bounce", &[]),
    ("soft_bounce", &[]),
    ("temporary_failure", &[]),
    ("delayed", &[]),
    ("not_a_failure", &[]),
    ("fact_recipient", &[]),
    ("fact_status", &[]),
    ("fact_reply_code", &[]),
    ("fact_reporting_mta", &[]),
    ("fact_remote_mta", &[]),
    ("fact_command", &[]),
    ("fact_diagnostic", &[]),
    ("fact_reason", &[]),
    ("fact_count", &[]),
    ("unknown_value", &[]),
    ("recipient_not_named", &[]),
    ("unknown_inline", &[]),
    ("recipient_not_named_inline", &[]),
    ("truncated", &["shown", "total"]),
    ("multiple_reasons", &["count", "kinds"]),
    ("recipients_more", &["n"]),
    ("button_technical", &[]),
    ("button_resolve", &[]),
    ("button_escalate", &[]),
    ("context_menu_explain", &[]),
    ("not_bounce_short", &[]),
    ("rate_limited", &["seconds"]),
    ("attachment_too_large", &["name", "size", "limit"]),
    ("attachment_failed", &["name"]),
    ("msg_hint", &[]),
    ("analysis_timeout", &[]),
    ("internal_error", &[]),
    ("technical_expired", &[]),
    ("error_id", &[]),
    ("case_resolved", &["case"]),
    ("case_already_resolved", &["case"]),
    ("case_not_allowed", &[]),
    ("case_unknown", &[]),
    ("escalation_no_role", &[]),
    (
        "escalation_message",
        &["role", "case", "headline", "status", "link"],
    ),
    ("escalation_done", &[]),
    ("escalation_already", &[]),
    ("thread_name", &["case"]),
    ("config_not_allowed", &[]),
    ("config_saved", &["change"]),
    ("config_show_title", &[]),
    ("config_help_channels", &[]),
    ("config_own_domains", &[]),
    ("config_escalation_role", &[]),
    ("config_thread_mode", &[]),
    ("config_masking", &[]),
    ("config_none", &[]),
    ("config_on", &[]),
    ("config_off", &[]),
    ("config_bad_domain", &["domain"]),
    ("stats_title", &["period"]),
    ("stats_by_reason", &[]),
    ("stats_kind", &["hard", "soft"]),
    ("stats_kind_title", &[]),
    ("stats_spoof", &["count"]),
    ("stats_spoof_title", &[]),
    ("stats_state", &["open", "resolved", "escalated"]),
    ("stats_state_title", &[]),
    ("stats_domains", &[]),
    ("stats_empty", &[]),
    ("history_title", &[]),
    ("history_empty", &[]),
    ("state_open", &[]),
    ("state_resolved", &[]),
    ("period_week", &[]),
    ("period_month", &[]),
    ("period_quarter", &[]),
    ("period_all", &[]),
    ("input_truncated", &["limit"]),
    ("parts_truncated", &[]),
];

/// Who has to act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Sender,
    Recipient,
    Admin,
}

impl Side {
    /// The `ui.toml` key of this side's label.
    pub fn ui_key(self) -> &'static str {
        match self {
            Side::Sender => "side_sender",
            Side::Recipient => "side_recipient",
            Side::Admin => "side_admin",
        }
    }
}

/// One template: advice for a reason, a detail topic or a special answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
    #[serde(default)]
    pub special: Option<String>,
    pub headline: String,
    #[serde(default)]
    pub seen_as: Vec<String>,
    pub summary: String,
    pub side: Side,
    pub retry: String,
    pub checklist: Vec<String>,
    #[serde(default)]
    pub tell_recipient: Option<String>,
}

/// A warning template: what a spoof verdict, backscatter or a wrong clock
/// means and what to do now (`responses/spoof/`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarningTemplate {
    pub verdict: String,
    pub headline: String,
    pub summary: String,
    pub checklist: Vec<String>,
}

/// The warning templates every set must have.
pub const WARNINGS: &[&str] = &["suspicious", "likely_spoofed", "backscatter", "clock"];

/// Why a response set could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ResponseError {
    #[error("{file}: {cause}")]
    Invalid { file: String, cause: String },
    #[error("{dir}: cannot read: {source}")]
    Io { dir: String, source: std::io::Error },
}

fn invalid(file: &str, cause: impl Into<String>) -> ResponseError {
    ResponseError::Invalid {
        file: file.to_string(),
        cause: cause.into(),
    }
}

/// A complete, validated set of templates and labels.
#[derive(Debug, Clone)]
pub struct ResponseSet {
    reasons: HashMap<Reason, Template>,
    details: HashMap<String, Template>,
    special: HashMap<String, Template>,
    ui: HashMap<String, String>,
    warnings: HashMap<String, WarningTemplate>,
    signals: HashMap<String, String>,
}

impl ResponseSet {
    /// The built-in set. Validated by the tests, so failing here is a bug.
    pub fn embedded() -> &'static ResponseSet {
        static SET: std::sync::LazyLock<ResponseSet> = std::sync::LazyLock::new(|| {
            ResponseSet::from_files(
                embedded::EMBEDDED
                    .iter()
                    .map(|(p, c)| (p.to_string(), c.to_string())),
            )
            .unwrap_or_else(|e| panic!("embedded responses are invalid: {e}"))
        });
        &SET
    }

    /// Reads and validates a folder laid out like `responses/`.
    pub fn load_dir(dir: &Path) -> Result<ResponseSet, ResponseError> {
        let mut files = Vec::new();
        for sub in ["", "reasons", "details", "special", "spoof"] {
            let d = dir.join(sub);
            let entries = std::fs::read_dir(&d).map_err(|source| ResponseError::Io {
                dir: d.display().to_string(),
                source,
            })?;
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "toml") {
                    let name = path
                        .file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_default();
                    let rel = if sub.is_empty() {
                        name
                    } else {
                        format!("{sub}/{name}")
                    };
                    let text = std::fs::read_to_string(&path)
                        .map_err(|e| invalid(&path.display().to_string(), e.to_string()))?;
                    files.push((rel, text));
                }
            }
        }
        ResponseSet::from_files(files)
    }

    /// Builds a set from (path under the folder, contents) pairs.
    pub fn from_files(
        files: impl IntoIterator<Item = (String, String)>,
    ) -> Result<ResponseSet, ResponseError> {
        let mut set = ResponseSet {
            reasons: HashMap::new(),
            details: HashMap::new(),
            special: HashMap::new(),
            ui: HashMap::new(),
            warnings: HashMap::new(),
            signals: HashMap::new(),
        };
        for (path, text) in files {
            let stem = path
                .rsplit('/')
                .next()
                .unwrap_or(&path)
                .trim_end_matches(".toml")
                .to_string();
            if path == "ui.toml" {
                let table: HashMap<String, String> =
                    toml::from_str(&text).map_err(|e| invalid(&path, e.to_string()))?;
                set.ui = table;
                continue;
            }
            if path == "spoof/signals.toml" {
                let table: HashMap<String, String> =
                    toml::from_str(&text).map_err(|e| invalid(&path, e.to_string()))?;
                for (name, sentence) in &table {
                    check_placeholders(&path, name, sentence, &[])?;
                }
                set.signals = table;
                continue;
            }
            if path.starts_with("spoof/") {
                let w: WarningTemplate =
                    toml::from_str(&text).map_err(|e| invalid(&path, e.to_string()))?;
                if w.verdict != stem {
                    return Err(invalid(&path, format!("`verdict` must be {stem:?}")));
                }
                check_placeholders(&path, "headline", &w.headline, &[])?;
                check_placeholders(&path, "summary", &w.summary, &["count"])?;
                for (i, step) in w.checklist.iter().enumerate() {
                    check_placeholders(&path, &format!("checklist[{i}]"), step, &["count"])?;
                }
                if w.checklist.is_empty() {
                    return Err(invalid(&path, "checklist needs at least one step"));
                }
                set.warnings.insert(stem, w);
                continue;
            }
            let folder = path.split('/').next().unwrap_or("");
            if !matches!(folder, "reasons" | "details" | "special") {
                continue; // codes/ and anything else belong to other readers
            }
            let template: Template =
                toml::from_str(&text).map_err(|e| invalid(&path, e.to_string()))?;
            validate_template(&path, &template)?;
            match folder {
                "reasons" => {
                    let reason = Reason::from_name(&stem)
                        .ok_or_else(|| invalid(&path, format!("{stem:?} is not a reason name")))?;
                    if template.reason.as_deref() != Some(stem.as_str()) {
                        return Err(invalid(&path, format!("`reason` must be {stem:?}")));
                    }
                    set.reasons.insert(reason, template);
                }
                "details" => {
                    if !DETAIL_TOPICS.contains(&stem.as_str()) {
                        return Err(invalid(
                            &path,
                            format!(
                                "{stem:?} is not a detail topic (one of {})",
                                DETAIL_TOPICS.join(", ")
                            ),
                        ));
                    }
                    if template.detail.as_deref() != Some(stem.as_str()) {
                        return Err(invalid(&path, format!("`detail` must be {stem:?}")));
                    }
                    set.details.insert(stem, template);
                }
                _ => {
                    if template.special.as_deref() != Some(stem.as_str()) {
                        return Err(invalid(&path, format!("`special` must be {stem:?}")));
                    }
                    set.special.insert(stem, template);
                }
            }
        }
        for r in Reason::ALL {
            if !set.reasons.contains_key(r) {
                return Err(invalid(
                    &format!("reasons/{}.toml", r.as_str()),
                    "missing: every reason needs a template",
                ));
            }
        }
        for t in DETAIL_TOPICS {
            if !set.details.contains_key(*t) {
                return Err(invalid(
                    &format!("details/{t}.toml"),
                    "missing: every detail topic needs a template",
                ));
            }
        }
        for s in ["not_a_bounce", "unknown"] {
            if !set.special.contains_key(s) {
                return Err(invalid(&format!("special/{s}.toml"), "missing"));
            }
        }
        for w in WARNINGS {
            if !set.warnings.contains_key(*w) {
                return Err(invalid(&format!("spoof/{w}.toml"), "missing"));
            }
        }
        for name in crate::spoof::SIGNAL_NAMES
            .iter()
            .chain(crate::spoof::NOT_CHECKED_IDS)
        {
            if !set.signals.contains_key(*name) {
                return Err(invalid(
                    "spoof/signals.toml",
                    format!("missing the sentence for `{name}`"),
                ));
            }
        }
        for (key, allowed) in UI_KEYS {
            let value = set
                .ui
                .get(*key)
                .ok_or_else(|| invalid("ui.toml", format!("missing key `{key}`")))?;
            check_placeholders("ui.toml", key, value, allowed)?;
        }
        Ok(set)
    }

    /// The template of a reason.
    pub fn reason(&self, reason: Reason) -> &Template {
        // Completeness is checked when the set is built.
        &self.reasons[&reason]
    }

    /// The template of a detail topic, if it has one.
    pub fn detail(&self, topic: &str) -> Option<&Template> {
        self.details.get(topic)
    }

    /// A special answer (`not_a_bounce`, `unknown`).
    pub fn special(&self, name: &str) -> &Template {
        &self.special[name]
    }

    /// A warning template (`suspicious`, `likely_spoofed`, `backscatter`, `clock`).
    pub fn warning(&self, name: &str) -> &WarningTemplate {
        &self.warnings[name]
    }

    /// The sentence quoting a spoof signal or an unchecked check.
    pub fn signal(&self, name: &str) -> Option<&str> {
        self.signals.get(name).map(String::as_str)
    }

    /// A UI label with its placeholders filled.
    pub fn ui(&self, key: &str, values: &[(&str, String)]) -> String {
        let raw = self.ui.get(key).map(String::as_str).unwrap_or(key);
        fill(raw, |name| {
            values
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
        })
    }
}

fn validate_template(path: &str, t: &Template) -> Result<(), ResponseError> {
    if t.headline.trim().is_empty() || t.summary.trim().is_empty() || t.retry.trim().is_empty() {
        return Err(invalid(
            path,
            "headline, summary and retry must not be empty",
        ));
    }
    if t.checklist.is_empty() || t.checklist.iter().any(|c| c.trim().is_empty()) {
        return Err(invalid(path, "checklist needs at least one non-empty step"));
    }
    check_placeholders(path, "headline", &t.headline, &[])?;
    check_placeholders(path, "summary", &t.summary, PLACEHOLDERS)?;
    check_placeholders(path, "retry", &t.retry, PLACEHOLDERS)?;
    for (i, step) in t.checklist.iter().enumerate() {
        check_placeholders(path, &format!("checklist[{i}]"), step, PLACEHOLDERS)?;
    }
    if let Some(tell) = &t.tell_recipient {
        check_placeholders(path, "tell_recipient", tell, PLACEHOLDERS)?;
    }
    Ok(())
}

/// Every `{name}` in the text must be one of `allowed`, and braces must pair.
fn check_placeholders(
    path: &str,
    field: &str,
    text: &str,
    allowed: &[&str],
) -> Result<(), ResponseError> {
    let mut rest = text;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err(invalid(path, format!("{field}: a `}}` without its `{{`")));
        }
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| invalid(path, format!("{field}: a `{{` is never closed")))?;
        let name = &after[..close];
        if !allowed.contains(&name) {
            let allowed_list = if allowed.is_empty() {
                "none here".to_string()
            } else {
                allowed.join(", ")
            };
            return Err(invalid(
                path,
                format!("{field}: unknown placeholder {{{name}}} (allowed: {allowed_list})"),
            ));
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

/// Replaces each `{name}` with its value; an unknown value stays as the
/// caller's `lookup` decides (it gets every name).
pub fn fill(text: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match lookup(name) {
                    Some(v) => out.push_str(&v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_set_is_complete_and_valid() {
        let set = ResponseSet::embedded();
        for r in Reason::ALL {
            assert!(!set.reason(*r).checklist.is_empty(), "{r}");
        }
        for t in DETAIL_TOPICS {
            assert!(set.detail(t).is_some(), "{t}");
        }
    }

    #[test]
    fn the_repository_folder_loads_like_the_embedded_set() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("responses");
        let set = ResponseSet::load_dir(&dir).expect("responses/ is valid");
        assert_eq!(set.reasons.len(), 36);
    }

    fn files_with(path: &str, text: &str) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = embedded::EMBEDDED
            .iter()
            .map(|(p, c)| (p.to_string(), c.to_string()))
            .collect();
        files.retain(|(p, _)| p != path);
        if !text.is_empty() {
            files.push((path.to_string(), text.to_string()));
        }
        files
    }

    #[test]
    fn errors_name_the_file_and_the_cause() {
        let err = ResponseSet::from_files(files_with("reasons/userunknown.toml", ""))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("reasons/userunknown.toml: missing"),
            "{err}"
        );

        let bad = embedded::EMBEDDED
            .iter()
            .find(|(p, _)| *p == "reasons/mailboxfull.toml")
            .unwrap()
            .1
            .replacen("summary = \"\"\"", "summary = \"\"\"{nosuch} ", 1);
        let err = ResponseSet::from_files(files_with("reasons/mailboxfull.toml", &bad))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("reasons/mailboxfull.toml") && err.contains("{nosuch}"),
            "{err}"
        );

        let err = ResponseSet::from_files(files_with("reasons/expired.toml", "headline = "))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("reasons/expired.toml:"), "{err}");
    }

    #[test]
    fn placeholders_are_filled_and_unknown_ones_kept() {
        let text = fill("a {x} b {y}", |n| (n == "x").then(|| "1".to_string()));
        assert_eq!(text, "a 1 b {y}");
        assert!(check_placeholders("f", "s", "{recipient} ok", PLACEHOLDERS).is_ok());
        assert!(check_placeholders("f", "s", "{oops", PLACEHOLDERS).is_err());
    }
}
