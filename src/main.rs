//! The `bouncedesk` command: classify and explain bounces in the terminal,
//! look up error codes, and (later) run the Discord bot.

mod cli;

/// mimalloc: analysis allocates many small strings per message, and glibc's
/// malloc spent a tenth of the time on them (`cargo bench --bench throughput`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::run()
}
