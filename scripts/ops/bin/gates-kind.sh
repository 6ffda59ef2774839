#!/usr/bin/env bash
# The gates on the built images: a kind cluster on the agent, the OCI archives of dist/images loaded into
# it, k8s/overlays/kind applied with those images, then `make contract`, `make chaos` (short set) and
# `make load-gate` against it. Any failing gate fails the stage, so nothing is pushed or promoted.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

cluster=${KIND_CLUSTER:-contoso-shop-gates}
cd "$REPO_ROOT"
trap 'kind delete cluster --name "$cluster" >/dev/null 2>&1 || true' EXIT
kind create cluster --name "$cluster" --wait 120s
for archive in dist/images/*.tar; do
  [ -f "$archive" ] || die "no image archives in dist/images: run build-images.sh first" 2
  kind load image-archive "$archive" --name "$cluster"
done
kubectl apply --kustomize k8s/overlays/kind
kubectl wait --for=condition=Available deployment --all --all-namespaces --timeout=600s
make contract
make chaos CHAOS_SET=short
make load-gate
