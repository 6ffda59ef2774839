#!/usr/bin/env bash
# Usage: check.sh ZIP OUT_DIR
# Runs the solution checker (Power Apps checker service) on ZIP; fails when it reports a
# critical or high severity issue. The SARIF results stay in OUT_DIR for the pipeline to publish.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

zip="${1:?usage: check.sh ZIP OUT_DIR}"
out_dir="${2:?usage: check.sh ZIP OUT_DIR}"
[[ -f "$zip" ]] || die "no such solution zip: $zip"
mkdir -p "$out_dir"
pac solution check --path "$zip" --outputDirectory "$out_dir" --geo Europe > "$out_dir/checker.txt"
cat "$out_dir/checker.txt" >&2
if grep -Eq '^(Critical|High)[[:space:]]*:[[:space:]]*[1-9]' "$out_dir/checker.txt"; then
  die "solution checker found critical or high severity issues in $(basename "$zip")"
fi
