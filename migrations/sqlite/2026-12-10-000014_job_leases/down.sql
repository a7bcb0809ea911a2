ALTER TABLE schedule_runs DROP COLUMN attempts;
ALTER TABLE schedule_runs DROP COLUMN lease_expires_at;
ALTER TABLE schedule_runs DROP COLUMN lease_owner;
