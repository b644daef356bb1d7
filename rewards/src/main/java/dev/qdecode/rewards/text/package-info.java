/**
 * Text rewards for reference-based and open-ended generation (dialogue): {@code token-f1}
 * (SQuAD v1.1 token F1 against the references), {@code length} (penalty outside a target length
 * range) and {@code repetition} (penalty for repeated word n-grams).
 */
package dev.qdecode.rewards.text;
