package dev.qdecode.tokenizer;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a {@link TrainedTokenizer} as a Hugging Face tokenizer directory.
 *
 * <p>Llama style (byte fallback): the normalizer, decoder and post-processor are exactly those of
 * Hugging Face's Llama-2 {@code tokenizer.json} ({@code Prepend("▁")} + {@code Replace(" ", "▁")};
 * {@code Replace("▁", " ")}, {@code ByteFallback}, {@code Fuse}, {@code Strip(1 leading space)};
 * {@code <s>} before the text). This legacy form is chosen over the newer {@code Metaspace}
 * pre-tokenizer because it round-trips exactly: {@code Metaspace} does not prepend {@code ▁} to a
 * text that already starts with a space, so the decoder's {@code Strip} then loses that space. One
 * addition: a {@code Split("▁", MergedWithNext)} pre-tokenizer, which cuts the text into the words
 * the trainer counted (SentencePiece's whitespace split). It does not change any encoding (no merge
 * spans a word start), only lets the Rust tokenizer cache per word.
 *
 * <p>Two texts do not round-trip in this style (as in Llama-2): added tokens split the text before
 * the normalizer runs, so each side of a special token gets its own {@code ▁} and {@code a<sep>b}
 * decodes as {@code a<sep> b}; and a {@code ▁} (U+2581) in the text is indistinguishable from a
 * space, so it decodes as one ({@link BpeTrainer#train} therefore refuses training text containing
 * it: telling the two apart would need the decoder to see which {@code ▁} came from a space, and the
 * normalizer's output has no such trace). Fixing the first in the decoder would need a rule spanning two tokens
 * (which {@link SurfaceTable}'s per-token surfaces cannot express), and {@code Metaspace}'s {@code
 * prepend_scheme: "first"} has the leading-space loss above.
 *
 * <p>Byte-level style (no byte fallback): GPT-2's {@code ByteLevel} pre-tokenizer and decoder, which
 * round-trip any text because all 256 bytes are in the vocabulary.
 *
 * <p>Merges are written as {@code "left right"} strings (readable by every {@code tokenizers}
 * version); no token contains U+0020 in either style (spaces become {@code ▁} or {@code Ġ}), else
 * they are written as {@code ["left", "right"]} pairs.
 */
final class TokenizerJsonWriter {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create();
    private static final String MARKER = String.valueOf(BpeWords.MARKER);

    private TokenizerJsonWriter() {}

    static void write(Path dir, TrainedTokenizer t) {
        try {
            Files.createDirectories(dir);
        } catch (IOException | RuntimeException e) {
            throw new TokenizerException(dir + ": cannot create the output directory (" + TokenizerFiles.oneLine(e) + ")", e);
        }
        writeJson(dir.resolve(TokenizerFiles.TOKENIZER_JSON), tokenizerJson(t));
        writeJson(dir.resolve(TokenizerFiles.TOKENIZER_CONFIG), tokenizerConfig(t.config()));
        writeJson(dir.resolve(TokenizerFiles.SPECIAL_TOKENS_MAP), specialTokensMap(t.config()));
    }

    private static void writeJson(Path file, JsonObject json) {
        try {
            Files.writeString(file, GSON.toJson(json) + "\n", StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new TokenizerException(file + ": cannot be written (" + TokenizerFiles.oneLine(e) + ")", e);
        }
    }

    static JsonObject tokenizerJson(TrainedTokenizer t) {
        BpeConfig cfg = t.config();
        boolean llama = cfg.byteFallback();
        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        root.add("truncation", JsonNull.INSTANCE);
        root.add("padding", JsonNull.INSTANCE);
        JsonArray added = new JsonArray();
        List<String> specials = cfg.specialTokens();
        for (String s : specials) {
            JsonObject a = new JsonObject();
            a.addProperty("id", t.pieces().indexOf(s));
            a.addProperty("content", s);
            a.addProperty("single_word", false);
            a.addProperty("lstrip", false);
            a.addProperty("rstrip", false);
            a.addProperty("normalized", false);
            a.addProperty("special", true);
            added.add(a);
        }
        root.add("added_tokens", added);
        if (llama) {
            root.add("normalizer", sequence("normalizers",
                    obj("type", "Prepend", "prepend", MARKER),
                    replace(" ", MARKER)));
            JsonObject split = obj("type", "Split");
            split.add("pattern", obj("String", MARKER));
            split.addProperty("behavior", "MergedWithNext");
            split.addProperty("invert", false);
            root.add("pre_tokenizer", split);
        } else {
            root.add("normalizer", JsonNull.INSTANCE);
            root.add("pre_tokenizer", byteLevel(false));
        }
        root.add("post_processor", bosTemplate(t.pieces().indexOf("<s>")));
        if (llama) {
            JsonObject strip = obj("type", "Strip", "content", " ");
            strip.addProperty("start", 1);
            strip.addProperty("stop", 0);
            root.add("decoder", sequence("decoders", replace(MARKER, " "), obj("type", "ByteFallback"),
                    obj("type", "Fuse"), strip));
        } else {
            root.add("decoder", byteLevel(true));
        }
        JsonObject model = obj("type", "BPE");
        model.add("dropout", JsonNull.INSTANCE);
        model.add("unk_token", llama ? new JsonPrimitive("<unk>") : JsonNull.INSTANCE);
        model.add("continuing_subword_prefix", JsonNull.INSTANCE);
        model.add("end_of_word_suffix", JsonNull.INSTANCE);
        model.addProperty("fuse_unk", llama);
        model.addProperty("byte_fallback", llama);
        model.addProperty("ignore_merges", false);
        JsonObject vocab = new JsonObject();
        for (int id = 0; id < t.pieces().size(); id++) {
            vocab.addProperty(t.pieces().get(id), id);
        }
        model.add("vocab", vocab);
        boolean spaced = t.pieces().stream().anyMatch(p -> p.indexOf(' ') >= 0);
        JsonArray merges = new JsonArray();
        for (String[] m : t.merges()) {
            if (spaced) {
                JsonArray pair = new JsonArray();
                pair.add(m[0]);
                pair.add(m[1]);
                merges.add(pair);
            } else {
                merges.add(m[0] + " " + m[1]);
            }
        }
        model.add("merges", merges);
        root.add("model", model);
        return root;
    }

    static JsonObject tokenizerConfig(BpeConfig cfg) {
        JsonObject o = new JsonObject();
        o.addProperty("add_bos_token", true);
        o.addProperty("add_eos_token", false);
        o.addProperty("bos_token", "<s>");
        o.addProperty("eos_token", "</s>");
        o.addProperty("unk_token", "<unk>");
        o.addProperty("pad_token", "<pad>");
        o.add("additional_special_tokens", strings(cfg.extraSpecialTokens()));
        o.addProperty("clean_up_tokenization_spaces", false);
        o.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
        return o;
    }

    static JsonObject specialTokensMap(BpeConfig cfg) {
        JsonObject o = new JsonObject();
        o.add("bos_token", tokenObject("<s>"));
        o.add("eos_token", tokenObject("</s>"));
        o.add("unk_token", tokenObject("<unk>"));
        o.add("pad_token", tokenObject("<pad>"));
        JsonArray extra = new JsonArray();
        for (String s : cfg.extraSpecialTokens()) {
            extra.add(tokenObject(s));
        }
        o.add("additional_special_tokens", extra);
        return o;
    }

    private static JsonObject tokenObject(String content) {
        JsonObject o = new JsonObject();
        o.addProperty("content", content);
        o.addProperty("lstrip", false);
        o.addProperty("normalized", false);
        o.addProperty("rstrip", false);
        o.addProperty("single_word", false);
        return o;
    }

    private static JsonObject bosTemplate(int bosId) {
        JsonObject p = obj("type", "TemplateProcessing");
        p.add("single", arr(special("<s>", 0), ref("A", 0)));
        p.add("pair", arr(special("<s>", 0), ref("A", 0), special("<s>", 1), ref("B", 1)));
        JsonObject bos = obj("id", "<s>");
        JsonArray ids = new JsonArray();
        ids.add(bosId);
        bos.add("ids", ids);
        bos.add("tokens", strings(List.of("<s>")));
        JsonObject st = new JsonObject();
        st.add("<s>", bos);
        p.add("special_tokens", st);
        return p;
    }

    private static JsonObject special(String token, int typeId) {
        return templatePiece("SpecialToken", token, typeId);
    }

    private static JsonObject ref(String id, int typeId) {
        return templatePiece("Sequence", id, typeId);
    }

    /** A TemplateProcessing piece: {@code {kind: {"id": id, "type_id": typeId}}}. */
    private static JsonObject templatePiece(String kind, String id, int typeId) {
        JsonObject inner = obj("id", id);
        inner.addProperty("type_id", typeId);
        JsonObject o = new JsonObject();
        o.add(kind, inner);
        return o;
    }

    private static JsonObject byteLevel(boolean decoder) {
        JsonObject o = obj("type", "ByteLevel");
        o.addProperty("add_prefix_space", decoder);
        o.addProperty("trim_offsets", true);
        o.addProperty("use_regex", true);
        return o;
    }

    private static JsonObject replace(String pattern, String content) {
        JsonObject o = obj("type", "Replace");
        o.add("pattern", obj("String", pattern));
        o.addProperty("content", content);
        return o;
    }

    private static JsonObject sequence(String key, JsonElement... items) {
        JsonObject o = obj("type", "Sequence");
        o.add(key, arr(items));
        return o;
    }

    private static JsonObject obj(String... kv) {
        JsonObject o = new JsonObject();
        for (int i = 0; i < kv.length; i += 2) {
            o.addProperty(kv[i], kv[i + 1]);
        }
        return o;
    }

    private static JsonArray arr(JsonElement... items) {
        JsonArray a = new JsonArray();
        for (JsonElement e : items) {
            a.add(e);
        }
        return a;
    }

    private static JsonArray strings(List<String> items) {
        JsonArray a = new JsonArray();
        items.forEach(a::add);
        return a;
    }
}
