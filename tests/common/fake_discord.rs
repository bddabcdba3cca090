//! A small fake Discord on 127.0.0.1 for end-to-end tests: the REST routes the
//! bot uses and a gateway websocket, recording every request and letting a
//! test push gateway events. The real serenity/poise client talks to it
//! through `HttpBuilder::proxy` with the rate limiter disabled.

#![allow(dead_code)]

use axum::body::Bytes;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

pub const APP_ID: &str = "200000000000000001";
pub const BOT_ID: &str = "100000000000000001";
pub const GUILD_ID: &str = "300000000000000001";

/// One request the bot made.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub body: Value,
    /// When the request arrived.
    pub at: std::time::Instant,
}

/// What a route should do to the next matching requests (fault injection).
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer 429 with this `retry_after` (seconds) once.
    RateLimit(f64),
    /// Answer 500 once.
    ServerError,
}

/// A file the fake serves: bytes, an optional delay, the status.
pub type ServedFile = (Vec<u8>, Option<Duration>, StatusCode);

#[derive(Default)]
pub struct FakeState {
    pub requests: Mutex<Vec<Recorded>>,
    pub files: Mutex<HashMap<String, ServedFile>>,
    gateway_tx: Mutex<Option<mpsc::UnboundedSender<Value>>>,
    pub identifies: AtomicUsize,
    pub resumes: AtomicUsize,
    pub connections: AtomicUsize,
    seq: AtomicU64,
    ids: AtomicU64,
    pub message_faults: Mutex<Vec<Fault>>,
    pub file_downloads: AtomicUsize,
    addr: Mutex<Option<SocketAddr>>,
    /// Keep only each body's `message_reference` (load runs, where the
    /// recorded replies would otherwise dominate the process's memory).
    pub lean: std::sync::atomic::AtomicBool,
    /// The heartbeat interval sent in HELLO, in ms: 1,000 unless a test sets
    /// it, short so that a dead connection is noticed within seconds
    /// (Discord's own is 41,250).
    pub heartbeat_ms: AtomicU64,
}

impl FakeState {
    /// A fresh snowflake for a created message, thread or file.
    fn next_id(&self) -> String {
        self.ids.fetch_add(1, Ordering::SeqCst).to_string()
    }
}

/// A running fake.
#[derive(Clone)]
pub struct FakeDiscord {
    pub addr: SocketAddr,
    pub state: Arc<FakeState>,
}

impl FakeDiscord {
    pub async fn start() -> FakeDiscord {
        let state = Arc::new(FakeState {
            ids: AtomicU64::new(900_000_000_000_000_000),
            heartbeat_ms: AtomicU64::new(1_000),
            ..Default::default()
        });
        let app = Router::new()
            .route("/api/v10/gateway", get(gateway))
            .route("/api/v10/gateway/bot", get(gateway))
            .route("/api/v10/oauth2/applications/@me", get(application))
            .route("/gateway", get(ws_upgrade))
            .route(
                "/api/v10/applications/:app/commands",
                put(register_commands),
            )
            .route("/api/v10/channels/:channel/messages", post(create_message))
            .route("/api/v10/channels/:channel/typing", post(typing))
            .route(
                "/api/v10/channels/:channel/messages/:message/threads",
                post(start_thread),
            )
            .route("/api/v10/channels/:channel", patch(edit_channel))
            .route(
                "/api/v10/interactions/:id/:token/callback",
                post(interaction_callback),
            )
            .route("/api/v10/webhooks/:app/:token", post(followup))
            .route(
                "/api/v10/webhooks/:app/:token/messages/:message",
                patch(edit_webhook_message),
            )
            .route("/files/:name", get(file))
            .fallback(fallback)
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        *state.addr.lock().unwrap() = Some(addr);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeDiscord { addr, state }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Serves a file at `/files/NAME` and returns its URL.
    pub fn serve_file(&self, name: &str, bytes: Vec<u8>) -> String {
        self.state
            .files
            .lock()
            .unwrap()
            .insert(name.to_string(), (bytes, None, StatusCode::OK));
        format!("{}/files/{name}", self.url())
    }

    /// Serves a file that answers only after `delay`, or with `status`.
    pub fn serve_slow_file(
        &self,
        name: &str,
        delay: Option<Duration>,
        status: StatusCode,
    ) -> String {
        self.state
            .files
            .lock()
            .unwrap()
            .insert(name.to_string(), (b"x".to_vec(), delay, status));
        format!("{}/files/{name}", self.url())
    }

    /// Sends a dispatch event (op 0) over the gateway.
    pub fn dispatch(&self, event: &str, data: Value) {
        let seq = self.state.seq.fetch_add(1, Ordering::SeqCst) + 1;
        let frame = json!({"op": 0, "t": event, "s": seq, "d": data});
        if let Some(tx) = self.state.gateway_tx.lock().unwrap().as_ref() {
            let _ = tx.send(frame);
        }
    }

    /// Closes the gateway connection abruptly (the bot must reconnect).
    pub fn drop_gateway(&self) {
        if let Some(tx) = self.state.gateway_tx.lock().unwrap().take() {
            let _ = tx.send(json!({"close": true}));
        }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    /// Requests whose method and path match.
    pub fn matching(&self, method: &str, path_contains: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == method && r.path.contains(path_contains))
            .collect()
    }

    /// Waits until `pred` holds over the recorded requests (at most `limit`).
    pub async fn wait_for(&self, limit: Duration, pred: impl Fn(&[Recorded]) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            // Under the lock, not on a copy: a load run polls this while
            // thousands of requests are recorded.
            if pred(&self.state.requests.lock().unwrap()) {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits until the bot has registered its commands and the gateway is up.
    pub async fn wait_ready(&self) -> bool {
        self.wait_for(Duration::from_secs(20), |r| {
            r.iter()
                .any(|x| x.method == "PUT" && x.path.contains("/commands"))
        })
        .await
            && self.state.gateway_tx.lock().unwrap().is_some()
    }

    pub fn next_id(&self) -> String {
        self.state.next_id()
    }
}

/// A JSON body, or the `payload_json` part of a multipart body (replies
/// with files), with the uploaded files listed under `"_files"` as
/// `{"filename", "size", "png"}`.
fn decode_body(raw: &[u8]) -> Value {
    if let Ok(v) = serde_json::from_slice(raw) {
        return v;
    }
    let find = |hay: &[u8], needle: &[u8], from: usize| -> Option<usize> {
        hay.get(from..)?
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
    };
    let Some(start) = find(raw, b"--", 0) else {
        return Value::Null;
    };
    let Some(line_end) = find(raw, b"\r\n", start) else {
        return Value::Null;
    };
    let boundary = [b"\r\n", &raw[start..line_end]].concat();
    let mut payload = Value::Null;
    let mut files = Vec::new();
    let mut at = line_end + 2;
    while let Some(head_end) = find(raw, b"\r\n\r\n", at) {
        let head = String::from_utf8_lossy(&raw[at..head_end]).to_string();
        let content_start = head_end + 4;
        let Some(content_end) = find(raw, &boundary, content_start) else {
            break;
        };
        let content = &raw[content_start..content_end];
        if head.contains("name=\"payload_json\"") {
            payload = serde_json::from_slice(content).unwrap_or(Value::Null);
        } else if let Some(i) = head.find("filename=\"") {
            let name = head[i + 10..].split('"').next().unwrap_or("").to_string();
            files.push(json!({
                "filename": name,
                "size": content.len(),
                "png": content.starts_with(b"\x89PNG"),
            }));
        }
        at = content_end + boundary.len() + 2;
    }
    if !files.is_empty() {
        if let Some(obj) = payload.as_object_mut() {
            obj.insert("_files".into(), Value::Array(files));
        }
    }
    payload
}

fn record(state: &FakeState, method: &str, path: &str, body: &Bytes) -> Value {
    let body = decode_body(body);
    let kept = if state.lean.load(std::sync::atomic::Ordering::Relaxed) {
        json!({"message_reference": body.get("message_reference").cloned()})
    } else {
        body.clone()
    };
    state.requests.lock().unwrap().push(Recorded {
        method: method.into(),
        path: path.into(),
        body: kept,
        at: std::time::Instant::now(),
    });
    body
}

async fn gateway(State(state): State<Arc<FakeState>>) -> Json<Value> {
    let addr = state.addr.lock().unwrap().expect("address set");
    Json(json!({
        "url": format!("ws://{addr}/gateway"),
        "shards": 1,
        "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
    }))
}

async fn application() -> Json<Value> {
    Json(
        json!({"id": APP_ID, "name": "bouncedesk", "icon": null, "description": "", "bot_public": true,
                "bot_require_code_grant": false, "verify_key": "0", "flags": 0, "owner": bot_user(), "team": null}),
    )
}

async fn ws_upgrade(ws: WebSocketUpgrade, State(state): State<Arc<FakeState>>) -> Response {
    ws.on_upgrade(move |socket| gateway_session(socket, state))
}

/// The bot user as Discord describes it.
pub fn bot_user() -> Value {
    json!({"id": BOT_ID, "username": "bouncedesk", "discriminator": "0", "global_name": null, "avatar": null, "bot": true,
           "verified": true, "mfa_enabled": false, "flags": 0})
}

fn ready(addr: SocketAddr) -> Value {
    json!({
        "v": 10,
        "user": bot_user(),
        "guilds": [],
        "session_id": "fake-session",
        "resume_gateway_url": format!("ws://{addr}/gateway"),
        "shard": [0, 1],
        "application": {"id": APP_ID, "flags": 0},
        "private_channels": [],
        "presences": [],
        "relationships": [],
        "user_settings": {},
        "geo_ordered_rtc_regions": [],
        "guild_join_requests": []
    })
}

async fn gateway_session(mut socket: WebSocket, state: Arc<FakeState>) {
    state.connections.fetch_add(1, Ordering::SeqCst);
    let interval = state.heartbeat_ms.load(Ordering::Relaxed);
    let hello = json!({"op": 10, "d": {"heartbeat_interval": interval}});
    if socket
        .send(WsMessage::Text(hello.to_string()))
        .await
        .is_err()
    {
        return;
    }
    let (tx, mut rx) = mpsc::unbounded_channel::<Value>();
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let Some(Ok(msg)) = incoming else { break };
                let text = match msg {
                    WsMessage::Text(t) => t,
                    WsMessage::Binary(b) => String::from_utf8_lossy(&b).into_owned(),
                    WsMessage::Close(_) => break,
                    _ => continue,
                };
                let Ok(v) = serde_json::from_str::<Value>(&text) else { continue };
                match v["op"].as_u64() {
                    Some(1) => {
                        let _ = socket.send(WsMessage::Text(json!({"op": 11}).to_string())).await;
                    }
                    Some(2) => {
                        state.identifies.fetch_add(1, Ordering::SeqCst);
                        let addr = state.addr.lock().unwrap().expect("address");
                        let seq = state.seq.fetch_add(1, Ordering::SeqCst) + 1;
                        let frame = json!({"op": 0, "t": "READY", "s": seq, "d": ready(addr)});
                        let _ = socket.send(WsMessage::Text(frame.to_string())).await;
                        *state.gateway_tx.lock().unwrap() = Some(tx.clone());
                    }
                    Some(6) => {
                        state.resumes.fetch_add(1, Ordering::SeqCst);
                        let seq = state.seq.load(Ordering::SeqCst);
                        let frame = json!({"op": 0, "t": "RESUMED", "s": seq, "d": {}});
                        let _ = socket.send(WsMessage::Text(frame.to_string())).await;
                        *state.gateway_tx.lock().unwrap() = Some(tx.clone());
                    }
                    _ => {}
                }
            }
            outgoing = rx.recv() => {
                let Some(frame) = outgoing else { break };
                if frame.get("close").is_some() {
                    // 4000 "unknown error": Discord's code for "reconnect and resume".
                    let close = axum::extract::ws::CloseFrame { code: 4000, reason: "test drop".into() };
                    let _ = socket.send(WsMessage::Close(Some(close))).await;
                    break;
                }
                if socket.send(WsMessage::Text(frame.to_string())).await.is_err() {
                    break;
                }
            }
        }
    }
}

async fn register_commands(
    State(state): State<Arc<FakeState>>,
    Path(app): Path<String>,
    body: Bytes,
) -> Json<Value> {
    let commands = record(
        &state,
        "PUT",
        &format!("/applications/{app}/commands"),
        &body,
    );
    let out: Vec<Value> = commands
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, mut c)| {
            c["id"] = json!(format!("4000000000000000{i:02}"));
            c["application_id"] = json!(APP_ID);
            c["version"] = json!("1");
            if c.get("type").is_none() {
                c["type"] = json!(1);
            }
            if c.get("description").is_none() {
                c["description"] = json!("");
            }
            c["default_member_permissions"] = c
                .get("default_member_permissions")
                .cloned()
                .unwrap_or(Value::Null);
            c
        })
        .collect();
    Json(Value::Array(out))
}

/// A complete Message object as Discord returns it.
pub fn message_json(id: &str, channel: &str, author: Value, content: &str, body: &Value) -> Value {
    json!({
        "id": id,
        "channel_id": channel,
        "guild_id": GUILD_ID,
        "author": author,
        "content": content,
        "timestamp": "2026-11-28T10:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": body.get("embeds").cloned().unwrap_or(json!([])),
        "components": [],
        "pinned": false,
        "type": 0,
        "flags": 0
    })
}

async fn create_message(
    State(state): State<Arc<FakeState>>,
    Path(channel): Path<String>,
    body: Bytes,
) -> Response {
    if let Some(fault) = state.message_faults.lock().unwrap().pop() {
        record(
            &state,
            "POST-REFUSED",
            &format!("/channels/{channel}/messages"),
            &body,
        );
        return match fault {
            Fault::RateLimit(after) => (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", format!("{after}")), ("x-ratelimit-scope", "user".to_string())],
                Json(json!({"message": "You are being rate limited.", "retry_after": after, "global": false, "code": 0})),
            )
                .into_response(),
            Fault::ServerError => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"message": "500: Internal Server Error", "code": 0}))).into_response(),
        };
    }
    let body = record(
        &state,
        "POST",
        &format!("/channels/{channel}/messages"),
        &body,
    );
    let id = state.next_id();
    let content = body["content"].as_str().unwrap_or("").to_string();
    Json(message_json(&id, &channel, bot_user(), &content, &body)).into_response()
}

/// A public thread channel as Discord returns it.
pub fn thread_json(id: &str, parent: &str, name: &str, archived: bool) -> Value {
    json!({
        "id": id, "type": 11, "guild_id": GUILD_ID, "parent_id": parent, "name": name, "owner_id": BOT_ID,
        "position": 0, "permission_overwrites": [], "nsfw": false, "rate_limit_per_user": 0, "flags": 0,
        "message_count": 0, "member_count": 1, "total_message_sent": 0,
        "thread_metadata": {"archived": archived, "auto_archive_duration": 1440, "archive_timestamp": "2026-11-28T10:00:00.000000+00:00", "locked": false}
    })
}

async fn start_thread(
    State(state): State<Arc<FakeState>>,
    Path((channel, message)): Path<(String, String)>,
    body: Bytes,
) -> Json<Value> {
    let body = record(
        &state,
        "POST",
        &format!("/channels/{channel}/messages/{message}/threads"),
        &body,
    );
    let id = state.next_id();
    Json(thread_json(
        &id,
        &channel,
        body["name"].as_str().unwrap_or("thread"),
        false,
    ))
}

async fn edit_channel(
    State(state): State<Arc<FakeState>>,
    Path(channel): Path<String>,
    body: Bytes,
) -> Json<Value> {
    let body = record(&state, "PATCH", &format!("/channels/{channel}"), &body);
    Json(thread_json(
        &channel,
        "0",
        "thread",
        body["archived"].as_bool().unwrap_or(false),
    ))
}

async fn typing(State(state): State<Arc<FakeState>>, Path(channel): Path<String>) -> StatusCode {
    record(
        &state,
        "POST",
        &format!("/channels/{channel}/typing"),
        &Bytes::new(),
    );
    StatusCode::NO_CONTENT
}

async fn interaction_callback(
    State(state): State<Arc<FakeState>>,
    Path((id, token)): Path<(String, String)>,
    body: Bytes,
) -> StatusCode {
    record(
        &state,
        "POST",
        &format!("/interactions/{id}/{token}/callback"),
        &body,
    );
    StatusCode::NO_CONTENT
}

async fn followup(
    State(state): State<Arc<FakeState>>,
    Path((app, token)): Path<(String, String)>,
    body: Bytes,
) -> Json<Value> {
    let body = record(&state, "POST", &format!("/webhooks/{app}/{token}"), &body);
    let id = state.next_id();
    Json(message_json(
        &id,
        "500000000000000001",
        bot_user(),
        body["content"].as_str().unwrap_or(""),
        &body,
    ))
}

async fn edit_webhook_message(
    State(state): State<Arc<FakeState>>,
    Path((app, token, message)): Path<(String, String, String)>,
    body: Bytes,
) -> Json<Value> {
    let body = record(
        &state,
        "PATCH",
        &format!("/webhooks/{app}/{token}/messages/{message}"),
        &body,
    );
    let id = state.next_id();
    Json(message_json(
        &id,
        "500000000000000001",
        bot_user(),
        body["content"].as_str().unwrap_or(""),
        &body,
    ))
}

async fn file(State(state): State<Arc<FakeState>>, Path(name): Path<String>) -> Response {
    state.file_downloads.fetch_add(1, Ordering::SeqCst);
    record(&state, "GET", &format!("/files/{name}"), &Bytes::new());
    let entry = state.files.lock().unwrap().get(&name).cloned();
    match entry {
        Some((bytes, delay, status)) => {
            if let Some(d) = delay {
                tokio::time::sleep(d).await;
            }
            (status, bytes).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn fallback(
    State(state): State<Arc<FakeState>>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    record(&state, method.as_str(), uri.path(), &body);
    (
        StatusCode::NOT_FOUND,
        Json(json!({"message": "404: Not Found", "code": 0})),
    )
        .into_response()
}

// ---- payloads a test sends -------------------------------------------------

/// A user who posts in the help channel.
pub fn user(id: &str, name: &str) -> Value {
    json!({"id": id, "username": name, "discriminator": "0", "global_name": name, "avatar": null, "bot": false, "flags": 0})
}

fn member(user: &Value, permissions: &str) -> Value {
    json!({"user": user, "roles": [], "joined_at": "2026-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false,
           "flags": 0, "pending": false, "permissions": permissions, "nick": null, "avatar": null})
}

/// A MESSAGE_CREATE payload.
pub fn message_create(
    id: &str,
    channel: &str,
    author: &Value,
    content: &str,
    attachments: Value,
) -> Value {
    let mut m = message_json(id, channel, author.clone(), content, &json!({}));
    m["attachments"] = attachments;
    m["member"] = json!({"roles": [], "joined_at": "2026-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0});
    m
}

/// An attachment object.
pub fn attachment(id: &str, name: &str, size: u64, url: &str) -> Value {
    json!({"id": id, "filename": name, "size": size, "url": url, "proxy_url": url, "content_type": "message/rfc822"})
}

/// An APPLICATION_COMMAND interaction payload.
pub fn command_interaction(
    id: &str,
    channel: &str,
    user_v: &Value,
    data: Value,
    permissions: &str,
) -> Value {
    json!({
        "id": id,
        "application_id": APP_ID,
        "type": 2,
        "data": data,
        "guild_id": GUILD_ID,
        "channel_id": channel,
        "channel": {"id": channel, "type": 0, "guild_id": GUILD_ID, "name": "help", "position": 0, "permission_overwrites": [], "nsfw": false},
        "member": member(user_v, permissions),
        "token": format!("token-{id}"),
        "version": 1,
        "app_permissions": "2147483647",
        "locale": "ja",
        "guild_locale": "ja",
        "entitlements": [],
        "authorizing_integration_owners": {"0": GUILD_ID},
        "context": 0,
        "attachment_size_limit": 10485760
    })
}

/// A role object (with the `colors` field serenity requires).
pub fn role_json(id: &str, name: &str) -> Value {
    json!({"id": id, "name": name, "color": 0, "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
           "hoist": false, "icon": null, "unicode_emoji": null, "position": 1, "permissions": "0", "managed": false,
           "mentionable": true, "flags": 0})
}

/// A MESSAGE_COMPONENT interaction (a button press).
pub fn component_interaction(
    id: &str,
    channel: &str,
    user_v: &Value,
    custom_id: &str,
    message: Value,
) -> Value {
    json!({
        "id": id,
        "application_id": APP_ID,
        "type": 3,
        "data": {"custom_id": custom_id, "component_type": 2},
        "guild_id": GUILD_ID,
        "channel_id": channel,
        "member": member(user_v, "2147483647"),
        "message": message,
        "token": format!("token-{id}"),
        "version": 1,
        "app_permissions": "2147483647",
        "locale": "ja",
        "guild_locale": "ja",
        "entitlements": [],
        "authorizing_integration_owners": {"0": GUILD_ID},
        "context": 0,
        "attachment_size_limit": 10485760
    })
}
