/**
 * Text to token ids and back for Hugging Face model directories, on top of DJL's Rust tokenizers.
 *
 * <ul>
 *   <li>{@link dev.qdecode.tokenizer.TextTokenizer}: loading {@code tokenizer.json} and the special
 *       tokens of a model directory, encode/decode, per-token surface text.
 *   <li>{@link dev.qdecode.tokenizer.IncrementalDecoder}: streaming decode that never splits a
 *       character.
 *   <li>{@link dev.qdecode.tokenizer.PromptFormat}: how a prompt is turned into ids for a given model
 *       (per-model settings file {@code qdecode-model.json}, or detection from the tokenizer files).
 *   <li>{@link dev.qdecode.tokenizer.TokenHealing}: backing up a prompt that ends mid-piece.
 *   <li>{@link dev.qdecode.tokenizer.BpeTrainer}: training a BPE tokenizer ({@link
 *       dev.qdecode.tokenizer.BpeConfig} → {@link dev.qdecode.tokenizer.TrainedTokenizer}, saved as a
 *       Hugging Face tokenizer directory).
 * </ul>
 *
 * <p>Errors in user input (missing files, corrupt JSON, bad prompt specs, bad training settings or
 * data) are reported as {@link dev.qdecode.tokenizer.TokenizerException} with a one-line message.
 */
package dev.qdecode.tokenizer;
