#!/usr/bin/env bash
# The first step of every pipeline stage: stops at once, naming every required variable that is unset or
# empty (scripts/ops/required-variables.conf), instead of failing later in a step that needs one.
# Usage: require-vars.sh STAGE
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

stage=${1:-}
conf=${REQUIRED_VARIABLES_FILE:-$OPS_DIR/required-variables.conf}
line=$(grep -E "^${stage}:" "$conf" || true)
[ -n "$stage" ] && [ -n "$line" ] || die "unknown stage '${stage}': not in ${conf}" 2

missing=()
for name in ${line#*:}; do
  [ -n "${!name:-}" ] || missing+=("$name")
done
if [ ${#missing[@]} -gt 0 ]; then
  die "stage ${stage} is missing required variables: ${missing[*]}" 2
fi
echo "stage ${stage}: required variables present"
