package dev.qdecode.pipeline.cli;

import dev.qdecode.models.CausalLM;
import dev.qdecode.models.ModelFiles;
import dev.qdecode.rewards.SharedDir;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --model} and {@code --prompt-format} options shared by every command that runs a model. */
final class ModelOptions {

    /** Creates the options (used by picocli). */
    public ModelOptions() {}

    @Option(names = "--model", paramLabel = "DIR",
            description = "Hugging Face model directory (config.json, *.safetensors, tokenizer.json). "
                    + "Default: the run's own model with --policy (generate, evaluate) or train --resume; otherwise "
                    + "<shared>/models/TinyStories-656K, where <shared> is $QDECODE_SHARED or ../shared.")
    Path model;

    @Option(names = "--prompt-format", paramLabel = "TEMPLATE[;special=BOOL]", converter = PromptFormatConverter.class,
            description = "How prompt text becomes tokens: a template with {text} once, and whether the tokenizer adds "
                    + "its special tokens (BOS). Default: the model's qdecode-model.json, else detected from its "
                    + "tokenizer files (TinyStories-656K: '<|start_story|>{text};special=false' — BOS then the text "
                    + "without the prepended '▁'; other models: '{text};special=true'). Escapes: \\n \\t \\; \\\\.")
    PromptFormatConverter.Given promptFormat;

    /**
     * Takes a prompt format recorded by a run, where {@code --prompt-format} is not given.
     *
     * @param recorded the run's spec ({@link PromptFormat#toSpec})
     * @throws CliException (usage) naming {@code --prompt-format} when it does not parse
     */
    void useRecordedFormat(String recorded) {
        try {
            promptFormat = PromptFormatConverter.Given.parse(recorded);
        } catch (dev.qdecode.tokenizer.TokenizerException e) {
            throw new CliException("--prompt-format: " + e.getMessage(), ExitCodes.USAGE);
        }
    }

    /**
     * The model directory to use.
     *
     * @return the given directory or the default model
     */
    public Path modelDir() {
        return model != null ? model : defaultModelDir();
    }

    /**
     * The model used when no --model is given: {@code <shared>/models/TinyStories-656K}.
     *
     * @return the directory
     */
    static Path defaultModelDir() {
        return SharedDir.locate().resolve("models").resolve("TinyStories-656K");
    }

    /**
     * Refuses a {@code --model} (given or defaulted) that is not a directory, naming the option, as every command
     * that reads a model does before loading it ({@code bench generate} too, which reads no tokenizer).
     *
     * @param dir the model directory
     * @return {@code dir}
     * @throws CliException (bad input) {@code --model DIR: not a directory (expected a Hugging Face model directory)}
     */
    static Path requireDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new CliException("--model " + dir + ": not a directory (expected a Hugging Face model directory)");
        }
        return dir;
    }

    /**
     * A loaded model, its tokenizer and prompt format, checked against each other.
     *
     * @param dir the model directory
     * @param model the language model
     * @param tokenizer the tokenizer
     * @param format the prompt format
     */
    record Loaded(Path dir, CausalLM model, TextTokenizer tokenizer, PromptFormat format)
            implements AutoCloseable {
        /**
         * Identifies the weights (provenance, and the cache key of decoder states): the sha256 of
         * {@code model.safetensors}, or, for weights in shards, one sha256 over the model's files
         * ({@link ModelFiles#contentSha256}); hashed once per process while the files are unchanged.
         *
         * @return the identifier
         */
        public String weightsId() {
            return ModelFiles.weightsSha256(dir);
        }

        /**
         * Identifies the tokenizer (provenance: a head's token ids mean nothing under another one): the
         * sha256 of {@code tokenizer.json}, or null when the directory has none.
         *
         * @return the identifier, or null
         */
        public String tokenizerId() {
            return ModelFiles.sha256(dir).get("tokenizer.json");
        }

        @Override
        public void close() {
            model.close();
            tokenizer.close();
        }
    }

    /**
     * Loads the model and tokenizer and resolves the prompt format.
     *
     * @return the loaded model (close it)
     * @throws CliException when the directory is missing or the tokenizer does not fit the model
     */
    public Loaded load() {
        Path dir = requireDirectory(modelDir());
        TextTokenizer tok = TextTokenizer.load(dir);
        CausalLM lm = null;
        try {
            // refuses a tokenizer larger than the model; restricts a vocab_size padded beyond the tokenizer
            // (Qwen2; a retrained tokenizer), whose extra ids could be chosen and then not decoded
            lm = CausalLM.load(dir, tok);
            // a given format was parsed with the command line (or the run's record, useRecordedFormat)
            PromptFormat fmt = promptFormat != null ? promptFormat.format() : PromptFormat.forModel(dir, tok);
            return new Loaded(dir, lm, tok, fmt);
        } catch (RuntimeException e) {
            if (lm != null) {
                lm.close();
            }
            tok.close();
            throw e;
        }
    }
}
