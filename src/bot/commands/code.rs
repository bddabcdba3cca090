//! `/bounce code CODE`: what an SMTP, enhanced status, Outlook or Windows
//! error code means, with autocomplete over the code tables. Ephemeral.

use crate::bot::embed::{clip, COLOUR_INFO, FIELDS_MAX, FIELD_NAME_MAX, FIELD_VALUE_MAX};
use crate::bot::{no_mentions, Context, Error};
use crate::lookup::{complete, lookup, no_match_hint};
use poise::serenity_prelude as serenity;

async fn autocomplete_code<'a>(
    _ctx: Context<'_>,
    partial: &'a str,
) -> impl Iterator<Item = serenity::AutocompleteChoice> + 'a {
    complete(partial, 25)
        .into_iter()
        .map(|(code, label)| serenity::AutocompleteChoice::new(clip(&label, 100), clip(&code, 100)))
}

/// Look up an error code: 550, 5.1.1, 0x800CCC0F ...
#[poise::command(slash_command, ephemeral)]
pub async fn code(
    ctx: Context<'_>,
    #[description = "The code, e.g. 550 5.1.1 or 0x800CCC0F"]
    #[autocomplete = "autocomplete_code"]
    code: String,
) -> Result<(), Error> {
    let answer = lookup(&code);
    let reply = poise::CreateReply::default()
        .ephemeral(true)
        .allowed_mentions(no_mentions());
    if answer.entries.is_empty() {
        ctx.send(reply.content(clip(no_match_hint(), 2000))).await?;
        return Ok(());
    }
    let mut embed = serenity::CreateEmbed::new()
        .colour(serenity::Colour::new(COLOUR_INFO))
        .title(clip(&answer.normalized, 256));
    let mut total = answer.normalized.chars().count();
    for e in answer.entries.iter().take(FIELDS_MAX) {
        let name = clip(&format!("{}  {}", e.code, e.title), FIELD_NAME_MAX);
        let mut value = e.meaning.clone();
        if let Some(en) = &e.english {
            value.push_str(&format!("\n*{}*", crate::bot::embed::escape(en)));
        }
        let value = clip(&value, FIELD_VALUE_MAX);
        total += name.chars().count() + value.chars().count();
        if total > 5_800 {
            break;
        }
        embed = embed.field(name, value, false);
    }
    ctx.send(reply.embed(embed)).await?;
    Ok(())
}
