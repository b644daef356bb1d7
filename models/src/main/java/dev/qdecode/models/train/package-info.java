/**
 * Training support for the Llama family: {@link dev.qdecode.models.train.TrainableLlama} (separate
 * parameter tensors with gradients, a full-sequence causal forward pass and a token-level
 * negative log-likelihood) and {@link dev.qdecode.models.train.Safetensors} (writing and reading
 * float32 safetensors files), so that a trained model is saved in the Hugging Face layout that
 * {@link dev.qdecode.models.CausalLM#load} reads unchanged.
 */
package dev.qdecode.models.train;
