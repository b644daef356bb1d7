package dev.qdecode.rewards.classifier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test helper: a {@code sentence<TAB>label} TSV with a header and no quoting (split on tab only). */
record LabeledTsv(List<String> texts, List<String> labels) {

    static Path shared() {
        return Path.of(System.getProperty("qdecode.shared", "../../shared"));
    }

    static LabeledTsv read(Path file, int limit) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            List<String> texts = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            for (int i = 1; i < lines.size() && texts.size() < limit; i++) {
                String line = lines.get(i);
                if (line.isEmpty()) {
                    continue;
                }
                int tab = line.lastIndexOf('\t');
                if (tab < 0) {
                    throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected sentence<TAB>label");
                }
                texts.add(line.substring(0, tab));
                labels.add(line.substring(tab + 1).trim());
            }
            return new LabeledTsv(texts, labels);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
