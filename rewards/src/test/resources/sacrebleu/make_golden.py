#!/usr/bin/env python3
"""Regenerates the sacreBLEU golden files used by the Java tests (run by hand, not by the build).

    pip install sacrebleu==2.6.0
    python3 make_golden.py /path/to/shared

Writes, next to this script:
  multi30k-golden.tsv   sentence- and corpus-level BLEU/chrF values for hypothesis/reference
                        pairs built from Multi30k val rows. Only row indices are stored: the tests
                        rebuild the texts from shared/data/multi30k (never copied into the repo).
  unicode-golden.json   synthetic random strings (ASCII punctuation, digits, Unicode punctuation,
                        symbols, emoji, odd whitespace, HTML entities, '<skipped>', '-\\n') with
                        sacreBLEU's 13a/intl/char tokenizations and sentence BLEU/chrF values.
"""
import json
import os
import random
import sys

import sacrebleu
from sacrebleu.metrics import BLEU, CHRF
from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a
from sacrebleu.tokenizers.tokenizer_char import TokenizerChar
from sacrebleu.tokenizers.tokenizer_intl import TokenizerV14International

assert sacrebleu.__version__ == "2.6.0", sacrebleu.__version__
HERE = os.path.dirname(os.path.abspath(__file__))


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    header = lines[0].split("\t")
    rows = [dict(zip(header, l.split("\t"))) for l in lines[1:] if l != ""]
    return rows


def drop3(s):
    return " ".join(w for k, w in enumerate(s.split(" ")) if k % 3 != 2)


def dropmid(s):
    words = s.split(" ")
    k = len(words) // 2
    return " ".join(words[:k] + words[k + 1:])


SENTENCE = {
    "bleu": BLEU(effective_order=True),
    "bleu_intl": BLEU(tokenize="intl", effective_order=True),
    "bleu_none": BLEU(tokenize="none", effective_order=True),
    "bleu_char": BLEU(tokenize="char", effective_order=True),
    "bleu_lc": BLEU(lowercase=True, effective_order=True),
    "bleu_floor": BLEU(smooth_method="floor", effective_order=True),
    "bleu_addk": BLEU(smooth_method="add-k", effective_order=True),
    "bleu_nosmooth": BLEU(smooth_method="none", effective_order=True),
    "chrf": CHRF(),
    "chrfpp": CHRF(word_order=2),
    "chrf_eps": CHRF(eps_smoothing=True),
    "chrf_ws": CHRF(whitespace=True),
    "chrf_lc": CHRF(lowercase=True),
}
CORPUS = {
    "bleu": BLEU(),
    "bleu_intl": BLEU(tokenize="intl"),
    "bleu_lc": BLEU(lowercase=True),
    "chrf": CHRF(),
    "chrfpp": CHRF(word_order=2),
}


def pairings(de, en, fr):
    n = len(de)
    return {
        "de-drop3": [(drop3(de[i]), [de[i]]) for i in range(n)],
        "de-next": [(de[i], [de[(i + 1) % n]]) for i in range(n)],
        "de-multi": [(drop3(de[i]), [de[(i + 1) % n], de[i]]) for i in range(n)],
        "en-dropmid": [(dropmid(en[i]), [en[i]]) for i in range(n)],
        "fr-lower": [(drop3(fr[i]).lower(), [fr[i]]) for i in range(n)],
    }


def multi30k(shared):
    ende = read_tsv(os.path.join(shared, "data/multi30k/en-de.val.tsv"))
    enfr = read_tsv(os.path.join(shared, "data/multi30k/en-fr.val.tsv"))
    de = [r["de"] for r in ende]
    en = [r["en"] for r in ende]
    fr = [r["fr"] for r in enfr]
    out = ["# sacreBLEU " + sacrebleu.__version__ + " on Multi30k val (texts rebuilt by the tests)"]
    out.append("\t".join(["kind", "pairing", "row"] + list(SENTENCE)))
    for name, pairs in pairings(de, en, fr).items():
        for i in range(0, len(pairs), 10):
            hyp, refs = pairs[i]
            vals = ["%.12g" % m.sentence_score(hyp, refs).score for m in SENTENCE.values()]
            out.append("\t".join(["sentence", name, str(i)] + vals))
    out.append("\t".join(["kind", "pairing", "config", "score", "signature", "line"]))
    for name, pairs in pairings(de, en, fr).items():
        hyps = [h for h, _ in pairs]
        nref = max(len(r) for _, r in pairs)
        streams = [[r[k] if k < len(r) else "" for _, r in pairs] for k in range(nref)]
        for cname, metric in CORPUS.items():
            s = metric.corpus_score(hyps, streams)
            sig = str(metric.get_signature())
            out.append("\t".join(["corpus", name, cname, repr(s.score), sig,
                                  s.format(signature=sig)]))
    with open(os.path.join(HERE, "multi30k-golden.tsv"), "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


ALPHABET = (
    list("abcdefghijklmnopqrstuvwxyzABCDEFXYZ") * 3
    + list("0123456789") * 2
    + list(".,.,--'\"!?;:()[]{}<>/\\@#$%^&*_=+|~`")
    + ["  ", " ", " ", " ", "\t", "\u00a0", "\u2009", "\u3000", "\n", "\x1c"]
    + list("äöüßéèçñøåÆŒ")
    + list("¿¡«»—–‘’“”„…·、。「」・‧")
    + list("€£¥©®°±×÷§¶™←→∑√∞")
    + ["\U0001F600", "\U0001F44D", "\U0001D400", "\u0301", "\u00b2", "\u00bd", "\u0663", "\u2167"]
    + ["&quot;", "&amp;", "&lt;", "&gt;", "<skipped>", "-\n", "İ", "Σ"]
)


def random_text(rng):
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40)))


def unicode_cases():
    rng = random.Random(20240521)
    t13a, tintl, tchar = Tokenizer13a(), TokenizerV14International(), TokenizerChar()
    cases = []
    for _ in range(200):
        hyp = random_text(rng)
        ref = random_text(rng)
        if rng.random() < 0.5:  # make overlaps likely
            words = ref.split(" ")
            rng.shuffle(words)
            hyp = " ".join(words[: max(1, len(words) - 1)]) + hyp[:5]
        if ref == "":
            ref = "x"
        case = {
            "hyp": hyp,
            "ref": ref,
            "tok_13a": t13a(hyp),
            "tok_intl": tintl(hyp),
            "tok_char": tchar(hyp),
            "bleu": BLEU(effective_order=True).sentence_score(hyp, [ref]).score,
            "bleu_intl": BLEU(tokenize="intl", effective_order=True).sentence_score(hyp, [ref]).score,
            "bleu_char_lc": BLEU(tokenize="char", lowercase=True, effective_order=True)
            .sentence_score(hyp, [ref]).score,
            "chrf": CHRF().sentence_score(hyp, [ref]).score,
            "chrfpp_lc": CHRF(word_order=2, lowercase=True).sentence_score(hyp, [ref]).score,
            "chrf_ws": CHRF(whitespace=True).sentence_score(hyp, [ref]).score,
        }
        cases.append(case)
    with open(os.path.join(HERE, "unicode-golden.json"), "w", encoding="utf-8") as f:
        json.dump({"sacrebleu": sacrebleu.__version__, "seed": 20240521, "cases": cases}, f,
                  ensure_ascii=False, indent=0)


if __name__ == "__main__":
    multi30k(sys.argv[1])
    unicode_cases()
