#!/usr/bin/env bash
# Pushes the gated OCI archives to ACR with their digests unchanged (OIDC login: no stored secret), then
# writes the release manifest (dist/release-manifest.json) that every deploy stage deploys by digest.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

acr=${SHOP_ACR_NAME:?}
tag=${SHOP_IMAGE_TAG:?}
metadata=$REPO_ROOT/dist/images/bake-metadata.json
require_file "$metadata" "bake metadata"
registry=$(az_call acr show --name "$acr" --query loginServer --output tsv)
token=$(az_call acr login --name "$acr" --expose-token --query accessToken --output tsv)
trap 'skopeo logout "$registry" >/dev/null 2>&1 || true' EXIT
skopeo login --username 00000000-0000-0000-0000-000000000000 --password-stdin "$registry" <<< "$token"
for archive in "$REPO_ROOT"/dist/images/*.tar; do
  name=$(basename "$archive" .tar)
  skopeo copy --all --preserve-digests "oci-archive:${archive}" "docker://${registry}/contoso-shop/${name}:${tag}"
done
"$SHOP_OPS" manifest create --bake-metadata "$metadata" --registry "$registry" --commit "$tag" \
  --out "$REPO_ROOT/dist/release-manifest.json"
