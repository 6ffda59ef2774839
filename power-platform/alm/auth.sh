#!/usr/bin/env bash
# Usage: auth.sh ENV_URL
# Signs pac in as the pipeline's service principal (an application user with the "Pipeline Integration"
# and System Customizer roles in each environment). Idempotent: an existing profile for ENV_URL is reused.
# Needs PP_APP_ID, PP_TENANT_ID and PP_CLIENT_SECRET (from the pipeline's secret store, never the repo).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

env_url="${1:?usage: auth.sh ENV_URL}"
profile="contoso-shop-$(printf '%s' "$env_url" | sed 's#https://##; s#[^A-Za-z0-9]#-#g')"
if pac auth list | grep -q -- "$profile"; then
  log "auth profile $profile exists; selecting it"
  pac auth select --name "$profile"
  exit 0
fi
: "${PP_APP_ID:?PP_APP_ID is required}" "${PP_TENANT_ID:?PP_TENANT_ID is required}"
: "${PP_CLIENT_SECRET:?PP_CLIENT_SECRET is required}"
pac auth create --name "$profile" --environment "$env_url" \
  --applicationId "$PP_APP_ID" --tenant "$PP_TENANT_ID" --clientSecret "$PP_CLIENT_SECRET"
