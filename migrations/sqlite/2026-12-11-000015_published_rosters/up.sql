-- The local days a schedule covers, so lists can filter by week in SQL (the
-- job's params held only the first day). Backfilled from the stored params.
ALTER TABLE schedule_runs ADD COLUMN first_day DATE NOT NULL DEFAULT '1970-01-01';
ALTER TABLE schedule_runs ADD COLUMN last_day DATE NOT NULL DEFAULT '1970-01-01';
UPDATE schedule_runs SET first_day = date(json_extract(params, '$.first_day'));
UPDATE schedule_runs SET last_day = date(first_day, '+' || (days - 1) || ' days');
CREATE INDEX schedule_runs_days ON schedule_runs(queue_id, first_day, last_day);

-- Publishing a finished schedule makes it the roster HR tools pull for each
-- Monday-to-Sunday week (the queue's local dates) its days touch: one row per
-- (queue, week). Publishing another schedule for a week supersedes the row
-- (kept as history). The partial unique index is the rule "at most one
-- published roster per queue and week", held by the database itself.
CREATE TABLE roster_publications (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    queue_id INTEGER NOT NULL REFERENCES queues(id),
    week_start DATE NOT NULL,
    schedule_id INTEGER NOT NULL REFERENCES schedule_runs(id),
    published_at TIMESTAMP NOT NULL,
    published_by INTEGER REFERENCES api_keys(id),
    superseded_at TIMESTAMP,
    superseded_by INTEGER REFERENCES schedule_runs(id)
);
CREATE UNIQUE INDEX roster_publications_current ON roster_publications(queue_id, week_start)
    WHERE superseded_at IS NULL;
CREATE INDEX roster_publications_schedule ON roster_publications(schedule_id);

-- Per-agent calendar feeds at a secret URL: only the SHA-256 of the token is
-- kept (shown once, at creation). Revoked, never deleted; one live feed per agent.
CREATE TABLE calendar_feeds (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    agent_id INTEGER NOT NULL REFERENCES agents(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE UNIQUE INDEX calendar_feeds_live ON calendar_feeds(agent_id) WHERE revoked_at IS NULL;
