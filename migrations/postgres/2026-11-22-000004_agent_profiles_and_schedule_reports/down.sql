ALTER TABLE schedule_runs DROP COLUMN report;
ALTER TABLE agents DROP COLUMN profile;
