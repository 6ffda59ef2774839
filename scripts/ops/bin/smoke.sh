#!/usr/bin/env bash
# Smoke test after a deploy: every service's /health and /ready, then the smoke order scenarios replayed
# against the environment. Any failure rolls the environment back and fails the run.
# Usage: smoke.sh ENV RELEASE_MANIFEST
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

environment=${1:-}
manifest=${2:-}
require_environment "$environment"
require_file "$manifest" "release manifest"
target=$(mktemp --suffix=.env)
# The health check and the services without an ingress go through the API server's service proxy
# (environments.yaml base_url), opened on loopback for the duration of the smoke test.
kubectl proxy --port=8099 > /dev/null &
proxy=$!
trap 'kill "$proxy" 2>/dev/null || true; rm -f "$target"' EXIT
sleep 2

status=0
"$SHOP_OPS" health --env "$environment" --attempts "${SHOP_HEALTH_ATTEMPTS:-5}" \
  --backoff "${SHOP_HEALTH_BACKOFF:-2}" || status=$?
if [ "$status" -eq 0 ]; then
  "$SHOP_OPS" target-file --env "$environment" --token-variable SHOP_ADMIN_TOKEN > "$target"
  "${SHOPCTL:-$REPO_ROOT/.venv/bin/shopctl}" replay "$REPO_ROOT/scenarios/" --target "$target" --tags smoke \
    --junit "$REPO_ROOT/.shop/smoke/${environment}.junit.xml" || status=$?
fi
if [ "$status" -ne 0 ]; then
  "$(dirname "$0")/rollback.sh" "$environment" "$manifest"
fi
echo "smoke test of ${environment} passed"
