//! `bouncedesk code`: what an SMTP, enhanced status, Outlook or Windows error
//! code means, in Japanese.

use bouncedesk::lookup::{complete, lookup};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The code, loosely written: 550, 5.1.1, "550 5.1.1", 0x800CCC0F, 800ccc0f, ...
    #[arg(required = true, num_args = 1..)]
    code: Vec<String>,
    /// List codes starting with this prefix instead (as autocomplete does).
    #[arg(long)]
    prefix: bool,
    /// Print the answer as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: &Args) -> ExitCode {
    let query = args.code.join(" ");
    if args.prefix {
        for (code, label) in complete(&query, 25) {
            println!("{code}\t{label}");
        }
        return ExitCode::SUCCESS;
    }
    let answer = lookup(&query);
    if args.json {
        match serde_json::to_string_pretty(&answer) {
            Ok(j) => println!("{j}"),
            Err(e) => {
                eprintln!("bouncedesk: {e}");
                return ExitCode::from(2);
            }
        }
    } else if answer.entries.is_empty() {
        // Never an error: say what kind of input is understood.
        println!("{}", bouncedesk::lookup::no_match_hint());
    } else {
        print!("{}", bouncedesk::render::code_text(&answer));
    }
    ExitCode::SUCCESS
}
