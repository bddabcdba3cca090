//! Lays out an [`Explanation`] as Discord embeds and buttons, within every
//! Discord limit: title 256, description 4096, field value 1024, 25 fields,
//! 6000 characters in all, 2000 for plain content. Text is shortened at a line
//! or sentence boundary with an ellipsis, never by failing the send.

use crate::explain::{Explanation, Severity};
use crate::responses::ResponseSet;
use serenity::all::{
    ButtonStyle, Colour, CreateActionRow, CreateButton, CreateEmbed, CreateEmbedFooter,
};

pub const TITLE_MAX: usize = 256;
pub const DESCRIPTION_MAX: usize = 4096;
pub const FIELD_NAME_MAX: usize = 256;
pub const FIELD_VALUE_MAX: usize = 1024;
pub const FIELDS_MAX: usize = 25;
pub const EMBED_TOTAL_MAX: usize = 6000;
pub const CONTENT_MAX: usize = 2000;

/// Colours by severity; a spoof warning is always red.
pub const COLOUR_INFO: u32 = 0x3498DB;
pub const COLOUR_SOFT: u32 = 0xF1C40F;
pub const COLOUR_HARD: u32 = 0xE67E22;
pub const COLOUR_DANGER: u32 = 0xE74C3C;

/// The `custom_id` prefix of the technical-details button.
pub const TECHNICAL_BUTTON: &str = "bd:tech:";

/// A message ready to send: embeds and button rows.
pub struct DiscordAnswer {
    pub embeds: Vec<CreateEmbed>,
    pub components: Vec<CreateActionRow>,
    /// The technical text the button shows, when there is any.
    pub technical: Option<String>,
}

/// Shortens `text` to `max` characters, cutting at the last line break (or
/// sentence end) in the final fifth when there is one, and marking the cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let keep: String = text.chars().take(max.saturating_sub(1)).collect();
    let floor = keep.len() * 4 / 5;
    let cut = keep
        .rfind('\n')
        .filter(|i| *i >= floor)
        .or_else(|| {
            keep.rfind('。')
                .map(|i| i + '。'.len_utf8())
                .filter(|i| *i >= floor)
        })
        .unwrap_or(keep.len());
    format!("{}…", keep[..cut].trim_end())
}

/// Escapes Markdown in text taken from a bounce (server names, codes), so it
/// cannot forge formatting, links or mentions.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*'
                | '_'
                | '~'
                | '`'
                | '|'
                | '>'
                | '#'
                | '['
                | ']'
                | '('
                | ')'
                | '<'
                | '@'
                | ':'
                | '-'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Text from a bounce shown as a code block: backticks cannot close it early.
pub fn fenced(text: &str, max: usize) -> String {
    let body = clip(&text.replace("```", "ʼʼʼ"), max.saturating_sub(8));
    format!("```\n{body}\n```")
}

/// Keeps the running total of characters under Discord's per-message limit.
struct Budget(usize);

impl Budget {
    fn take(&mut self, text: String, max: usize) -> String {
        let allowed = max.min(self.0);
        let t = clip(&text, allowed);
        self.0 = self.0.saturating_sub(t.chars().count());
        t
    }
}

fn colour(severity: Severity) -> Colour {
    Colour::new(match severity {
        Severity::Info => COLOUR_INFO,
        Severity::Soft => COLOUR_SOFT,
        Severity::Hard => COLOUR_HARD,
    })
}

fn numbered(steps: &[String]) -> String {
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{}. {}", i + 1, s))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Builds the answer. `technical_key` names the stored technical text that the
/// button will show (the button is omitted when there is none).
pub fn answer(
    e: &Explanation,
    responses: &ResponseSet,
    technical_key: Option<&str>,
) -> DiscordAnswer {
    let ui = |key: &str| responses.ui(key, &[]);
    let mut budget = Budget(EMBED_TOTAL_MAX);
    let mut embeds = Vec::new();
    // Warnings first, in red: a lure must be seen before any advice.
    for w in &e.warnings {
        let title = budget.take(format!("\u{26a0} {}", w.headline), TITLE_MAX);
        let mut warning = CreateEmbed::new()
            .colour(Colour::new(COLOUR_DANGER))
            .title(title);
        let mut description = w.summary.clone();
        for r in &w.reasons {
            description.push_str(&format!("\n\u{30fb}{r}"));
        }
        for r in &w.not_checked {
            description.push_str(&format!("\n({r})"));
        }
        warning = warning.description(budget.take(description, DESCRIPTION_MAX));
        let steps = budget.take(numbered(&w.checklist), FIELD_VALUE_MAX);
        if !steps.is_empty() {
            warning = warning.field(
                budget.take(ui("section_checklist"), FIELD_NAME_MAX),
                steps,
                false,
            );
        }
        embeds.push(warning);
    }
    if e.groups.is_empty() && e.summary.is_none() {
        return DiscordAnswer {
            embeds,
            components: Vec::new(),
            technical: None,
        };
    }
    let mut embed = CreateEmbed::new().colour(colour(e.severity));
    let mut fields: Vec<(String, String, bool)> = Vec::new();

    embed = embed.title(budget.take(e.headline.clone(), TITLE_MAX));
    if e.groups.is_empty() {
        let description = e.summary.clone().unwrap_or_default();
        embed = embed.description(budget.take(description, DESCRIPTION_MAX));
        if !e.checklist.is_empty() {
            fields.push((ui("section_checklist"), numbered(&e.checklist), false));
        }
    } else {
        let first = &e.groups[0];
        let mut description = String::new();
        if let Some(intro) = &e.intro {
            description.push_str(intro);
            description.push_str("\n\n");
        }
        description.push_str(&first.summary);
        if let Some(seen) = first.seen_as.first() {
            description.push_str(&format!("\n({})", escape(seen)));
        }
        embed = embed.description(budget.take(description, DESCRIPTION_MAX));
        fields.push((ui("section_who_acts"), first.side_label.clone(), true));
        fields.push((
            ui("section_retry"),
            format!("{}\n{}", first.bounce_kind_label, first.retry),
            true,
        ));
        fields.push((ui("section_checklist"), numbered(&first.checklist), false));
        if let Some(tell) = &first.tell_recipient {
            fields.push((ui("section_tell_recipient"), tell.clone(), false));
        }
        let facts: Vec<String> = first
            .facts
            .iter()
            .map(|f| format!("**{}**: {}", f.label, escape(&f.value)))
            .collect();
        fields.push((ui("section_facts"), facts.join("\n"), false));
        for g in e.groups.iter().skip(1) {
            let mut value = g.summary.clone();
            value.push('\n');
            value.push_str(&numbered(
                &g.checklist.iter().take(3).cloned().collect::<Vec<_>>(),
            ));
            let who: Vec<String> = g.recipients.iter().map(|r| escape(r)).collect();
            value.push_str(&format!(
                "\n**{}**: {}",
                ui("fact_recipient"),
                who.join(", ")
            ));
            fields.push((format!("■ {}", g.headline), value, false));
        }
        for note in &e.notes {
            fields.push((ui("section_warnings"), note.clone(), false));
        }
    }
    for (name, value, inline) in fields.into_iter().take(FIELDS_MAX) {
        if budget.0 < 16 {
            break;
        }
        let name = budget.take(name, FIELD_NAME_MAX);
        let value = budget.take(value, FIELD_VALUE_MAX);
        if value.is_empty() {
            break;
        }
        embed = embed.field(name, value, inline);
    }
    if budget.0 > 20 {
        embed = embed.footer(CreateEmbedFooter::new(
            budget.take("bouncedesk".into(), 100),
        ));
    }

    let technical: Vec<String> = e
        .groups
        .iter()
        .flat_map(|g| g.technical.iter().cloned())
        .collect();
    let technical = (!technical.is_empty()).then(|| technical.join("\n"));
    let components = match (technical_key, &technical) {
        (Some(key), Some(_)) => vec![CreateActionRow::Buttons(vec![CreateButton::new(format!(
            "{TECHNICAL_BUTTON}{key}"
        ))
        .label(clip(&ui("button_technical"), 80))
        .style(ButtonStyle::Secondary)])],
        _ => Vec::new(),
    };
    embeds.push(embed);
    DiscordAnswer {
        embeds,
        components,
        technical,
    }
}

/// The ephemeral technical view: the servers' own words in a code block.
pub fn technical_text(responses: &ResponseSet, technical: &str) -> String {
    let title = responses.ui("section_technical", &[]);
    let head = format!("**{title}**\n");
    format!(
        "{head}{}",
        fenced(technical, CONTENT_MAX - head.chars().count())
    )
}

/// Plain content, shortened to Discord's limit.
pub fn content(text: &str) -> String {
    clip(text, CONTENT_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{analyze, Options};
    use crate::explain::{explain, ExplainOptions};

    fn answer_for(path: &str) -> (serde_json::Value, Option<String>, Vec<String>) {
        let bytes = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(path),
        )
        .unwrap();
        let set = ResponseSet::embedded();
        let analyses = analyze(&bytes, &Options::default());
        let recipients = analyses
            .iter()
            .flat_map(|a| a.results.iter().map(|r| r.recipient.clone()))
            .collect();
        let e = explain(&analyses, set, &ExplainOptions::default());
        let a = answer(&e, set, Some("k1"));
        (
            serde_json::to_value(a.embeds.last().unwrap()).unwrap(),
            a.technical,
            recipients,
        )
    }

    fn total_chars(embed: &serde_json::Value) -> usize {
        let len = |v: &serde_json::Value| v.as_str().map_or(0, |s| s.chars().count());
        len(&embed["title"])
            + len(&embed["description"])
            + len(&embed["footer"]["text"])
            + embed["fields"].as_array().map_or(0, |f| {
                f.iter().map(|x| len(&x["name"]) + len(&x["value"])).sum()
            })
    }

    #[test]
    fn main_reasons_render_as_a_discord_user_sees_them() {
        for path in [
            "office365-ja/userunknown-01.eml",
            "postfix/mailboxfull-01.eml",
            "sendmail/hostunknown-01.eml",
            "exim/expired-01.eml",
            "postfix/blocked-01.eml",
            "office365/authfailure-01.eml",
            "paste/userunknown-01.txt",
            "not-bounce/chat-ja-01.txt",
        ] {
            let (embed, technical, recipients) = answer_for(path);
            assert!(total_chars(&embed) <= EMBED_TOTAL_MAX, "{path}");
            let json = serde_json::to_string(&embed).unwrap() + technical.as_deref().unwrap_or("");
            for r in recipients {
                let local = r.split('@').next().unwrap_or("");
                assert!(
                    local.len() < 4 || !json.contains(local),
                    "{path}: the address {r} is not masked"
                );
            }
            insta::assert_json_snapshot!(
                path.replace('/', "__"),
                serde_json::json!({ "embed": embed, "technical": technical })
            );
        }
    }

    #[test]
    fn long_text_is_shortened_within_every_limit() {
        let long = "\u{3042}".repeat(5000) + "\n" + &"b".repeat(3000);
        assert!(clip(&long, DESCRIPTION_MAX).chars().count() <= DESCRIPTION_MAX);
        let set = ResponseSet::embedded();
        let results: Vec<crate::analysis::RecipientResult> = (0..300)
            .map(|i| crate::analysis::RecipientResult {
                recipient: format!("user{i}@example.org"),
                action: None,
                reason: crate::Reason::ALL[i % 36],
                detail: None,
                status: Some("5.0.0".into()),
                reply_code: Some(550),
                hard_bounce: false,
                command: None,
                diagnostic: long.clone(),
                remote_mta: Some(long.clone()),
                reporting_mta: None,
                mta: None,
            })
            .collect();
        let refs: Vec<&crate::analysis::RecipientResult> = results.iter().collect();
        let e = crate::explain::explain_results(&refs, 300, set, &ExplainOptions::default());
        let a = answer(&e, set, Some("k"));
        let embed = serde_json::to_value(&a.embeds[0]).unwrap();
        assert!(total_chars(&embed) <= EMBED_TOTAL_MAX);
        let fields = embed["fields"].as_array().unwrap();
        assert!(fields.len() <= FIELDS_MAX);
        assert!(fields
            .iter()
            .all(|f| f["value"].as_str().unwrap().chars().count() <= FIELD_VALUE_MAX));
        assert!(
            technical_text(set, a.technical.as_deref().unwrap())
                .chars()
                .count()
                <= CONTENT_MAX
        );
    }

    #[test]
    fn bounce_text_cannot_forge_markdown() {
        assert_eq!(
            escape("[x](http://evil) @everyone *b*"),
            "\\[x\\]\\(http\\://evil\\) \\@everyone \\*b\\*"
        );
        assert!(!fenced("a ``` b", 100)[3..]
            .trim_end_matches("```")
            .contains("```"));
    }
}
