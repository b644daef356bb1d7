#!/usr/bin/env bash
# Reproduces the SST-2 classification numbers of the README: a DQN head over the label tokens against
# the logistic probe on the same embeddings, for both backbones (the default TinyStories decoder and
# the MiniLM encoder), seeds 1-3. The first MiniLM run embeds the 67,349 training phrases (~5-11 min on
# 2 cores, cached under ~/.cache/qdecode/embeddings); each run then takes 1-2 min.
# Usage: bench/classification.sh [SEED...] (default: 1 2 3). Extra `train` options: TRAIN_OPTS="...".
# Writes runs/bench-classification/{decoder,minilm}-sN and prints the result line of each run and, per
# backbone, the mean over the seeds.
source "$(dirname "$0")/common.sh" runs/bench-classification 1 2 3 -- "$@"
for backbone in decoder minilm; do
  for s in "${seeds[@]}"; do
    run=$DIR/$backbone-s$s
    enc=()
    [ "$backbone" = minilm ] && enc=(--encoder minilm)
    if [ -f "$run/checkpoint.qdq" ] && [ ! -f "$run/summary.json" ]; then
      $Q train --resume --out "$run" > "$run.log" 2>&1   # interrupted: continue with the run's own options
    else
      rm -rf "$run"   # a finished run is trained again
      # shellcheck disable=SC2086
      $Q train --task classification "${enc[@]}" --seed "$s" ${TRAIN_OPTS:-} --out "$run" > "$run.log" 2>&1
    fi
    printf '%-7s seed %s: %s\n' "$backbone" "$s" "$(grep -m1 '^classification on ' "$run.log")"
  done
  # the mean over the seeds run, from each run's summary.json (the issue's bar: within 1 point of the probe)
  for f in "${seeds[@]/#/$DIR/$backbone-s}"; do
    grep -o '"\(dqn\|probe\)_accuracy": [0-9.eE-]*' "$f/summary.json" | tr -d '",' | tr '\n' ' '
    echo
  done | awk -v b="$backbone" '{ d += $2; p += $4; n++ }
    END { printf "%-7s mean of %d seed%s: DQN head %.4f, probe %.4f (DQN − probe %+.2f points)\n", b, n, n == 1 ? "" : "s", d / n, p / n, 100 * (d - p) / n }'
done
