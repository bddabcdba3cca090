//! `/bounce`: the parent of the bot's slash commands.

use super::code::code;
use super::config::config;
use super::explain::explain;
use super::help::help;
use super::history::history;
use super::stats::stats;
use crate::bot::{Context, Error};

/// Explain e-mail bounces and look up error codes
#[poise::command(
    slash_command,
    subcommands("explain", "code", "help", "config", "stats", "history"),
    subcommand_required
)]
pub async fn bounce(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}
