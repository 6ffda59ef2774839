# shellcheck shell=bash
# Sourced by every script of scripts/ops/bin: strict mode, one way to fail, the environments we accept,
# and `az_call`, which handles a missing login, an expired token and HTTP 429 (Retry-After) for `az`.

set -euo pipefail
trap 'echo "$(basename "$0"):${LINENO}: failed: ${BASH_COMMAND}" >&2' ERR

OPS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
REPO_ROOT=$(cd "$OPS_DIR/../.." && pwd)
SHOP_OPS=${SHOP_OPS:-$REPO_ROOT/.venv/bin/shop-ops}
AZ_ATTEMPTS=${AZ_ATTEMPTS:-5}

die() {
  echo "$(basename "$0"): $1" >&2
  exit "${2:-1}"
}

# Refuses anything but the environments of scripts/ops/environments.yaml, in one line.
require_environment() {
  local name=${1:-}
  case "$name" in
    dev | staging | prod) ;;
    *) die "unknown environment '${name}': expected one of dev, prod, staging" 2 ;;
  esac
}

require_file() {
  [ -f "$1" ] || die "$2 not found: $1" 2
}

# az with retries: waits Retry-After seconds on 429, logs in again once with the federated token on an
# expired token, and stops with one clear line when az is not logged in. Output goes to stdout as az's.
az_call() {
  local attempt=1 relogged=0 status wait errors
  errors=$(mktemp)
  while true; do
    status=0
    az "$@" 2> "$errors" || status=$?
    if [ "$status" -eq 0 ]; then
      rm -f "$errors"
      return 0
    fi
    if grep -qiE '\b429\b|TooManyRequests' "$errors" && [ "$attempt" -lt "$AZ_ATTEMPTS" ]; then
      wait=$(grep -oiE 'Retry-After[^0-9]{0,3}[0-9]+' "$errors" | grep -oE '[0-9]+$' | head -n1 || true)
      wait=${wait:-$((2 ** (attempt - 1)))}
      [ "$wait" -gt 120 ] && wait=120
      echo "az $1 throttled (429); retrying in ${wait} s" >&2
      sleep "$wait"
      attempt=$((attempt + 1))
      continue
    fi
    if grep -qiE 'AADSTS700024|AADSTS70043|ExpiredAuthenticationToken|token is expired' "$errors" \
      && [ "$relogged" -eq 0 ]; then
      if [ -z "${AZURE_FEDERATED_TOKEN_FILE:-}" ] || [ -z "${AZURE_CLIENT_ID:-}" ] || [ -z "${AZURE_TENANT_ID:-}" ]; then
        rm -f "$errors"
        die "az token expired; no federated token to log in again with" 3
      fi
      echo "az token expired; logging in again with the federated token" >&2
      az login --service-principal --username "$AZURE_CLIENT_ID" --tenant "$AZURE_TENANT_ID" \
        --federated-token "$(cat "$AZURE_FEDERATED_TOKEN_FILE")" --output none \
        || die "az login with the federated token failed" 3
      relogged=1
      continue
    fi
    if grep -qiE 'az login|not logged in' "$errors"; then
      rm -f "$errors"
      die "az is not logged in: run 'az login' (pipelines: the workload identity service connection)" 3
    fi
    if grep -qiE '\b429\b|TooManyRequests' "$errors"; then
      rm -f "$errors"
      die "az $1 still throttled (429) after ${AZ_ATTEMPTS} attempts"
    fi
    cat "$errors" >&2
    rm -f "$errors"
    return "$status"
  done
}
