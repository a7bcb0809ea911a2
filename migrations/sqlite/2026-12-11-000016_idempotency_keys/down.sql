DROP TABLE idempotency_keys;
ALTER TABLE agents DROP COLUMN active;
