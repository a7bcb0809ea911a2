-- How each channel is staffed: Erlang A patience (voice), chat concurrency,
-- deferred-work deadline (email/social). NULL = the channel's default.
ALTER TABLE queues ADD COLUMN patience_seconds DOUBLE;
ALTER TABLE queues ADD COLUMN chat_concurrency INTEGER;
ALTER TABLE queues ADD COLUMN deadline_seconds DOUBLE;

-- Backtest scores and the model chosen, as JSON.
ALTER TABLE forecast_runs ADD COLUMN accuracy TEXT;

-- A queue's calendar of special days (holidays, closures, campaigns, outliers).
CREATE TABLE special_days (
    queue_id INTEGER NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
    day DATE NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    effect_percent DOUBLE,
    PRIMARY KEY (queue_id, day)
);

-- Fitted forecasting models, reused until the history they were fitted on changes.
CREATE TABLE fitted_models (
    queue_id INTEGER NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    model TEXT NOT NULL,
    choice TEXT NOT NULL,
    fitted TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (queue_id, fingerprint)
);
