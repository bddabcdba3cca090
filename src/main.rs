//! The `bouncedesk` command: classify and explain bounces in the terminal,
//! look up error codes, and (later) run the Discord bot.

mod cli;

/// mimalloc instead of the system allocator: the analysis makes many small,
/// short-lived strings (normalised lines, candidate addresses), and the
/// corpus benchmark runs measurably faster with it (README, "Speed").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::run()
}
