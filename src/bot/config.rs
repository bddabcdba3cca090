//! Bot configuration from the environment (and a `.env` file).
//!
//! Every setting has a name, a default where one makes sense, and a clear
//! error when it is missing or malformed, saying which setting and how to fix
//! it. The token is the only secret: it is kept out of `Debug` output and
//! never logged.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

/// Discord's upload limit for a server without boosts.
pub const DEFAULT_MAX_ATTACHMENT_BYTES: u64 = 10 * 1024 * 1024;

/// A setting that is missing or cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not set: {hint}")]
    Missing {
        name: &'static str,
        hint: &'static str,
    },
    #[error("{name} is malformed ({value:?}): {hint}")]
    Malformed {
        name: &'static str,
        value: String,
        hint: &'static str,
    },
    #[error("BOUNCEDESK_RESPONSES: {0}")]
    Responses(#[from] crate::responses::ResponseError),
}

/// The Discord bot token. Its `Debug` never shows the value.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    pub fn new(value: impl Into<String>) -> Token {
        Token(value.into())
    }
    /// The secret itself, for the one place that sends it to Discord.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Everything the bot needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    pub token: Token,
    /// Channels where pasted bounces are answered without a mention.
    pub help_channels: HashSet<u64>,
    /// Attachments above this size are refused before download.
    pub max_attachment_bytes: u64,
    /// How long one attachment download may take.
    pub download_timeout: Duration,
    /// A folder of response templates replacing the built-in wording.
    pub responses_dir: Option<PathBuf>,
    /// The log filter (tracing's `EnvFilter` syntax), e.g. `info`.
    pub log_level: String,
    /// Answers one user may get per minute.
    pub user_rate_per_minute: u32,
    /// Analyses running at once; more wait their turn.
    pub max_concurrent_analyses: usize,
    /// How long one analysis may take before the user is told.
    pub analysis_timeout: Duration,
    /// Mask addresses in answers (`ki****@example.org`).
    pub mask_addresses: bool,
    /// For tests only: send REST calls to this URL instead of Discord.
    pub api_proxy: Option<String>,
    /// The SQLite database file of settings and cases.
    pub database: PathBuf,
    /// Cases older than this many days are deleted.
    pub retention_days: u64,
    /// Recipients listed per bounce; the answer says how many more there were.
    pub max_recipients: usize,
    /// MIME parts read per email; the answer says when more were skipped.
    pub max_mime_parts: usize,
}

impl Config {
    /// Reads `.env` (when present) and the environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        let _ = dotenvy::dotenv();
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `get` (the environment, or a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let token = get("DISCORD_TOKEN").filter(|t| !t.trim().is_empty()).ok_or(ConfigError::Missing {
            name: "DISCORD_TOKEN",
            hint: "create a bot in the Discord developer portal, copy its token and set DISCORD_TOKEN (in .env or the environment)",
        })?;
        let token = token.trim().to_string();
        if token.contains(char::is_whitespace) || token.len() < 20 {
            return Err(ConfigError::Malformed {
                name: "DISCORD_TOKEN",
                value: "<hidden>".into(),
                hint: "paste the bot token exactly as the developer portal shows it, without spaces or quotes",
            });
        }
        let help_channels = match get("BOUNCEDESK_HELP_CHANNELS") {
            None => HashSet::new(),
            Some(list) => list
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<u64>().map_err(|_| ConfigError::Malformed {
                        name: "BOUNCEDESK_HELP_CHANNELS",
                        value: s.to_string(),
                        hint: "a comma-separated list of channel ids (numbers; in Discord: right-click the channel, Copy Channel ID)",
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        let number =
            |name: &'static str, default: u64, hint: &'static str| -> Result<u64, ConfigError> {
                match get(name) {
                    None => Ok(default),
                    Some(v) => v.trim().parse::<u64>().ok().filter(|n| *n > 0).ok_or(
                        ConfigError::Malformed {
                            name,
                            value: v,
                            hint,
                        },
                    ),
                }
            };
        let max_attachment_bytes = number(
            "BOUNCEDESK_MAX_ATTACHMENT_BYTES",
            DEFAULT_MAX_ATTACHMENT_BYTES,
            "a positive number of bytes, e.g. 10485760 for 10 MB",
        )?;
        let download_timeout = Duration::from_secs(number(
            "BOUNCEDESK_DOWNLOAD_TIMEOUT_SECS",
            15,
            "a positive number of seconds",
        )?);
        let user_rate_per_minute = number(
            "BOUNCEDESK_USER_RATE_PER_MINUTE",
            6,
            "a positive number of answers per user per minute",
        )? as u32;
        let max_concurrent_analyses =
            number("BOUNCEDESK_MAX_CONCURRENT_ANALYSES", 4, "a positive number")? as usize;
        let analysis_timeout = Duration::from_secs(number(
            "BOUNCEDESK_ANALYSIS_TIMEOUT_SECS",
            20,
            "a positive number of seconds",
        )?);
        let max_recipients = number(
            "BOUNCEDESK_MAX_RECIPIENTS",
            1_000,
            "a positive number of recipients",
        )? as usize;
        let max_mime_parts = number(
            "BOUNCEDESK_MAX_MIME_PARTS",
            crate::parse::MAX_PARTS as u64,
            "a positive number of MIME parts",
        )? as usize;
        let mask_addresses =
            match get("BOUNCEDESK_MASK_ADDRESSES").map(|v| v.trim().to_ascii_lowercase()) {
                None => true,
                Some(v) if matches!(v.as_str(), "1" | "true" | "yes" | "on") => true,
                Some(v) if matches!(v.as_str(), "0" | "false" | "no" | "off") => false,
                Some(v) => {
                    return Err(ConfigError::Malformed {
                        name: "BOUNCEDESK_MASK_ADDRESSES",
                        value: v,
                        hint: "true or false",
                    });
                }
            };
        Ok(Config {
            token: Token(token),
            help_channels,
            max_attachment_bytes,
            download_timeout,
            responses_dir: get("BOUNCEDESK_RESPONSES")
                .filter(|v| !v.trim().is_empty())
                .map(PathBuf::from),
            log_level: get("BOUNCEDESK_LOG")
                .or_else(|| get("RUST_LOG"))
                .unwrap_or_else(|| "info".into()),
            user_rate_per_minute,
            max_concurrent_analyses,
            analysis_timeout,
            mask_addresses,
            api_proxy: get("BOUNCEDESK_DISCORD_API_PROXY").filter(|v| !v.trim().is_empty()),
            database: PathBuf::from(
                get("BOUNCEDESK_DATABASE")
                    .filter(|v| !v.trim().is_empty())
                    .unwrap_or_else(|| "bouncedesk.sqlite3".into()),
            ),
            retention_days: number("BOUNCEDESK_RETENTION_DAYS", 90, "a positive number of days")?,
            max_recipients,
            max_mime_parts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    const TOKEN: &str = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.fake-token-for-tests";

    #[test]
    fn defaults_apply_and_channels_parse() {
        let c = config(&[
            ("DISCORD_TOKEN", TOKEN),
            ("BOUNCEDESK_HELP_CHANNELS", "111, 222"),
        ])
        .unwrap();
        assert_eq!(c.help_channels, HashSet::from([111, 222]));
        assert_eq!(c.max_attachment_bytes, DEFAULT_MAX_ATTACHMENT_BYTES);
        assert!(c.mask_addresses);
        assert_eq!(c.max_recipients, 1_000);
        assert_eq!(c.max_mime_parts, crate::parse::MAX_PARTS);
        let c = config(&[
            ("DISCORD_TOKEN", TOKEN),
            ("BOUNCEDESK_MAX_RECIPIENTS", "50"),
            ("BOUNCEDESK_MAX_MIME_PARTS", "300"),
        ])
        .unwrap();
        assert_eq!((c.max_recipients, c.max_mime_parts), (50, 300));
    }

    #[test]
    fn missing_and_malformed_settings_say_which_and_how() {
        let e = config(&[]).unwrap_err().to_string();
        assert!(e.starts_with("DISCORD_TOKEN is not set"), "{e}");
        let e = config(&[
            ("DISCORD_TOKEN", TOKEN),
            ("BOUNCEDESK_HELP_CHANNELS", "general"),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("BOUNCEDESK_HELP_CHANNELS") && e.contains("channel ids"),
            "{e}"
        );
        let e = config(&[
            ("DISCORD_TOKEN", TOKEN),
            ("BOUNCEDESK_MAX_ATTACHMENT_BYTES", "-5"),
        ])
        .unwrap_err()
        .to_string();
        assert!(e.contains("BOUNCEDESK_MAX_ATTACHMENT_BYTES"), "{e}");
        let e = config(&[("DISCORD_TOKEN", TOKEN), ("BOUNCEDESK_MAX_MIME_PARTS", "0")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("BOUNCEDESK_MAX_MIME_PARTS"), "{e}");
    }

    #[test]
    fn the_token_never_shows_in_debug_output_or_errors() {
        let c = config(&[("DISCORD_TOKEN", TOKEN)]).unwrap();
        assert!(!format!("{c:?}").contains(TOKEN));
        let e = config(&[("DISCORD_TOKEN", "has space in it and is long enough")])
            .unwrap_err()
            .to_string();
        assert!(!e.contains("has space"), "{e}");
    }
}
