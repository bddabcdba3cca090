//! `bouncedesk explain`: the Japanese explanation of a bounce in the terminal.

use super::{read_input, responses};
use bouncedesk::explain::{explain, ExplainOptions};
use bouncedesk::{analyze, Options};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The bounce: a file, or - for standard input.
    path: String,
    /// Show full addresses instead of masked ones.
    #[arg(long)]
    no_mask: bool,
    /// Also print the servers' own diagnostic text.
    #[arg(long)]
    technical: bool,
    /// The user's own mail domain (repeat for several): bounces for mail not
    /// sent from them are flagged as backscatter.
    #[arg(long = "own-domain")]
    own_domains: Vec<String>,
    /// A folder of response templates to use instead of the built-in wording.
    #[arg(long, env = "BOUNCEDESK_RESPONSES")]
    responses: Option<PathBuf>,
}

pub fn run(args: &Args) -> ExitCode {
    let set = match responses(args.responses.as_deref()) {
        Ok(set) => set,
        Err(e) => {
            eprintln!("bouncedesk: {e}");
            return ExitCode::from(2);
        }
    };
    let options = Options {
        own_domains: args.own_domains.clone(),
        ..Options::default()
    };
    let (bytes, _) = match read_input(&args.path, options.max_input_bytes) {
        Ok(read) => read,
        Err(e) => {
            eprintln!("bouncedesk: {e}");
            return ExitCode::from(2);
        }
    };
    let analyses = analyze(&bytes, &options);
    let explanation = explain(
        &analyses,
        &set,
        &ExplainOptions {
            mask_addresses: !args.no_mask,
            ..ExplainOptions::default()
        },
    );
    print!(
        "{}",
        bouncedesk::render::explanation_text(&explanation, &set, args.technical)
    );
    ExitCode::SUCCESS
}
