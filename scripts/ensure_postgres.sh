#!/usr/bin/env bash
# Makes sure PostgreSQL answers on 127.0.0.1:5432 before the tests run.
# Starts the local cluster when it is installed but stopped; fails loudly
# (never skips) when there is none.
set -euo pipefail
url="${STAFFCAST_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
ready() { pg_isready -q -d "$url" 2>/dev/null; }
if ready; then echo "PostgreSQL is up"; exit 0; fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  for v in $(ls /etc/postgresql); do
    pg_ctlcluster --skip-systemctl-redirect "$v" main start || true
  done
  for _ in $(seq 1 20); do ready && { echo "PostgreSQL started"; exit 0; }; sleep 0.5; done
fi
echo "ERROR: PostgreSQL is not answering at $url; the PostgreSQL tests need it (set STAFFCAST_TEST_PG_URL)." >&2
exit 1
