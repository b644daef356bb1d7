/**
 * Text generation from a causal language model, with or without a trained decoding policy.
 *
 * <p>{@link dev.qdecode.pipeline.generate.Generator} decodes prompts in batches with a KV cache:
 * greedy, sampled (temperature, top-k, top-p) or beam search, as set by a
 * {@link dev.qdecode.pipeline.generate.GenerationConfig} (with its
 * {@link dev.qdecode.pipeline.generate.SamplingConfig}); minimum and maximum new tokens, stop strings,
 * token healing of the prompt's last token and prompt truncation are part of that config. A
 * {@link dev.qdecode.pipeline.generate.TokenPolicy} (such as a trained
 * {@link dev.qdecode.pipeline.dqn.DqnPolicy}) rescores each step's logits. Each prompt's random stream is
 * seeded by the config's seed and the prompt's index in the list, so the same list, seed and settings
 * give the same texts whatever the batch size. The results are
 * {@link dev.qdecode.pipeline.generate.Generation}s (text, token ids, {@link
 * dev.qdecode.pipeline.generate.StopReason}); a batch that would not fit in memory
 * ({@link dev.qdecode.pipeline.generate.DecodeMemory}) or a prompt that does not fit the context is a
 * {@link dev.qdecode.pipeline.generate.GenerationException}.
 *
 * <p>Threads may share the model, the tokenizer and a policy; give each thread its own generator.
 * {@link dev.qdecode.pipeline.generate.PromptEncoder} and
 * {@link dev.qdecode.pipeline.generate.ContinuationDecoder} are the pieces the DQN rollouts share with
 * the generator (prompt encoding with token healing; streaming the continuation's text).
 */
package dev.qdecode.pipeline.generate;
