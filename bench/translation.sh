#!/usr/bin/env bash
# Reproduces the translation numbers of the README (supervised, then RL on unseen sources):
#   1. split Multi30k en-de train: the first 23,200 pairs train the SFT model, the other 5,800 sources
#      are the DQN's prompts (so RL sees sentences the SFT model never saw);
#   2. a joint 8k BPE tokenizer and a 4.95M-parameter Llama trained with `qdecode sft` (~36-46 min on
#      2 cores; resumed when interrupted);
#   3. a DQN head per seed (6,000 episodes, ~3.5 min each), evaluated on en-de.val and test_2016_flickr
#      against base greedy with the paired bootstrap.
#   4. with two or more seeds, also the ensemble of their heads (`evaluate --ensemble`: mean Q).
#   5. each of them again with beam search (`--beams $BEAMS`, default 8, the width chosen on en-de.val; BEAMS=1 skips it), against the
#      base model's beam search of the same width.
# Usage: bench/translation.sh [SEED...] (default: 1 2). Extra `train` options: TRAIN_OPTS="...".
# PAIR=en-fr runs the same recipe on Multi30k English-French (default PAIR=en-de).
# Writes everything under runs/bench-translation/ (en-de) or runs/bench-translation-PAIR/ and prints one line per
# run and data set.
PAIR=${PAIR:-en-de}
case "$PAIR" in
  en-de) run_dir=runs/bench-translation ;;
  en-fr) run_dir=runs/bench-translation-en-fr ;;
  *) echo "bench/translation.sh: PAIR: expected en-de or en-fr but got '$PAIR'" >&2; exit 2 ;;
esac
source "$(dirname "$0")/common.sh" "$run_dir" 1 2 -- "$@"
M30K=$SHARED/data/multi30k
SRC=${PAIR%-*}
TGT=${PAIR#*-}
COLS=(--source-column "$SRC" --target-column "$TGT")

if [ ! -f "$DIR/rl.tsv" ]; then
  head -1 "$M30K/$PAIR.train.tsv" > "$DIR/sft.tsv"
  sed -n 2,23201p "$M30K/$PAIR.train.tsv" >> "$DIR/sft.tsv"
  head -1 "$M30K/$PAIR.train.tsv" > "$DIR/rl.tsv.tmp"
  sed -n '23202,$p' "$M30K/$PAIR.train.tsv" >> "$DIR/rl.tsv.tmp"
  mv "$DIR/rl.tsv.tmp" "$DIR/rl.tsv"
fi
if [ ! -f "$DIR/tok/tokenizer.json" ]; then
  $Q tokenizer train --data "$M30K/$PAIR.train.tsv" --columns "$SRC,$TGT" --vocab-size 8000 --byte-fallback \
      --special-tokens '<sep>' --out "$DIR/tok"
fi
cat > "$DIR/config.json" <<'JSON'
{"architectures":["LlamaForCausalLM"],"model_type":"llama","vocab_size":8000,"hidden_size":256,
 "intermediate_size":688,"num_hidden_layers":4,"num_attention_heads":8,"num_key_value_heads":4,
 "max_position_embeddings":256,"tie_word_embeddings":true,"rms_norm_eps":1e-06,"rope_theta":10000.0,
 "hidden_act":"silu","bos_token_id":1,"eos_token_id":2,"torch_dtype":"float32"}
JSON
SFT=$DIR/sft
sft_once "$SFT" --task translation --data "$DIR/sft.tsv" --dev "$M30K/$PAIR.val.tsv" "${COLS[@]}" --template '{source}<sep>' \
    --init "$DIR/config.json" --tokenizer "$DIR/tok" --epochs 6 --batch-size 32 --lr 1e-3 --warmup 400 \
    --schedule cosine --dropout 0.1 --eval-every 500 --threads 1 --seed 1

BEAMS=${BEAMS:-8}
# report LABEL POLICY OUT [evaluate options]: val and test against the base model, one line each
report() {
  local label=$1 policy=$2 out=$3
  shift 3
  mkdir -p "$out"
  for set in val test_2016_flickr; do
    # --overwrite: a rerun of the script reports again, replacing its own earlier evaluation
    $Q evaluate --task translation --model "$SFT" --policy "$policy" "$@" "${COLS[@]}" --data "$M30K/$PAIR.$set.tsv" \
        --out "$out/eval-$set" --overwrite > "$out/eval-$set.log" 2>&1
    printf '%s %-17s %s\n' "$label" "$set" "$(grep -E '^(base |DQN head |difference )' "$out/eval-$set.log" \
        | tr -s ' ' | paste -sd '|')"
    grep -m2 -E '^  (BLEU|chrF2) ' "$out/eval-$set.log"
  done
}

for s in "${seeds[@]}"; do
  run=$DIR/dqn-s$s
  if [ ! -f "$run/summary.json" ]; then
    rm -rf "$run"
    # shellcheck disable=SC2086
    $Q train --task translation --model "$SFT" --data "$DIR/rl.tsv" --dev "$M30K/$PAIR.val.tsv" "${COLS[@]}" --rollout-temperature 0.5 --seed "$s" \
        ${TRAIN_OPTS:-} --out "$run"
  fi
  report "seed $s" "$run" "$run"
  if [ "$BEAMS" -gt 1 ]; then
    report "seed $s, $BEAMS beams" "$run" "$run/beams-$BEAMS" --beams "$BEAMS"
  fi
done
if [ ${#seeds[@]} -ge 2 ]; then
  others=()
  for s in "${seeds[@]:1}"; do others+=(--ensemble "$DIR/dqn-s$s"); done
  name=$(IFS=+; echo "${seeds[*]}")
  edir=$DIR/ensemble-$(IFS=-; echo "${seeds[*]}")
  report "ensemble $name" "$DIR/dqn-s${seeds[0]}" "$edir" "${others[@]}"
  if [ "$BEAMS" -gt 1 ]; then
    report "ensemble $name, $BEAMS beams" "$DIR/dqn-s${seeds[0]}" "$edir/beams-$BEAMS" "${others[@]}" --beams "$BEAMS"
  fi
fi
