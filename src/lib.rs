//! bouncedesk: reads e-mail bounces, whole emails or text pasted from a mail
//! client, and says for each failed recipient why delivery failed.
//!
//! The analysis core (`input`, `parse`, `authres`, `dsn`, `extract`, `classify`,
//! `analysis`) knows nothing of Discord, async runtimes or the network: bytes
//! in, [`Analysis`] out. Everything else builds on [`analyze`].

pub mod analysis;
pub mod authres;
pub mod bot;
pub mod classify;
pub mod dsn;
pub mod explain;
pub mod extract;
pub mod input;
pub mod lookup;
pub mod maillog;
pub mod parse;
pub mod reason;
pub mod render;
pub mod responses;
pub mod rules;
pub mod ses;
pub mod spoof;
pub mod store;
pub mod text;

pub use analysis::{analyze, analyze_text, Analysis, Options, RecipientResult};
pub use reason::Reason;
