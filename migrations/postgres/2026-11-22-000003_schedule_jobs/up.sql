-- Schedules run as jobs: any instance can report on them, none is lost on restart.
ALTER TABLE schedule_runs ADD COLUMN progress_percent DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE schedule_runs ADD COLUMN best_objective DOUBLE PRECISION;
ALTER TABLE schedule_runs ADD COLUMN error TEXT;
ALTER TABLE schedule_runs ADD COLUMN started_at TIMESTAMP;
ALTER TABLE schedule_runs ADD COLUMN finished_at TIMESTAMP;
ALTER TABLE schedule_runs ADD COLUMN heartbeat_at TIMESTAMP;
ALTER TABLE schedule_runs ADD COLUMN cancel_requested BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX schedule_runs_status ON schedule_runs(status);
