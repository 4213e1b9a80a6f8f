#!/usr/bin/env bash
# Fuzz the REST API from its own OpenAPI schema with schemathesis, against a throwaway server
# on the demo data, with every check: no 5xx, every answer as the schema documents it (status,
# headers, body), schema-valid requests accepted and invalid ones refused, auth enforced.
# FUZZ_SECONDS bounds the run (default 300). Revoking API keys is left out: the fuzzer would
# revoke the key it runs with. The server runs as in
# production (collected static files, tasks queued for a worker), so a campaign launch answers
# at once; no worker runs, the queue is thrown away with the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
export VAR_DIR="$(mktemp -d /tmp/crm-fuzz-XXXXXX)"
export DEBUG=false ALLOWED_HOSTS=127.0.0.1 LOG_LEVEL=WARNING
# The auth checks send wrong keys on purpose, all from this one address: let them, rather than
# lock the address out after twenty (the lockout has tests of its own).
export API_KEY_FAILURE_LIMIT=1000000
export SECRET_KEY="fuzz-only-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
unset REDIS_URL CELERY_TASK_ALWAYS_EAGER

.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/python manage.py seed_demo >/dev/null
KEY="$(.venv/bin/python manage.py create_api_key demo --role admin --name fuzz)"
PORT="$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
.venv/bin/gunicorn config.wsgi:application --workers 2 --bind "127.0.0.1:$PORT" --log-level warning &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$VAR_DIR"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

.venv/bin/schemathesis run "http://127.0.0.1:$PORT/api/v1/openapi.json" \
  --header "Authorization: Bearer $KEY" \
  --checks all \
  --exclude-path-regex '/api-keys/\{key_id\}' \
  --max-time "${FUZZ_SECONDS:-300}" \
  "$@"
