//! End-to-end tests of the Discord bot against the fake Discord of
//! `tests/common/fake_discord.rs`: the real serenity/poise client, the real
//! analysis, over 127.0.0.1 only.

mod common;

use common::fake_discord::*;
use common::harness::*;
use serde_json::{json, Value};
use std::time::Duration;

/// A chat line from the fixtures (Japanese text stays out of `.rs` files).
fn chat(path: &str) -> String {
    String::from_utf8(fixture(path)).expect("chat fixtures are UTF-8")
}

#[test]
fn fake_payloads_deserialize_into_serenity_models() {
    use serenity::all::{Interaction, Message};
    let m = message_create(
        "1",
        HELP_CHANNEL,
        &poster(),
        "hello",
        json!([attachment("2", "a.eml", 10, "http://127.0.0.1/files/a.eml")]),
    );
    serde_json::from_value::<Message>(m).expect("MESSAGE_CREATE");
    let reply = message_json("3", HELP_CHANNEL, bot_user(), "x", &json!({}));
    serde_json::from_value::<Message>(reply).expect("a created message");
    let i = command_interaction(
        "4",
        HELP_CHANNEL,
        &poster(),
        json!({"id": "5", "name": "bounce", "type": 1, "options": []}),
        "0",
    );
    serde_json::from_value::<Interaction>(i).expect("an application command interaction");
    let registered = json!([{"id": "1", "application_id": APP_ID, "version": "1", "type": 3, "name": "Explain bounce", "description": "",
        "name_localizations": {}, "description_localizations": {}, "nsfw": false, "options": [], "default_member_permissions": null}]);
    serde_json::from_value::<Vec<serenity::all::Command>>(registered).expect("registered commands");
    let c = component_interaction(
        "6",
        HELP_CHANNEL,
        &poster(),
        "bd:tech:x",
        message_json("7", HELP_CHANNEL, bot_user(), "", &json!({})),
    );
    serde_json::from_value::<Interaction>(c).expect("a component interaction");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pasted_bounce_gets_one_reply_with_the_right_headline() {
    let h = start().await;
    let text = String::from_utf8(fixture("paste/userunknown-01.txt")).unwrap();
    h.fake.dispatch(
        "MESSAGE_CREATE",
        message_create(
            "700000000000000001",
            HELP_CHANNEL,
            &poster(),
            &text,
            json!([]),
        ),
    );
    let replies = wait_replies(&h.fake, HELP_CHANNEL, 1).await;
    assert_eq!(replies.len(), 1, "exactly one reply");
    let body = &replies[0].body;
    let headline = &bouncedesk::responses::ResponseSet::embedded()
        .reason(bouncedesk::Reason::UserUnknown)
        .headline;
    assert_eq!(body["embeds"][0]["title"].as_str(), Some(headline.as_str()));
    assert_eq!(
        body["message_reference"]["message_id"],
        json!("700000000000000001"),
        "a reply to the message"
    );
    assert_no_mentions(body);
    assert_eq!(
        body["components"][0]["components"][0]["custom_id"]
            .as_str()
            .map(|s| s.starts_with("bd:tech:")),
        Some(true)
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        posted_replies(&h.fake, HELP_CHANNEL).len(),
        1,
        "never answered twice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_are_registered_with_japanese_names() {
    let h = start().await;
    let put = &h.fake.matching("PUT", "/commands")[0].body;
    let names: Vec<(String, String)> = put
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["name_localizations"]["ja"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect();
    let labels = bouncedesk::bot::labels::DiscordLabels::load(None).unwrap();
    assert!(
        names.contains(&("bounce".into(), labels.commands["bounce"].name.clone())),
        "{names:?}"
    );
    assert!(
        names.contains(&("Explain bounce".into(), labels.explain_message.name.clone())),
        "{names:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ordinary_chat_gets_no_answer() {
    let h = start().await;
    for (i, text) in [
        chat("not-bounce/chat-ja-05.txt"),
        "what does 550 5.1.1 mean?".to_string(),
        chat("not-bounce/chat-ja-06.txt"),
    ]
    .iter()
    .enumerate()
    {
        h.fake.dispatch(
            "MESSAGE_CREATE",
            message_create(
                &format!("70000000000000010{i}"),
                HELP_CHANNEL,
                &poster(),
                text,
                json!([]),
            ),
        );
    }
    // A bounce afterwards proves the chat was processed (events are in order).
    let text = String::from_utf8(fixture("paste/userunknown-01.txt")).unwrap();
    h.fake.dispatch(
        "MESSAGE_CREATE",
        message_create(
            "700000000000000199",
            HELP_CHANNEL,
            &poster(),
            &text,
            json!([]),
        ),
    );
    let replies = wait_replies(&h.fake, HELP_CHANNEL, 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let replies_now = posted_replies(&h.fake, HELP_CHANNEL);
    assert_eq!(
        replies_now.len(),
        1,
        "only the bounce is answered: {replies:?}"
    );
    assert_eq!(
        replies_now[0].body["message_reference"]["message_id"],
        json!("700000000000000199")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bounce_outside_the_help_channels_is_answered_only_when_the_bot_is_mentioned() {
    let h = start().await;
    let text = String::from_utf8(fixture("paste/userunknown-01.txt")).unwrap();
    h.fake.dispatch(
        "MESSAGE_CREATE",
        message_create(
            "700000000000000201",
            OTHER_CHANNEL,
            &poster(),
            &text,
            json!([]),
        ),
    );
    let mut mentioned = message_create(
        "700000000000000202",
        OTHER_CHANNEL,
        &poster(),
        &format!("<@{BOT_ID}> {text}"),
        json!([]),
    );
    mentioned["mentions"] = json!([bot_user()]);
    h.fake.dispatch("MESSAGE_CREATE", mentioned);
    wait_replies(&h.fake, OTHER_CHANNEL, 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let replies = posted_replies(&h.fake, OTHER_CHANNEL);
    assert_eq!(replies.len(), 1);
    assert_eq!(
        replies[0].body["message_reference"]["message_id"],
        json!("700000000000000202")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attachment_is_downloaded_and_explained() {
    let h = start().await;
    let bytes = fixture("postfix/mailboxfull-01.eml");
    let url = h.fake.serve_file("bounce.eml", bytes.clone());
    let att = json!([attachment(
        "800000000000000001",
        "bounce.eml",
        bytes.len() as u64,
        &url
    )]);
    h.fake.dispatch(
        "MESSAGE_CREATE",
        message_create(
            "700000000000000301",
            HELP_CHANNEL,
            &poster(),
            &chat("not-bounce/chat-ja-07.txt"),
            att,
        ),
    );
    let replies = wait_replies(&h.fake, HELP_CHANNEL, 1).await;
    assert_eq!(replies.len(), 1);
    let headline = &bouncedesk::responses::ResponseSet::embedded()
        .reason(bouncedesk::Reason::MailboxFull)
        .headline;
    assert_eq!(
        replies[0].body["embeds"][0]["title"].as_str(),
        Some(headline.as_str())
    );
    assert_eq!(
        h.fake.matching("GET", "/files/bounce.eml").len(),
        1,
        "downloaded once"
    );
    assert!(
        !h.fake.matching("POST", "/typing").is_empty(),
        "typing was shown while analysing"
    );
    assert_no_mentions(&replies[0].body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_attachment_is_refused_before_download() {
    let h = start_with(&[("BOUNCEDESK_MAX_ATTACHMENT_BYTES", "1000")]).await;
    let url = h.fake.serve_file("big.eml", vec![b'a'; 10]);
    let att = json!([attachment("800000000000000002", "big.eml", 5_000_000, &url)]);
    h.fake.dispatch(
        "MESSAGE_CREATE",
        message_create("700000000000000401", HELP_CHANNEL, &poster(), "", att),
    );
    let replies = wait_replies(&h.fake, HELP_CHANNEL, 1).await;
    assert_eq!(replies.len(), 1);
    let content = replies[0].body["content"].as_str().unwrap_or("");
    assert!(
        content.contains("big.eml"),
        "the refusal names the file: {content}"
    );
    assert!(
        h.fake.matching("GET", "/files/big.eml").is_empty(),
        "never downloaded"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slash_code_answers_through_the_interaction_callback() {
    let h = start().await;
    let data = json!({"id": "400000000000000000", "name": "bounce", "type": 1,
        "options": [{"name": "code", "type": 1, "options": [{"name": "code", "type": 3, "value": "5.1.1"}]}]});
    h.fake.dispatch(
        "INTERACTION_CREATE",
        command_interaction("910000000000000001", HELP_CHANNEL, &poster(), data, "0"),
    );
    assert!(
        h.fake
            .wait_for(Duration::from_secs(10), |r| r
                .iter()
                .any(|x| x.path.contains("/interactions/910000000000000001/")))
            .await
    );
    let callback = &h.fake.matching("POST", "/interactions/910000000000000001/")[0].body;
    assert_eq!(callback["type"], json!(4), "an immediate message response");
    assert_eq!(callback["data"]["flags"], json!(64), "ephemeral");
    let embed = &callback["data"]["embeds"][0];
    assert!(
        embed["fields"][0]["name"]
            .as_str()
            .unwrap_or("")
            .contains("5.1.1"),
        "{embed}"
    );
    assert_no_mentions(&callback["data"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_context_menu_command_explains_a_message() {
    let h = start().await;
    let text = String::from_utf8(fixture("paste/userunknown-01.txt")).unwrap();
    let target = message_create(
        "700000000000000501",
        HELP_CHANNEL,
        &poster(),
        &text,
        json!([]),
    );
    let data = json!({"id": "400000000000000001", "name": "Explain bounce", "type": 3, "target_id": "700000000000000501",
        "resolved": {"messages": {"700000000000000501": target}}});
    h.fake.dispatch(
        "INTERACTION_CREATE",
        command_interaction("910000000000000002", HELP_CHANNEL, &poster(), data, "0"),
    );
    assert!(
        h.fake
            .wait_for(Duration::from_secs(10), |r| r
                .iter()
                .any(|x| x.path.contains("/webhooks/")))
            .await,
        "{:?}",
        h.fake.requests()
    );
    let deferred = &h.fake.matching("POST", "/interactions/910000000000000002/")[0].body;
    assert_eq!(deferred["type"], json!(5), "deferred first");
    let followup = &h.fake.matching("POST", "/webhooks/")[0].body;
    let headline = &bouncedesk::responses::ResponseSet::embedded()
        .reason(bouncedesk::Reason::UserUnknown)
        .headline;
    assert_eq!(
        followup["embeds"][0]["title"].as_str(),
        Some(headline.as_str())
    );
    assert_no_mentions(followup);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everyone_in_pasted_text_pings_nobody() {
    let h = start().await;
    let text = format!(
        "@everyone <@&123456789012345678> {}\n```\n{}\n```",
        chat("not-bounce/chat-ja-08.txt"),
        String::from_utf8(fixture("paste/userunknown-01.txt")).unwrap()
    );
    let mut m = message_create(
        "700000000000000601",
        HELP_CHANNEL,
        &poster(),
        &text,
        json!([]),
    );
    m["mention_everyone"] = json!(true);
    h.fake.dispatch("MESSAGE_CREATE", m);
    let replies = wait_replies(&h.fake, HELP_CHANNEL, 1).await;
    assert_eq!(replies.len(), 1);
    assert_no_mentions(&replies[0].body);
    let json_text = replies[0].body.to_string();
    assert!(
        !json_text.contains("@everyone"),
        "the bounce text is not echoed with a live mention"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_technical_button_answers_ephemerally() {
    let h = start().await;
    let text = String::from_utf8(fixture("paste/userunknown-01.txt")).unwrap();
    h.fake.dispatch(
        "MESSAGE_CREATE",
        message_create(
            "700000000000000701",
            HELP_CHANNEL,
            &poster(),
            &text,
            json!([]),
        ),
    );
    let replies = wait_replies(&h.fake, HELP_CHANNEL, 1).await;
    let custom_id = replies[0].body["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    let message = message_json("999", HELP_CHANNEL, bot_user(), "", &json!({}));
    h.fake.dispatch(
        "INTERACTION_CREATE",
        component_interaction(
            "910000000000000003",
            HELP_CHANNEL,
            &poster(),
            &custom_id,
            message,
        ),
    );
    assert!(
        h.fake
            .wait_for(Duration::from_secs(10), |r| r
                .iter()
                .any(|x| x.path.contains("/interactions/910000000000000003/")))
            .await
    );
    let body = &h.fake.matching("POST", "/interactions/910000000000000003/")[0].body;
    assert_eq!(body["data"]["flags"], json!(64));
    assert!(body["data"]["content"]
        .as_str()
        .unwrap_or("")
        .contains("```"));
    assert_no_mentions(&body["data"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lure_gets_a_red_warning_first() {
    let h = start().await;
    let bytes = fixture("lures/fake-ndr-html-attachment.eml");
    let url = h.fake.serve_file("notice.eml", bytes.clone());
    let att = json!([attachment(
        "800000000000000009",
        "notice.eml",
        bytes.len() as u64,
        &url
    )]);
    h.fake.dispatch(
        "MESSAGE_CREATE",
        message_create(
            "700000000000000801",
            HELP_CHANNEL,
            &poster(),
            &chat("not-bounce/chat-ja-09.txt"),
            att,
        ),
    );
    let replies = wait_replies(&h.fake, HELP_CHANNEL, 1).await;
    assert_eq!(replies.len(), 1);
    let first = &replies[0].body["embeds"][0];
    assert_eq!(
        first["color"],
        json!(bouncedesk::bot::embed::COLOUR_DANGER),
        "the warning comes first, in red: {first}"
    );
    let headline = &bouncedesk::responses::ResponseSet::embedded()
        .warning("likely_spoofed")
        .headline;
    assert!(first["title"]
        .as_str()
        .unwrap_or("")
        .contains(headline.as_str()));
    assert_no_mentions(&replies[0].body);
}

// ---- helpdesk ---------------------------------------------------------------

const MANAGE_GUILD: &str = "32";
const NO_PERMISSIONS: &str = "0";

fn config_command(sub: &str, options: Value) -> Value {
    json!({"id": "400000000000000000", "name": "bounce", "type": 1,
        "options": [{"name": "config", "type": 2, "options": [{"name": sub, "type": 1, "options": options}]}]})
}

async fn run_command(h: &Harness, id: &str, data: Value, permissions: &str) -> Value {
    h.fake.dispatch(
        "INTERACTION_CREATE",
        command_interaction(id, HELP_CHANNEL, &poster(), data, permissions),
    );
    let path = format!("/interactions/{id}/");
    assert!(
        h.fake
            .wait_for(Duration::from_secs(10), |r| r
                .iter()
                .any(|x| x.path.contains(&path)))
            .await,
        "no answer to {id}"
    );
    h.fake.matching("POST", &path)[0].body.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_is_refused_without_manage_server() {
    let h = start().await;
    let body = run_command(
        &h,
        "920000000000000001",
        config_command(
            "thread",
            json!([{"name": "enabled", "type": 5, "value": true}]),
        ),
        NO_PERMISSIONS,
    )
    .await;
    let refusal = bouncedesk::responses::ResponseSet::embedded().ui("config_not_allowed", &[]);
    assert_eq!(
        body["data"]["content"].as_str(),
        Some(refusal.as_str()),
        "{body}"
    );
    assert_eq!(body["data"]["flags"], json!(64));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thread_mode_answers_in_a_thread_and_resolve_archives_it() {
    let h = start().await;
    let body = run_command(
        &h,
        "920000000000000002",
        config_command(
            "thread",
            json!([{"name": "enabled", "type": 5, "value": true}]),
        ),
        MANAGE_GUILD,
    )
    .await;
    assert!(
        body["data"]["content"]
            .as_str()
            .unwrap_or("")
            .contains("thread mode true"),
        "{body}"
    );
    let text = String::from_utf8(fixture("paste/userunknown-01.txt")).unwrap();
    h.fake.dispatch(
        "MESSAGE_CREATE",
        message_create(
            "700000000000000901",
            HELP_CHANNEL,
            &poster(),
            &text,
            json!([]),
        ),
    );
    assert!(
        h.fake
            .wait_for(Duration::from_secs(10), |r| r
                .iter()
                .any(|x| x.path.ends_with("/threads")))
            .await
    );
    let thread = h.fake.matching("POST", "/threads")[0].clone();
    assert!(thread.path.contains("/messages/700000000000000901/threads"));
    // The answer goes into the new thread, not the channel.
    assert!(
        h.fake
            .wait_for(Duration::from_secs(10), |r| r
                .iter()
                .any(|x| x.method == "POST"
                    && x.path.ends_with("/messages")
                    && !x.path.contains(HELP_CHANNEL)))
            .await
    );
    assert!(posted_replies(&h.fake, HELP_CHANNEL).is_empty());
    let answer = h
        .fake
        .requests()
        .into_iter()
        .find(|x| {
            x.method == "POST" && x.path.ends_with("/messages") && !x.path.contains(HELP_CHANNEL)
        })
        .unwrap();
    let buttons = answer.body["components"][0]["components"]
        .as_array()
        .unwrap()
        .clone();
    let resolve = buttons
        .iter()
        .find_map(|b| {
            b["custom_id"]
                .as_str()
                .filter(|id| id.starts_with("bd:resolve:"))
        })
        .unwrap()
        .to_string();
    // Someone else without staff rights may not resolve it.
    let stranger = user("600000000000000009", "stranger");
    let message = message_json("998", HELP_CHANNEL, bot_user(), "", &json!({}));
    let mut press = component_interaction(
        "930000000000000001",
        HELP_CHANNEL,
        &stranger,
        &resolve,
        message.clone(),
    );
    press["member"]["permissions"] = json!("0");
    h.fake.dispatch("INTERACTION_CREATE", press);
    assert!(
        h.fake
            .wait_for(Duration::from_secs(10), |r| r
                .iter()
                .any(|x| x.path.contains("/interactions/930000000000000001/")))
            .await
    );
    let refused = &h.fake.matching("POST", "/interactions/930000000000000001/")[0].body;
    let not_allowed = bouncedesk::responses::ResponseSet::embedded().ui("case_not_allowed", &[]);
    assert_eq!(
        refused["data"]["content"].as_str(),
        Some(not_allowed.as_str())
    );
    // The poster may.
    let mut press = component_interaction(
        "930000000000000002",
        HELP_CHANNEL,
        &poster(),
        &resolve,
        message,
    );
    press["member"]["permissions"] = json!("0");
    h.fake.dispatch("INTERACTION_CREATE", press);
    assert!(
        h.fake
            .wait_for(Duration::from_secs(10), |r| r
                .iter()
                .any(|x| x.method == "PATCH" && x.body["archived"] == json!(true)))
            .await,
        "the thread is archived"
    );
    let (checked, allowed) = assert_every_message_pings_nobody(&h.fake, |_| false);
    assert!(checked >= 3, "{checked}");
    assert!(allowed.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escalation_pings_only_the_configured_role_once() {
    let h = start().await;
    let role_id = "340000000000000001";
    let mut data = config_command(
        "role",
        json!([{"name": "role", "type": 8, "value": role_id}]),
    );
    data["resolved"] = json!({"roles": {role_id: role_json(role_id, "mail-admins")}});
    let body = run_command(&h, "920000000000000003", data, MANAGE_GUILD).await;
    assert!(
        body["data"]["content"]
            .as_str()
            .unwrap_or("")
            .contains(role_id),
        "{body}"
    );
    let text = String::from_utf8(fixture("paste/userunknown-01.txt")).unwrap();
    h.fake.dispatch(
        "MESSAGE_CREATE",
        message_create(
            "700000000000000902",
            HELP_CHANNEL,
            &poster(),
            &text,
            json!([]),
        ),
    );
    let replies = wait_replies(&h.fake, HELP_CHANNEL, 1).await;
    let escalate = replies[0].body["components"][0]["components"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|b| {
            b["custom_id"]
                .as_str()
                .filter(|id| id.starts_with("bd:escalate:"))
        })
        .unwrap()
        .to_string();
    let message = message_json("997", HELP_CHANNEL, bot_user(), "", &json!({}));
    for id in ["930000000000000003", "930000000000000004"] {
        h.fake.dispatch(
            "INTERACTION_CREATE",
            component_interaction(id, HELP_CHANNEL, &poster(), &escalate, message.clone()),
        );
        let path = format!("/interactions/{id}/");
        assert!(
            h.fake
                .wait_for(Duration::from_secs(10), |r| r
                    .iter()
                    .any(|x| x.path.contains(&path)))
                .await
        );
    }
    let pings: Vec<Recorded> = posted_replies(&h.fake, HELP_CHANNEL)
        .into_iter()
        .filter(|r| {
            r.body["content"]
                .as_str()
                .unwrap_or("")
                .contains(&format!("<@&{role_id}>"))
        })
        .collect();
    assert_eq!(pings.len(), 1, "one ping per case");
    // Everything else the bot sent in this test (the config answer, the
    // explanation, the button answers) pings nobody.
    let role_mention = format!("<@&{role_id}>");
    let (checked, allowed) = assert_every_message_pings_nobody(&h.fake, |r| {
        r.body["content"]
            .as_str()
            .is_some_and(|c| c.contains(&role_mention))
    });
    assert!(
        checked >= 3,
        "the config answer, the reply and the button answers: {checked}"
    );
    assert_eq!(
        allowed.len(),
        1,
        "the escalation ping is the only exception"
    );
    let am = &pings[0].body["allowed_mentions"];
    assert_eq!(am["parse"], json!([]));
    assert_eq!(
        am["roles"],
        json!([role_id]),
        "only the escalation role: {am}"
    );
    assert!(am.get("users").is_none_or(|u| u == &json!([])));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_count_the_cases_of_the_server() {
    let h = start().await;
    for (i, f) in [
        "paste/userunknown-01.txt",
        "paste/userunknown-02.txt",
        "paste/mailboxfull-01.txt",
    ]
    .iter()
    .enumerate()
    {
        let text = String::from_utf8(fixture(f)).unwrap();
        h.fake.dispatch(
            "MESSAGE_CREATE",
            message_create(
                &format!("70000000000000100{i}"),
                HELP_CHANNEL,
                &poster(),
                &text,
                json!([]),
            ),
        );
    }
    wait_replies(&h.fake, HELP_CHANNEL, 3).await;
    let data = json!({"id": "400000000000000000", "name": "bounce", "type": 1, "options": [{"name": "stats", "type": 1, "options": []}]});
    let body = run_command(&h, "920000000000000004", data, NO_PERMISSIONS).await;
    let fields = body["data"]["embeds"][0]["fields"]
        .as_array()
        .unwrap()
        .clone();
    let by_reason = fields[0]["value"].as_str().unwrap();
    assert!(
        by_reason.contains("2 - ") && by_reason.contains("`userunknown`"),
        "{by_reason}"
    );
    assert!(
        by_reason.contains("1 - ") && by_reason.contains("`mailboxfull`"),
        "{by_reason}"
    );
    assert!(
        !body.to_string().contains("@example"),
        "no address in stats"
    );
    let files = body["_files"]
        .as_array()
        .expect("the weekly chart is attached");
    assert_eq!(files[0]["filename"], "stats.png");
    assert_eq!(files[0]["png"], true, "{files:?}");
    assert_eq!(
        body["data"]["embeds"][0]["image"]["url"],
        "attachment://stats.png"
    );
    let (checked, _) = assert_every_message_pings_nobody(&h.fake, |_| false);
    assert!(checked >= 2, "the replies and the stats answer: {checked}");
}
