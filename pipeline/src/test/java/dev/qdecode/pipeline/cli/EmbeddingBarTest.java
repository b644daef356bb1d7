package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The bar of an embedding that goes on from the vectors an interrupted job kept. */
class EmbeddingBarTest {
    /**
     * A job that goes on from 60,000 kept vectors and embeds 100 more in about a second draws a rate of
     * about 100 texts/s, not the 60,000 kept ones counted as embedded in that second.
     */
    @Test
    void aResumedEmbeddingsRateCountsOnlyTheTextsItEmbeds() throws InterruptedException {
        StringWriter text = new StringWriter();
        EmbeddingBar bar = new EmbeddingBar(new PrintWriter(text, true));
        bar.update(60_000, 60_100); // the kept vectors, reported before any work
        Thread.sleep(1100);
        bar.update(60_100, 60_100);
        List<String> lines = text.toString().lines().toList();
        String last = lines.get(lines.size() - 1);
        Matcher m = Pattern.compile(" ([0-9.]+)/s ").matcher(last);
        assertTrue(m.find(), last);
        double rate = Double.parseDouble(m.group(1));
        assertTrue(rate < 200, "rate " + rate + " texts/s counts the kept vectors: " + last);
    }
}
