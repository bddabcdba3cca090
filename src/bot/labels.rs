//! Japanese names and descriptions of the bot's commands, from
//! `responses/discord.toml`, applied as Discord localisations (English is the
//! base the code defines), plus the modal and help texts.

use super::{Data, Error};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

/// The locale Discord uses for Japanese.
pub const JA: &str = "ja";

#[derive(Debug, Clone, Deserialize)]
pub struct Named {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub parameters: HashMap<String, Named>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ModalLabels {
    pub title: String,
    pub label: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct HelpText {
    pub text: String,
}

/// Everything `discord.toml` holds.
#[derive(Debug, Clone, Deserialize)]
pub struct DiscordLabels {
    /// By the command's English name.
    pub commands: HashMap<String, Named>,
    pub explain_message: Named,
    /// Choice values (`add`, `remove`, `week` ...) -> Japanese.
    pub choices: HashMap<String, String>,
    pub modal: ModalLabels,
    pub help_text: HelpText,
}

/// The modal's wording, set once at start (the modal is built where no bot
/// state is at hand).
pub static MODAL: OnceLock<ModalLabels> = OnceLock::new();

impl DiscordLabels {
    /// Reads `discord.toml` from the team's folder, else the built-in one.
    pub fn load(dir: Option<&Path>) -> Result<DiscordLabels, String> {
        let text = match dir {
            Some(d) => std::fs::read_to_string(d.join("discord.toml"))
                .map_err(|e| format!("{}: {e}", d.join("discord.toml").display()))?,
            None => crate::responses::embedded_file("discord.toml")
                .ok_or("discord.toml is not embedded")?
                .to_string(),
        };
        let labels: DiscordLabels =
            toml::from_str(&text).map_err(|e| format!("discord.toml: {e}"))?;
        for (what, n) in &labels.commands {
            let ok = !n.name.is_empty()
                && n.name.chars().count() <= 32
                && n.name
                    .chars()
                    .all(|c| c == '-' || c == '_' || c.is_alphanumeric())
                && n.name.to_lowercase() == n.name;
            if !ok {
                return Err(format!("discord.toml: [commands.{what}] name {:?} is not a valid slash command name (lowercase, no spaces, at most 32 characters)", n.name));
            }
        }
        let _ = MODAL.set(labels.modal.clone());
        Ok(labels)
    }

    /// The commands as Discord registers them. poise localises slash
    /// commands from the fields `localize` fills, but not the name of a
    /// context-menu command, which is added here.
    pub fn application_commands(
        &self,
        commands: &[poise::Command<Data, Error>],
    ) -> Vec<serenity::all::CreateCommand> {
        let mut out = Vec::new();
        for c in commands {
            if let Some(slash) = c.create_as_slash_command() {
                out.push(slash);
            }
            if let Some(menu) = c.create_as_context_menu_command() {
                out.push(menu.name_localized(JA, self.explain_message.name.clone()));
            }
        }
        out
    }

    /// Adds the Japanese localisations to the commands.
    pub fn localize(&self, commands: &mut [poise::Command<Data, Error>]) {
        for command in commands {
            if command.context_menu_action.is_some() {
                continue;
            }
            if let Some(named) = self.commands.get(&command.name) {
                command
                    .name_localizations
                    .insert(JA.into(), named.name.clone());
                if let Some(d) = &named.description {
                    command
                        .description_localizations
                        .insert(JA.into(), d.clone());
                }
                for p in &mut command.parameters {
                    if let Some(pn) = named.parameters.get(&p.name) {
                        p.name_localizations.insert(JA.into(), pn.name.clone());
                        if let Some(d) = &pn.description {
                            p.description_localizations.insert(JA.into(), d.clone());
                        }
                    }
                    for choice in &mut p.choices {
                        if let Some(ja) = self.choices.get(&choice.name) {
                            choice.localizations.insert(JA.into(), ja.clone());
                        }
                    }
                }
            }
            self.localize(&mut command.subcommands);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_labels_load_and_localize_every_command() {
        let labels = DiscordLabels::load(None).unwrap();
        let mut commands = vec![
            super::super::commands::bounce::bounce(),
            super::super::commands::context_menu::explain_message(),
        ];
        labels.localize(&mut commands);
        fn check(c: &poise::Command<Data, Error>) {
            if c.context_menu_action.is_some() {
                return;
            }
            assert!(c.name_localizations.contains_key(JA), "{}", c.name);
            if c.context_menu_action.is_none() {
                for p in &c.parameters {
                    assert!(
                        p.name_localizations.contains_key(JA),
                        "{} {}",
                        c.name,
                        p.name
                    );
                }
            }
            c.subcommands.iter().for_each(check);
        }
        commands.iter().for_each(check);
    }
}
