-- Planner adjustments to a forecast run, kept apart from its statistical
-- intervals (which never change): a local day or the week starting on a
-- Monday, raised or lowered by a percentage or by contacts, with a reason.
CREATE TABLE forecast_adjustments (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    forecast_id INTEGER NOT NULL REFERENCES forecast_runs(id) ON DELETE CASCADE,
    scope_kind TEXT NOT NULL CHECK (scope_kind IN ('day', 'week')),
    scope_date DATE NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('percent', 'absolute')),
    value DOUBLE NOT NULL,
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX forecast_adjustments_forecast ON forecast_adjustments(forecast_id);
