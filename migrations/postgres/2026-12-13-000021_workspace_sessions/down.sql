DROP TABLE workspace_sessions;
