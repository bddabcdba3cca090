//! `/bounce config ...`: the server's settings, for members with Manage
//! Server only. Every change is answered ephemerally and logged (in the
//! database and the log) with who changed what.

use crate::bot::helpdesk::{db, settings};
use crate::bot::{embed, no_mentions, reply_privately, Context, Error};
use crate::store::{now, GuildSettings};
use poise::serenity_prelude as serenity;

/// Add or remove.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum Action {
    #[name = "add"]
    Add,
    #[name = "remove"]
    Remove,
}

impl Action {
    /// Adds the value to the list (once) or removes it.
    fn apply<T: PartialEq>(self, list: &mut Vec<T>, value: T) {
        match self {
            Action::Add => {
                if !list.contains(&value) {
                    list.push(value);
                }
            }
            Action::Remove => list.retain(|x| *x != value),
        }
    }
}

/// Show or change this server's settings (Manage Server)
#[poise::command(
    slash_command,
    guild_only,
    subcommands("show", "channel", "domain", "role", "thread", "masking"),
    subcommand_required,
    default_member_permissions = "MANAGE_GUILD",
    check = "manages_server"
)]
pub async fn config(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// The member's permissions as Discord computed them for this interaction
/// (channel overwrites included).
pub fn interaction_permissions(ctx: Context<'_>) -> Option<serenity::Permissions> {
    match ctx {
        poise::Context::Application(app) => {
            app.interaction.member.as_ref().and_then(|m| m.permissions)
        }
        poise::Context::Prefix(_) => None,
    }
}

/// Only members with Manage Server (or Administrator) change the settings.
/// Discord already hides the command from others (`default_member_permissions`);
/// this check holds even where a server overrides that.
pub async fn manages_server(ctx: Context<'_>) -> Result<bool, Error> {
    let allowed =
        interaction_permissions(ctx).is_some_and(|p| p.administrator() || p.manage_guild());
    if !allowed {
        tracing::info!(user = %ctx.author().id, command = %ctx.command().qualified_name, "refused: no Manage Server");
    }
    Ok(allowed)
}

/// Loads, changes, saves and logs the settings, then confirms.
async fn change(
    ctx: Context<'_>,
    describe: String,
    f: impl FnOnce(&mut GuildSettings) + Send,
) -> Result<(), Error> {
    let data = ctx.data();
    let guild = ctx.guild_id().ok_or("guild only")?;
    let mut s = settings(data, Some(guild)).await?;
    f(&mut s);
    let user = ctx.author().id.get();
    let log = describe.clone();
    db(data, move |store| {
        store.save_settings(&s, user, &log, now())
    })
    .await?;
    tracing::info!(guild = %guild, user = %ctx.author().id, change = %describe, "settings changed");
    let text = data.responses.ui("config_saved", &[("change", describe)]);
    reply_privately(ctx, &text).await
}

/// Show the settings
#[poise::command(
    slash_command,
    guild_only,
    ephemeral,
    default_member_permissions = "MANAGE_GUILD",
    check = "manages_server"
)]
pub async fn show(ctx: Context<'_>) -> Result<(), Error> {
    let data = ctx.data();
    let s = settings(data, ctx.guild_id()).await?;
    let ui = |k: &str| data.responses.ui(k, &[]);
    let none = ui("config_none");
    let yes_no = |b: bool| if b { ui("config_on") } else { ui("config_off") };
    let mut channels: Vec<String> = data
        .config
        .help_channels
        .iter()
        .chain(s.help_channels.iter())
        .map(|c| format!("<#{c}>"))
        .collect();
    channels.dedup();
    let list = |v: Vec<String>| {
        if v.is_empty() {
            none.clone()
        } else {
            v.join(", ")
        }
    };
    let embed = serenity::CreateEmbed::new()
        .title(embed::clip(&ui("config_show_title"), 256))
        .colour(serenity::Colour::new(embed::COLOUR_INFO))
        .field(
            ui("config_help_channels"),
            embed::clip(&list(channels), 1024),
            false,
        )
        .field(
            ui("config_own_domains"),
            embed::clip(
                &list(s.own_domains.iter().map(|d| embed::escape(d)).collect()),
                1024,
            ),
            false,
        )
        .field(
            ui("config_escalation_role"),
            s.escalation_role
                .map(|r| format!("<@&{r}>"))
                .unwrap_or(none.clone()),
            false,
        )
        .field(ui("config_thread_mode"), yes_no(s.thread_mode), true)
        .field(ui("config_masking"), yes_no(s.mask_addresses), true);
    ctx.send(
        poise::CreateReply::default()
            .embed(embed)
            .ephemeral(true)
            .allowed_mentions(no_mentions()),
    )
    .await?;
    Ok(())
}

/// Add or remove a help channel
#[poise::command(
    slash_command,
    guild_only,
    ephemeral,
    default_member_permissions = "MANAGE_GUILD",
    check = "manages_server"
)]
pub async fn channel(
    ctx: Context<'_>,
    #[description = "Add or remove"] action: Action,
    #[description = "The channel"]
    #[channel_types("Text", "PublicThread", "PrivateThread", "News", "Forum")]
    channel: serenity::GuildChannel,
) -> Result<(), Error> {
    let id = channel.id.get();
    change(
        ctx,
        format!("help channel {:?} <#{id}>", action).to_lowercase(),
        move |s| action.apply(&mut s.help_channels, id),
    )
    .await
}

/// Add or remove one of the server's own mail domains
#[poise::command(
    slash_command,
    guild_only,
    ephemeral,
    default_member_permissions = "MANAGE_GUILD",
    check = "manages_server"
)]
pub async fn domain(
    ctx: Context<'_>,
    #[description = "Add or remove"] action: Action,
    #[description = "e.g. example.co.jp"] domain: String,
) -> Result<(), Error> {
    let domain = domain.trim().trim_start_matches('@').to_ascii_lowercase();
    let valid = domain.contains('.')
        && domain.len() <= 253
        && domain
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    if !valid {
        let text = ctx
            .data()
            .responses
            .ui("config_bad_domain", &[("domain", embed::escape(&domain))]);
        return reply_privately(ctx, &text).await;
    }
    let d = domain.clone();
    change(
        ctx,
        format!("own domain {:?} {domain}", action).to_lowercase(),
        move |s| action.apply(&mut s.own_domains, d),
    )
    .await
}

/// Set (or clear) the role the escalate button mentions
#[poise::command(
    slash_command,
    guild_only,
    ephemeral,
    default_member_permissions = "MANAGE_GUILD",
    check = "manages_server"
)]
pub async fn role(
    ctx: Context<'_>,
    #[description = "The role to call"] role: Option<serenity::Role>,
) -> Result<(), Error> {
    let id = role.map(|r| r.id.get());
    let describe = match id {
        Some(r) => format!("escalation role <@&{r}>"),
        None => "escalation role cleared".to_string(),
    };
    change(ctx, describe, move |s| s.escalation_role = id).await
}

/// Answer in a thread on the user's message, or as a reply
#[poise::command(
    slash_command,
    guild_only,
    ephemeral,
    default_member_permissions = "MANAGE_GUILD",
    check = "manages_server"
)]
pub async fn thread(
    ctx: Context<'_>,
    #[description = "True to answer in threads"] enabled: bool,
) -> Result<(), Error> {
    change(ctx, format!("thread mode {enabled}"), move |s| {
        s.thread_mode = enabled
    })
    .await
}

/// Mask addresses in answers (ki****@example.org)
#[poise::command(
    slash_command,
    guild_only,
    ephemeral,
    default_member_permissions = "MANAGE_GUILD",
    check = "manages_server"
)]
pub async fn masking(
    ctx: Context<'_>,
    #[description = "True to mask addresses"] enabled: bool,
) -> Result<(), Error> {
    change(ctx, format!("address masking {enabled}"), move |s| {
        s.mask_addresses = enabled
    })
    .await
}
