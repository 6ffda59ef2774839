#!/usr/bin/env bash
# The infrastructure half of a deploy or a rollback, through the infra scripts (infra/scripts/, not
# reimplemented here):
#   infra.sh deploy ENV    publish version SHOP_INFRA_VERSION of the Template Spec (idempotent), then deploy
#                          the environment's Deployment Stack from it (infra/scripts/deploy.sh: what-if first)
#   infra.sh rollback ENV  redeploy the stack from the Template Spec version before the one it runs
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

action=${1:-}
environment=${2:-}
require_environment "$environment"
scripts=${INFRA_SCRIPTS_DIR:-$REPO_ROOT/infra/scripts}

case "$action" in
  deploy)
    version=${SHOP_INFRA_VERSION:?SHOP_INFRA_VERSION (semantic version of the Template Spec) is not set}
    "$scripts/publish-spec.sh" "$version"
    "$scripts/deploy.sh" "$environment" "$version"
    ;;
  rollback)
    "$scripts/rollback.sh" "$environment"
    ;;
  *) die "unknown action '${action}': expected deploy or rollback" 2 ;;
esac
