-- bouncedesk helpdesk schema, version 1.
-- Privacy by default: no bounce text and no full address is ever stored;
-- a case keeps ids, time, the classification and the recipient's domain.

CREATE TABLE guild_settings (
    guild_id        INTEGER PRIMARY KEY,
    help_channels   TEXT NOT NULL DEFAULT '[]',   -- JSON array of channel ids
    own_domains     TEXT NOT NULL DEFAULT '[]',   -- JSON array of domains
    escalation_role INTEGER,                      -- role mentioned by the escalate button
    thread_mode     INTEGER NOT NULL DEFAULT 0,   -- 1: answer in a thread on the user's message
    mask_addresses  INTEGER NOT NULL DEFAULT 1,
    updated_at      INTEGER NOT NULL,
    updated_by      INTEGER
);

CREATE TABLE config_log (
    id        INTEGER PRIMARY KEY,
    guild_id  INTEGER NOT NULL,
    user_id   INTEGER NOT NULL,
    change    TEXT NOT NULL,                      -- e.g. "help_channel_add 1234"
    at        INTEGER NOT NULL
);

CREATE TABLE cases (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    channel_id       INTEGER NOT NULL,
    message_id       INTEGER NOT NULL,
    user_id          INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,            -- unix seconds
    reason           TEXT,                        -- NULL for a lure that is no bounce
    detail           TEXT,
    status           TEXT,
    reply_code       INTEGER,
    hard_bounce      INTEGER NOT NULL DEFAULT 0,
    spoof_verdict    TEXT NOT NULL DEFAULT 'none',
    recipient_domain TEXT,
    state            TEXT NOT NULL DEFAULT 'open', -- open | resolved
    escalated_at     INTEGER,
    resolved_at      INTEGER,
    resolved_by      INTEGER,
    thread_id        INTEGER
);

CREATE INDEX cases_by_guild_time ON cases (guild_id, created_at);
