#!/usr/bin/env bash
# Static checks of files that have no linter of their own language: shell scripts and Dockerfiles.
# Lists files through git, so installs and local state (node_modules, .venv, .shop) are never scanned.
set -euo pipefail
cd "$(dirname "$0")/.."

files=$(git ls-files --cached --others --exclude-standard)

shell_scripts=()
while read -r file; do
  [ -f "$file" ] || continue
  case "${file##*/}" in
    *.sh) shell_scripts+=("$file") ;;
    *.*) ;;
    *) head -n1 "$file" | grep -qE '^#!.*\b(ba)?sh\b' && shell_scripts+=("$file") ;;
  esac
done <<< "$files"

dockerfiles=()
while read -r file; do
  [ -f "$file" ] && dockerfiles+=("$file")
done < <(grep -E '(^|/)(Dockerfile(\.[^/]+)?|[^/]+\.Dockerfile)$' <<< "$files" | grep -v '\.dockerignore$' || true)

echo "shellcheck: ${#shell_scripts[@]} scripts"
if [ ${#shell_scripts[@]} -gt 0 ]; then shellcheck "${shell_scripts[@]}"; fi
echo "hadolint: ${#dockerfiles[@]} Dockerfiles"
if [ ${#dockerfiles[@]} -gt 0 ]; then hadolint "${dockerfiles[@]}"; fi
