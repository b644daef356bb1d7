package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C in {@code classifier train} printed "interrupted: nothing was saved to OUT" until the process ended, also
 * while {@code TextClassifier.save} was writing OUT (it removes an earlier classifier's checksums.json, then writes
 * head.safetensors, classifier.json and checksums.json). The line in force while it saves now says that OUT may hold
 * an incomplete classifier, which every load refuses; this test sees which line is in force when (no signal is sent:
 * when one lands is timing), and that the states a save cut short leaves are refused by a load.
 */
class ClassifierSaveNoticeTest {
    @TempDir Path tmp;

    private static List<String> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(f -> f.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theLineInForceWhileSavingSaysTheDirectoryMayHoldAnIncompleteClassifierThatLoadsRefuse() throws IOException {
        String cache = System.getProperty("qdecode.cache.embeddings");
        System.setProperty("qdecode.cache.embeddings", tmp.resolve("cache").toString());
        Path out = tmp.resolve("clf");
        Path dev = CliRunner.shared().resolve("data/sst2/dev.tsv");
        List<String> installed = new ArrayList<>(); // each line installed, with what --out held at that moment
        BiConsumer<PrintWriter, String> real = ClassifierCommand.quitWithNotice;
        ClassifierCommand.quitWithNotice = (err, notice) -> installed.add(notice + " | " + files(out));
        CliRunner.Result r;
        try {
            r = CliRunner.run("classifier", "train", "--data", CliRunner.shared().resolve("data/sst2/train.tsv")
                    .toString(), "--limit", "80", "--encoder", CliRunner.model("stories260K"), "--out", out.toString());
        } finally {
            ClassifierCommand.quitWithNotice = real;
            if (cache != null) {
                System.setProperty("qdecode.cache.embeddings", cache);
            } else {
                System.clearProperty("qdecode.cache.embeddings");
            }
        }
        assertEquals(0, r.code(), r.err());
        assertEquals(2, installed.size(), installed.toString());
        assertTrue(installed.get(0).startsWith("nothing was saved to " + out + " ("), installed.get(0));
        assertTrue(installed.get(0).endsWith(" | []"), installed.get(0));
        // the second line goes in before the save begins (--out still empty), so "nothing was saved" is never in
        // force while the files are written
        assertEquals(ClassifierCommand.savingNotice(out) + " | []", installed.get(1));
        assertTrue(ClassifierCommand.savingNotice(out).startsWith("the save was cut short: " + out + " may hold an "
                + "incomplete classifier, which every load refuses"));
        assertEquals(List.of("checksums.json", "classifier.json", "head.safetensors"), files(out));

        // what the line says: each state a save cut short leaves (in the order it writes) is refused by a load
        byte[] head = Files.readAllBytes(out.resolve("head.safetensors"));
        byte[] record = Files.readAllBytes(out.resolve("checksums.json"));
        byte[] metadata = Files.readAllBytes(out.resolve("classifier.json"));
        List<Path> cutShort = new ArrayList<>();
        Path headOnly = Files.createDirectories(tmp.resolve("head-only")); // a first save: no classifier.json yet
        Files.write(headOnly.resolve("head.safetensors"), head);
        cutShort.add(headOnly);
        Path halfHead = Files.createDirectories(tmp.resolve("half-head")); // over an earlier one: its record removed
        Files.write(halfHead.resolve("classifier.json"), metadata);
        Files.write(halfHead.resolve("head.safetensors"), java.util.Arrays.copyOf(head, head.length / 2));
        cutShort.add(halfHead);
        Path noRecord = Files.createDirectories(tmp.resolve("no-record")); // classifier.json written, record not yet
        Files.write(noRecord.resolve("head.safetensors"), head);
        Files.write(noRecord.resolve("classifier.json"), metadata);
        cutShort.add(noRecord);
        Path halfRecord = Files.createDirectories(tmp.resolve("half-record")); // the record cut short
        Files.write(halfRecord.resolve("head.safetensors"), head);
        Files.write(halfRecord.resolve("classifier.json"), metadata);
        Files.write(halfRecord.resolve("checksums.json"), java.util.Arrays.copyOf(record, record.length / 2));
        cutShort.add(halfRecord);
        for (Path dir : cutShort) {
            CliRunner.Result e = CliRunner.run("classifier", "eval", "--classifier", dir.toString(), "--data",
                    dev.toString(), "--limit", "4");
            assertEquals(ExitCodes.BAD_INPUT, e.code(), dir + ": " + e.err());
            assertEquals(1, e.err().strip().lines().count(), e.err());
        }
        CliRunner.Result whole = CliRunner.run("classifier", "eval", "--classifier", out.toString(), "--data",
                dev.toString(), "--limit", "4");
        assertEquals(0, whole.code(), whole.err());
    }
}
