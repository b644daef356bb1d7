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
 * </ul>
 *
 * <p>Errors in user input (missing files, corrupt JSON, bad prompt specs) are reported as {@link
 * dev.qdecode.tokenizer.TokenizerException} with a one-line message.
 */
package dev.qdecode.tokenizer;
