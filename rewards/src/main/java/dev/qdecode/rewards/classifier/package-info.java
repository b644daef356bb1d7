/**
 * Neural text classification for rewards: a frozen sentence encoder ({@link
 * dev.qdecode.rewards.classifier.SentenceEncoder}; all-MiniLM-L6-v2 on ONNX Runtime) with a small
 * head trained on the PyTorch engine ({@link dev.qdecode.rewards.classifier.TextClassifier}), a disk
 * cache of embeddings ({@link dev.qdecode.rewards.classifier.EmbeddingCache}) and the {@code
 * classifier} reward ({@link dev.qdecode.rewards.classifier.ClassifierRewardProvider}).
 */
package dev.qdecode.rewards.classifier;
