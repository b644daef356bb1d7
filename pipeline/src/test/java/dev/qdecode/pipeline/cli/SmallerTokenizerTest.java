package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.models.CausalLM;
import dev.qdecode.models.ModelException;
import dev.qdecode.pipeline.generate.Generation;
import dev.qdecode.pipeline.generate.GenerationConfig;
import dev.qdecode.pipeline.generate.Generator;
import dev.qdecode.pipeline.generate.SamplingConfig;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model whose vocab_size (TinyStories-656K: 2048) is larger than its tokenizer (a 270-token one trained
 * here), as with checkpoints that pad vocab_size: the ids the tokenizer lacks are never generated (they
 * used to be, and decoding them failed with exit 1); and {@code tokenizer train} refuses to write into a
 * model's directory, which is how such a pair came about.
 */
class SmallerTokenizerTest {
    private static final int SMALL = 270;
    private static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json");

    @TempDir Path tmp;

    /** TinyStories-656K's files with the tokenizer replaced by a {@value #SMALL}-token one. */
    private Path modelWithSmallTokenizer() throws IOException {
        Path data = tmp.resolve("small.txt");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            sb.append("Tom went to the park. Then, he saw a dog and a cat. They played all day ").append(i).append(".\n");
        }
        Files.writeString(data, sb, StandardCharsets.UTF_8);
        Path tok = tmp.resolve("tok");
        CliRunner.Result r = CliRunner.run("tokenizer", "train", "--data", data.toString(), "--vocab-size",
                String.valueOf(SMALL), "--out", tok.toString());
        assertEquals(0, r.code(), r.err());
        Path model = tmp.resolve("model");
        Files.createDirectories(model);
        try (Stream<Path> files = Files.list(Path.of(CliRunner.model("TinyStories-656K")))) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                Files.copy(TOKENIZER_FILES.contains(name) ? tok.resolve(name) : f, model.resolve(name));
            }
        }
        return model;
    }

    @Test
    void idsTheTokenizerLacksAreNeverGenerated() throws IOException {
        Path model = modelWithSmallTokenizer();
        for (List<String> strategy : List.of(List.of("greedy"), List.of("sample", "--seed", "3"))) {
            CliRunner.Result r = CliRunner.run(Stream.concat(Stream.of("generate", "--model", model.toString(),
                    "--prompt", "Once upon a time", "--max-new-tokens", "40", "--min-new-tokens", "40", "--strategy"),
                    strategy.stream()).toArray(String[]::new));
            assertEquals(0, r.code(), strategy + ": " + r.err());
            assertTrue(r.err().contains("40 new tokens"), r.err());
        }
        CliRunner.Result beams = CliRunner.run("generate", "--model", model.toString(), "--prompt", "Tom went. Then,",
                "--beams", "4", "--max-new-tokens", "20");
        assertEquals(0, beams.code(), beams.err());
        // The same restriction in-process: the unrestricted model does pick ids past the tokenizer.
        try (CausalLM lm = CausalLM.load(model); TextTokenizer tok = TextTokenizer.load(model)) {
            assertEquals(SMALL, tok.vocabSize());
            GenerationConfig cfg = GenerationConfig.stepwise(SamplingConfig.greedyDecoding(), 40, 40, List.of(), 1, 1,
                    false, false);
            int[][] prompt = {tok.encode("Once upon a time", true)};
            int[] free = new Generator(lm, null, null, cfg).generateIds(prompt).get(0).tokenIds();
            assertTrue(java.util.Arrays.stream(free).anyMatch(id -> id >= SMALL), "the test needs a model that "
                    + "wanders outside the small tokenizer when unrestricted");
            lm.restrictVocabulary(tok.vocabSize());
            Generation g = new Generator(lm, tok, PromptFormat.plain(), cfg).generate(List.of("Once upon a time"), null)
                    .get(0);
            assertEquals(40, g.tokenIds().length);
            assertTrue(java.util.Arrays.stream(g.tokenIds()).allMatch(id -> id < SMALL), g.toString());
            // what a program gets from loading the model with its tokenizer, as the commands do
            try (CausalLM loaded = CausalLM.load(model, tok)) {
                assertArrayEquals(g.tokenIds(), new Generator(loaded, null, null, cfg).generateIds(prompt).get(0)
                        .tokenIds());
            }
        }
    }

    @Test
    void aTokenizerLargerThanTheModelIsRefusedWhenLoadedTogether() {
        Path model = Path.of(CliRunner.model("stories260K"));
        try (TextTokenizer big = TextTokenizer.load(Path.of(CliRunner.model("TinyStories-656K")))) {
            ModelException e = assertThrows(ModelException.class, () -> CausalLM.load(model, big));
            assertEquals(model.resolve("config.json") + ": vocab_size is 512 but the tokenizer vocabulary has "
                    + big.vocabSize() + " tokens (expected at least the tokenizer's)", e.getMessage());
        }
    }

    /** sft's dev BLEU decodes through the inference path too: it crashed on an id the tokenizer lacks. */
    @Test
    void sftDevBleuNeverDecodesIdsTheTokenizerLacks() throws IOException {
        Path model = modelWithSmallTokenizer();
        StringBuilder rows = new StringBuilder("id\ten\tde\n");
        for (int i = 0; i < 20; i++) {
            rows.append(i).append("\tTom went to the park ").append(i).append(".\tTom ging in den Park ").append(i)
                    .append(".\n");
        }
        Path data = Files.writeString(tmp.resolve("tr.tsv"), rows, StandardCharsets.UTF_8);
        CliRunner.Result r = CliRunner.run("sft", "--task", "translation", "--template", "{source} =", "--model",
                model.toString(), "--data", data.toString(), "--dev", data.toString(), "--out",
                tmp.resolve("sft").toString(), "--max-steps", "2", "--eval-every", "1", "--bleu-samples", "4",
                "--batch-size", "4", "--warmup", "1");
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void tokenizerTrainRefusesADirectoryHoldingAModelEvenWithOverwrite() throws IOException {
        Path model = modelWithSmallTokenizer();
        byte[] before = Files.readAllBytes(model.resolve("tokenizer.json"));
        Path weightsOnly = tmp.resolve("weights");
        Files.createDirectories(weightsOnly);
        Files.copy(model.resolve("model.safetensors"), weightsOnly.resolve("model-00001-of-00002.safetensors"));
        for (Path out : List.of(model, weightsOnly)) {
            CliRunner.Result r = CliRunner.run("tokenizer", "train", "--data", tmp.resolve("small.txt").toString(),
                    "--vocab-size", "300", "--out", out.toString(), "--overwrite");
            assertEquals(ExitCodes.USAGE, r.code(), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains("--out " + out + ": holds a model ("), r.err());
            assertTrue(r.err().contains("expected a directory of its own for the tokenizer, even with --overwrite"),
                    r.err());
            assertTrue(r.out().isEmpty(), r.out());
        }
        assertArrayEquals(before, Files.readAllBytes(model.resolve("tokenizer.json")), "the model's tokenizer is kept");
        assertFalse(Files.exists(weightsOnly.resolve("tokenizer.json")));
    }
}
