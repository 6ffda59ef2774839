#!/usr/bin/env bash
# Deploys a release to an environment: infrastructure (Template Spec + Deployment Stack, what-if first),
# then the apps by digest. A rollout that does not finish rolls everything back and fails the run.
# Usage: deploy.sh ENV RELEASE_MANIFEST
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

environment=${1:-}
manifest=${2:-}
require_environment "$environment"
require_file "$manifest" "release manifest"
trap 'echo "deploy.sh: interrupted while deploying ${environment}" >&2' INT TERM

az_call account show --output none
"$(dirname "$0")/infra.sh" deploy "$environment"
status=0
"$SHOP_OPS" deploy --env "$environment" --manifest "$manifest" --repo-root "$REPO_ROOT" || status=$?
case "$status" in
  0) ;;
  4) exec "$(dirname "$0")/rollback.sh" "$environment" "$manifest" ;;
  *) die "deploy of ${environment} failed (shop-ops exit ${status})" "$status" ;;
esac
