//! Command-line front: argument parsing with clap, and the subcommands.
//! Errors reach the user as one line naming the file and the cause; a bad
//! file never stops the others from being processed.

mod check_responses;
mod classify;
mod code;
mod explain;
mod run;

use clap::{Parser, Subcommand};
use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "bouncedesk",
    version,
    about = "Explains e-mail bounces (whole emails or pasted text)"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Classify each failed recipient of each input (use - for stdin).
    Classify(classify::Args),
    /// Explain a bounce in Japanese, with what to do (use - for stdin).
    Explain(explain::Args),
    /// Look up an SMTP, enhanced status, Outlook or Windows error code.
    Code(code::Args),
    /// Validate a folder of response templates (default: the built-in set).
    CheckResponses(check_responses::Args),
    /// List the 36 reasons with their one-line meaning.
    Reasons,
    /// Start the Discord bot (configuration from the environment and .env).
    Run,
}

/// Runs the command line; the exit status is 2 when any input failed.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let command = match cli.command {
        Some(c) => c,
        None => {
            let _ = dotenvy::dotenv();
            if std::env::var_os("DISCORD_TOKEN").is_some() {
                Command::Run
            } else {
                use clap::CommandFactory;
                let _ = Cli::command().print_help();
                return ExitCode::from(2);
            }
        }
    };
    match command {
        Command::Run => run::run(),
        Command::Classify(args) => classify::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Code(args) => code::run(&args),
        Command::CheckResponses(args) => check_responses::run(&args),
        Command::Reasons => {
            for r in bouncedesk::Reason::ALL {
                println!("{:16} {}", r.as_str(), r.description());
            }
            ExitCode::SUCCESS
        }
    }
}

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: is a directory")]
    Directory { path: String },
}

/// The response set to use: a team's folder when given, else the built-in one.
pub fn responses(
    dir: Option<&Path>,
) -> Result<
    std::borrow::Cow<'static, bouncedesk::responses::ResponseSet>,
    bouncedesk::responses::ResponseError,
> {
    match dir {
        Some(d) => bouncedesk::responses::ResponseSet::load_dir(d).map(std::borrow::Cow::Owned),
        None => Ok(std::borrow::Cow::Borrowed(
            bouncedesk::responses::ResponseSet::embedded(),
        )),
    }
}

/// Reads a path (or stdin for `-`) up to `limit` bytes; the flag says whether
/// more was there.
pub fn read_input(path: &str, limit: usize) -> Result<(Vec<u8>, bool), InputError> {
    let io = |source| InputError::Io {
        path: path.to_string(),
        source,
    };
    let mut buf = Vec::new();
    let cap = limit as u64 + 1;
    if path == "-" {
        std::io::stdin()
            .lock()
            .take(cap)
            .read_to_end(&mut buf)
            .map_err(io)?;
    } else {
        if Path::new(path).is_dir() {
            return Err(InputError::Directory {
                path: path.to_string(),
            });
        }
        let file = std::fs::File::open(path).map_err(io)?;
        file.take(cap).read_to_end(&mut buf).map_err(io)?;
    }
    let truncated = buf.len() > limit;
    buf.truncate(limit);
    Ok((buf, truncated))
}
