package dev.qdecode.rewards.classifier;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A disk cache of sentence embeddings, keyed by (encoder key, SHA-256 of the text list). The encoder key
 * is its id, followed by {@code @} and its {@link SentenceEncoder#contentSha256()} when it has one, so
 * that a model directory whose weights changed under the same path does not reuse the old weights'
 * embeddings. Embedding the 67k SST-2 training phrases takes minutes on two cores; reading them back
 * takes under a second.
 *
 * <p>One file per key, {@code <encoder id>[-w<first 16 digits of the content sha256>]-<sha256>.emb}: an
 * 8-byte magic {@code QDEMB001}, then little-endian int32 rows, int32 dimension, the 32-byte text-list
 * digest, int32 key length and the UTF-8 encoder key, the rows x dimension float32 values, and a CRC32C
 * of the values. A file that is
 * truncated, has the wrong key, a bad checksum or non-finite values is reported with one warning
 * line and recomputed; failing to write the cache is also only a warning. While an entry is being
 * computed, the vectors of the batches finished so far are kept beside it ({@code .emb.part}), so that a
 * job stopped part-way loses at most one batch.
 *
 * <p>For an encoder that names its {@link SentenceEncoder#threads()} (MiniLM: its ONNX Runtime intra-op count),
 * the count that computed an entry is kept beside it as text ({@code .emb.threads}; {@code .emb.part.threads}
 * while it is unfinished): {@code 2}, or {@code 2 then 1} when a job with another count finished an entry that
 * one with 2 had begun, or {@code unrecorded then 1} for batches left by a qdecode that did not record it.
 * {@link #threadsOf} reads it, so that a run records the count its embeddings were computed with rather than
 * its own.
 */
public final class EmbeddingCache {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingCache.class);
    private static final byte[] MAGIC = "QDEMB001".getBytes(StandardCharsets.US_ASCII);

    /** Age after which a temporary file in the cache is taken as left by an interrupted write. */
    static final long STALE_TEMPORARY_MILLIS = 3_600_000L;
    private final Path dir;
    /**
     * The thread counts of the entries this object computed or finished ({@link #embed}), by entry file: what it
     * wrote beside them, or would have where the cache could not be written.
     */
    private final Map<Path, String> computedWith = new ConcurrentHashMap<>();

    /**
     * A cache in a directory (created on first write).
     *
     * @param dir the directory
     */
    public EmbeddingCache(Path dir) {
        this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
    }

    /**
     * The cache at its default place: system property {@code qdecode.cache.embeddings}, else
     * environment variable {@code QDECODE_EMBEDDING_CACHE}, else {@code
     * ~/.cache/qdecode/embeddings}.
     *
     * @return the cache
     */
    public static EmbeddingCache atDefaultLocation() {
        String prop = System.getProperty("qdecode.cache.embeddings");
        if (prop != null && !prop.isBlank()) {
            return new EmbeddingCache(Path.of(prop));
        }
        String env = System.getenv("QDECODE_EMBEDDING_CACHE");
        if (env != null && !env.isBlank()) {
            return new EmbeddingCache(Path.of(env));
        }
        return new EmbeddingCache(Path.of(System.getProperty("user.home"), ".cache", "qdecode", "embeddings"));
    }

    /**
     * The cache directory.
     *
     * @return the directory
     */
    public Path directory() {
        return dir;
    }

    /**
     * The SHA-256 of a text list (each text as its UTF-8 byte count, then its bytes), as hex.
     *
     * @param texts the texts
     * @return 64 hex digits
     * @throws NullPointerException naming {@code texts} when it is null
     */
    public static String sha256(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        return HexFormat.of().formatHex(digest(texts));
    }

    /**
     * The file that holds (or would hold) the embeddings of these texts under this encoder.
     *
     * @param encoderId the encoder id
     * @param texts the texts
     * @return the path inside {@link #directory()}
     * @throws NullPointerException naming {@code encoderId} or {@code texts} when it is null
     */
    public Path fileFor(String encoderId, List<String> texts) {
        Objects.requireNonNull(encoderId, "encoderId");
        Objects.requireNonNull(texts, "texts");
        return dir.resolve(encoderId.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + sha256(texts) + ".emb");
    }

    /**
     * The file that holds (or would hold) the embeddings of these texts under this encoder: as {@link
     * #fileFor(String, List)}, with the start of the encoder's {@link SentenceEncoder#contentSha256()} (if
     * any) after its id.
     *
     * @param encoder the encoder
     * @param texts the texts
     * @return the path inside {@link #directory()}
     * @throws NullPointerException naming {@code encoder} or {@code texts} when it is null
     */
    public Path fileFor(SentenceEncoder encoder, List<String> texts) {
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(texts, "texts");
        String content = encoder.contentSha256();
        return fileFor(content == null ? encoder.id() : encoder.id() + "-w" + content.substring(0, 16), texts);
    }

    /** Suffix of the file beside an entry (or its {@code .part}) that records the threads that computed it. */
    static final String THREADS_SUFFIX = ".threads";

    /**
     * The thread count that computed the cached embeddings of these texts under this encoder, as recorded beside
     * the entry (see the class comment): e.g. {@code 2}, or {@code 2 then 1} when one job began it and another
     * with another count finished it.
     *
     * <p>When this cache object computed (or finished) the embeddings itself, the count is the one it recorded for
     * them, kept in memory too: a cache directory that could not be written (only a warning) leaves no entry or no
     * record, yet the count that computed the embeddings is known.
     *
     * @param encoder the encoder
     * @param texts the texts
     * @return the recorded count; null when the entry has no record (an encoder without {@link
     *     SentenceEncoder#threads()}, an entry written before counts were recorded, or none cached or computed)
     * @throws NullPointerException naming {@code encoder} or {@code texts} when it is null
     */
    public String threadsOf(SentenceEncoder encoder, List<String> texts) {
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(texts, "texts");
        Path entry = fileFor(encoder, texts);
        String mine = computedWith.get(entry);
        if (mine != null) {
            return mine;
        }
        return Files.exists(entry) ? readThreads(entry.resolveSibling(entry.getFileName() + THREADS_SUFFIX)) : null;
    }

    /**
     * The thread count a job records for embeddings it has just obtained with {@link #embed} (or, without a cache,
     * computed with the encoder): {@link #threadsOf} the cache's entry, {@code unrecorded} for an entry cached by a
     * qdecode that recorded no count, the encoder's own {@link SentenceEncoder#threads()} without a cache, and null
     * for an encoder that names no count. Pass the cache object that embedded them: it knows the count of what it
     * computed even where it could not write its record.
     *
     * @param cache the cache that gave the embeddings, or null when they were computed without one
     * @param encoder the encoder
     * @param texts the texts embedded
     * @return the count to record, or null
     * @throws NullPointerException naming {@code encoder} or {@code texts} when it is null
     */
    public static String threadsThatComputed(EmbeddingCache cache, SentenceEncoder encoder, List<String> texts) {
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(texts, "texts");
        if (encoder.threads() == null) {
            return null;
        }
        if (cache == null) {
            return encoder.threads();
        }
        String t = cache.threadsOf(encoder, texts);
        return t != null ? t : UNRECORDED;
    }

    /** What {@link #threadsThatComputed} gives for an entry cached without a thread count. */
    private static final String UNRECORDED = "unrecorded";
    /** Between the counts of two sessions in a record ({@link #joinThreads}). */
    private static final String THEN = " then ";

    /** A threads record's text, or null when there is none (or it cannot be read: a warning). */
    private static String readThreads(Path file) {
        try {
            String t = Files.readString(file, StandardCharsets.UTF_8).strip();
            return t.isEmpty() ? null : t;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            LOG.warn("embedding cache: cannot read {} ({}); its thread count is taken as unrecorded", file,
                    e.toString());
            return null;
        }
    }

    /** Writes a threads record (best effort: a warning when it cannot be written). */
    private static void writeThreads(Path file, String threads) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, threads + "\n", StandardCharsets.UTF_8);
            replace(tmp, file);
        } catch (IOException e) {
            LOG.warn("embedding cache: cannot write {} ({}); the thread count is not recorded", file, e.toString());
        }
    }

    /**
     * The thread counts of work done in several sessions, as qdecode records them everywhere (a cache entry, a run's
     * {@code threads}): {@code before} when its last count is {@code now}, else {@code before then now} (e.g. {@code
     * 2 then 1}, {@code 2 then 1 then 2}). Here: the threads that computed an entry, those recorded for its
     * unfinished batches (or {@code unrecorded} when there are batches without a record), then this encoder's.
     *
     * @param before the earlier sessions' record, or null when there were no earlier sessions
     * @param now this session's count
     * @return the joined record; {@code now} when {@code before} is null
     * @throws NullPointerException naming {@code now} when it is null
     */
    public static String joinThreads(String before, String now) {
        Objects.requireNonNull(now, "now");
        if (before == null) {
            return now;
        }
        int at = before.lastIndexOf(THEN);
        String last = at < 0 ? before : before.substring(at + THEN.length());
        return last.equals(now) ? before : before + THEN + now;
    }

    /** Moves a finished temporary file over {@code file}: atomically where the file system can. */
    private static void replace(Path tmp, Path file) throws IOException {
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** What a cache file records to name its encoder: the id, and the content digest when there is one. */
    static String key(SentenceEncoder encoder) {
        String content = encoder.contentSha256();
        return content == null ? encoder.id() : encoder.id() + "@" + content;
    }

    /**
     * The embeddings of the texts: read from the cache when a valid entry exists, else computed with
     * the encoder and stored.
     *
     * @param encoder the encoder
     * @param texts the texts
     * @return one vector per text, in order
     * @throws NullPointerException naming {@code encoder} or {@code texts} when it is null
     */
    public float[][] embed(SentenceEncoder encoder, List<String> texts) {
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(texts, "texts");
        return embed(encoder, texts, done -> { });
    }

    /**
     * As {@link #embed(SentenceEncoder, List)}, reporting the encoder's progress when the embeddings are
     * computed (nothing is reported when they are read from the cache). The vectors of each batch the
     * encoder finishes are kept beside the entry until the whole list is done ({@code <entry>.emb.part},
     * see {@link SentenceEncoder#embedBatches(List, SentenceEncoder.BatchSink)}): a call for the same texts
     * after one that stopped part-way embeds only the texts that call had not finished, and progress
     * then starts from their count.
     *
     * @param encoder the encoder
     * @param texts the texts
     * @param progress receives the count of texts embedded so far
     * @return one vector per text, in order
     * @throws NullPointerException naming {@code encoder}, {@code texts} or {@code progress} when it is null
     */
    public float[][] embed(SentenceEncoder encoder, List<String> texts, IntConsumer progress) {
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(texts, "texts");
        Objects.requireNonNull(progress, "progress");
        byte[] key = digest(texts);
        Path file = fileFor(encoder, texts);
        float[][] cached = read(file, encoder, texts.size(), key);
        if (cached != null) {
            LOG.info("embedding cache: {} vectors of '{}' read from {}", texts.size(), encoder.id(), file);
            computedWith.remove(file); // the entry's own record says who computed it
            return cached;
        }
        Path partFile = file.resolveSibling(file.getFileName() + ".part");
        try (PartialEmbeddings part = PartialEmbeddings.open(partFile, texts.size(), encoder.dimension(), key,
                key(encoder))) {
            float[][] vectors = part.vectors();
            int[] todo = part.missing();
            if (part.done() > 0) {
                LOG.info("embedding cache: {} of {} vectors of '{}' read from {}, left by an unfinished job",
                        part.done(), texts.size(), encoder.id(), partFile);
                progress.accept(part.done());
            }
            String threads = encoder.threads();
            Path threadsFile = file.resolveSibling(file.getFileName() + THREADS_SUFFIX);
            Path partThreads = partFile.resolveSibling(partFile.getFileName() + THREADS_SUFFIX);
            if (threads != null && todo.length > 0) {
                String before = part.done() > 0 ? readThreads(partThreads) : null;
                threads = joinThreads(part.done() > 0 && before == null ? UNRECORDED : before, threads.strip());
                writeThreads(partThreads, threads); // before this job's first batch joins the unfinished entry
            }
            if (todo.length > 0) {
                List<String> rest = Arrays.stream(todo).mapToObj(texts::get).toList();
                float[][] computed = encoder.embedBatches(rest, (indices, batch) -> {
                    int[] rows = new int[indices.length];
                    for (int k = 0; k < rows.length; k++) {
                        rows[k] = todo[indices[k]];
                    }
                    part.add(rows, batch);
                    progress.accept(part.done());
                });
                for (int k = 0; k < todo.length; k++) {
                    vectors[todo[k]] = computed[k];
                }
            }
            if (threads != null) {
                if (todo.length == 0) { // every batch was left by earlier jobs
                    String before = readThreads(partThreads);
                    threads = before != null ? before : UNRECORDED;
                }
                writeThreads(threadsFile, threads); // before the entry: an entry is never newer than its record
                computedWith.put(file, threads); // known even where the record or the entry cannot be written
            }
            if (write(file, encoder, vectors, key)) {
                part.delete();
                try {
                    Files.deleteIfExists(partThreads);
                } catch (IOException e) {
                    LOG.debug("embedding cache: cannot delete {} ({})", partThreads, e.toString());
                }
            }
            return vectors;
        }
    }

    private static byte[] digest(List<String> texts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] len = new byte[4];
            for (String t : texts) {
                byte[] b = t.getBytes(StandardCharsets.UTF_8);
                ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).putInt(0, b.length);
                md.update(len);
                md.update(b);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 not available", e);
        }
    }

    private float[][] read(Path file, SentenceEncoder encoder, int rows, byte[] key) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            LOG.warn("embedding cache: cannot read {} ({}); recomputing", file, e.toString());
            return null;
        }
        try {
            return parse(all, encoder, rows, key);
        } catch (RuntimeException e) {
            LOG.warn("embedding cache: ignoring corrupt file {} ({}); recomputing", file, e.getMessage());
            return null;
        }
    }

    private static float[][] parse(byte[] all, SentenceEncoder encoder, int rows, byte[] key) {
        ByteBuffer in = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        byte[] id = key(encoder).getBytes(StandardCharsets.UTF_8);
        int dim = encoder.dimension();
        long expected = MAGIC.length + 4 + 4 + 32 + 4 + id.length + 4L * rows * dim + 8;
        if (all.length != expected) {
            throw new IllegalStateException("size " + all.length + " bytes, expected " + expected);
        }
        byte[] magic = new byte[MAGIC.length];
        in.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IllegalStateException("bad magic");
        }
        if (in.getInt() != rows || in.getInt() != dim) {
            throw new IllegalStateException("shape differs from " + rows + "x" + dim);
        }
        byte[] storedKey = new byte[32];
        in.get(storedKey);
        if (!Arrays.equals(storedKey, key)) {
            throw new IllegalStateException("text digest differs");
        }
        byte[] storedId = new byte[in.getInt()];
        in.get(storedId);
        if (!Arrays.equals(storedId, id)) {
            throw new IllegalStateException("encoder id or content sha256 differs");
        }
        int payloadStart = in.position();
        CRC32C crc = new CRC32C();
        crc.update(all, payloadStart, 4 * rows * dim);
        float[][] out = new float[rows][dim];
        for (int r = 0; r < rows; r++) {
            for (int d = 0; d < dim; d++) {
                float v = in.getFloat();
                if (!Float.isFinite(v)) {
                    throw new IllegalStateException("non-finite value at row " + r);
                }
                out[r][d] = v;
            }
        }
        if (in.getLong() != crc.getValue()) {
            throw new IllegalStateException("checksum mismatch");
        }
        return out;
    }

    /**
     * Deletes temporary files that a process stopped mid-write (e.g. by Ctrl-C) left behind: those older
     * than an hour, so another process's write in progress is left alone. Best effort.
     */
    private void removeStaleTemporaries() {
        long cutoff = System.currentTimeMillis() - STALE_TEMPORARY_MILLIS;
        try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, "emb*.tmp")) {
            for (Path p : old) {
                if (Files.getLastModifiedTime(p).toMillis() < cutoff && Files.deleteIfExists(p)) {
                    LOG.info("embedding cache: removed {}, left by an interrupted write", p);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("embedding cache: cannot clean up temporaries in {} ({})", dir, e.toString());
        }
    }

    /** Stores the vectors as the cache entry; false (after a warning) when it cannot. */
    private boolean write(Path file, SentenceEncoder encoder, float[][] vectors, byte[] key) {
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            removeStaleTemporaries();
            tmp = Files.createTempFile(dir, "emb", ".tmp");
            byte[] id = key(encoder).getBytes(StandardCharsets.UTF_8);
            int dim = encoder.dimension();
            ByteBuffer header = ByteBuffer.allocate(MAGIC.length + 4 + 4 + 32 + 4 + id.length)
                    .order(ByteOrder.LITTLE_ENDIAN);
            header.put(MAGIC).putInt(vectors.length).putInt(dim).put(key).putInt(id.length).put(id);
            CRC32C crc = new CRC32C();
            ByteBuffer row = ByteBuffer.allocate(4 * dim).order(ByteOrder.LITTLE_ENDIAN);
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
                    DataOutputStream out = new DataOutputStream(os)) {
                out.write(header.array());
                for (float[] v : vectors) {
                    if (v.length != dim) {
                        throw new IllegalStateException("encoder returned a vector of length " + v.length);
                    }
                    row.clear();
                    for (float f : v) {
                        row.putFloat(f);
                    }
                    crc.update(row.array(), 0, row.capacity());
                    out.write(row.array());
                }
                ByteBuffer tail = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(crc.getValue());
                out.write(tail.array());
            }
            replace(tmp, file);
            LOG.info("embedding cache: {} vectors of '{}' written to {}", vectors.length, encoder.id(), file);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("embedding cache: cannot write {} ({}); continuing without cache", file, e.toString());
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
            return false;
        }
    }
}
