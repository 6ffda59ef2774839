#!/usr/bin/env bash
# Automatic rollback: the apps back to the environment's last good release manifest, the infrastructure
# back to the previous Template Spec version, then a loud failure so the run is red.
# Usage: rollback.sh ENV FAILED_MANIFEST
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

environment=${1:-}
manifest=${2:-}
require_environment "$environment"
require_file "$manifest" "release manifest"

status=0
"$SHOP_OPS" rollback --env "$environment" --failed-manifest "$manifest" --repo-root "$REPO_ROOT" || status=$?
"$(dirname "$0")/infra.sh" rollback "$environment" || status=$?
echo "##[error]ROLLED BACK ${environment}: release $(basename "$manifest") failed; apps and infrastructure restored to the previous release (rollback exit ${status})" >&2
exit 1
