/**
 * Pretrained causal language models for qdecode: Hugging Face checkpoints ({@code config.json} +
 * safetensors, F32/F16/BF16) of the Llama family ({@code llama}, {@code mistral}, {@code qwen2}) and
 * GPT-2, loaded offline and run on DJL's PyTorch engine.
 *
 * <p>Entry points: {@link dev.qdecode.models.CausalLM#load} (or {@link
 * dev.qdecode.models.CausalLM#random} for benchmarks), then {@link
 * dev.qdecode.models.CausalLM#prefill} and {@link dev.qdecode.models.KvCache#step} for batched
 * greedy/sampled decoding that yields next-token logits and the state embedding (final-norm hidden
 * state) of every row at every step; {@link dev.qdecode.models.CausalLM#tokenLogProbs} and {@link
 * dev.qdecode.models.CausalLM#hiddenStates} for whole sequences. Configuration problems and
 * unreadable weights raise {@link dev.qdecode.models.ModelException} with a one-line message naming
 * the file and field or tensor.
 *
 * <pre>{@code
 * try (CausalLM lm = CausalLM.load(Path.of("shared/models/TinyStories-656K"));
 *      NDManager root = NDManager.newBaseManager()) {
 *     NDManager step = root.newSubManager();
 *     KvCache cache = lm.prefill(step, new int[][] {{1, 147, 201}, {1}}, 32);
 *     StepOutput out = cache.last();          // logits [2, vocab], hidden [2, 128]
 *     int[] next = argmaxPerRow(out.logits());
 *     step.close();
 *     step = root.newSubManager();
 *     out = cache.step(step, next);            // one token appended to each row
 *     ...
 *     cache.close();
 * }
 * }</pre>
 */
package dev.qdecode.models;
