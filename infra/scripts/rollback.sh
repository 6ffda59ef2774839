#!/usr/bin/env bash
# Rolls an environment back by redeploying the Template Spec version before the one its stack runs (or
# the version given), through deploy.sh: what-if first, same deny settings.
# Usage: rollback.sh <dev|staging|prod> [version]
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

environment="${1:-}"
target="${2:-}"
require_environment "$environment"
[[ -n "${SHOP_PIPELINE_PRINCIPAL_ID:-}" ]] || fail "SHOP_PIPELINE_PRINCIPAL_ID is not set (excluded from deny settings)" 2
require_incident_flow_webhook
require_login_and_subscription

if [[ -z "$target" ]]; then
  current="$(azr stack sub show --name "$(stack_name "$environment")" --query tags.specVersion --output tsv)" \
    || fail "no stack for ${environment}; nothing to roll back" 4
  versions="$(azr ts list --name "$SHOP_SPEC_NAME" --resource-group "$SHOP_SPEC_GROUP" --query "[].name" \
    --output tsv | sort -V)"
  target="$(awk -v current="$current" '$0 == current { print previous; exit } { previous = $0 }' <<<"$versions")"
  [[ -n "$target" ]] || fail "no version before ${current} of ${SHOP_SPEC_NAME}" 4
  log "${environment} runs ${current}; rolling back to ${target}"
fi

exec "$(dirname "${BASH_SOURCE[0]}")/deploy.sh" "$environment" "$target"
