//! `/bounce stats [period]`: what the help channel has been dealing with:
//! cases by reason, hard vs soft, spoof warnings, open vs resolved, the
//! busiest recipient domains.

use crate::bot::helpdesk::db;
use crate::bot::{embed, no_mentions, Context, Error};
use crate::store::now;
use poise::serenity_prelude as serenity;

/// The period counted.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum Period {
    #[name = "week"]
    Week,
    #[name = "month"]
    Month,
    #[name = "quarter"]
    Quarter,
    #[name = "all"]
    All,
}

impl Period {
    fn since(self) -> i64 {
        let days = match self {
            Period::Week => 7,
            Period::Month => 30,
            Period::Quarter => 90,
            Period::All => return 0,
        };
        now() - days * 86_400
    }
    fn ui_key(self) -> &'static str {
        match self {
            Period::Week => "period_week",
            Period::Month => "period_month",
            Period::Quarter => "period_quarter",
            Period::All => "period_all",
        }
    }
}

/// Count the bounces this server has dealt with
#[poise::command(slash_command, guild_only, ephemeral)]
pub async fn stats(
    ctx: Context<'_>,
    #[description = "The period (default: 30 days)"] period: Option<Period>,
) -> Result<(), Error> {
    let data = ctx.data();
    let guild = ctx.guild_id().ok_or("guild only")?.get();
    let period = period.unwrap_or(Period::Month);
    let since = period.since();
    let s = db(data, move |store| store.stats(guild, since)).await?;
    let ui = |k: &str, v: &[(&str, String)]| data.responses.ui(k, v);
    let title = ui("stats_title", &[("period", ui(period.ui_key(), &[]))]);
    let mut embed = serenity::CreateEmbed::new()
        .title(embed::clip(&title, 256))
        .colour(serenity::Colour::new(embed::COLOUR_INFO));
    let weekly = s.weekly.clone();
    // Drawing is CPU work: keep it off the async workers.
    let chart = tokio::task::spawn_blocking(move || crate::bot::chart::weekly_png(&weekly))
        .await
        .ok()
        .flatten();
    if s.total == 0 {
        embed = embed.description(ui("stats_empty", &[]));
    } else {
        let by_reason: Vec<String> = s
            .by_reason
            .iter()
            .take(12)
            .map(|(reason, n)| {
                let label = crate::Reason::from_name(reason)
                    .map(|r| data.responses.reason(r).headline.clone())
                    .unwrap_or_else(|| reason.clone());
                format!("{n} - {label} (`{reason}`)")
            })
            .collect();
        embed = embed
            .field(
                ui("stats_by_reason", &[]),
                embed::clip(&by_reason.join("\n"), 1024),
                false,
            )
            .field(
                ui("stats_kind_title", &[]),
                ui(
                    "stats_kind",
                    &[("hard", s.hard.to_string()), ("soft", s.soft.to_string())],
                ),
                false,
            )
            .field(
                ui("stats_spoof_title", &[]),
                ui("stats_spoof", &[("count", s.spoof_warnings.to_string())]),
                false,
            )
            .field(
                ui("stats_state_title", &[]),
                ui(
                    "stats_state",
                    &[
                        ("open", s.open.to_string()),
                        ("resolved", s.resolved.to_string()),
                        ("escalated", s.escalated.to_string()),
                    ],
                ),
                false,
            );
        if !s.top_domains.is_empty() {
            let domains: Vec<String> = s
                .top_domains
                .iter()
                .map(|(d, n)| format!("{n} - {}", embed::escape(d)))
                .collect();
            embed = embed.field(
                ui("stats_domains", &[]),
                embed::clip(&domains.join("\n"), 1024),
                false,
            );
        }
    }
    let mut reply = poise::CreateReply::default();
    if let Some(png) = chart {
        embed = embed.image("attachment://stats.png");
        reply = reply.attachment(serenity::CreateAttachment::bytes(png, "stats.png"));
    }
    ctx.send(
        reply
            .embed(embed)
            .ephemeral(true)
            .allowed_mentions(no_mentions()),
    )
    .await?;
    Ok(())
}
