//! `bouncedesk check-responses [DIR]`: validates a folder of response
//! templates before a team points the bot at it.

use bouncedesk::responses::ResponseSet;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The folder (laid out like responses/); the built-in set when omitted.
    dir: Option<PathBuf>,
}

pub fn run(args: &Args) -> ExitCode {
    let result = match &args.dir {
        Some(dir) => ResponseSet::load_dir(dir)
            .map_err(|e| e.to_string())
            .and_then(|_| {
                // The Discord labels are read by the bot at start; check them too.
                bouncedesk::bot::labels::DiscordLabels::load(Some(dir))
                    .map(|_| dir.display().to_string())
            }),
        None => {
            let _ = ResponseSet::embedded();
            Ok("built-in responses".to_string())
        }
    };
    match result {
        Ok(name) => {
            println!("{name}: ok");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bouncedesk: {e}");
            ExitCode::from(2)
        }
    }
}
