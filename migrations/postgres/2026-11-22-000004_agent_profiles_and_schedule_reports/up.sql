-- The rostering engine: each agent's contract details, skills, availability,
-- time off, requests and history as one JSON document; each schedule run's
-- report (objective, lower bound and gap, short intervals with the binding rule).
ALTER TABLE agents ADD COLUMN profile TEXT NOT NULL DEFAULT '{}';
ALTER TABLE schedule_runs ADD COLUMN report TEXT;
