package dev.qdecode.tokenizer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every token contributes, as UTF-8 bytes, to decoded text when it stands in the middle of a
 * sequence. Computed once for the whole vocabulary by interpreting the {@code decoder} section of
 * {@code tokenizer.json} per token, as the Rust {@code tokenizers} decoders do:
 *
 * <ul>
 *   <li>{@code Replace} (string or regex pattern), {@code ByteFallback} ({@code <0xHH>} → that byte),
 *       {@code ByteLevel} (GPT-2 byte ↔ unicode map), {@code Metaspace} (replacement char → space),
 *       {@code WordPiece} (prefix removed, other tokens get a leading space, optional clean-up),
 *       {@code BPEDecoder} (end-of-word suffix → space), no decoder (tokens joined by spaces);
 *   <li>{@code Fuse} and a {@code Strip} that follows a {@code Fuse} act on the whole text (they only
 *       change its start or end), so they do not change a mid-sequence contribution;
 *   <li>any other decoder: the contribution is measured with the Rust decoder itself, as {@code
 *       decode([anchor, id]) - decode([anchor])}, which is exact for text but cannot see partial
 *       UTF-8 bytes.
 * </ul>
 */
final class SurfaceTable {
    private static final Logger LOG = LoggerFactory.getLogger(SurfaceTable.class);
    private static final Pattern BYTE_PIECE = Pattern.compile("<0x([0-9A-Fa-f]{2})>");

    private final byte[][] bytes;
    private final String[] texts;
    private final boolean exact;

    private SurfaceTable(byte[][] bytes, boolean exact) {
        this.bytes = bytes;
        this.texts = new String[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            texts[i] = new String(bytes[i], StandardCharsets.UTF_8);
        }
        this.exact = exact;
    }

    /** Bytes of a token (shared array: callers must not modify it). */
    byte[] bytes(int id) {
        return bytes[id];
    }

    /** Text of a token; an incomplete UTF-8 sequence shows as U+FFFD. */
    String text(int id) {
        return texts[id];
    }

    /** Whether the table came from interpreting the decoder (true) or from measuring it (false). */
    boolean exact() {
        return exact;
    }

    /**
     * Builds the table.
     *
     * @param files the parsed tokenizer files
     * @param decode the Rust decoder, {@code ids -> decode(ids, skipSpecialTokens=false)}, used only
     *     for decoders this class does not interpret
     */
    static SurfaceTable build(TokenizerFiles files, Function<long[], String> decode) {
        List<Step> steps = new ArrayList<>();
        boolean supported = files.decoder == null || parse(files.decoder, steps, new boolean[1]);
        int n = files.pieces.length;
        byte[][] out = new byte[n][];
        if (supported) {
            for (int id = 0; id < n; id++) {
                String piece = files.pieces[id];
                out[id] = piece == null ? new byte[0] : apply(steps, piece, files.decoder == null);
            }
            return new SurfaceTable(out, true);
        }
        LOG.warn("{}: decoder {} is not interpreted; token surface texts are measured with the Rust "
                + "decoder (partial UTF-8 bytes show as U+FFFD)", files.tokenizerJson, files.decoder);
        int anchor = -1;
        for (int id = 0; id < n && anchor < 0; id++) {
            if (files.pieces[id] != null && !files.special[id] && !decode.apply(new long[] {id}).isEmpty()) {
                anchor = id;
            }
        }
        String base = anchor < 0 ? "" : decode.apply(new long[] {anchor});
        for (int id = 0; id < n; id++) {
            if (files.pieces[id] == null) {
                out[id] = new byte[0];
                continue;
            }
            String s = anchor < 0 ? decode.apply(new long[] {id}) : decode.apply(new long[] {anchor, id});
            String diff = anchor >= 0 && s.startsWith(base) ? s.substring(base.length()) : decode.apply(new long[] {id});
            out[id] = diff.getBytes(StandardCharsets.UTF_8);
        }
        return new SurfaceTable(out, false);
    }

    /** One per-token decoding step. */
    private interface Step {
        /** Transforms a token that is still text; returns String or byte[]. */
        Object onText(String token);

        /** Transforms a token that is already bytes (default: leave it). */
        default Object onBytes(byte[] token) {
            return token;
        }
    }

    /** Flattens the decoder JSON into steps; returns false for anything not interpreted. */
    private static boolean parse(JsonElement dec, List<Step> steps, boolean[] fused) {
        if (!dec.isJsonObject() || !dec.getAsJsonObject().has("type")) {
            return false;
        }
        JsonObject o = dec.getAsJsonObject();
        String type = o.get("type").getAsString();
        switch (type) {
            case "Sequence": {
                JsonElement list = o.get("decoders");
                if (list == null || !list.isJsonArray()) {
                    return false;
                }
                for (JsonElement d : list.getAsJsonArray()) {
                    if (!parse(d, steps, fused)) {
                        return false;
                    }
                }
                return true;
            }
            case "Replace": {
                JsonObject pattern = o.getAsJsonObject("pattern");
                String content = str(o, "content", null);
                if (pattern == null || content == null) {
                    return false;
                }
                if (pattern.has("String")) {
                    String from = pattern.get("String").getAsString();
                    steps.add(t -> t.replace(from, content));
                } else if (pattern.has("Regex")) {
                    Pattern re = Pattern.compile(pattern.get("Regex").getAsString());
                    String repl = Matcher.quoteReplacement(content);
                    steps.add(t -> re.matcher(t).replaceAll(repl));
                } else {
                    return false;
                }
                return true;
            }
            case "ByteFallback":
                steps.add(t -> {
                    Matcher m = BYTE_PIECE.matcher(t);
                    return m.matches() ? new byte[] {(byte) Integer.parseInt(m.group(1), 16)} : t;
                });
                return true;
            case "Fuse":
                fused[0] = true;
                return true;
            case "Strip": {
                if (fused[0]) {
                    return true; // acts on the whole text: start/end only
                }
                String content = str(o, "content", " ");
                int start = o.has("start") ? o.get("start").getAsInt() : 0;
                int stop = o.has("stop") ? o.get("stop").getAsInt() : 0;
                steps.add(t -> strip(t, content.codePointAt(0), start, stop));
                return true;
            }
            case "ByteLevel":
                steps.add(SurfaceTable::byteLevel);
                return true;
            case "Metaspace": {
                String rep = str(o, "replacement", "\u2581");
                steps.add(t -> t.replace(rep, " "));
                return true;
            }
            case "WordPiece": {
                String prefix = str(o, "prefix", "##");
                boolean cleanup = !o.has("cleanup") || o.get("cleanup").getAsBoolean();
                steps.add(t -> {
                    String s = t.startsWith(prefix) ? t.substring(prefix.length()) : " " + t;
                    return cleanup ? cleanup(s) : s;
                });
                return true;
            }
            case "BPEDecoder": {
                String suffix = str(o, "suffix", "</w>");
                steps.add(t -> t.replace(suffix, " "));
                return true;
            }
            default:
                return false;
        }
    }

    private static byte[] apply(List<Step> steps, String piece, boolean noDecoder) {
        if (noDecoder) {
            // Rust tokenizers without a decoder join the tokens with single spaces.
            return (" " + piece).getBytes(StandardCharsets.UTF_8);
        }
        Object cur = piece;
        for (Step s : steps) {
            if (cur instanceof String) {
                cur = s.onText((String) cur);
            } else {
                String asText = strictUtf8((byte[]) cur);
                cur = asText == null ? s.onBytes((byte[]) cur) : s.onText(asText);
            }
        }
        return cur instanceof String ? ((String) cur).getBytes(StandardCharsets.UTF_8) : (byte[]) cur;
    }

    private static String str(JsonObject o, String field, String dflt) {
        JsonElement e = o.get(field);
        return e == null || e.isJsonNull() ? dflt : e.getAsString();
    }

    private static String strip(String t, int content, int start, int stop) {
        int[] cps = t.codePoints().toArray();
        int from = 0;
        while (from < start && from < cps.length && cps[from] == content) {
            from++;
        }
        int to = cps.length;
        while (cps.length - to < stop && to > from && cps[to - 1] == content) {
            to--;
        }
        return new String(cps, from, to - from);
    }

    /** The clean-up of Hugging Face's WordPiece decoder (spaces before punctuation, contractions). */
    static String cleanup(String s) {
        return s.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
                .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m")
                .replace(" do not", " don't").replace(" 's", "'s").replace(" 've", "'ve")
                .replace(" 're", "'re");
    }

    private static final Map<Integer, Integer> UNICODE_TO_BYTE = byteLevelMap();

    /** GPT-2's bytes_to_unicode, inverted: printable code point → byte. */
    private static Map<Integer, Integer> byteLevelMap() {
        Map<Integer, Integer> m = new HashMap<>();
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            m.put(printable ? b : 256 + extra++, b);
        }
        return m;
    }

    private static Object byteLevel(String t) {
        int[] cps = t.codePoints().toArray();
        byte[] out = new byte[cps.length];
        for (int i = 0; i < cps.length; i++) {
            Integer b = UNICODE_TO_BYTE.get(cps[i]);
            if (b == null) {
                return t.getBytes(StandardCharsets.UTF_8); // as Rust: whole token taken as UTF-8
            }
            out[i] = (byte) (int) b;
        }
        return out;
    }

    /** Decodes valid UTF-8, or returns null. */
    private static String strictUtf8(byte[] b) {
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b));
            return cb.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
