DROP INDEX schedule_runs_status;
ALTER TABLE schedule_runs DROP COLUMN cancel_requested;
ALTER TABLE schedule_runs DROP COLUMN heartbeat_at;
ALTER TABLE schedule_runs DROP COLUMN finished_at;
ALTER TABLE schedule_runs DROP COLUMN started_at;
ALTER TABLE schedule_runs DROP COLUMN error;
ALTER TABLE schedule_runs DROP COLUMN best_objective;
ALTER TABLE schedule_runs DROP COLUMN progress_percent;
