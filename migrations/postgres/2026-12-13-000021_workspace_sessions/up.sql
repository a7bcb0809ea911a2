-- The planner workspace's browser sessions and one-time login links.
-- Only the SHA-256 of each secret is kept. A row belongs to the API key
-- that signed in: the key's role is the session's, and a revoked key's
-- sessions stop working at once (the key is checked on every request).
CREATE TABLE workspace_sessions (
    id SERIAL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('session', 'link')),
    secret_hash TEXT NOT NULL UNIQUE,
    key_id INTEGER NOT NULL REFERENCES api_keys(id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX workspace_sessions_expiry ON workspace_sessions(expires_at);
