package dev.qdecode.rewards.classifier;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vectors that an unfinished embedding of a text list had computed, kept beside the cache entry
 * it was computing ({@code <entry>.emb.part}) so that the next call for the same texts and encoder
 * embeds only the rest: embedding SST-2's 67k phrases takes minutes, and a job stopped (Ctrl-C, a
 * crash) part-way used to lose all of it.
 *
 * <p>Layout: an 8-byte magic {@code QDEMP001}, little-endian int32 rows, int32 dimension, the
 * 32-byte text-list digest, int32 key length and the UTF-8 encoder key (as the entry's); then one
 * record per finished batch: int32 count, count int32 row indices, count x dimension float32
 * values, and the int64 CRC32C of the indices and values. Records are appended as batches finish;
 * at open, a record that is torn (the process died while writing it) or fails its checks is dropped
 * with everything after it, and a header that does not match starts the file afresh.
 *
 * <p>The file is locked while open; a second process embedding the same texts at the same time works
 * without it. Failing to read or write it is logged and never fails the embedding.
 */
final class PartialEmbeddings implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartialEmbeddings.class);
    private static final byte[] MAGIC = "QDEMP001".getBytes(StandardCharsets.US_ASCII);

    private final Path file;
    private final int dim;
    private final float[][] vectors;
    private int done;
    /** Why the records read at open stopped before the end of the file; null when they did not. */
    private String dropped;
    /**
     * The file, locked by this object; null when the file is not kept (held by another job, or an I/O
     * failure). Only while it is open may the file be deleted: once closed, another job may have locked it.
     */
    private FileChannel channel;

    /**
     * The partial files this process has open. A second opener in the same process must not even open
     * one: closing its channel would release the first one's lock, which the operating system keeps per
     * process and file.
     */
    private static final java.util.Set<Path> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private PartialEmbeddings(Path file, int rows, int dim, FileChannel channel) {
        this.file = file;
        this.dim = dim;
        this.vectors = new float[rows][];
        this.channel = channel;
    }

    /**
     * Opens (creating it when absent) the partial file of one cache entry and reads the vectors it
     * holds.
     *
     * @param file the partial file
     * @param rows the number of texts
     * @param dim the encoder's dimension
     * @param digest the text-list digest
     * @param key the encoder key (id and content digest)
     * @return the partial embeddings; never null
     */
    static PartialEmbeddings open(Path file, int rows, int dim, byte[] digest, String key) {
        if (!HELD.add(file)) {
            LOG.info("embedding cache: {} is in use by another job of this process; embedding without"
                    + " keeping the vectors of finished batches", file);
            return new PartialEmbeddings(file, rows, dim, null);
        }
        FileChannel ch = null;
        try {
            Files.createDirectories(file.getParent());
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held elsewhere in this process (not through HELD)
            }
            if (lock == null) {
                ch.close();
                HELD.remove(file);
                LOG.info("embedding cache: {} is in use by another job; embedding without keeping"
                        + " the vectors of finished batches", file);
                return new PartialEmbeddings(file, rows, dim, null);
            }
            PartialEmbeddings p = new PartialEmbeddings(file, rows, dim, ch);
            byte[] header = header(rows, dim, digest, key);
            long end = ch.size() >= header.length && Arrays.equals(read(ch, 0, header.length), header)
                    ? p.readRecords(header.length) : -1;
            if (end < 0) {
                ch.truncate(0);
                writeFully(ch, ByteBuffer.wrap(header), 0);
                end = header.length;
            } else if (end < ch.size()) {
                p.dropped = p.tornAt(end)
                        ? "dropping " + (ch.size() - end) + " bytes after its last complete batch (left by a job"
                                + " that stopped while writing)"
                        : "dropping " + (ch.size() - end) + " bytes from byte " + end + ", whose batch record fails"
                                + " its checks (a corrupt file: the texts of the dropped records are embedded again)";
                LOG.warn("embedding cache: {}: {}", file, p.dropped);
                ch.truncate(end);
            }
            ch.position(end);
            return p;
        } catch (IOException | RuntimeException e) {
            LOG.warn("embedding cache: cannot use {} ({}); embedding without it", file, e.toString());
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // best effort
                }
            }
            HELD.remove(file);
            return new PartialEmbeddings(file, rows, dim, null);
        }
    }

    private static byte[] header(int rows, int dim, byte[] digest, String key) {
        byte[] id = key.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(MAGIC.length + 4 + 4 + digest.length + 4 + id.length)
                .order(ByteOrder.LITTLE_ENDIAN).put(MAGIC).putInt(rows).putInt(dim).put(digest)
                .putInt(id.length).put(id).array();
    }

    private static byte[] read(FileChannel ch, long at, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                throw new IOException("unexpected end of file");
            }
        }
        return b.array();
    }

    private static void writeFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b, at + b.position());
        }
    }

    /**
     * Whether the record at {@code pos} (where reading stopped) is cut short by the end of the file, as a
     * job stopped while appending it leaves it, rather than complete but failing its checks.
     */
    private boolean tornAt(long pos) throws IOException {
        long size = channel.size();
        if (size - pos < 4) {
            return true;
        }
        int count = ByteBuffer.wrap(read(channel, pos, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt();
        return count > 0 && count <= vectors.length - done && size - pos - 4 < 4L * count * (1L + dim) + 8;
    }

    /**
     * Why the records read at open stopped before the end of the file: a torn last record, or one that fails
     * its checks (the warning logged at open).
     *
     * @return the reason, or null when every record was read
     */
    String dropped() {
        return dropped;
    }

    /** Reads the records from {@code start}; returns the offset just after the last good one. */
    private long readRecords(long start) throws IOException {
        long size = channel.size();
        long pos = start;
        int rows = vectors.length;
        while (size - pos >= 4) {
            int count = ByteBuffer.wrap(read(channel, pos, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt();
            long length = 4L * count * (1L + dim) + 8;
            if (count <= 0 || count > rows - done || size - pos - 4 < length) {
                break;
            }
            byte[] body = read(channel, pos + 4, (int) length);
            ByteBuffer in = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
            CRC32C crc = new CRC32C();
            crc.update(body, 0, body.length - 8);
            if (in.getLong(body.length - 8) != crc.getValue()) {
                break;
            }
            int[] idx = new int[count];
            float[][] v = new float[count][dim];
            boolean ok = true;
            for (int k = 0; k < count && ok; k++) {
                idx[k] = in.getInt();
                ok = idx[k] >= 0 && idx[k] < rows && vectors[idx[k]] == null;
            }
            for (int k = 0; k < count && ok; k++) {
                for (int d = 0; d < dim && ok; d++) {
                    v[k][d] = in.getFloat();
                    ok = Float.isFinite(v[k][d]);
                }
            }
            if (!ok) {
                break;
            }
            for (int k = 0; k < count; k++) {
                vectors[idx[k]] = v[k];
            }
            done += count;
            pos += 4 + length;
        }
        return pos;
    }

    /**
     * The vectors read at open and added since, by row; null for rows not embedded yet.
     *
     * @return the live array (one slot per text)
     */
    float[][] vectors() {
        return vectors;
    }

    /**
     * How many rows have vectors.
     *
     * @return the count
     */
    int done() {
        return done;
    }

    /**
     * The rows without a vector, ascending.
     *
     * @return row indices
     */
    int[] missing() {
        int[] out = new int[vectors.length - done];
        int k = 0;
        for (int r = 0; r < vectors.length; r++) {
            if (vectors[r] == null) {
                out[k++] = r;
            }
        }
        return out;
    }

    /**
     * Records a finished batch: keeps its vectors and appends them to the file.
     *
     * @param rows the rows of the batch (not embedded before)
     * @param batch their vectors
     */
    void add(int[] rows, float[][] batch) {
        for (int k = 0; k < rows.length; k++) {
            if (vectors[rows[k]] == null) {
                done++;
            }
            vectors[rows[k]] = batch[k];
        }
        if (channel == null || rows.length == 0) {
            return;
        }
        long size = 4L + 4L * rows.length * (1L + dim) + 8;
        if (size > Integer.MAX_VALUE - 16) { // one record is one array (an encoder that hands over every text at once)
            stopKeeping("a batch of " + rows.length + " vectors is too large for one record");
            return;
        }
        ByteBuffer rec = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        rec.putInt(rows.length);
        for (int r : rows) {
            rec.putInt(r);
        }
        for (float[] v : batch) {
            if (v == null || v.length != dim) {
                stopKeeping("the encoder returned a vector of length " + (v == null ? "null" : v.length));
                return;
            }
            for (float f : v) {
                rec.putFloat(f);
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(rec.array(), 4, rec.position() - 4);
        rec.putLong(crc.getValue());
        rec.flip();
        try {
            long at = channel.position();
            writeFully(channel, rec, at);
            channel.position(at + rec.limit());
        } catch (IOException e) {
            stopKeeping(e.toString());
        }
    }

    private void stopKeeping(String why) {
        LOG.warn("embedding cache: cannot keep the finished batches in {} ({}); going on without it", file, why);
        closeChannel();
    }

    /**
     * Deletes the file, while still holding its lock: the whole list is embedded and stored in the cache
     * entry. A file this object no longer holds (another job's, or given up after an I/O failure, since
     * when another job may have locked it) is left alone.
     */
    void delete() {
        if (channel != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warn("embedding cache: cannot delete {} ({})", file, e.toString());
            }
        }
        closeChannel();
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close(); // also releases the lock
            } catch (IOException ignored) {
                // best effort
            }
            channel = null;
            HELD.remove(file);
        }
    }

    /** Closes the file, keeping what it holds for the next call. */
    @Override
    public void close() {
        closeChannel();
    }
}
