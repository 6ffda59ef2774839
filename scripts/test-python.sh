#!/usr/bin/env bash
# Runs pytest once per Python package (each package's conftest stays its own) and prints one total.
# pytest's exit code 5 ("no tests collected") is not a failure: a new package may have none yet.
set -uo pipefail
cd "$(dirname "$0")/.." || exit

results=.shop/test-results
rm -rf "$results" && mkdir -p "$results"
failed_packages=()
while read -r tests; do
  [ -n "$tests" ] || continue
  name=${tests%/tests}
  echo "=== pytest ${name}"
  .venv/bin/pytest "$tests" -q --junitxml="$results/${name//\//-}.xml" "$@"
  code=$?
  if [ "$code" -ne 0 ] && [ "$code" -ne 5 ]; then
    failed_packages+=("$name")
  fi
done < <(.venv/bin/python scripts/workspace.py python-tests)

.venv/bin/python - "$results" <<'PY'
import sys, pathlib, xml.etree.ElementTree as ET
totals = dict(tests=0, failures=0, errors=0, skipped=0)
for report in pathlib.Path(sys.argv[1]).glob("*.xml"):
    for suite in ET.parse(report).getroot().iter("testsuite"):
        for key in totals:
            totals[key] += int(suite.get(key, 0))
failed = totals["failures"] + totals["errors"]
passed = totals["tests"] - failed - totals["skipped"]
print(f"python: {passed} passed, {failed} failed, {totals['skipped']} skipped")
PY

if [ ${#failed_packages[@]} -gt 0 ]; then
  echo "pytest failed in: ${failed_packages[*]}" >&2
  exit 1
fi
