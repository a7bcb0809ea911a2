DROP INDEX audit_log_key;
DROP TABLE audit_log;
DROP TABLE api_keys;
