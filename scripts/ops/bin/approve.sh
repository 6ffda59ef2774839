#!/usr/bin/env bash
# The release manager's approval before prod: the release manifest goes to the Power Automate approval flow
# (contract: power-platform/approvals/release-approval.openapi.yaml) and the run waits for its decision;
# anything but `approved` fails the stage.
# Usage: approve.sh ENV RELEASE_MANIFEST
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

environment=${1:-}
manifest=${2:-}
require_environment "$environment"
require_file "$manifest" "release manifest"
request=$(mktemp --suffix=.json)
trap 'rm -f "$request"' EXIT

"$SHOP_OPS" manifest approval-request --manifest "$manifest" --env "$environment" \
  --release-id "${SHOP_RELEASE_ID:?}" --requested-by "${SHOP_REQUESTED_BY:?}" --run-url "${SHOP_RUN_URL:?}" \
  --out "$request"
"${SHOP_AWAIT_APPROVAL:-$REPO_ROOT/.venv/bin/shop-await-release-approval}" --url "${SHOP_APPROVAL_URL:?}" \
  --manifest "$request" --timeout "${SHOP_APPROVAL_TIMEOUT_SECONDS:-86400}" --interval 30
