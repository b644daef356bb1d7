/** The {@code label-match} reward: a generated label compared with the episode's gold label. */
package dev.qdecode.rewards.label;
