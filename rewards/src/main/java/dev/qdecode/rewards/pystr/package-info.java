/**
 * Python {@code str} semantics ({@link dev.qdecode.rewards.pystr.PyStr}) shared by the rewards that
 * port Python reference code (VADER and AFINN in {@code sentiment}, the SQuAD v1.1 script in
 * {@code text}). An implementation helper of the rewards module, not part of the reward SPI.
 */
package dev.qdecode.rewards.pystr;
