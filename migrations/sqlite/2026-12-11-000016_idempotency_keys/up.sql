-- An HR sync deactivates the agents it no longer lists instead of deleting them: past rosters
-- keep naming them, and scheduling skips them. HR ids (external_id) stay unique across all
-- queues (the UNIQUE of the init migration): one person, one agent, one home queue.
ALTER TABLE agents ADD COLUMN active BOOLEAN NOT NULL DEFAULT 1;

-- Idempotency-Key: the first answer to a POST, replayed to retries of the same key by the same
-- API key. status is NULL while that first request is still being served.
CREATE TABLE idempotency_keys (
    key_id INTEGER NOT NULL REFERENCES api_keys(id),
    idempotency_key TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    status INTEGER,
    content_type TEXT,
    location TEXT,
    body BLOB,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (key_id, idempotency_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
