package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.tokenizer.BpeConfig;
import dev.qdecode.tokenizer.BpeTrainer;
import dev.qdecode.tokenizer.TextTokenizer;
import dev.qdecode.tokenizer.TrainedTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerCommandTest {
    /** The second line of a usage error (exit 2): an option value that does not parse or fit the others. */
    private static final String HINT = "Try 'qdecode tokenizer train --help' for the options.";

    @TempDir Path tmp;

    private static Path multi30k(String name) {
        return CliRunner.shared().resolve("data/multi30k").resolve(name);
    }

    @Test
    void trainsAJointVocabularyThatRoundTripsTheTrainingRows() throws IOException {
        Path out = tmp.resolve("tok");
        CliRunner.Result r = CliRunner.run("tokenizer", "train", "--data", multi30k("en-de.train.tsv").toString(),
                "--columns", "en,de", "--limit", "1000", "--vocab-size", "1000", "--byte-fallback",
                "--special-tokens", "<sep>,<eot>", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().strip().lines().count(), r.out());
        Matcher m = Pattern.compile("vocab 1000 \\((\\d+) base \\+ (\\d+) merges, byte fallback\\), 2000 texts, "
                + "trained in [0-9.]+ s; on the data ([0-9.]+) chars/token, tokens/text en ([0-9.]+), de ([0-9.]+);")
                .matcher(r.out());
        assertTrue(m.find(), r.out());
        assertEquals(1000, Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2)));
        double charsPerToken = Double.parseDouble(m.group(3));
        assertTrue(charsPerToken > 1.5 && charsPerToken < 10, r.out());

        List<String> lines = new ArrayList<>();
        List<String> rows = Files.readAllLines(multi30k("en-de.train.tsv"), StandardCharsets.UTF_8);
        for (String row : rows.subList(1, 1001)) {
            String[] f = row.split("\t", -1);
            lines.add(f[1]);
            lines.add(f[2]);
        }
        long tokens = 0;
        try (TextTokenizer tok = TextTokenizer.load(out)) {
            assertEquals(1000, tok.vocabSize());
            assertEquals("<sep>", tok.piece(4));
            assertEquals("<eot>", tok.piece(5));
            assertEquals(1, tok.bosId());
            assertEquals(3, tok.padId());
            for (String line : lines) {
                int[] ids = tok.encode(line, false);
                tokens += ids.length;
                assertEquals(line, tok.decode(ids, false));
            }
        }
        long chars = lines.stream().mapToLong(s -> s.codePointCount(0, s.length())).sum();
        assertEquals(chars / (double) tokens, charsPerToken, 0.006, "summary matches an independent count");
    }

    @Test
    void readsSeveralFilesAndPlainTextInByteLevelStyle() throws IOException {
        Path txt = tmp.resolve("extra.txt");
        Files.writeString(txt, "Grüße aus Köln!\nSchöne Straße.\n", StandardCharsets.UTF_8);
        Path out = tmp.resolve("bl");
        CliRunner.Result r = CliRunner.run("tokenizer", "train", "--data", multi30k("en-de.val.tsv").toString(),
                multi30k("en-de.test_2016_flickr.tsv").toString(), txt.toString(), "--columns", "de",
                "--vocab-size", "600", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("byte-level), 2016 texts"), r.out());
        assertTrue(r.out().contains("tokens/text de ") && r.out().contains(", lines "), r.out());
        try (TextTokenizer tok = TextTokenizer.load(out)) {
            assertEquals(600, tok.vocabSize());
            for (String s : List.of("Grüße aus Köln!", "日本 ok")) {
                assertEquals(s, tok.decode(tok.encode(s, false), false));
            }
        }
        // Training into the same --out again is refused and keeps the tokenizer, unless --overwrite.
        String json = Files.readString(out.resolve("tokenizer.json"));
        String[] again = {"tokenizer", "train", "--data", txt.toString(), "--vocab-size", "300", "--out", out.toString()};
        CliRunner.Result refused = CliRunner.run(again);
        assertEquals(ExitCodes.USAGE, refused.code(), refused.err());
        assertEquals("qdecode: error: --out " + out + ": already holds special_tokens_map.json, "
                + "tokenizer-provenance.json, tokenizer.json and 1 more (choose another --out, or add "
                + "--overwrite to write a tokenizer over them)",
                refused.err().strip());
        assertEquals(json, Files.readString(out.resolve("tokenizer.json")));
        String[] replace = Arrays.copyOf(again, again.length + 1);
        replace[again.length] = "--overwrite";
        CliRunner.Result replaced = CliRunner.run(replace);
        assertEquals(ExitCodes.OK, replaced.code(), replaced.err());
        try (TextTokenizer tok = TextTokenizer.load(out)) {
            assertTrue(tok.vocabSize() <= 300, "the new tokenizer replaced the 600-token one: " + tok.vocabSize());
        }
    }

    /**
     * The tokenizer says how it was made, as the project's other outputs do: tokenizer-provenance.json records the
     * options as they took effect, each --data file's path and sha256, the sha256 of the files written, qdecode's
     * version and what training gave; the same command gives the same tokenizer, so only the time differs.
     */
    @Test
    void recordsItsProvenance() throws IOException {
        Path data = multi30k("en-de.val.tsv");
        Path out = tmp.resolve("prov");
        String[] args = {"tokenizer", "train", "--data", data.toString(), "--columns", "en,de", "--vocab-size",
            "700", "--special-tokens", "<sep>", "--limit", "300", "--out", out.toString()};
        CliRunner.Result r = CliRunner.run(args);
        assertEquals(0, r.code(), r.err());
        com.google.gson.JsonObject p = com.google.gson.JsonParser.parseString(
                Files.readString(out.resolve("tokenizer-provenance.json"))).getAsJsonObject();
        assertEquals("qdecode tokenizer train", p.get("command").getAsString());
        assertEquals(VersionProvider.version(), p.get("qdecode_version").getAsString());
        com.google.gson.JsonObject o = p.getAsJsonObject("options");
        assertEquals(List.of("--data", "--columns", "--vocab-size", "--byte-fallback", "--special-tokens",
                "--min-frequency", "--limit", "--out"), List.copyOf(o.keySet()));
        assertEquals(data.toAbsolutePath().normalize().toString(), o.getAsJsonArray("--data").get(0).getAsString());
        assertEquals("[\"en\",\"de\"]", o.get("--columns").toString());
        assertEquals(700, o.get("--vocab-size").getAsInt());
        assertEquals(2, o.get("--min-frequency").getAsInt(), "the default, as it took effect");
        assertEquals(300, o.get("--limit").getAsInt());
        assertEquals("[\"<sep>\"]", o.get("--special-tokens").toString());
        com.google.gson.JsonObject d = p.getAsJsonArray("data").get(0).getAsJsonObject();
        assertEquals(dev.qdecode.data.Datasets.sha256(data), d.get("sha256").getAsString());
        for (String f : List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")) {
            assertEquals(dev.qdecode.data.Datasets.sha256(out.resolve(f)),
                    p.getAsJsonObject("tokenizer_sha256").get(f).getAsString(), f);
        }
        com.google.gson.JsonObject result = p.getAsJsonObject("result");
        try (TextTokenizer tok = TextTokenizer.load(out)) {
            assertEquals(tok.vocabSize(), result.get("vocab_size").getAsInt());
        }
        assertEquals(600, result.get("texts").getAsLong(), "300 rows, two columns");
        // the same command again (--overwrite) gives the same tokenizer and the same record but its time
        String[] again = Arrays.copyOf(args, args.length + 1);
        again[args.length] = "--overwrite";
        assertEquals(0, CliRunner.run(again).code());
        com.google.gson.JsonObject q = com.google.gson.JsonParser.parseString(
                Files.readString(out.resolve("tokenizer-provenance.json"))).getAsJsonObject();
        p.remove("created");
        q.remove("created");
        assertEquals(p, q);
    }

    /**
     * Blank segments (empty or white-space-only lines and values) are not trained on: the summary counts
     * the texts trained on and, apart, the blank ones skipped, and the tokens/text figure is over the texts.
     */
    @Test
    void blankSegmentsAreSkippedAndCountedApartFromTheTexts() throws IOException {
        Path txt = Files.writeString(tmp.resolve("blanks.txt"), "hello world\n\nthe cat sat\n   \nhello cat world\n"
                + "the world\n", StandardCharsets.UTF_8);
        CliRunner.Result r = CliRunner.run("tokenizer", "train", "--data", txt.toString(), "--vocab-size", "300",
                "--out", tmp.resolve("plain").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(", 4 texts (2 blank segments skipped: empty or white-space only), trained in "),
                r.out());
        Matcher m = Pattern.compile("tokens/text lines ([0-9.]+);").matcher(r.out());
        assertTrue(m.find(), r.out());
        long tokens = 0;
        try (TextTokenizer tok = TextTokenizer.load(tmp.resolve("plain"))) {
            for (String text : List.of("hello world", "the cat sat", "hello cat world", "the world")) {
                tokens += tok.encode(text, false).length;
            }
        }
        assertEquals(tokens / 4.0, Double.parseDouble(m.group(1)), 0.006, "per text trained on, blanks left out");

        Path tsv = Files.writeString(tmp.resolve("blank-value.tsv"), "en\tde\nthe cat\tdie Katze\nx y\t \n",
                StandardCharsets.UTF_8);
        r = CliRunner.run("tokenizer", "train", "--data", tsv.toString(), "--columns", "en,de", "--vocab-size", "300",
                "--out", tmp.resolve("table").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(", 3 texts (1 blank segment skipped: empty or white-space only), trained in "),
                r.out());

        // Without blank segments the summary says nothing of them.
        r = CliRunner.run("tokenizer", "train", "--data", tsv.toString(), "--columns", "en", "--vocab-size", "300",
                "--out", tmp.resolve("none").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(", 2 texts, trained in "), r.out());
    }

    /**
     * A special token inside a text is the one case --byte-fallback style does not decode back (a space
     * after it): counted in a warning naming the first such text; byte-level style decodes it back.
     */
    @Test
    void textsThatDoNotDecodeBackExactlyAreCountedAndTheFirstIsNamed() throws IOException {
        Path data = tmp.resolve("marks.tsv");
        Files.writeString(data, "en\tde\nthe cat sat\tdie Katze sass\nhello world\thallo Welt\n"
                + "a<sep>b\tc d\n", StandardCharsets.UTF_8);
        CliRunner.Result llama = CliRunner.run("tokenizer", "train", "--data", data.toString(), "--columns", "en,de",
                "--vocab-size", "300", "--byte-fallback", "--special-tokens", "<sep>", "--out",
                tmp.resolve("llama").toString());
        assertEquals(0, llama.code(), llama.err());
        assertEquals("qdecode: warning: 1 of 6 training texts do not decode back exactly (first: " + data
                + ":4 column en: it contains the special token <sep>, which decodes with a space after it); without "
                + "--byte-fallback (byte-level style) every text decodes back exactly", llama.err().strip());

        CliRunner.Result byteLevel = CliRunner.run("tokenizer", "train", "--data", data.toString(), "--columns",
                "en,de", "--vocab-size", "300", "--special-tokens", "<sep>", "--out", tmp.resolve("bl").toString());
        assertEquals(0, byteLevel.code(), byteLevel.err());
        assertEquals("", byteLevel.err().strip(), "byte-level style decodes every text back");
    }

    /**
     * The word marker ▁ (U+2581) in a training text, which a --byte-fallback tokenizer decodes as a space: that
     * style refuses the data (exit 3, one line naming FILE:LINE, the column and the character's position) and
     * writes nothing; byte-level style trains on it and every line (▁ at the start, the end, doubled, beside
     * spaces) decodes back exactly through DJL's tokenizer.
     */
    @Test
    void aWordMarkerInTheTextIsRefusedWithByteFallbackAndDecodedBackWithout() throws IOException {
        List<String> lines = List.of("hello world", "\u2581start here", "end here\u2581", "doubled \u2581\u2581 marker",
                "next to \u2581 spaces ", "a\u2581b", "hello world");
        Path text = tmp.resolve("marker.txt");
        Files.writeString(text, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        Path out = tmp.resolve("marker-llama");
        CliRunner.Result llama = CliRunner.run("tokenizer", "train", "--data", text.toString(), "--vocab-size", "300",
                "--byte-fallback", "--out", out.toString());
        assertEquals(3, llama.code(), llama.err());
        assertEquals("qdecode: error: " + text + ":2: character 1 is the word marker ▁ (U+2581), which a "
                + "--byte-fallback tokenizer cannot decode back: it decodes as a space (expected text without it, or "
                + "no --byte-fallback: byte-level style keeps it)", llama.err().strip());
        assertFalse(Files.exists(out), "nothing written");

        Path tsv = tmp.resolve("marker.tsv");
        Files.writeString(tsv, "en\tde\nthe cat\tdie Katze\nthe dog\tder \u2581Hund\n", StandardCharsets.UTF_8);
        CliRunner.Result table = CliRunner.run("tokenizer", "train", "--data", tsv.toString(), "--columns", "en,de",
                "--vocab-size", "300", "--byte-fallback", "--out", tmp.resolve("marker-table").toString());
        assertEquals(3, table.code(), table.err());
        assertTrue(table.err().strip().startsWith("qdecode: error: " + tsv + ":3 column de: character 5 is the word "
                + "marker ▁ (U+2581)"), table.err());

        Path bl = tmp.resolve("marker-bl");
        CliRunner.Result byteLevel = CliRunner.run("tokenizer", "train", "--data", text.toString(), "--vocab-size",
                "300", "--out", bl.toString());
        assertEquals(0, byteLevel.code(), byteLevel.err());
        assertEquals("", byteLevel.err().strip());
        try (TextTokenizer tok = TextTokenizer.load(bl)) {
            for (String line : lines) {
                assertEquals(line, tok.decode(tok.encode(line, false), false));
            }
        }
    }

    /** A UTF-8 byte-order mark starting a plain-text file is not trained as text (as for table files). */
    @Test
    void aByteOrderMarkBeforeThePlainTextIsNotText() throws IOException {
        Path bom = tmp.resolve("bom.txt");
        Files.write(bom, ("\uFEFF" + "hello\n".repeat(3)).getBytes(StandardCharsets.UTF_8));
        Path out = tmp.resolve("bom");
        CliRunner.Result r = CliRunner.run("tokenizer", "train", "--data", bom.toString(), "--vocab-size", "270",
                "--min-frequency", "1", "--out", out.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        String merges = com.google.gson.JsonParser.parseString(Files.readString(out.resolve("tokenizer.json"),
                StandardCharsets.UTF_8)).getAsJsonObject().getAsJsonObject("model").get("merges").toString();
        // Before the fix the byte-level pieces of EF BB BF (ï » ¿) were merged too: '» ¿', 'ï »¿'.
        assertEquals("[\"e l\",\"h el\",\"l o\",\"hel lo\"]", merges);
        try (TextTokenizer tok = TextTokenizer.load(out)) {
            int[] ids = tok.encode("hello", false);
            assertEquals(1, ids.length, "the 4 merges all went to hello: " + Arrays.toString(ids));
            assertEquals("hello", tok.piece(ids[0]));
        }
    }

    /**
     * Plain-text lines end in \n or \r\n: a carriage return elsewhere is text, kept in its segment (decoding back to
     * it) rather than ending a line there, and the lines after it are named by the file's own line numbers (as the
     * UTF-8 check and .jsonl files number them).
     */
    @Test
    void aLoneCarriageReturnInPlainTextIsTextNotALineEnd() throws IOException {
        Path cr = tmp.resolve("cr.txt");
        Files.writeString(cr, "hello\rworld\r\nhello world\nhello\r", StandardCharsets.UTF_8);
        Path out = tmp.resolve("cr");
        CliRunner.Result r = CliRunner.run("tokenizer", "train", "--data", cr.toString(), "--vocab-size", "300",
                "--byte-fallback", "--out", out.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().contains(", 3 texts, trained in "), r.out()); // before: 4 (hello, world, ...)
        assertEquals("", r.err().strip(), "every text decodes back");
        try (TextTokenizer tok = TextTokenizer.load(out)) {
            assertEquals("hello\rworld", tok.decode(tok.encode("hello\rworld", false), false));
        }

        Path marked = tmp.resolve("cr-marked.txt");
        Files.writeString(marked, "one\rtwo\nthree \u2581\n", StandardCharsets.UTF_8);
        r = CliRunner.run("tokenizer", "train", "--data", marked.toString(), "--vocab-size", "300", "--byte-fallback",
                "--out", tmp.resolve("cr-marked").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().startsWith("qdecode: error: " + marked + ":2: character 7 is the word marker"), r.err());
    }

    /**
     * With --overwrite, the earlier tokenizer's record goes before the new files are written: a run cut short after
     * saving (Ctrl-C while the texts are decoded back) left the earlier tokenizer-provenance.json, its vocabulary and
     * sha256s, beside the new tokenizer.json, so the directory looked finished with a record that was not its own.
     */
    @Test
    void savingOverAnEarlierTokenizerRemovesItsRecordFirst() throws IOException {
        Path data = tmp.resolve("over.txt");
        Files.writeString(data, "hello world\nhello there\n", StandardCharsets.UTF_8);
        Path out = tmp.resolve("over");
        CliRunner.Result r = CliRunner.run("tokenizer", "train", "--data", data.toString(), "--vocab-size", "300",
                "--out", out.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(Files.exists(out.resolve(TokenizerCommand.PROVENANCE_FILE)));
        String before = Files.readString(out.resolve("tokenizer.json"), StandardCharsets.UTF_8);

        // what the command does up to the point a Ctrl-C in the decode-back check stops it
        TrainedTokenizer other = BpeTrainer.train(List.of("hello world", "hello there"), new BpeConfig(280, 1,
                true, List.of()));
        TokenizerCommand.saveOver(other, out);
        assertFalse(Files.exists(out.resolve(TokenizerCommand.PROVENANCE_FILE)),
                "no record beside files it does not describe");
        assertFalse(before.equals(Files.readString(out.resolve("tokenizer.json"), StandardCharsets.UTF_8)));

        r = CliRunner.run("tokenizer", "train", "--data", data.toString(), "--vocab-size", "300", "--overwrite",
                "--out", out.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertEquals(before, Files.readString(out.resolve("tokenizer.json"), StandardCharsets.UTF_8));
        assertTrue(Files.exists(out.resolve(TokenizerCommand.PROVENANCE_FILE)), "a finished run records itself");
    }

    @Test
    void badInputGivesOneLineAndExitCode() throws IOException {
        String train = multi30k("en-de.val.tsv").toString();
        CliRunner.Result r = CliRunner.run("tokenizer", "train", "--data", train, "--columns", "en,de",
                "--vocab-size", "300", "--byte-fallback", "--out", tmp.resolve("a").toString());
        // Known only after reading the data (its characters are base tokens), still a usage error as below.
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().matches("qdecode: error: --vocab-size 300 is smaller than the base alphabet: at least "
                + "\\d+ needed \\(4 special tokens \\+ 256 byte tokens \\+ \\d+ distinct characters of the "
                + "training data\\)\\R" + Pattern.quote(HINT) + "\\R"), r.err());
        r = CliRunner.run("tokenizer", "train", "--data", train, "--columns", "en,de",
                "--vocab-size", "10", "--out", tmp.resolve("a").toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals(List.of("qdecode: error: --vocab-size 10 is smaller than the base alphabet: at least 260 needed "
                + "(4 special tokens + 256 byte tokens)", HINT), r.err().lines().toList());

        r = CliRunner.run("tokenizer", "train", "--data", train, "--columns", "en,nosuch", "--vocab-size", "500",
                "--out", tmp.resolve("b").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().contains("nosuch"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());

        Path empty = tmp.resolve("empty.txt");
        Files.writeString(empty, "\n\n");
        r = CliRunner.run("tokenizer", "train", "--data", empty.toString(), "--vocab-size", "500",
                "--out", tmp.resolve("c").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals("qdecode: error: --data " + empty + ": no text to train on: 2 segments read, all empty or "
                + "blank (expected at least one that is not blank: a line of a plain-text file)", r.err().strip());

        r = CliRunner.run("tokenizer", "train", "--data", train, "--columns", "en", "--vocab-size", "500",
                "--special-tokens", "<sep>,<sep>", "--out", tmp.resolve("d").toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--special-tokens: '<sep>' given twice (expected each once)"), r.err());
        for (String[] bad : new String[][] {{"--special-tokens", ","}, {"--special-tokens", "<a>,"},
            {"--columns", "en,en"}, {"--data", train}, {"--min-frequency", "0"}}) {
            r = CliRunner.run("tokenizer", "train", "--data", train, "--columns", "en", "--vocab-size", "500",
                    bad[0], bad[1], "--out", tmp.resolve("d").toString());
            assertEquals(ExitCodes.USAGE, r.code(), r.err());
            assertTrue(r.err().contains(bad[0].equals("--data") ? "given twice" : bad[0]), r.err());
            assertEquals(2, r.err().strip().lines().count(), r.err()); // the error line, then the --help hint
        }

        // a single ordinary character would replace that character in every text (it was accepted)
        for (boolean fallback : new boolean[] {true, false}) { // Llama, byte-level style
            List<String> args = new ArrayList<>(List.of("tokenizer", "train", "--data", train, "--columns",
                    "en", "--vocab-size", "500", "--special-tokens", "<sep>,a", "--out", tmp.resolve("d").toString()));
            if (fallback) {
                args.add("--byte-fallback");
            }
            r = CliRunner.run(args.toArray(new String[0]));
            assertEquals(ExitCodes.USAGE, r.code(), r.err());
            assertEquals(List.of("qdecode: error: --special-tokens a: a single character, which would replace that "
                    + "character in every text (dropped where special tokens are skipped); expected a longer token such "
                    + "as <sep>", HINT), r.err().lines().toList());
        }

        Path blank = Files.writeString(tmp.resolve("blank.tsv"), "en\tde\n\t\n \t \n");
        r = CliRunner.run("tokenizer", "train", "--data", blank.toString(), empty.toString(), "--columns", "en,de",
                "--vocab-size", "300", "--byte-fallback", "--out", tmp.resolve("b").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals("qdecode: error: --data " + blank + ", " + empty + ": no text to train on: 6 segments read, all "
                + "empty or blank (expected at least one that is not blank: a line of a plain-text file or a value "
                + "in columns en,de of a table file)", r.err().strip());

        r = CliRunner.run("tokenizer", "train", "--data", train, "--out", tmp.resolve("e").toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--vocab-size"), r.err());
    }

    /**
     * An option value that does not parse or does not fit the others is bad usage (exit 2): the error line, then
     * {@code Try 'qdecode tokenizer train --help' for the options.}, as the README's error section says and every
     * other command does. These printed the error line alone. A bad input file (exit 3) gets no hint.
     */
    @Test
    void optionValuesThatDoNotFitAreUsageWithTheHelpHint() throws IOException {
        String train = multi30k("en-de.val.tsv").toString();
        String[][] cases = {
            {"--vocab-size", "10", "--vocab-size 10 is smaller than the base alphabet: at least 260 needed (4 special "
                + "tokens + 256 byte tokens)"},
            {"--min-frequency", "0", "--min-frequency 0: expected at least 1"},
            {"--limit", "-1", "--limit: expected 0 (all) or a positive count but got -1"},
            {"--columns", "en,en", "--columns: 'en' given twice (expected each once)"},
            {"--special-tokens", "<sep>", "--special-tokens: '<sep>' given twice (expected each once)"},
            {"--special-tokens", "<a>,", "--special-tokens '<a>,': an empty entry (expected names separated by commas)"},
            {"--data", train, "--data " + train + ": given twice (expected each file once, so that no text counts "
                + "double)"},
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("tokenizer", "train", "--data", train, "--out",
                    tmp.resolve("hint").toString(), c[0], c[1]));
            for (String[] d : new String[][] {{"--columns", "en"}, {"--vocab-size", "500"}}) {
                if (!d[0].equals(c[0])) {
                    args.addAll(List.of(d));
                }
            }
            if (c[1].equals("<sep>")) { // the option repeated
                args.addAll(List.of("--special-tokens", "<sep>"));
            }
            CliRunner.Result r = CliRunner.run(args.toArray(new String[0]));
            assertEquals(ExitCodes.USAGE, r.code(), c[0] + " " + c[1] + ": " + r.err());
            assertEquals(List.of("qdecode: error: " + c[2], HINT), r.err().lines().toList(), c[0] + " " + c[1]);
        }
        // bad input (a column the file lacks, exit 3): the one line alone
        CliRunner.Result r = CliRunner.run("tokenizer", "train", "--data", train, "--columns", "nosuch", "--vocab-size",
                "500", "--out", tmp.resolve("hint").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("qdecode: error: ") && r.err().contains("nosuch"), r.err());
    }
}
