#!/usr/bin/env bash
# The scans both pipelines run, each writing SARIF to dist/security/ (published by the pipeline):
# Trivy config (misconfiguration) and filesystem scans (dependencies, secrets), Trivy on every built image,
# checkov on infra/ and k8s/. HIGH and CRITICAL fail, except what pipelines/security/trivyignore.yaml lists
# (each entry with a reason and an expiry, reviewed like code).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

out=$REPO_ROOT/dist/security
ignore=$REPO_ROOT/pipelines/security/trivyignore.yaml
mkdir -p "$out"
cd "$REPO_ROOT"
status=0
trivy_scan() {
  trivy "$@" --severity HIGH,CRITICAL --exit-code 1 --ignorefile "$ignore" --format sarif || status=1
}
trivy_scan config --output "$out/trivy-config.sarif" .
trivy_scan fs --scanners vuln,secret --output "$out/trivy-fs.sarif" .
for archive in dist/images/*.tar; do
  [ -f "$archive" ] || die "no image archives in dist/images: run build-images.sh first" 2
  name=$(basename "$archive" .tar)
  trivy_scan image --input "$archive" --output "$out/trivy-image-${name}.sarif"
done
checkov --directory infra --directory k8s --framework bicep kubernetes kustomize \
  --output sarif --output-file-path "$out" --soft-fail-on LOW,MEDIUM || status=1
exit "$status"
