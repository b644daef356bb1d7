package dev.qdecode.pipeline.dqn;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The checkpoint file ({@value #FILE_NAME} in a run directory), written atomically (temporary file,
 * then {@code ATOMIC_MOVE}). Layout, all numbers big-endian:
 * <pre>
 * 8 bytes   magic "QDQCKPT1"
 * int32     header length L
 * L bytes   UTF-8 JSON header: {"format": 1, "config": {…DqnConfig…}, "counters": {name: long},
 *           "values": {name: double}, "rng": {name: long state}, "provenance": {name: string},
 *           "head": {"in", "hidden", "vocab", "activation", "valueLoss", "adamStep", "parameters"},
 *           "replay": bool}
 * ("valueLoss" is huber or cross-entropy; a header without it is a Huber head, from before the option)
 * 4 × P     float32 online parameters  (P = head.parameters; layout in {@link HeadState})
 * 4 × P     float32 target parameters
 * 4 × P     float32 Adam first moments
 * 4 × P     float32 Adam second moments
 * …         the replay buffer ({@link ReplayBuffer#write}) when "replay" is true
 * int64     CRC-32 of every byte above
 * </pre>
 */
final class Checkpoint {
    /** The checkpoint's file name inside a run directory. */
    static final String FILE_NAME = "checkpoint.qdq";
    static final int FORMAT = 1;
    private static final byte[] MAGIC = "QDQCKPT1".getBytes(StandardCharsets.US_ASCII);
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
    /**
     * What a damaged checkpoint's message ends with: what was expected, and what to do. The file is left as
     * it is (never deleted or overwritten by reading it).
     */
    static final String DAMAGED = "expected a checkpoint as qdecode train writes it; it may have been cut short or "
            + "damaged since it was written: restore it, or train again with --overwrite";

    /**
     * Everything in a checkpoint except the replay data.
     *
     * @param config the run's config
     * @param counters integer counters (episodes, updates, …)
     * @param values real-valued state (e.g. the KL coefficient)
     * @param rng random-source states by name
     * @param provenance where the run came from (backbone, data, reward specs, version)
     * @param head the Q head
     * @param hasReplay whether the file holds the replay buffer
     */
    record Data(DqnConfig config, Map<String, Long> counters, Map<String, Double> values, Map<String, Long> rng,
            Map<String, String> provenance, HeadState head, boolean hasReplay) {
        Data {
            counters = Map.copyOf(counters);
            values = Map.copyOf(values);
            rng = Map.copyOf(rng);
            provenance = Map.copyOf(provenance);
        }
    }

    private Checkpoint() {}

    /**
     * The checkpoint file of a run directory (or the file itself when a file is given). A directory without one
     * is refused here, named as given, since what was expected is a run directory: naming the file looked for in it
     * ({@code DIR/checkpoint.qdq: checkpoint not found}) read as if the user had typed that file.
     *
     * @param runDirOrFile a run directory or a checkpoint file
     * @return the file
     * @throws IllegalArgumentException naming the directory as given when it holds no {@value #FILE_NAME}
     */
    static Path fileOf(Path runDirOrFile) {
        if (!Files.isDirectory(runDirOrFile)) {
            return runDirOrFile;
        }
        Path file = runDirOrFile.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(runDirOrFile + ": a directory without " + FILE_NAME + " (expected a "
                    + "run directory written by qdecode train, which holds " + FILE_NAME
                    + modelHint(runDirOrFile.toAbsolutePath()) + ")");
        }
        return file;
    }

    /**
     * Writes a checkpoint atomically.
     *
     * @param file the destination
     * @param d the state
     * @param replay the replay buffer to include (null = none; must match {@code d.hasReplay()})
     * @throws IOException when it cannot be written
     */
    static void write(Path file, Data d, ReplayBuffer replay) throws IOException {
        if (d.hasReplay() != (replay != null)) {
            throw new IllegalArgumentException("checkpoint: hasReplay does not match the replay argument");
        }
        byte[] header = GSON.toJson(header(d)).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, os -> {
            CRC32 crc = new CRC32();
            DataOutputStream out = new DataOutputStream(new CheckedOutputStream(nonClosing(os), crc));
            out.write(MAGIC);
            out.writeInt(header.length);
            out.write(header);
            HeadState h = d.head();
            for (float[] a : new float[][] {h.online(), h.target(), h.adamM(), h.adamV()}) {
                ReplayEpisode.writeFloats(out, a);
            }
            if (replay != null) {
                replay.write(out);
            }
            out.flush();
            new DataOutputStream(os).writeLong(crc.getValue());
        });
    }

    private static OutputStream nonClosing(OutputStream os) {
        return new java.io.FilterOutputStream(os) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }

    private static JsonObject header(Data d) {
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT);
        o.add("config", JsonParser.parseString(d.config().toJson()));
        o.add("counters", GSON.toJsonTree(new TreeMap<>(d.counters())));
        o.add("values", GSON.toJsonTree(new TreeMap<>(d.values())));
        JsonObject rng = new JsonObject();
        new TreeMap<>(d.rng()).forEach((k, v) -> rng.addProperty(k, Long.toString(v)));
        o.add("rng", rng);
        o.add("provenance", GSON.toJsonTree(new TreeMap<>(d.provenance())));
        JsonObject h = new JsonObject();
        HeadState s = d.head();
        h.addProperty("in", s.in());
        h.addProperty("hidden", s.hidden());
        h.addProperty("vocab", s.vocab());
        h.addProperty("activation", s.activation().name().toLowerCase(java.util.Locale.ROOT));
        h.addProperty("valueLoss", s.valueLoss().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        h.addProperty("adamStep", s.adamStep());
        h.addProperty("parameters", s.online().length);
        o.add("head", h);
        o.addProperty("replay", d.hasReplay());
        return o;
    }

    /**
     * Reads a checkpoint.
     *
     * @param file the checkpoint file
     * @param replay when not null and the file holds a replay buffer, it is read into this (empty)
     *     buffer; when null the replay data is read through unparsed (the CRC is verified either way)
     * @return the state
     * @throws IllegalArgumentException with one line naming the file when it is missing, corrupt or
     *     of another format; a damaged one (cut short, a changed byte, replay data that {@code replay}
     *     refuses) ends with {@link #DAMAGED}
     */
    static Data read(Path file, ReplayBuffer replay) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            CRC32 crc = new CRC32();
            Counting counted = new Counting(raw);
            DataInputStream in = new DataInputStream(new CheckedInputStream(counted, crc));
            Data d = checkedHeader(file, in);
            HeadState shape = d.head();
            int p = (int) ((long) shape.hidden() * shape.in() + shape.hidden() + (long) shape.vocab() * shape.hidden()
                    + shape.vocab());
            float[] on = ReplayEpisode.readFloats(in, p);
            float[] tg = ReplayEpisode.readFloats(in, p);
            float[] m = ReplayEpisode.readFloats(in, p);
            float[] v = ReplayEpisode.readFloats(in, p);
            HeadState head = new HeadState(shape.in(), shape.hidden(), shape.vocab(), shape.activation(), on, tg, m, v,
                    shape.adamStep(), shape.valueLoss());
            if (d.hasReplay() && replay == null) {
                // not parsed, but read through: the checksum after it covers the head too
                long replayBytes = Files.size(file) - counted.count - 8;
                if (replayBytes < 0) {
                    throw new EOFException();
                }
                in.skipNBytes(replayBytes); // CheckedInputStream.skip reads through, updating the checksum
            } else if (d.hasReplay()) {
                try {
                    replay.read(in);
                } catch (EOFException e) {
                    throw e;
                } catch (IOException | NegativeArraySizeException e) {
                    throw corruptReplay(file, e);
                }
            }
            long expected = crc.getValue();
            long stored = new DataInputStream(raw).readLong();
            if (stored != expected) {
                throw checksumMismatch(file);
            }
            if (raw.read() != -1) {
                throw new IllegalArgumentException(file + ": corrupt checkpoint (trailing bytes; " + DAMAGED + ")");
            }
            return new Data(d.config(), d.counters(), d.values(), d.rng(), d.provenance(), head, d.hasReplay());
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    /** Counts the bytes read through it. */
    private static final class Counting extends FilterInputStream {
        long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            count += b < 0 ? 0 : 1;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            count += Math.max(n, 0);
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long k = in.skip(n);
            count += k;
            return k;
        }
    }

    /**
     * Reads only a checkpoint's header (config, counters, values, random states, provenance, the head's
     * shape): the parameters and the replay data are neither read nor checked.
     *
     * @param file the checkpoint file
     * @return the state, with a {@link HeadState} of the head's shape only (no parameter arrays)
     * @throws IllegalArgumentException with one line naming the file when it is missing, its header is
     *     corrupt or it is of another format
     */
    static Data readHeader(Path file) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return checkedHeader(file, new DataInputStream(raw));
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    /**
     * The magic bytes, then {@link #header}; a header it refuses in a file whose checksum does not match either has been damaged
     * (a changed byte in it), and is said to be, rather than as the field the damage happened to hit.
     */
    private static Data checkedHeader(Path file, DataInputStream in) throws IOException {
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic);
        if (!Arrays.equals(magic, MAGIC)) { // another file altogether: no checksum to speak of
            throw new IllegalArgumentException(file + ": not a qdecode DQN checkpoint (it does not begin with "
                    + new String(MAGIC, StandardCharsets.US_ASCII) + "; expected a checkpoint written by qdecode train)");
        }
        try {
            return header(file, in);
        } catch (IllegalArgumentException e) {
            if (!checksumMatches(file)) {
                throw checksumMismatch(file);
            }
            throw e;
        }
    }

    /**
     * Replay data that {@link ReplayBuffer#read} refuses (a count out of range, a capacity or mode other
     * than the header's config): a changed byte, said as the checksum's mismatch when the checksum does not
     * match (the replay data is parsed before the checksum after it is reached), else as the replay data's
     * fault; either way ending with {@link #DAMAGED}, as every other damage is.
     */
    private static IllegalArgumentException corruptReplay(Path file, Exception e) {
        if (!checksumMatches(file)) {
            return checksumMismatch(file);
        }
        String why = e instanceof NegativeArraySizeException ? "a negative length" : e.getMessage();
        return new IllegalArgumentException(file + ": corrupt checkpoint replay data (" + why + "; " + DAMAGED + ")");
    }

    private static IllegalArgumentException checksumMismatch(Path file) {
        return new IllegalArgumentException(file + ": corrupt checkpoint (checksum mismatch; " + DAMAGED + ")");
    }

    /** Whether the file's last 8 bytes are the CRC-32 of every byte before them (false if it cannot be read). */
    private static boolean checksumMatches(Path file) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            long body = Files.size(file) - 8;
            if (body < MAGIC.length + 4) {
                return false;
            }
            CRC32 crc = new CRC32();
            new CheckedInputStream(raw, crc).skipNBytes(body); // reads through, updating the checksum
            return new DataInputStream(raw).readLong() == crc.getValue();
        } catch (IOException e) {
            return false;
        }
    }

    /** The JSON header after the magic bytes, parsed. */
    private static Data header(Path file, DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len <= 0 || len > (64 << 20)) {
            throw new IllegalArgumentException(file + ": corrupt checkpoint (header length " + len + "; " + DAMAGED
                    + ")");
        }
        byte[] hb = new byte[len];
        in.readFully(hb);
        return parseHeader(file, new String(hb, StandardCharsets.UTF_8));
    }

    /**
     * Where a checkpoint was looked for in a model directory (an SFT output, a Hugging Face model): says that it
     * is a model, which the commands take with {@code --model}; empty otherwise.
     */
    private static String modelHint(Path dir) {
        return dir != null && Files.isRegularFile(dir.resolve("config.json"))
                ? "; " + dir + " holds a model (config.json), not a DQN run: a model goes with --model" : "";
    }

    private static IllegalArgumentException unreadable(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new IllegalArgumentException(file + ": checkpoint not found (expected a run directory written by "
                    + "qdecode train, or its " + FILE_NAME + modelHint(file.toAbsolutePath().getParent()) + ")");
        }
        if (e instanceof EOFException) {
            long size;
            try {
                size = Files.size(file);
            } catch (IOException notAgain) {
                size = -1;
            }
            return new IllegalArgumentException(file + ": " + (size == 0 ? "empty" : "truncated") + " checkpoint ("
                    + (size >= 0 ? size + " bytes; " : "") + DAMAGED + ")");
        }
        return new IllegalArgumentException(file + ": cannot read checkpoint (" + e.getMessage() + ")");
    }

    /**
     * The head header's enum field {@code key} read by {@code parse}; {@code absent} when the header has
     * no such field (null: the field is required). A value {@code parse} refuses is a corrupt header of
     * this file, said with the field's name rather than the option's.
     */
    private static <E> E headEnum(Path file, JsonObject head, String key,
            java.util.function.Function<String, E> parse, E absent) {
        if (!head.has(key) && absent != null) {
            return absent;
        }
        String value = head.get(key).getAsString();
        try {
            return parse.apply(value);
        } catch (IllegalArgumentException e) {
            String why = e.getMessage(); // "--option: expected one of … but got '…'"
            throw new IllegalArgumentException(file + ": corrupt checkpoint header (head." + key + ": "
                    + why.substring(why.indexOf(": ") + 2) + ")");
        }
    }

    private static Data parseHeader(Path file, String json) {
        try {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            int format = o.get("format").getAsInt();
            if (format != FORMAT) {
                throw new IllegalArgumentException(file + ": checkpoint format " + format + " is not supported (expected "
                        + FORMAT + ")");
            }
            DqnConfig cfg = DqnConfig.fromJson(o.get("config").toString(), file + " (config)");
            Map<String, Long> counters = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("counters").entrySet()) {
                counters.put(e.getKey(), e.getValue().getAsLong());
            }
            Map<String, Double> values = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("values").entrySet()) {
                values.put(e.getKey(), e.getValue().getAsDouble());
            }
            Map<String, Long> rng = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("rng").entrySet()) {
                rng.put(e.getKey(), Long.parseLong(e.getValue().getAsString()));
            }
            Map<String, String> prov = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("provenance").entrySet()) {
                prov.put(e.getKey(), e.getValue().getAsString());
            }
            JsonObject h = o.getAsJsonObject("head");
            int in = h.get("in").getAsInt();
            int hidden = h.get("hidden").getAsInt();
            int vocab = h.get("vocab").getAsInt();
            long params = h.get("parameters").getAsLong();
            long expected = (long) hidden * in + hidden + (long) vocab * hidden + vocab;
            if (in <= 0 || hidden <= 0 || vocab <= 0 || params != expected || expected > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(file + ": corrupt checkpoint header (head shape; " + DAMAGED + ")");
            }
            DqnConfig.Activation act = headEnum(file, h, "activation", DqnConfig.Activation::parse, null);
            DqnConfig.ValueLoss loss = headEnum(file, h, "valueLoss", DqnConfig.ValueLoss::parse,
                    DqnConfig.ValueLoss.HUBER);
            HeadState head = new HeadState(in, hidden, vocab, act, null, null, null, null,
                    h.get("adamStep").getAsLong(), loss);
            return new Data(cfg, counters, values, rng, prov, head, o.get("replay").getAsBoolean());
        } catch (JsonParseException e) {
            // not Gson's message: it quotes the damaged bytes
            throw new IllegalArgumentException(file + ": corrupt checkpoint header (its JSON does not parse; " + DAMAGED
                    + ")");
        } catch (IllegalStateException | NullPointerException | ClassCastException | NumberFormatException e) {
            throw new IllegalArgumentException(file + ": corrupt checkpoint header (a field is missing or not of its "
                    + "type; " + DAMAGED + ")");
        }
    }
}
