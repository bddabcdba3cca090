//! Gateway events the bot reacts to besides commands: messages in help
//! channels (or mentioning the bot), and button presses.

pub mod component;
pub mod message;

use super::{Data, Error};
use poise::serenity_prelude as serenity;

/// Dispatches one event. Errors are logged with an id, never raised.
pub async fn handle(
    ctx: &serenity::Context,
    event: &serenity::FullEvent,
    _framework: poise::FrameworkContext<'_, Data, Error>,
    data: &Data,
) -> Result<(), Error> {
    match event {
        serenity::FullEvent::Message { new_message } => {
            message::on_message(ctx, new_message, data).await
        }
        serenity::FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Component(c),
        } => component::on_component(ctx, c, data).await,
        _ => Ok(()),
    }
}

/// A command or event failed: apologise with an error id, log the details
/// with the same id, keep running.
pub async fn on_error(error: poise::FrameworkError<'_, Data, Error>) {
    let id = super::error_id();
    match error {
        poise::FrameworkError::Command { error, ctx, .. } => {
            tracing::error!(error_id = %id, command = %ctx.command().qualified_name, error = %error, "command failed");
            let data = ctx.data();
            let text = format!(
                "{} ({}: {id})",
                data.responses.ui("internal_error", &[]),
                data.responses.ui("error_id", &[])
            );
            let _ = super::reply_privately(ctx, &text).await;
        }
        poise::FrameworkError::EventHandler { error, event, .. } => {
            tracing::error!(error_id = %id, event = %event.snake_case_name(), error = %error, "event handler failed");
        }
        poise::FrameworkError::CommandCheckFailed { ctx, .. }
        | poise::FrameworkError::MissingUserPermissions { ctx, .. } => {
            let text = ctx.data().responses.ui("config_not_allowed", &[]);
            let _ = super::reply_privately(ctx, &text).await;
        }
        poise::FrameworkError::Setup { error, .. } => {
            tracing::error!(error_id = %id, error = %error, "start-up failed");
        }
        other => {
            tracing::warn!(error_id = %id, "framework error: {other}");
        }
    }
}
