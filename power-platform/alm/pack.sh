#!/usr/bin/env bash
# Usage: pack.sh SOLUTION ENV OUT_DIR
# Packs solutions/SOLUTION/src into OUT_DIR/SOLUTION_<type>.zip: unmanaged for dev, managed for test and
# prod. Overwrites the zip, so a rerun gives the same file.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

solution="${1:?usage: pack.sh SOLUTION ENV OUT_DIR}"
environment="${2:?usage: pack.sh SOLUTION ENV OUT_DIR}"
out_dir="${3:?usage: pack.sh SOLUTION ENV OUT_DIR}"
require_solution "$solution"
type="$(package_type "$environment")"
mkdir -p "$out_dir"
zip="$out_dir/${solution}_${type,,}.zip"
pac solution pack --folder "$SOLUTIONS_DIR/$solution/src" --zipfile "$zip" --packagetype "$type" >&2
printf '%s\n' "$zip"
