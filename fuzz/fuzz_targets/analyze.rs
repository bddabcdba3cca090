//! Fuzz target for the analysis entry point: any bytes go the bot's whole
//! way (analysis, explanation, terminal rendering, and the code lookup of a
//! query-sized prefix) and must never panic, hang or exhaust memory.
//!
//! The input limit is lowered to 1 MiB so that libFuzzer's own `-max_len`
//! and `-rss_limit_mb` stay meaningful; everything else uses the defaults.

#![no_main]

use bouncedesk::explain::{explain, ExplainOptions};
use bouncedesk::responses::ResponseSet;
use bouncedesk::{analyze, Options};
use libfuzzer_sys::fuzz_target;

/// Discord caps a slash-command string option at 6,000 characters.
const LOOKUP_QUERY_BYTES: usize = 6_000;

fuzz_target!(|data: &[u8]| {
    let options = Options {
        max_input_bytes: 1024 * 1024,
        ..Options::default()
    };
    let analyses = analyze(data, &options);
    for a in &analyses {
        assert!(a.results.len() <= options.max_recipients);
        assert!(a.total_recipients >= a.results.len());
        assert_eq!(a.input_truncated, data.len() > options.max_input_bytes);
    }
    let set = ResponseSet::embedded();
    let explanation = explain(&analyses, set, &ExplainOptions::default());
    let _ = bouncedesk::render::explanation_text(&explanation, set, true);
    let query = String::from_utf8_lossy(&data[..data.len().min(LOOKUP_QUERY_BYTES)]);
    let _ = bouncedesk::lookup::lookup(&query);
});
