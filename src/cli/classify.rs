//! `bouncedesk classify`: one JSON object per recipient result (`--json`), or
//! a readable table.

use super::read_input;
use bouncedesk::{analyze, Options};
use serde_json::json;
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print one JSON object per line per result.
    #[arg(long)]
    json: bool,
    /// Most recipients listed per message.
    #[arg(long, default_value_t = 1000)]
    max_recipients: usize,
    /// Most bytes read per input.
    #[arg(long, default_value_t = 64 * 1024 * 1024)]
    max_bytes: usize,
    /// Most MIME parts walked per message.
    #[arg(long, default_value_t = bouncedesk::parse::MAX_PARTS)]
    max_parts: usize,
    /// The user's own mail domain (repeat for several): bounces for mail not
    /// sent from them are flagged as backscatter.
    #[arg(long = "own-domain")]
    own_domains: Vec<String>,
    /// Files to read; `-` reads standard input.
    #[arg(required = true)]
    paths: Vec<String>,
}

pub fn run(args: &Args) -> ExitCode {
    let options = Options {
        own_domains: args.own_domains.clone(),
        max_recipients: args.max_recipients,
        max_input_bytes: args.max_bytes,
        max_parts: args.max_parts,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = false;
    if !args.json {
        let _ = writeln!(
            out,
            "{:<40} {:>3}  {:<32} {:<16} {:<8} {:>4}  {:<4}  detail",
            "file", "#", "recipient", "reason", "status", "code", "hard"
        );
    }
    for path in &args.paths {
        let (bytes, _) = match read_input(path, args.max_bytes) {
            Ok(read) => read,
            Err(e) => {
                let _ = out.flush();
                eprintln!("bouncedesk: {e}");
                failed = true;
                continue;
            }
        };
        let mut index = 0;
        for analysis in analyze(&bytes, &options) {
            let spoof = json!({
                "verdict": analysis.spoof.verdict,
                "score": analysis.spoof.score,
                "signals": analysis.spoof.signals,
                "not_checked": analysis.spoof.not_checked,
                "backscatter": analysis.spoof.backscatter,
                "clock_skew_minutes": analysis.spoof.clock_skew_minutes,
            });
            if analysis.results.is_empty()
                && analysis.spoof.verdict != bouncedesk::spoof::Verdict::None
            {
                // A lure that is no real bounce still gets its line.
                index += 1;
                let line = if args.json {
                    json!({"file": path, "index": index, "kind": analysis.kind, "recipient": null, "reason": null, "spoof": spoof}).to_string()
                } else {
                    format!(
                        "{:<40} {:>3}  {:<32} {:<16} {:<8} {:>4}  {:<4}  spoof: {}",
                        path,
                        index,
                        "-",
                        "-",
                        "-",
                        "-",
                        "-",
                        analysis.spoof.verdict.as_str()
                    )
                };
                if writeln!(out, "{line}").is_err() {
                    return ExitCode::SUCCESS;
                }
                continue;
            }
            for r in &analysis.results {
                index += 1;
                let written = if args.json {
                    let line = json!({
                        "file": path,
                        "index": index,
                        "kind": analysis.kind,
                        // Empty when the notice names no recipient.
                        "recipient": (!r.recipient.is_empty()).then_some(&r.recipient),
                        "action": r.action,
                        "reason": r.reason,
                        "detail": r.detail,
                        "status": r.status,
                        "reply_code": r.reply_code,
                        "hard_bounce": r.hard_bounce,
                        "command": r.command,
                        "diagnostic": r.diagnostic,
                        "remote_mta": r.remote_mta,
                        "reporting_mta": r.reporting_mta,
                        "mta": r.mta,
                        "spoof": spoof,
                    });
                    writeln!(out, "{line}")
                } else {
                    writeln!(
                        out,
                        "{:<40} {:>3}  {:<32} {:<16} {:<8} {:>4}  {:<4}  {}",
                        path,
                        index,
                        if r.recipient.is_empty() {
                            "-"
                        } else {
                            &r.recipient
                        },
                        r.reason.as_str(),
                        r.status.as_deref().unwrap_or("-"),
                        r.reply_code
                            .map(|c| c.to_string())
                            .unwrap_or_else(|| "-".into()),
                        if r.hard_bounce { "hard" } else { "soft" },
                        r.detail.unwrap_or("")
                    )
                };
                if written.is_err() {
                    // A closed pipe (`| head`): stop quietly.
                    return ExitCode::SUCCESS;
                }
            }
        }
    }
    let _ = out.flush();
    if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
