/**
 * sacreBLEU-compatible BLEU and chrF/chrF++ ({@link dev.qdecode.rewards.bleu.Bleu},
 * {@link dev.qdecode.rewards.bleu.Chrf}; behaviour and signatures of sacreBLEU 2.6.0) and their
 * rewards {@code bleu} and {@code chrf}.
 */
package dev.qdecode.rewards.bleu;
