# shellcheck shell=bash
# Shared by the infra scripts: argument and login checks that run before any call that changes Azure,
# and `azr`, which runs az and retries throttled (429) calls with backoff.

set -euo pipefail

readonly SHOP_ENVIRONMENTS="dev staging prod"
readonly SHOP_LOCATION="${SHOP_LOCATION:-westeurope}"
readonly SHOP_SPEC_NAME="${SHOP_SPEC_NAME:-ts-contoso-shop}"
readonly SHOP_SPEC_GROUP="${SHOP_SPEC_GROUP:-rg-contoso-shop-specs}"
readonly SHOP_AZ_MAX_ATTEMPTS="${SHOP_AZ_MAX_ATTEMPTS:-5}"
SHOP_INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Read by the scripts that source this file.
# shellcheck disable=SC2034
readonly SHOP_INFRA_DIR

log() { printf '%s %s\n' "$(basename "$0")" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit "${2:-1}"; }
fail() { printf 'error: %s\n' "$1" >&2; exit "$2"; }

on_error() {
  printf 'error: %s failed at line %s (exit %s)\n' "$(basename "$0")" "$1" "$2" >&2
}
trap 'on_error "$LINENO" "$?"' ERR

require_environment() {
  local env="${1:-}"
  case " ${SHOP_ENVIRONMENTS} " in
    *" ${env} "*) [[ -n "$env" ]] || fail "missing environment (expected one of: ${SHOP_ENVIRONMENTS})" 2 ;;
    *) fail "unknown environment '${env}' (expected one of: ${SHOP_ENVIRONMENTS})" 2 ;;
  esac
}

# The parameter files read this secret at deploy time (readEnvironmentVariable); it never sits in the repo.
require_incident_flow_webhook() {
  [[ -n "${SHOP_INCIDENT_FLOW_WEBHOOK_URL:-}" ]] \
    || fail "SHOP_INCIDENT_FLOW_WEBHOOK_URL is not set (trigger URL of the incident flow, from the pipeline's secrets)" 2
}

require_subscription_variable() {
  [[ -n "${SHOP_SUBSCRIPTION_ID:-}" ]] || fail "SHOP_SUBSCRIPTION_ID is not set (the subscription to deploy to)" 2
}

# Logged in, and the subscription exists for this login; selects it for the calls that follow.
require_login_and_subscription() {
  require_subscription_variable
  command -v az >/dev/null 2>&1 || fail "az (Azure CLI) is not on PATH" 3
  if ! az account show --output none >/dev/null 2>&1; then
    fail "az is not logged in (run: az login, or use the pipeline's service connection)" 3
  fi
  if ! az account set --subscription "$SHOP_SUBSCRIPTION_ID" >/dev/null 2>&1; then
    fail "subscription '${SHOP_SUBSCRIPTION_ID}' is not available to the logged-in account" 3
  fi
}

# Seconds to wait before retrying a throttled call: the Retry-After az reports, else 2^attempt (max 60).
retry_delay() {
  local errors="$1" attempt="$2" after
  after="$(grep -oiE 'retry-after[^0-9]{0,5}[0-9]+' <<<"$errors" | grep -oE '[0-9]+$' | head -n 1 || true)"
  if [[ -n "$after" ]]; then
    printf '%s' "$after"
  else
    local delay=$((2 ** attempt))
    printf '%s' $((delay > 60 ? 60 : delay))
  fi
}

# az with retries for throttling (HTTP 429 / TooManyRequests); any other failure is returned at once.
azr() {
  local attempt=1 status errors
  errors="$(mktemp)"
  while true; do
    status=0
    az "$@" 2>"$errors" || status=$?
    if ((status == 0)); then
      rm -f "$errors"
      return 0
    fi
    if ! grep -qiE '429|TooManyRequests|throttl' "$errors" || ((attempt >= SHOP_AZ_MAX_ATTEMPTS)); then
      cat "$errors" >&2
      rm -f "$errors"
      if ((attempt >= SHOP_AZ_MAX_ATTEMPTS)); then
        log "still throttled after ${attempt} attempts: az $1 $2"
      fi
      return "$status"
    fi
    local delay
    delay="$(retry_delay "$(cat "$errors")" "$attempt")"
    log "throttled (429) on az $1 $2; retrying in ${delay}s (attempt $((attempt + 1))/${SHOP_AZ_MAX_ATTEMPTS})"
    sleep "$delay"
    attempt=$((attempt + 1))
  done
}

# How the stack treats resources that leave the template: kept (detached) in prod, deleted elsewhere.
action_on_unmanage() {
  if [[ "$1" == "prod" ]]; then printf 'detachAll'; else printf 'deleteAll'; fi
}

stack_name() { printf 'stack-contoso-shop-%s' "$1"; }
