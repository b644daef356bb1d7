#!/usr/bin/env python3
"""Regenerates the SQuAD v1.1 token-F1 golden file used by TokenF1GoldenTest (run by hand).

    python3 make_golden.py /path/to/shared

normalize_answer and f1_score below have the semantics of the official SQuAD v1.1 evaluation
script (evaluate-v1.1.py): lower(), delete string.punctuation, re.sub(r'\\b(a|an|the)\\b', ' '),
' '.join(split()); F1 over Counter intersections, 0 when nothing is common. Writes, next to this
script, squad-f1-golden.json:
  dialog     hypothesis/reference pairs of XDailyDialog test rows: only row indices are stored,
             the test rebuilds the texts from shared/data/xdailydialog/pairs_en_test.tsv.
  synthetic  random strings (articles, ASCII and Unicode punctuation, accents, combining marks,
             odd whitespace, numbers, emoji) with normalize_answer and F1 values.
"""
import csv
import json
import os
import random
import re
import string
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
PUNCT = set(string.punctuation)


def normalize_answer(s):
    s = s.lower()
    s = "".join(ch for ch in s if ch not in PUNCT)
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def f1_tokens(pred, truth):
    common = Counter(pred) & Counter(truth)
    num_same = sum(common.values())
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(pred)
    recall = 1.0 * num_same / len(truth)
    return (2 * precision * recall) / (precision + recall)


def f1_squad(prediction, ground_truth):
    return f1_tokens(normalize_answer(prediction).split(), normalize_answer(ground_truth).split())


def f1_none(prediction, ground_truth):
    return f1_tokens(prediction.split(), ground_truth.split())


def main(shared):
    csv.field_size_limit(1 << 30)
    path = os.path.join(shared, "data", "xdailydialog", "pairs_en_test.tsv")
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    rnd = random.Random(20261123)
    dialog = []
    for _ in range(300):
        h = rnd.randrange(len(rows))
        # a neighbouring row (same dialogue, often overlapping) or any row
        r = min(len(rows) - 1, h + 1) if rnd.random() < 0.5 else rnd.randrange(len(rows))
        hyp, ref = rows[h]["response"], rows[r]["response"]
        dialog.append({"hyp_row": h, "ref_row": r,
                       "squad": float(f1_squad(hyp, ref)), "none": float(f1_none(hyp, ref))})
    words = (["a", "an", "the", "The", "AN", "A", "then", "theatre", "cat", "Cat", "sat", "ok",
             "don't", "a-b", "a_b", "a.b", "x", "é", "É", "a\u0301", "\u00b2", "\u2160", "\u03a3",
             "\u0391\u03a3", "\u0130", "\u00df", "\U0001F600", "12", "\uff21"]
            + list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
            + ["\u2019", "\u2014", "\u00ab", "\u00bb", "\u00bf", "\u3002"])
    spaces = [" ", " ", " ", "  ", "\t", "\n", "\u00a0", "\u2003", "\u3000", "\u0085", "\x1c",
              "\u200b", ""]

    def chunks():
        return ["".join(rnd.choice(words) for _ in range(rnd.randint(1, 2)))
                for _ in range(rnd.randint(0, 8))]

    def text(parts):
        return "".join(p + rnd.choice(spaces) for p in parts)

    synthetic = []
    for _ in range(300):
        h = chunks()
        # the reference reuses some of the hypothesis' chunks, shuffled, plus new ones
        r = [c for c in h if rnd.random() < 0.6] + chunks()[:3]
        rnd.shuffle(r)
        hyp, ref = text(h), text(r)
        synthetic.append({"hyp": hyp, "ref": ref, "norm_hyp": normalize_answer(hyp),
                          "squad": float(f1_squad(hyp, ref)), "none": float(f1_none(hyp, ref))})
    out = {"source": "SQuAD v1.1 normalize_answer / f1_score semantics, Python "
                     + sys.version.split()[0],
           "dialog": dialog, "synthetic": synthetic}
    with open(os.path.join(HERE, "squad-f1-golden.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=True, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "..", "..",
                                                             "shared"))
