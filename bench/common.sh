# Sourced by the bench scripts: strict mode, the repository root as working directory, the CLI, the
# shared models and data, the run directory and the seeds.
# Usage (first lines of a script): source "$(dirname "$0")/common.sh" runs/NAME DEFAULT_SEED... -- "$@"
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
Q=./qdecode
SHARED=${QDECODE_SHARED:-../shared}
DIR=$1
shift
defaults=()
while [ "$1" != "--" ]; do
  defaults+=("$1")
  shift
done
shift
seeds=("$@")
[ ${#seeds[@]} -eq 0 ] && seeds=("${defaults[@]}")
mkdir -p "$DIR"

# sft_once OUT SFT_OPTION...: trains `qdecode sft SFT_OPTION... --out OUT` unless OUT/.done says it is done.
# An interrupted run continues where it stopped; one that had finished (stopped before .done was written)
# is refused with "already finished": its model is complete.
sft_once() {
  local out=$1
  shift
  [ -f "$out/.done" ] && return 0
  if [ -d "$out/checkpoint" ]; then
    if ! { $Q sft --resume --out "$out" 2>&1 1>&3 | tee "$out-resume.err" >&2; } 3>&1; then
      grep -q "already finished" "$out-resume.err" || exit 1
    fi
  else
    $Q sft "$@" --out "$out"
  fi
  touch "$out/.done"
}
