# shellcheck shell=bash
# Fake `az` / `kubectl` for tests: records every call, plays scripted answers, keeps ConfigMaps.
# Bash rather than Python so that a call costs milliseconds: a deploy makes a dozen of them.
# State lives in $FAKE_CLI_STATE (tests/ops_testing.py writes and reads it):
#   calls.log               one line per call: program and arguments, each followed by \x1f
#   stdin/<n>               what call n (1-based line of calls.log) read on standard input
#   answers/<nn>/           scripted answers, tried in order: program, prefix (leading arguments, each
#                           followed by \x1f), stdout, stderr, exit, times (how often it may still play)
#   configmaps/<ns>.<name>.json   what `kubectl apply` stored, what `kubectl get configmap` reads
# Unscripted calls succeed; `kubectl kustomize` runs the real kubectl ($FAKE_REAL_KUBECTL): rendering
# needs no cluster.

readonly SEPARATOR=$'\x1f'

option() {
  local name=$1
  shift
  while [ $# -gt 1 ]; do
    [ "$1" = "$name" ] && { echo "$2"; return; }
    shift
  done
  echo default
}

play_scripted() {
  local program=$1 joined=$2 answer times
  for answer in "$FAKE_CLI_STATE"/answers/*/; do
    [ -d "$answer" ] || continue
    [ "$(< "$answer/program")" = "$program" ] || continue
    [[ "$joined" == "$(< "$answer/prefix")"* ]] || continue
    times=$(< "$answer/times")
    [ "$times" -gt 0 ] || continue
    echo $((times - 1)) > "$answer/times"
    cat "$answer/stdout"
    cat "$answer/stderr" >&2
    exit "$(< "$answer/exit")"
  done
}

kubectl_default() {
  local input=$1 namespace name stored
  shift
  namespace=$(option --namespace "$@")
  case "${1:-}" in
    kustomize) exec "$FAKE_REAL_KUBECTL" "$@" ;;
    get)
      stored="$FAKE_CLI_STATE/configmaps/${namespace}.${3:-}.json"
      if [ "${2:-}" = configmap ]; then
        [ -f "$stored" ] && { cat "$stored"; exit 0; }
        echo "Error from server (NotFound): configmaps \"${3:-}\" not found" >&2
        exit 1
      fi
      ;;
    apply)
      if grep -q '"kind": "ConfigMap"' "$input"; then
        name=$(grep -o '"name": "[^"]*"' "$input" | head -n1 | cut -d'"' -f4)
        cp "$input" "$FAKE_CLI_STATE/configmaps/${namespace}.${name}.json"
        echo "configmap/${name} configured"
      fi
      ;;
    rollout) echo "${3:-} successfully rolled out" ;;
  esac
  exit 0
}

fake_main() {
  local program=$1 joined="" argument number=1
  shift
  for argument in "$@"; do joined+="${argument}${SEPARATOR}"; done
  mkdir -p "$FAKE_CLI_STATE/stdin" "$FAKE_CLI_STATE/configmaps"
  [ -f "$FAKE_CLI_STATE/calls.log" ] && number=$(($(wc -l < "$FAKE_CLI_STATE/calls.log") + 1))
  printf '%s%s%s\n' "$program" "$SEPARATOR" "$joined" >> "$FAKE_CLI_STATE/calls.log"
  if [ -t 0 ]; then : > "$FAKE_CLI_STATE/stdin/$number"; else cat > "$FAKE_CLI_STATE/stdin/$number"; fi
  play_scripted "$program" "$joined"
  [ "$program" = kubectl ] && kubectl_default "$FAKE_CLI_STATE/stdin/$number" "$@"
  exit 0
}
