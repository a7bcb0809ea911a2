DROP TABLE fitted_models;
DROP TABLE special_days;
ALTER TABLE forecast_runs DROP COLUMN accuracy;
ALTER TABLE queues DROP COLUMN deadline_seconds;
ALTER TABLE queues DROP COLUMN chat_concurrency;
ALTER TABLE queues DROP COLUMN patience_seconds;
