//! From inputs to a sent answer: analysis off the gateway task with bounded
//! concurrency and a timeout, the explanation, the embeds, and the store that
//! keeps the technical text for the technical-details button.

use super::embed::{self, DiscordAnswer};
use super::Data;
use crate::analysis::{analyze, Analysis, Options};
use crate::explain::{explain, ExplainOptions};
use std::collections::VecDeque;
use std::sync::Mutex;

/// Why an analysis gave no result.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisFailure {
    #[error("analysis timed out")]
    Timeout,
    #[error("analysis task failed: {0}")]
    Task(String),
}

/// Analyses every input on the blocking pool, at most
/// `max_concurrent_analyses` at a time, within `analysis_timeout`.
pub async fn analyze_inputs(
    data: &Data,
    inputs: Vec<Vec<u8>>,
    own_domains: Vec<String>,
) -> Result<Vec<Analysis>, AnalysisFailure> {
    let permit = data
        .analyses
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| AnalysisFailure::Task(e.to_string()))?;
    let config = &data.config;
    let options = Options {
        own_domains,
        max_recipients: config.max_recipients,
        max_parts: config.max_mime_parts,
        // Nothing larger than an accepted attachment is read.
        max_input_bytes: usize::try_from(config.max_attachment_bytes).unwrap_or(usize::MAX),
    };
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        inputs
            .iter()
            .flat_map(|bytes| analyze(bytes, &options))
            .collect::<Vec<_>>()
    });
    match tokio::time::timeout(data.config.analysis_timeout, task).await {
        Ok(Ok(analyses)) => Ok(analyses),
        Ok(Err(e)) => Err(AnalysisFailure::Task(e.to_string())),
        Err(_) => Err(AnalysisFailure::Timeout),
    }
}

/// What was gathered from a message or a command: bytes to analyse, and
/// notices for files that could not be read.
#[derive(Default)]
pub struct Gathered {
    pub inputs: Vec<Vec<u8>>,
    pub notices: Vec<String>,
}

/// Collects the text and the readable attachments (size-checked before
/// download). Other file types are ignored without a word.
pub async fn gather(
    data: &Data,
    text: Option<String>,
    attachments: &[serenity::all::Attachment],
) -> Gathered {
    use super::attachments::{fetch, human_size, kind, Fetched, Kind};
    let mut g = Gathered::default();
    if let Some(t) = text.filter(|t| !t.trim().is_empty()) {
        g.inputs.push(t.into_bytes());
    }
    for a in attachments
        .iter()
        .filter(|a| kind(&a.filename) != Kind::Other)
        .take(10)
    {
        match fetch(&data.downloader, a, data.config.max_attachment_bytes).await {
            Fetched::Bytes { bytes, .. } => g.inputs.push(bytes),
            Fetched::TooLarge { name, size } => g.notices.push(data.responses.ui(
                "attachment_too_large",
                &[
                    ("name", name),
                    ("size", human_size(size)),
                    ("limit", human_size(data.config.max_attachment_bytes)),
                ],
            )),
            Fetched::OutlookMsg { .. } => g.notices.push(data.responses.ui("msg_hint", &[])),
            Fetched::Failed { name, cause } => {
                tracing::warn!(cause = %cause, "attachment download failed");
                g.notices
                    .push(data.responses.ui("attachment_failed", &[("name", name)]));
            }
        }
    }
    g
}

/// Whether any input is a bounce (or a report the bot explains).
pub fn found_bounce(analyses: &[Analysis]) -> bool {
    analyses.iter().any(|a| a.worth_answering())
}

/// The answer for the analyses, its technical text stored for the button,
/// with the resolve and escalate buttons when it is a case.
pub fn build(
    data: &Data,
    analyses: &[Analysis],
    mask_addresses: bool,
    case: Option<i64>,
) -> DiscordAnswer {
    let options = ExplainOptions {
        mask_addresses: mask_addresses && data.config.mask_addresses,
        ..ExplainOptions::default()
    };
    let explanation = explain(analyses, &data.responses, &options);
    let technical = embed::answer(&explanation, &data.responses, None).technical;
    let key = technical.map(|t| data.technical.put(t));
    let mut answer = embed::answer(&explanation, &data.responses, key.as_deref());
    if let Some(case) = case {
        let mut buttons = match answer.components.pop() {
            Some(serenity::all::CreateActionRow::Buttons(b)) => b,
            Some(other) => {
                answer.components.push(other);
                Vec::new()
            }
            None => Vec::new(),
        };
        buttons.extend(super::helpdesk::case_buttons(data, case));
        answer
            .components
            .push(serenity::all::CreateActionRow::Buttons(buttons));
    }
    answer
}

/// The technical texts of recent answers, by button key. Bounded: the oldest
/// are forgotten (the button then says so).
pub struct TechnicalStore {
    capacity: usize,
    inner: Mutex<(u64, VecDeque<(String, String)>)>,
}

impl TechnicalStore {
    pub fn new(capacity: usize) -> TechnicalStore {
        TechnicalStore {
            capacity,
            inner: Mutex::new((0, VecDeque::new())),
        }
    }

    /// Keeps the text and returns its key.
    pub fn put(&self, text: String) -> String {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.0 += 1;
        let key = format!("{:x}-{}", inner.0, super::error_id());
        inner.1.push_back((key.clone(), text));
        while inner.1.len() > self.capacity {
            inner.1.pop_front();
        }
        key
    }

    pub fn get(&self, key: &str) -> Option<String> {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner
            .1
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, t)| t.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_forgets_the_oldest() {
        let s = TechnicalStore::new(2);
        let a = s.put("a".into());
        let b = s.put("b".into());
        let c = s.put("c".into());
        assert_eq!(s.get(&a), None);
        assert_eq!(s.get(&b).as_deref(), Some("b"));
        assert_eq!(s.get(&c).as_deref(), Some("c"));
    }
}
