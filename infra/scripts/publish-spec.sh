#!/usr/bin/env bash
# Publishes infra/main.bicep as version <version> of the Template Spec ts-contoso-shop.
# Idempotent: an existing version with the same content is left alone; one with other content is refused
# (a published version is what an environment may be rolled back to, so it never changes).
# Usage: publish-spec.sh <version>     env: SHOP_SUBSCRIPTION_ID (required), SHOP_LOCATION
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

version="${1:-}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "usage: $(basename "$0") <version> (semantic version, e.g. 1.4.0)" 2
require_login_and_subscription

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT

# The content hash covers every file the spec is built from: main.bicep, its modules (monitoring/azure's
# too, which main.bicep calls) and the files they load (the workbook JSON). infra/tools' tests hold this list
# to what main.bicep really reaches.
digest="$(cd "$SHOP_INFRA_DIR" && find main.bicep modules ../monitoring/azure -type f \( -name '*.bicep' -o -name '*.json' \) \
  -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"

existing="$(azr ts show --name "$SHOP_SPEC_NAME" --resource-group "$SHOP_SPEC_GROUP" --version "$version" \
  --query description --output tsv 2>/dev/null || true)"
if [[ -n "$existing" ]]; then
  if [[ "$existing" == "sha:${digest}" ]]; then
    log "spec ${SHOP_SPEC_NAME} ${version} already published with this content; nothing to do"
    exit 0
  fi
  fail "spec ${SHOP_SPEC_NAME} ${version} exists with other content (${existing}); publish a new version" 4
fi

if ! azr group show --name "$SHOP_SPEC_GROUP" --output none >/dev/null 2>&1; then
  log "creating resource group ${SHOP_SPEC_GROUP}"
  azr group create --name "$SHOP_SPEC_GROUP" --location "$SHOP_LOCATION" --output none
fi

log "publishing ${SHOP_SPEC_NAME} ${version} (sha:${digest})"
azr ts create --name "$SHOP_SPEC_NAME" --resource-group "$SHOP_SPEC_GROUP" --location "$SHOP_LOCATION" \
  --version "$version" --template-file "${SHOP_INFRA_DIR}/main.bicep" --version-description "sha:${digest}" \
  --yes --output none
log "published ${SHOP_SPEC_NAME} ${version}"
