/**
 * Lexicon-based sentiment rewards: a faithful port of VADER ({@link dev.qdecode.rewards.sentiment.Vader})
 * and AFINN-165 word-list scoring ({@link dev.qdecode.rewards.sentiment.Afinn}), exposed as the
 * {@code vader} and {@code afinn} rewards through {@link dev.qdecode.rewards.RewardProvider}.
 */
package dev.qdecode.rewards.sentiment;
