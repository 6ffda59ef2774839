#!/usr/bin/env bash
# Usage: deploy.sh ENV ENV_URL [OUT_DIR]
# The whole promotion of the Power Platform solutions to one environment, in dependency order:
# sign in, then for each solution pack (unmanaged for dev, managed for test/prod), check, import.
# Any failure stops the run before the next import.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

environment="${1:?usage: deploy.sh ENV ENV_URL [OUT_DIR]}"
env_url="${2:?usage: deploy.sh ENV ENV_URL [OUT_DIR]}"
out_dir="${3:-$PP_DIR/out/$environment}"
package_type "$environment" > /dev/null

"$ALM_DIR/auth.sh" "$env_url"
for solution in "${SOLUTIONS[@]}"; do
  zip="$("$ALM_DIR/pack.sh" "$solution" "$environment" "$out_dir")"
  "$ALM_DIR/check.sh" "$zip" "$out_dir/checker/$solution"
  "$ALM_DIR/import.sh" "$solution" "$environment" "$env_url" "$zip"
done
log "$environment is up to date"
