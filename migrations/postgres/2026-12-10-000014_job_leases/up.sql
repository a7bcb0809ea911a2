-- A worker holds a lease on the job it runs: the instance that claimed it, until when (on the
-- database's clock, so instances with skewed clocks agree), and the claim count. Every write of
-- a running job is fenced by owner and claim: a worker whose lease was taken over writes nothing.
ALTER TABLE schedule_runs ADD COLUMN lease_owner TEXT;
ALTER TABLE schedule_runs ADD COLUMN lease_expires_at TIMESTAMP;
ALTER TABLE schedule_runs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
-- Jobs started before leases: one attempt each; a running one's lease ends two minutes after its
-- last heartbeat (the old rule for a dead worker).
UPDATE schedule_runs SET attempts = 1 WHERE started_at IS NOT NULL;
UPDATE schedule_runs SET lease_expires_at = heartbeat_at + INTERVAL '120 seconds'
    WHERE status = 'running';
