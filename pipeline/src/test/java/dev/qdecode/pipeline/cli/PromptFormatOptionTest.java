package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonParser;
import dev.qdecode.tokenizer.PromptFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code --prompt-format} that does not parse is refused as the other templates of the command line
 * ({@code sft --template}, {@code train --task classification --template}) are: bad usage, the option named,
 * then the line pointing to the command's {@code --help}, and before anything is loaded. It was checked only
 * once the model had loaded, and refused with the error line alone.
 */
class PromptFormatOptionTest {

    @Test
    void aBadEscapeIsRefusedWithTheHelpHintBeforeTheModelLoads(@TempDir Path tmp) {
        // the model directory does not exist: the option is refused first, so no model is read
        CliRunner.Result r = CliRunner.run("generate", "--model", tmp.resolve("no-model").toString(),
                "--prompt-format", "Q: {text}\\qA:", "--prompt", "Hi");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals(List.of("qdecode: error: Invalid value for option '--prompt-format': prompt format \"Q: {text}\\qA:\": "
                + "unknown escape \\q (use \\n, \\t, \\; or \\\\) (expected TEMPLATE[;special=true|false] with {text} in "
                + "TEMPLATE)", "Try 'qdecode generate --help' for the options."), r.err().lines().toList());
    }

    @Test
    void everyCommandWithTheOptionChecksItSo(@TempDir Path tmp) {
        String bad = "no placeholder";
        for (String[] args : new String[][] {
            {"train", "--prompt-format", bad, "--out", tmp.resolve("run").toString()},
            {"evaluate", "--policy", tmp.resolve("no-run").toString(), "--prompt-format", bad},
            {"bench", "train", "--prompt-format", bad},
        }) {
            CliRunner.Result r = CliRunner.run(args);
            assertEquals(ExitCodes.USAGE, r.code(), r.err());
            List<String> lines = r.err().lines().toList();
            assertEquals(2, lines.size(), r.err());
            assertEquals("qdecode: error: Invalid value for option '--prompt-format': prompt format \"no placeholder\": "
                    + "the template has no {text} placeholder (expected TEMPLATE[;special=true|false] with {text} in "
                    + "TEMPLATE)", lines.get(0));
            assertEquals(true, lines.get(1).startsWith("Try 'qdecode ") && lines.get(1).endsWith(" --help' for the options."),
                    r.err());
        }
    }

    /**
     * The value is parsed once, while the command line is parsed: the option holds that format, which the model
     * is loaded with (the converter parsed it only to check it and returned the text, which {@code ModelOptions}
     * parsed again at load). The value as written is still what {@code run.json} records.
     */
    @Test
    void theOptionHoldsTheFormatParsedOnceAndTheTextAsWritten(@TempDir Path tmp) throws Exception {
        String spec = "Q: {text}\\nA:;special=false";
        GenerateCommand cmd = new GenerateCommand();
        new CommandLine(cmd).parseArgs("--prompt-format", spec, "--prompt", "Hi");
        assertEquals(PromptFormat.parse(spec), cmd.modelOptions.promptFormat.format());
        assertEquals("Q: {text}\nA:", cmd.modelOptions.promptFormat.format().template());
        assertEquals(spec, cmd.modelOptions.promptFormat.toString());

        // recorded as given ("<|start_story|>{text}", not its normalised "...;special=true")
        Path out = tmp.resolve("g.tsv");
        CliRunner.Result r = CliRunner.run("generate", "--prompt-format", "<|start_story|>{text}", "--prompts",
                CliRunner.shared().resolve("data/prompts/story_prompts.dev.tsv").toString(), "--limit", "1",
                "--max-new-tokens", "2", "--output", out.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertEquals("<|start_story|>{text}", JsonParser.parseString(Files.readString(tmp.resolve("g.tsv.run.json")))
                .getAsJsonObject().getAsJsonObject("options").get("--prompt-format").getAsString());
    }

    @Test
    void aGoodFormatIsKeptAsWritten() {
        CliRunner.Result r = CliRunner.run("generate", "--prompt-format", "<|start_story|>{text};special=false",
                "--prompt", "Once upon a time,", "--strategy", "greedy", "--max-new-tokens", "3");
        assertEquals(ExitCodes.OK, r.code(), r.err());
    }
}
