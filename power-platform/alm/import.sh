#!/usr/bin/env bash
# Usage: import.sh SOLUTION ENV ENV_URL ZIP
# Imports ZIP into the environment with its deployment settings (connection references and environment
# variable values of deployment-settings/ENV/SOLUTION.json). Idempotent: when the environment already has
# SOLUTION at the version in source, nothing is imported.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

solution="${1:?usage: import.sh SOLUTION ENV ENV_URL ZIP}"
environment="${2:?usage: import.sh SOLUTION ENV ENV_URL ZIP}"
env_url="${3:?usage: import.sh SOLUTION ENV ENV_URL ZIP}"
zip="${4:?usage: import.sh SOLUTION ENV ENV_URL ZIP}"
require_solution "$solution"
package_type "$environment" > /dev/null
version="$(solution_version "$solution")"

if pac solution list --environment "$env_url" | awk -v s="$solution" -v v="$version" '$1 == s && $3 == v { found = 1 } END { exit !found }'; then
  log "$solution $version is already in $environment; nothing to import"
  exit 0
fi
settings=()
if [[ -f "$PP_DIR/deployment-settings/$environment/$solution.json" ]]; then
  settings=(--settings-file "$PP_DIR/deployment-settings/$environment/$solution.json")
fi
pac solution import --environment "$env_url" --path "$zip" "${settings[@]}" \
  --activate-plugins --publish-changes --async --max-async-wait-time 60
log "imported $solution $version into $environment"
