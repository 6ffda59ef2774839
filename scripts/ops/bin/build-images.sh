#!/usr/bin/env bash
# Builds every image once with `docker buildx bake` (docker-bake.hcl), tagged with the commit, with an
# SBOM (Syft, BuildKit's scanner) and max provenance attached, each written as an OCI archive under
# dist/images/ so that the gates and the push use these exact bytes. Writes dist/images/bake-metadata.json.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

tag=${SHOP_IMAGE_TAG:?}
out=$REPO_ROOT/dist/images
mkdir -p "$out"
cd "$REPO_ROOT"
outputs=()
while read -r target; do
  outputs+=(--set "${target}.output=type=oci,dest=${out}/${target}.tar")
done < <(TAG=$tag docker buildx bake --file docker-bake.hcl --print | jq -r '.target | keys[]')
TAG=$tag docker buildx bake --file docker-bake.hcl \
  --set "*.attest=type=sbom,generator=docker/buildkit-syft-scanner:1" \
  --set "*.attest=type=provenance,mode=max" \
  "${outputs[@]}" \
  --metadata-file "$out/bake-metadata.json"
echo "images of ${tag}: ${#outputs[@]} OCI archives in dist/images"
