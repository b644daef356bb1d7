package dev.qdecode.pipeline.cli;

import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.qdecode.models.CausalLM;
import dev.qdecode.models.ModelConfig;
import dev.qdecode.pipeline.generate.DecodeMemory;
import dev.qdecode.pipeline.generate.GenerationConfig;
import dev.qdecode.pipeline.generate.Generator;
import dev.qdecode.pipeline.generate.SamplingConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qdecode bench generate}: batched KV-cached generation throughput. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Measure generation throughput: for each batch size, prefill random prompts and generate exactly "
                    + "--new-tokens greedy tokens per row (EOS suppressed) through the same Generator that "
                    + "'qdecode generate' uses; report generated tokens/s (median of --runs runs after --warmup), "
                    + "the per-token time split (backbone vs sampling) and peak memory.",
            "--random gpt2-small measures a random-weight model of GPT-2-small shape (12 layers, 768 hidden, "
                    + "12 heads, vocab 50257) built from its config alone; --random FILE takes any config.json.",
            "The prompts are random token ids (no text, so no tokenizer or prompt format is used)."
        })
final class BenchGenerateCommand implements Callable<Integer> {
    static final String GPT2_SMALL = "{\"model_type\":\"gpt2\",\"vocab_size\":50257,\"n_positions\":1024,"
            + "\"n_embd\":768,\"n_layer\":12,\"n_head\":12,\"activation_function\":\"gelu_new\","
            + "\"layer_norm_epsilon\":1e-5,\"bos_token_id\":50256,\"eos_token_id\":50256,\"tie_word_embeddings\":true}";

    @Spec CommandSpec spec;

    // Not the ModelOptions mixin: its --prompt-format has nothing to format here (the prompts are random token ids).
    @Option(names = "--model", paramLabel = "DIR",
            description = "Hugging Face model directory to measure (config.json, *.safetensors). Default: "
                    + "<shared>/models/TinyStories-656K, where <shared> is $QDECODE_SHARED or ../shared.")
    Path model;

    @Option(names = "--random", paramLabel = "gpt2-small|CONFIG.json",
            description = "Use random weights of this shape instead of --model.")
    String random;

    @Option(names = "--batch-sizes", split = ",", preprocessor = CommaList.class, defaultValue = "1,8,32,64",
            description = "Batch sizes to measure (default: ${DEFAULT-VALUE}).")
    List<Integer> batchSizes;

    @Option(names = "--new-tokens", defaultValue = "128", description = "Tokens generated per row (default: ${DEFAULT-VALUE}).")
    int newTokens;

    @Option(names = "--prompt-tokens", defaultValue = "16",
            description = "Longest random prompt; lengths vary between half and this (default: ${DEFAULT-VALUE}, "
                    + "shortened to fit the context after --new-tokens; a value given that does not fit is refused).")
    int promptTokens;

    @Option(names = "--runs", defaultValue = "5", description = "Timed runs per batch size (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed warm-up runs (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for prompts and random weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin BenchOutput output;

    @Override
    public Integer call() {
        BenchOptions.allPositive(spec, "--batch-sizes", batchSizes);
        BenchOptions.atLeast(spec, "--new-tokens", newTokens, 1);
        BenchOptions.atLeast(spec, "--prompt-tokens", promptTokens, 1);
        BenchOptions.runs(spec, runs);
        BenchOptions.atLeast(spec, "--warmup", warmup, 0);
        output.check(spec);
        if (random != null) {
            OptionScope.refuse(spec, "bench generate --random", "without --random, which builds the model from a config",
                    List.of("--model"));
        }
        // Every batch size is checked against the heap before anything is loaded, allocated or measured.
        ModelConfig cfg = random != null ? randomConfig() : ModelConfig.load(modelDir());
        int maxPrompt = Math.min(promptTokens, cfg.maxPositions() - newTokens);
        if (maxPrompt < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--new-tokens " + newTokens
                    + ": leaves no room for a prompt in the model's context of " + cfg.maxPositions()
                    + " (expected fewer than " + cfg.maxPositions() + ")");
        }
        // Only the default is shortened to fit (the measured line says so); a length asked for is measured or refused.
        if (maxPrompt < promptTokens && spec.commandLine().getParseResult().hasMatchedOption("--prompt-tokens")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--prompt-tokens " + promptTokens
                    + ": with --new-tokens " + newTokens + " does not fit the model's context of " + cfg.maxPositions()
                    + " positions (expected at most " + maxPrompt + ")");
        }
        for (int b : batchSizes) {
            DecodeMemory.check(cfg, b, 1, maxPrompt, newTokens, "--batch-sizes " + b + ": decoding " + b + " prompts",
                    "--batch-sizes, --new-tokens or --prompt-tokens");
        }
        PrintWriter out = spec.commandLine().getOut();
        JsonObject record = BenchOutput.record(spec);
        output.started(spec.commandLine().getErr());
        out.println(BenchEnvironment.describe());
        long loadStart = System.nanoTime();
        try (CausalLM model = random != null ? CausalLM.random(cfg, seed) : CausalLM.load(modelDir())) {
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            // the weights' sha256 (a random model's are named by --random and the seed on the next line)
            String label = random != null ? "random " + random
                    : modelDir().getFileName() + " (weights sha256 " + BenchEnvironment.weightsId(modelDir()) + ")";
            out.printf(Locale.ROOT, "model %s: %s, %,d parameters, loaded in %.2f s%n", label, cfg.modelType(),
                    cfg.parameterCount(), loadSeconds);
            JsonObject about = new JsonObject();
            if (random != null) {
                about.addProperty("random", random);
                about.addProperty("seed", seed);
            } else {
                about.addProperty("dir", modelDir().toString());
                about.addProperty("weights_sha256", dev.qdecode.models.ModelFiles.weightsSha256(modelDir()));
            }
            about.addProperty("type", cfg.modelType());
            about.addProperty("parameters", cfg.parameterCount());
            about.addProperty("load_seconds", loadSeconds);
            record.add("model", about);
            record.addProperty("prompt_tokens_min", Math.max(1, maxPrompt / 2));
            record.addProperty("prompt_tokens_max", maxPrompt);
            out.printf(Locale.ROOT, "measured: %d greedy new tokens per row after random prompts of %d-%d tokens; "
                    + "tokens/s is the median of %s after %s (min, max: slowest and fastest run); ratio: tokens/s "
                    + "over the first batch size's; us/step per batch step; peak MiB: the process's peak resident memory so far; seed %d (the prompts%s)%n", newTokens,
                    Math.max(1, maxPrompt / 2), maxPrompt, count(runs, "timed run"), count(warmup, "warm-up run"), seed,
                    random != null ? " and the random weights" : "");
            out.printf(Locale.ROOT, "%6s %14s %10s %10s %8s %12s %12s %10s%n", "batch", "tokens/s", "min", "max",
                    "ratio", "backbone%", "us/step", "peak MiB");
            JsonArray rows = new JsonArray();
            double first = 0;
            for (int b : batchSizes) {
                JsonObject row = measure(model, b, maxPrompt, first, out);
                if (first == 0) {
                    first = row.get("tokens_per_s").getAsDouble();
                }
                rows.add(row);
                out.flush();
            }
            record.add("results", rows);
        }
        output.write(record, out);
        return ExitCodes.OK;
    }

    /** {@code 1 timed run}, {@code 5 timed runs}. */
    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** The {@code --model} directory (or the default), refused naming {@code --model} when it is not a directory. */
    private Path modelDir() {
        return ModelOptions.requireDirectory(model != null ? model : ModelOptions.defaultModelDir());
    }

    /** The configuration of {@code --random}: the GPT-2-small preset or a config.json file. */
    private ModelConfig randomConfig() {
        if (random.equals("gpt2-small")) {
            return ModelConfig.fromJson(GPT2_SMALL, "gpt2-small preset");
        }
        String expected = " (expected 'gpt2-small' or a config.json file)";
        Path p = Path.of(random);
        String json;
        try {
            json = Files.readString(p, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new CliException("--random " + random + ": not valid UTF-8 text" + expected);
        } catch (IOException e) {
            throw new CliException("--random " + random + ": cannot read" + expected);
        }
        try {
            JsonParser.parseString(json);
        } catch (JsonParseException e) {
            Matcher at = GSON_POSITION.matcher(String.valueOf(e.getMessage()));
            throw new CliException("--random " + random + ": not valid JSON"
                    + (at.find() ? " at line " + at.group(1) + " column " + at.group(2) : "") + expected);
        }
        return ModelConfig.fromJson(json, p.toString());
    }

    /** Where Gson's messages say a parse failed. */
    private static final Pattern GSON_POSITION = Pattern.compile("at line (\\d+) column (\\d+)");

    /**
     * Measures one batch size, prints its row and returns it for --output.
     *
     * @param first the median tokens/s of the first batch size, the ratio's base; 0 when this is the first
     */
    private JsonObject measure(CausalLM model, int batch, int maxPrompt, double first, PrintWriter out) {
        SplittableRandom rng = new SplittableRandom(seed + batch);
        int vocab = model.config().vocabSize();
        int[][] prompts = new int[batch][];
        for (int i = 0; i < batch; i++) {
            int len = Math.max(1, maxPrompt / 2 + rng.nextInt(maxPrompt - maxPrompt / 2 + 1));
            prompts[i] = new int[len];
            for (int t = 0; t < len; t++) {
                prompts[i][t] = 3 + rng.nextInt(vocab - 3);
            }
        }
        GenerationConfig gc = GenerationConfig.stepwise(SamplingConfig.greedyDecoding(), newTokens, newTokens, List.of(),
                seed, batch, false, false);
        double[] tps = new double[runs];
        long backbone = 0;
        long sampling = 0;
        for (int r = -warmup; r < runs; r++) {
            Generator g = new Generator(model, null, null, gc);
            long t0 = System.nanoTime();
            g.generateIds(prompts);
            double secs = (System.nanoTime() - t0) / 1e9;
            if (r >= 0) {
                tps[r] = batch * (double) newTokens / secs;
                backbone += g.timings()[0];
                sampling += g.timings()[1];
            }
        }
        double[] sorted = tps.clone();
        Arrays.sort(sorted);
        double median = runs % 2 == 1 ? sorted[runs / 2] : (sorted[runs / 2 - 1] + sorted[runs / 2]) / 2;
        double usPerStep = (backbone + sampling) / 1e3 / runs / newTokens;
        double backbonePercent = 100.0 * backbone / Math.max(1, backbone + sampling);
        long peak = BenchEnvironment.peakRssMiB();
        double ratio = first == 0 ? 1.0 : median / first;
        out.printf(Locale.ROOT, "%6d %,14.0f %,10.0f %,10.0f %7.2fx %11.1f%% %12.1f %10d%n", batch, median, sorted[0],
                sorted[runs - 1], ratio, backbonePercent, usPerStep, peak);
        JsonObject row = new JsonObject();
        row.addProperty("batch", batch);
        row.addProperty("tokens_per_s", median);
        row.addProperty("tokens_per_s_min", sorted[0]);
        row.addProperty("tokens_per_s_max", sorted[runs - 1]);
        row.add("tokens_per_s_runs", BenchOutput.json(tps));
        row.addProperty("ratio", ratio);
        row.addProperty("backbone_percent", backbonePercent);
        row.addProperty("us_per_step", usPerStep);
        row.addProperty("peak_rss_mib", peak);
        return row;
    }
}
