#!/usr/bin/env bash
# The schemathesis long run (README.md): the same tests as the bounded run of `make test`, with many examples
# per operation, longer stateful sequences and a fresh seed (printed; pass it back with --seed to replay).
# Writes one JUnit XML of every schemathesis run to contract-tests/results/schemathesis.xml.
#
#   contract-tests/schemathesis/run.sh [--max-examples N] [--seed S] [--services product,order] [PYTEST_ARGS...]
set -euo pipefail
cd "$(dirname "$0")/../.."

max_examples=200
seed=""
services=""
pytest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --max-examples) max_examples="$2"; shift 2 ;;
    --max-examples=*) max_examples="${1#*=}"; shift ;;
    --seed) seed="$2"; shift 2 ;;
    --seed=*) seed="${1#*=}"; shift ;;
    --services) services="$2"; shift 2 ;;
    --services=*) services="${1#*=}"; shift ;;
    -h | --help) sed -n '2,7p' "$0"; exit 0 ;;
    *) pytest_args+=("$1"); shift ;;
  esac
done
case "$max_examples" in
  '' | *[!0-9]* | 0) echo "run.sh: --max-examples needs a positive integer, not '$max_examples'" >&2; exit 2 ;;
esac

results=contract-tests/results
mkdir -p "$results"
export SHOP_SCHEMATHESIS_MAX_EXAMPLES="$max_examples"
export SHOP_SCHEMATHESIS_JUNIT="$results/schemathesis.xml"
[ -z "$seed" ] || export SHOP_SCHEMATHESIS_SEED="$seed"
[ -z "$services" ] || export SHOP_SCHEMATHESIS_SERVICES="$services"
rm -f "$SHOP_SCHEMATHESIS_JUNIT"

started=$(date +%s)
status=0
# No per-test time limit: a long run takes as long as its budget needs. -s shows the seed line.
.venv/bin/pytest contract-tests/schemathesis -q -s -p no:cacheprovider --timeout=0 -k "not problem_check" \
  "${pytest_args[@]}" || status=$?
echo "schemathesis long run: ${max_examples} examples per operation, $(($(date +%s) - started)) s," \
  "exit ${status}; JUnit XML in ${SHOP_SCHEMATHESIS_JUNIT}"
exit "$status"
