DROP TABLE calendar_feeds;
DROP TABLE roster_publications;
DROP INDEX schedule_runs_days;
ALTER TABLE schedule_runs DROP COLUMN last_day;
ALTER TABLE schedule_runs DROP COLUMN first_day;
