/**
 * Supervised fine-tuning ({@code qdecode sft}): teacher-forced training of a Llama-family decoder
 * on prompt-to-target pairs, with the loss on target tokens only. {@link
 * dev.qdecode.pipeline.sft.SftConfig} holds a run's settings, {@link
 * dev.qdecode.pipeline.sft.SftTrainer} runs it and writes a Hugging Face model directory.
 */
package dev.qdecode.pipeline.sft;
