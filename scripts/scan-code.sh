#!/usr/bin/env bash
# Security scans of the code itself (threat model: docs/threat-model.md): detect-secrets against the reviewed
# baseline (.secrets.baseline holds only the public emulator keys; scripts/checks tests that) and bandit on
# every Python package at medium severity and above. Each suppression is inline with its reason. The
# TypeScript security rules run with ESLint (`npm run lint`); pip-audit and npm audit need the vulnerability
# databases, so the pipelines run them (pipelines/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t tracked < <(git ls-files --cached --others --exclude-standard)
echo "detect-secrets: ${#tracked[@]} files"
detect-secrets-hook --baseline .secrets.baseline "${tracked[@]}"

mapfile -t sources < <(python scripts/workspace.py python-sources)
echo "bandit: ${#sources[@]} packages"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# bandit warns on every multi-line statement carrying a `# nosec`; its findings and exit code are what count.
if ! bandit --quiet --recursive --severity-level medium "${sources[@]}" 2>"$log"; then
  cat "$log" >&2
  exit 1
fi
