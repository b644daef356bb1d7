package dev.qdecode.rewards.classifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.models.NativeCalls;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The MiniLM encoder brackets each ONNX Runtime batch with its {@link NativeCalls} gate, which the JVM's
 * shutdown (and qdecode's Ctrl-C quit) quiesces. Before, SIGTERM or Ctrl-C during {@code classifier
 * train}, a classifier benchmark or a classifier reward ended the JVM under a running
 * {@code OrtSession.run} or {@code createSession}: SIGSEGV/SIGBUS in libonnxruntime (5 crashes in 12
 * SIGTERMs of the benchmark on a loaded machine). A gate of the test's own: quiescing
 * {@link NativeCalls#PROCESS} would block every other encoder in this JVM.
 */
class MiniLmNativeCallsTest {

    @Test
    void aQuiescedGateLetsTheBatchInFlightEndAndStartsNoOther() throws Exception {
        NativeCalls gate = new NativeCalls();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            texts.add("sentence number " + i + " is about a dog that ran to the park " + "and back ".repeat(i % 7));
        }
        try (MiniLmEncoder enc = MiniLmEncoder.open(true, 1, gate)) {
            assertEquals(0, gate.inFlight(), "loading the model is a native call that has ended");
            AtomicInteger batches = new AtomicInteger();
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread embedding = new Thread(() -> {
                try {
                    enc.embedBatches(texts, (rows, vectors) -> batches.incrementAndGet());
                    outcome.set(new AssertionError("all " + texts.size() + " texts were embedded"));
                } catch (RuntimeException e) {
                    outcome.set(e);
                }
            }, "embedding");
            embedding.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (gate.inFlight() == 0) {
                assertTrue(embedding.isAlive(), "the embedding ended: " + outcome.get());
                assertTrue(System.nanoTime() < deadline, "no ONNX Runtime batch ever entered the gate");
                Thread.onSpinWait();
            }
            assertTrue(gate.quiesce(60_000), "the batch in flight ended");
            assertEquals(0, gate.inFlight());
            // The encoder now waits at the gate before its next batch (the JVM would end meanwhile).
            while (embedding.getState() != Thread.State.WAITING) {
                assertTrue(embedding.isAlive(), "the embedding ended: " + outcome.get());
                assertTrue(System.nanoTime() < deadline, "the encoder never waited: " + embedding.getState());
                Thread.sleep(5);
            }
            int done = batches.get();
            assertTrue(done < texts.size(), done + " batches");
            embedding.interrupt();
            embedding.join(60_000);
            assertEquals(done, batches.get(), "no batch ran once the gate was quiesced");
            assertTrue(outcome.get() instanceof IllegalStateException, String.valueOf(outcome.get()));
            assertEquals("native call refused: the JVM is shutting down", outcome.get().getMessage());
            assertEquals(0, gate.inFlight());
        }
    }
}
