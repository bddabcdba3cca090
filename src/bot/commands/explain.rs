//! `/bounce explain [text] [file]`: explain a bounce given as text or as a
//! file; with neither, a text box (modal) opens for long text.

use crate::bot::labels::MODAL;
use crate::bot::{Context, Error};
use poise::serenity_prelude as serenity;

/// The text box for long bounce text. Its wording comes from
/// `responses/discord.toml`.
pub struct ExplainModal {
    pub text: String,
}

impl poise::Modal for ExplainModal {
    fn create(_defaults: Option<Self>, custom_id: String) -> serenity::CreateInteractionResponse {
        let (title, label) = MODAL
            .get()
            .map(|m| (m.title.clone(), m.label.clone()))
            .unwrap_or_else(|| ("bouncedesk".into(), "bounce".into()));
        let input = serenity::CreateInputText::new(
            serenity::InputTextStyle::Paragraph,
            crate::bot::embed::clip(&label, 45),
            "text",
        )
        .required(true)
        .max_length(4000);
        serenity::CreateInteractionResponse::Modal(
            serenity::CreateModal::new(custom_id, crate::bot::embed::clip(&title, 45))
                .components(vec![serenity::CreateActionRow::InputText(input)]),
        )
    }

    fn parse(data: serenity::ModalInteractionData) -> Result<Self, &'static str> {
        data.components
            .iter()
            .flat_map(|row| row.components.iter())
            .find_map(|c| match c {
                serenity::ActionRowComponent::InputText(t) if t.custom_id == "text" => {
                    t.value.clone()
                }
                _ => None,
            })
            .map(|text| ExplainModal { text })
            .ok_or("the text box was empty")
    }
}

/// Explain a bounce: paste its text or attach the file
#[poise::command(slash_command)]
pub async fn explain(
    ctx: Context<'_>,
    #[description = "The bounce text (leave empty to open a text box for long text)"] text: Option<
        String,
    >,
    #[description = "The bounce as a file (.eml, .txt)"] file: Option<serenity::Attachment>,
) -> Result<(), Error> {
    let text = match (text, &file, ctx) {
        (None, None, poise::Context::Application(app)) => {
            match poise::execute_modal::<_, _, ExplainModal>(app, None, None).await? {
                Some(modal) => Some(modal.text),
                None => return Ok(()),
            }
        }
        (text, _, _) => text,
    };
    let attachments: Vec<serenity::Attachment> = file.into_iter().collect();
    super::explain_and_reply(ctx, text, &attachments, false).await
}
