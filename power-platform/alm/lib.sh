#!/usr/bin/env bash
# Shared by the ALM scripts: where things are, which package type each environment gets, logging.
set -euo pipefail

ALM_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PP_DIR="$(dirname "$ALM_DIR")"
# Unpacked solutions (PP_SOLUTIONS_DIR overrides, e.g. to unpack into a scratch copy).
SOLUTIONS_DIR="${PP_SOLUTIONS_DIR:-$PP_DIR/solutions}"
# Import order: later solutions depend on what earlier ones declare.
# shellcheck disable=SC2034 # used by the scripts that source this file
SOLUTIONS=(ContosoShopCore ContosoShopApps ContosoShopFlows ContosoShopBots)

log() { printf '[alm] %s\n' "$*" >&2; }
die() { printf '[alm] error: %s\n' "$*" >&2; exit 1; }

# dev gets unmanaged solutions (people keep building there); test and prod only managed ones.
package_type() {
  case "$1" in
    dev) echo Unmanaged ;;
    test | prod) echo Managed ;;
    *) die "unknown environment '$1' (dev, test or prod)" ;;
  esac
}

solution_version() {
  sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$SOLUTIONS_DIR/$1/src/Other/Solution.xml" | head -n 1
}

require_solution() {
  [[ -f "$SOLUTIONS_DIR/$1/src/Other/Solution.xml" ]] || die "unknown solution '$1'"
}
