package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rewards score --output} keeps its scores in FILE.part chunk by chunk; a run cut where a kill leaves
 * it (whole rows, then half a row) resumes with --resume to the uninterrupted run's file and corpus score,
 * and a resume with another setting or input is refused.
 */
class RewardsScoreResumeTest {

    @Test
    void anInterruptedScoringResumesToTheUninterruptedOne(@TempDir Path tmp) throws Exception {
        StringBuilder hyp = new StringBuilder();
        StringBuilder ref = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            hyp.append("the cat sat on the mat number ").append(i).append(i % 3 == 0 ? " today\n" : "\n");
            ref.append("the cat sat on a mat number ").append(i).append('\n');
        }
        Path hyps = Files.writeString(tmp.resolve("hyp.txt"), hyp);
        Path refs = Files.writeString(tmp.resolve("ref.txt"), ref);
        Path full = tmp.resolve("full.tsv");
        String[] common = {"rewards", "score", "--reward", "bleu", "--hyp", hyps.toString(), "--ref", refs.toString(),
            "--output"};
        CliRunner.Result whole = CliRunner.run(concat(common, full.toString()));
        assertEquals(ExitCodes.OK, whole.code(), whole.err());
        List<String> rows = Files.readAllLines(full);
        assertEquals(31, rows.size()); // header + 30
        // the record holds the options this scoring reads: not the table columns of plain-text files, nor the
        // seed that only plug-in rewards draw from
        com.google.gson.JsonObject options = com.google.gson.JsonParser.parseString(
                Files.readString(ResumableOutput.runFile(full))).getAsJsonObject().getAsJsonObject("options");
        for (String unread : List.of("--column", "--label-column", "--ref-column", "--seed")) {
            assertTrue(!options.has(unread), unread + " in " + options);
        }
        assertEquals("[\"bleu\"]", options.get("--reward").toString());
        assertEquals(hyps.toAbsolutePath().normalize().toString(), options.get("--hyp").getAsString());
        assertTrue(options.has("--ref") && options.has("--output"), options.toString());

        // the header, 12 rows and half of the next
        Path cut = tmp.resolve("cut.tsv");
        List<String> kept = new ArrayList<>(rows.subList(0, 13));
        Files.writeString(RecordWriter.part(cut), String.join("\n", kept) + "\n"
                + rows.get(13).substring(0, rows.get(13).length() / 2));
        Files.copy(ResumableOutput.runFile(full), ResumableOutput.runFile(RecordWriter.part(cut)));
        String[] otherBleu = common.clone();
        otherBleu[3] = "bleu:tokenize=intl";
        CliRunner.Result r = CliRunner.run(concat(otherBleu, cut.toString(), "--resume"));
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--reward bleu:tokenize=intl (the run's: bleu)"), r.err());
        r = CliRunner.run(concat(common, cut.toString()));
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--resume to continue it"), r.err());
        Path otherRefs = Files.writeString(tmp.resolve("ref2.txt"), ref.toString().replace("mat", "rug"));
        r = CliRunner.run("rewards", "score", "--reward", "bleu", "--hyp", hyps.toString(), "--ref", otherRefs.toString(),
                "--output", cut.toString(), "--resume");
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().contains("whose content has changed since"), r.err());

        r = CliRunner.run(concat(common, cut.toString(), "--resume"));
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.err().contains("resuming after 12/30 segments"), r.err());
        assertEquals(rows, Files.readAllLines(cut));
        assertEquals(whole.out(), r.out()); // the corpus BLEU and the mean over all 30
        assertTrue(whole.out().startsWith("BLEU|"), whole.out());
        // without --output there is nothing to resume
        r = CliRunner.run("rewards", "score", "--reward", "bleu", "--hyp", hyps.toString(), "--ref", refs.toString(),
                "--resume");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--resume: not for rewards score without --output"), r.err());
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
