//! Lays out an [`Explanation`] (and a code lookup) as plain text for the
//! terminal. The Discord adapter has its own layout; both only arrange what
//! the explanation already says.

use crate::explain::Explanation;
use crate::lookup::CodeAnswer;
use crate::responses::ResponseSet;
use std::fmt::Write as _;

/// The explanation as terminal text.
pub fn explanation_text(e: &Explanation, responses: &ResponseSet, technical: bool) -> String {
    let mut out = String::new();
    let ui = |key: &str| responses.ui(key, &[]);
    for w in &e.warnings {
        let _ = writeln!(out, "⚠ {}\n\n{}", w.headline, w.summary);
        for r in &w.reasons {
            let _ = writeln!(out, "  - {r}");
        }
        for r in &w.not_checked {
            let _ = writeln!(out, "  ({r})");
        }
        let _ = writeln!(out);
        numbered(&mut out, &w.checklist);
        let _ = writeln!(out, "\n{}", "─".repeat(40));
    }
    if e.groups.is_empty() && e.summary.is_none() {
        return out;
    }
    let _ = writeln!(out, "■ {}", e.headline);
    if !e.is_bounce || e.groups.is_empty() {
        if let Some(summary) = &e.summary {
            let _ = writeln!(out, "\n{summary}");
        }
        numbered(&mut out, &e.checklist);
        return out;
    }
    if let Some(intro) = &e.intro {
        let _ = writeln!(out, "\n{intro}");
    }
    for (i, g) in e.groups.iter().enumerate() {
        if e.groups.len() > 1 {
            let _ = writeln!(out, "\n━━ {}. {}", i + 1, g.headline);
        }
        if !g.seen_as.is_empty() {
            let _ = writeln!(out, "  ({})", g.seen_as.join(" / "));
        }
        let _ = writeln!(out, "\n【{}】\n{}", ui("section_what_happened"), g.summary);
        let _ = writeln!(out, "\n【{}】{}", ui("section_who_acts"), g.side_label);
        let _ = writeln!(
            out,
            "【{}】{}\n{}",
            ui("section_retry"),
            g.bounce_kind_label,
            g.retry
        );
        let _ = writeln!(out, "\n【{}】", ui("section_checklist"));
        numbered(&mut out, &g.checklist);
        if let Some(tell) = &g.tell_recipient {
            let _ = writeln!(out, "\n【{}】\n{}", ui("section_tell_recipient"), tell);
        }
        let _ = writeln!(out, "\n【{}】", ui("section_facts"));
        for f in &g.facts {
            let _ = writeln!(out, "  {}: {}", f.label, f.value);
        }
        if technical && !g.technical.is_empty() {
            let _ = writeln!(out, "\n【{}】", ui("section_technical"));
            for t in &g.technical {
                let _ = writeln!(out, "  {t}");
            }
        }
    }
    for note in &e.notes {
        let _ = writeln!(out, "\n※ {note}");
    }
    out
}

fn numbered(out: &mut String, steps: &[String]) {
    for (i, step) in steps.iter().enumerate() {
        let _ = writeln!(out, "  {}. {}", i + 1, step);
    }
}

/// A code lookup as terminal text.
pub fn code_text(answer: &CodeAnswer) -> String {
    let mut out = String::new();
    for e in &answer.entries {
        let _ = writeln!(out, "■ {}  {}", e.code, e.title);
        if let Some(en) = &e.english {
            let _ = writeln!(out, "  ({en})");
        }
        let _ = writeln!(out, "  {}", e.meaning);
        if let Some(src) = &e.source {
            let _ = writeln!(out, "  [{src}]");
        }
        out.push('\n');
    }
    out
}
