//! The `bouncedesk` command: classify and explain bounces in the terminal,
//! look up error codes, and (later) run the Discord bot.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
