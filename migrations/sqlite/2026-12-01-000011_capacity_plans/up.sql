-- Capacity plans for the peak: the request as posted (plan and what-if
-- variants) and the result (weekly rows, recommended classes, comparison),
-- both as JSON text so the plan's shape can grow without a migration.
CREATE TABLE capacity_plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    queue_id INTEGER NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
    forecast_id INTEGER NOT NULL REFERENCES forecast_runs(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    request TEXT NOT NULL,
    result TEXT NOT NULL
);
CREATE INDEX capacity_plans_queue ON capacity_plans(queue_id);
