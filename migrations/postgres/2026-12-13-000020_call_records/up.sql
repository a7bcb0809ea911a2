-- Per-call records of a past window (issue #14), to replay a roster against the real calls.
-- An import replaces every stored call of its queue from its first to its last arrival, so
-- re-importing a window replaces it. seq tells apart calls arriving at the same instant (0, 1, …
-- in the order of the import).
CREATE TABLE call_records (
    queue_id INTEGER NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
    arrival TIMESTAMP NOT NULL,
    seq INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('answered', 'abandoned')),
    wait_seconds DOUBLE PRECISION NOT NULL CHECK (wait_seconds >= 0),
    talk_seconds DOUBLE PRECISION CHECK (talk_seconds >= 0),
    CHECK ((outcome = 'answered') = (talk_seconds IS NOT NULL)),
    PRIMARY KEY (queue_id, arrival, seq)
);
