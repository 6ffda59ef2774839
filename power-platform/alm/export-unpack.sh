#!/usr/bin/env bash
# Usage: export-unpack.sh SOLUTION DEV_ENV_URL
# Exports SOLUTION (unmanaged and managed) from the dev environment and unpacks it over
# solutions/SOLUTION/src, so that `git diff` shows what makers changed. Running it twice changes nothing.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

solution="${1:?usage: export-unpack.sh SOLUTION DEV_ENV_URL}"
env_url="${2:?usage: export-unpack.sh SOLUTION DEV_ENV_URL}"
require_solution "$solution"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

pac solution export --environment "$env_url" --name "$solution" --path "$work/$solution.zip" --overwrite
pac solution export --environment "$env_url" --name "$solution" --path "$work/${solution}_managed.zip" \
  --managed --overwrite
pac solution unpack --zipfile "$work/$solution.zip" --folder "$SOLUTIONS_DIR/$solution/src" \
  --packagetype Both --allowDelete true --allowWrite true --clobber true
log "unpacked $solution into solutions/$solution/src"
