-- API keys: only the SHA-256 of each key is kept (the key is shown once,
-- at creation). Keys are revoked, never deleted, so the audit log keeps
-- naming who did what.
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'planner', 'hr')),
    key_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    last_used_at TIMESTAMP
);

-- Every write (POST, PUT, DELETE) made with a valid key, allowed or
-- refused: which key, the route and the concrete path with its ids, the
-- status answered.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    at TIMESTAMP NOT NULL,
    key_id INTEGER NOT NULL REFERENCES api_keys(id),
    method TEXT NOT NULL,
    route TEXT NOT NULL,
    path TEXT NOT NULL,
    params TEXT NOT NULL,
    status INTEGER NOT NULL
);
CREATE INDEX audit_log_key ON audit_log(key_id, id);
