#!/usr/bin/env bash
# Reproduces the dialogue row of the README: steer XDailyDialog responses toward questions.
#   1. split XDailyDialog dev by dialogue: dialogues 0-894 (6,229 pairs) train the SFT model, the last
#      100 dialogues (895-994, 801 pairs) are its early-stopping set and the DQN's validation set;
#   2. a dialogue-act classifier (logistic on MiniLM, trained on dev, reported on test) for the reward;
#   3. `qdecode sft --task dialogue` continuing TinyStories-656K (3 epochs, a few minutes on 2 cores);
#   4. a DQN head per seed (3,000 episodes, 2-3 min each) with the reward
#      classifier(question) + 0.5*token-f1 + 0.2*repetition and --tau-q 0.5;
#   5. `evaluate --task dialogue` on the first 500 test pairs x 4 samples: P(question), perplexity under
#      the base model, distinct-2; then token F1 against the gold response (a second evaluation).
# Usage: bench/dialogue.sh [SEED...] (default: 1). Extra `train` options: TRAIN_OPTS="...".
# Writes everything under runs/bench-dialogue/ and prints the evaluation lines of each seed.
source "$(dirname "$0")/common.sh" runs/bench-dialogue 1 -- "$@"
DD=$SHARED/data/xdailydialog

if [ ! -f "$DIR/sft-val.tsv" ]; then
  awk -F'\t' 'NR == 1 || $1 < 895' "$DD/pairs_en_dev.tsv" > "$DIR/sft-train.tsv"
  awk -F'\t' 'NR == 1 || $1 >= 895' "$DD/pairs_en_dev.tsv" > "$DIR/sft-val.tsv.tmp"
  mv "$DIR/sft-val.tsv.tmp" "$DIR/sft-val.tsv"
fi
CLF=$DIR/act-clf
if [ ! -f "$CLF/.done" ]; then
  $Q classifier train --data "$DD/pairs_en_dev.tsv" --text-column response --label-column response_act \
      --dev "$DD/pairs_en_test.tsv" --out "$CLF" --overwrite
  touch "$CLF/.done"
fi
SFT=$DIR/sft
sft_once "$SFT" --task dialogue --model "$SHARED/models/TinyStories-656K" --data "$DIR/sft-train.tsv" \
    --dev "$DIR/sft-val.tsv" --epochs 3 --batch-size 32 --lr 1e-3 --warmup 50 --schedule cosine \
    --eval-every 100 --seed 1

REWARD=(--reward "classifier:model=$CLF,label=2")
for s in "${seeds[@]}"; do
  run=$DIR/dqn-s$s
  if [ ! -f "$run/.done" ]; then
    if [ ! -f "$run/summary.json" ]; then # else it finished before .done was written
      rewards=("${REWARD[@]}" --reward '0.5*token-f1' --reward '0.2*repetition')
      if [ -f "$run/checkpoint.qdq" ]; then
        rewards=(--resume) # an interrupted run continues where it stopped, with its own rewards (--resume refuses --reward)
      else
        rm -rf "$run" # stopped before its first checkpoint: start over
      fi
      # the head trains on all of XDailyDialog dev (there is no train split), so the 100 dialogues of
      # sft-val.tsv are among its prompts too: they only track training; the numbers reported are on test
      # shellcheck disable=SC2086
      $Q train --task dialogue --model "$SFT" "${rewards[@]}" \
          --shaping-every 4 --episodes 3000 --max-new-tokens 32 --tau-q 0.5 --dev "$DIR/sft-val.tsv" \
          --seed "$s" ${TRAIN_OPTS:-} --out "$run"
    fi
    touch "$run/.done"
  fi
  # P(question) (the classifier's positive rate), then token F1 against the gold responses
  $Q evaluate --task dialogue --model "$SFT" --policy "$run" "${REWARD[@]}" --out "$run/eval-test" --overwrite > "$run/eval-test.log" 2>&1
  $Q evaluate --task dialogue --model "$SFT" --policy "$run" --reward token-f1 --out "$run/eval-test-f1" --overwrite > "$run/eval-test-f1.log" 2>&1
  echo "seed $s, reward classifier(question):"
  grep -E '^(metric|mean reward|positive rate|perplexity|distinct-2|mean length)' "$run/eval-test.log"
  echo "seed $s, token F1 against the gold response:"
  grep -E '^mean reward' "$run/eval-test-f1.log"
done
