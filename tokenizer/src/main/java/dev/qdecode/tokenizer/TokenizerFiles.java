package dev.qdecode.tokenizer;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parsed files of a Hugging Face model directory that matter for tokenization: the vocabulary
 * and added tokens of {@code tokenizer.json}, its normalizer / pre-tokenizer / decoder sections, and
 * the special-token ids from {@code tokenizer_config.json}, {@code special_tokens_map.json}, {@code
 * generation_config.json} and {@code config.json}. Immutable.
 */
final class TokenizerFiles {
    private static final Logger LOG = LoggerFactory.getLogger(TokenizerFiles.class);

    static final String TOKENIZER_JSON = "tokenizer.json";
    static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    static final String SPECIAL_TOKENS_MAP = "special_tokens_map.json";
    static final String GENERATION_CONFIG = "generation_config.json";
    static final String CONFIG = "config.json";

    final Path dir;
    final Path tokenizerJson;
    /** Raw text of tokenizer.json, handed to the Rust tokenizer. */
    final String tokenizerJsonText;
    /** id → vocabulary string; {@code null} for ids that no token uses. */
    final String[] pieces;
    final Map<String, Integer> pieceIds;
    /** Added tokens flagged {@code "special": true} (exactly those that skip-special decoding drops). */
    final boolean[] special;
    final JsonElement normalizer;
    final JsonElement preTokenizer;
    final JsonElement decoder;
    final int bosId;
    final int[] eosIds;
    final int padId;
    final int unkId;

    private TokenizerFiles(
            Path dir,
            Path tokenizerJson,
            String text,
            String[] pieces,
            Map<String, Integer> pieceIds,
            boolean[] special,
            JsonObject root,
            int bosId,
            int[] eosIds,
            int padId,
            int unkId) {
        this.dir = dir;
        this.tokenizerJson = tokenizerJson;
        this.tokenizerJsonText = text;
        this.pieces = pieces;
        this.pieceIds = pieceIds;
        this.special = special;
        this.normalizer = nullToNull(root.get("normalizer"));
        this.preTokenizer = nullToNull(root.get("pre_tokenizer"));
        this.decoder = nullToNull(root.get("decoder"));
        this.bosId = bosId;
        this.eosIds = eosIds;
        this.padId = padId;
        this.unkId = unkId;
    }

    /**
     * Reads a model directory (or a {@code tokenizer.json} file, whose folder is then the model
     * directory).
     */
    static TokenizerFiles read(Path modelDirOrFile) {
        if (modelDirOrFile == null) {
            throw new TokenizerException("model directory: none given (expected a Hugging Face model directory)");
        }
        Path dir;
        Path tokJson;
        if (Files.isRegularFile(modelDirOrFile)) {
            tokJson = modelDirOrFile;
            dir = modelDirOrFile.toAbsolutePath().getParent();
        } else if (Files.isDirectory(modelDirOrFile)) {
            dir = modelDirOrFile;
            tokJson = dir.resolve(TOKENIZER_JSON);
        } else {
            throw new TokenizerException("model directory not found: " + modelDirOrFile);
        }
        if (!Files.isRegularFile(tokJson)) {
            throw new TokenizerException(
                    tokJson + ": not found (expected the Hugging Face tokenizer.json of the model)");
        }
        String text = readText(tokJson);
        JsonObject root = parseObject(tokJson, text);

        // Vocabulary of the model, then the added tokens (which may extend or override it).
        Map<String, Integer> ids = new HashMap<>();
        Map<Integer, String> byId = new HashMap<>();
        JsonObject model = objectField(tokJson, root, "model");
        JsonElement vocab = model.get("vocab");
        if (vocab == null || vocab.isJsonNull()) {
            throw new TokenizerException(tokJson + ": field model.vocab is missing (expected the token → id map)");
        }
        if (vocab.isJsonObject()) { // BPE, WordPiece, WordLevel
            for (Map.Entry<String, JsonElement> e : vocab.getAsJsonObject().entrySet()) {
                int id = intValue(tokJson, "model.vocab[\"" + e.getKey() + "\"]", e.getValue());
                ids.put(e.getKey(), id);
                byId.put(id, e.getKey());
            }
        } else if (vocab.isJsonArray()) { // Unigram: [[piece, score], ...], id = index
            JsonArray arr = vocab.getAsJsonArray();
            for (int i = 0; i < arr.size(); i++) {
                JsonElement entry = arr.get(i);
                if (!entry.isJsonArray() || entry.getAsJsonArray().isEmpty()
                        || !entry.getAsJsonArray().get(0).isJsonPrimitive()) {
                    throw new TokenizerException(tokJson + ": model.vocab[" + i + "] is not a [piece, score] pair");
                }
                String piece = entry.getAsJsonArray().get(0).getAsString();
                ids.put(piece, i);
                byId.put(i, piece);
            }
        } else {
            throw new TokenizerException(tokJson + ": field model.vocab must be an object or an array");
        }
        Set<Integer> specialIds = new LinkedHashSet<>();
        JsonElement added = root.get("added_tokens");
        if (added != null && !added.isJsonNull()) {
            if (!added.isJsonArray()) {
                throw new TokenizerException(tokJson + ": field added_tokens must be an array");
            }
            JsonArray arr = added.getAsJsonArray();
            for (int i = 0; i < arr.size(); i++) {
                if (!arr.get(i).isJsonObject()) {
                    throw new TokenizerException(tokJson + ": added_tokens[" + i + "] must be an object");
                }
                JsonObject t = arr.get(i).getAsJsonObject();
                int id = intValue(tokJson, "added_tokens[" + i + "].id", t.get("id"));
                JsonElement content = t.get("content");
                if (content == null || !content.isJsonPrimitive()) {
                    throw new TokenizerException(tokJson + ": added_tokens[" + i + "].content must be a string");
                }
                ids.put(content.getAsString(), id);
                byId.put(id, content.getAsString());
                JsonElement sp = t.get("special");
                if (sp != null && sp.isJsonPrimitive() && sp.getAsBoolean()) {
                    specialIds.add(id);
                }
            }
        }
        if (byId.isEmpty()) {
            throw new TokenizerException(tokJson + ": the vocabulary is empty");
        }
        int size = byId.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        String[] pieces = new String[size];
        byId.forEach((id, p) -> pieces[id] = p);
        boolean[] special = new boolean[size];
        specialIds.forEach(id -> special[id] = true);

        Sources s = new Sources(dir);
        Resolver r = new Resolver(tokJson, ids, size);
        int bos = r.firstOf(
                r.token(s.tokenizerConfig, "bos_token"),
                r.token(s.specialTokensMap, "bos_token"),
                r.firstId(s.generationConfig, "bos_token_id"),
                r.firstId(s.config, "bos_token_id"),
                r.postProcessorBos(root));
        LinkedHashSet<Integer> eos = new LinkedHashSet<>();
        r.ids(s.generationConfig, "eos_token_id", eos);
        r.ids(s.config, "eos_token_id", eos);
        int eosTok = r.firstOf(r.token(s.tokenizerConfig, "eos_token"), r.token(s.specialTokensMap, "eos_token"));
        if (eosTok >= 0) {
            eos.add(eosTok);
        }
        int pad = r.firstOf(
                r.token(s.tokenizerConfig, "pad_token"),
                r.token(s.specialTokensMap, "pad_token"),
                r.firstId(s.generationConfig, "pad_token_id"),
                r.firstId(s.config, "pad_token_id"));
        JsonElement modelUnk = model.get("unk_token");
        int modelUnkId = modelUnk != null && modelUnk.isJsonPrimitive() && ids.containsKey(modelUnk.getAsString())
                ? ids.get(modelUnk.getAsString())
                : -1;
        int unk = r.firstOf(r.token(s.tokenizerConfig, "unk_token"), r.token(s.specialTokensMap, "unk_token"), modelUnkId);
        int cfgBos = r.firstId(s.config, "bos_token_id");
        if (bos >= 0 && cfgBos >= 0 && cfgBos != bos) {
            LOG.warn("{}: bos_token_id {} differs from the tokenizer's BOS token id {}; using {}",
                    dir.resolve(CONFIG), cfgBos, bos, bos);
        }
        return new TokenizerFiles(dir, tokJson, text, pieces, Map.copyOf(ids), special, root, bos,
                eos.stream().mapToInt(Integer::intValue).toArray(), pad, unk);
    }

    /** The optional JSON files of the model directory (each {@code null} when absent). */
    private static final class Sources {
        final Json tokenizerConfig;
        final Json specialTokensMap;
        final Json generationConfig;
        final Json config;

        Sources(Path dir) {
            tokenizerConfig = Json.optional(dir.resolve(TOKENIZER_CONFIG));
            specialTokensMap = Json.optional(dir.resolve(SPECIAL_TOKENS_MAP));
            generationConfig = Json.optional(dir.resolve(GENERATION_CONFIG));
            config = Json.optional(dir.resolve(CONFIG));
        }
    }

    /** A parsed optional JSON object file. */
    private record Json(Path file, JsonObject root) {
        static Json optional(Path file) {
            if (!Files.isRegularFile(file)) {
                return null;
            }
            return new Json(file, parseObject(file, readText(file)));
        }
    }

    /** Turns token names and id fields into validated ids. */
    private static final class Resolver {
        private final Path tokJson;
        private final Map<String, Integer> ids;
        private final int size;

        Resolver(Path tokJson, Map<String, Integer> ids, int size) {
            this.tokJson = tokJson;
            this.ids = ids;
            this.size = size;
        }

        int firstOf(int... candidates) {
            for (int c : candidates) {
                if (c >= 0) {
                    return c;
                }
            }
            return -1;
        }

        /** A token given by name ({@code "<s>"} or {@code {"content": "<s>", ...}}); -1 if absent/null. */
        int token(Json json, String field) {
            if (json == null) {
                return -1;
            }
            JsonElement e = json.root.get(field);
            if (e == null || e.isJsonNull()) {
                return -1;
            }
            String name;
            if (e.isJsonPrimitive()) {
                name = e.getAsString();
            } else if (e.isJsonObject() && e.getAsJsonObject().get("content") != null
                    && e.getAsJsonObject().get("content").isJsonPrimitive()) {
                name = e.getAsJsonObject().get("content").getAsString();
            } else {
                throw new TokenizerException(json.file + ": field " + field
                        + " must be a token string or an object with \"content\"");
            }
            Integer id = ids.get(name);
            if (id == null) {
                throw new TokenizerException(json.file + ": " + field + " \"" + name
                        + "\" is not a token of " + tokJson);
            }
            return id;
        }

        /** The first id of an int-or-list field; -1 if absent/null/empty. */
        int firstId(Json json, String field) {
            Set<Integer> out = new LinkedHashSet<>();
            ids(json, field, out);
            return out.isEmpty() ? -1 : out.iterator().next();
        }

        void ids(Json json, String field, Set<Integer> out) {
            if (json == null) {
                return;
            }
            JsonElement e = json.root.get(field);
            if (e == null || e.isJsonNull()) {
                return;
            }
            if (e.isJsonArray()) {
                for (JsonElement x : e.getAsJsonArray()) {
                    out.add(checkedId(json.file, field, x));
                }
            } else {
                out.add(checkedId(json.file, field, e));
            }
        }

        private int checkedId(Path file, String field, JsonElement e) {
            int id = intValue(file, field, e);
            if (id < 0 || id >= size) {
                throw new TokenizerException(file + ": " + field + " = " + id
                        + " is outside the vocabulary of " + tokJson + " (0.." + (size - 1) + ")");
            }
            return id;
        }

        /** The special token that the post-processor's single-sequence template puts first. */
        int postProcessorBos(JsonObject root) {
            JsonElement pp = root.get("post_processor");
            if (pp == null || !pp.isJsonObject()) {
                return -1;
            }
            JsonElement single = pp.getAsJsonObject().get("single");
            if (single == null || !single.isJsonArray() || single.getAsJsonArray().isEmpty()) {
                return -1;
            }
            JsonElement first = single.getAsJsonArray().get(0);
            if (!first.isJsonObject() || !first.getAsJsonObject().has("SpecialToken")) {
                return -1;
            }
            JsonElement id = first.getAsJsonObject().getAsJsonObject("SpecialToken").get("id");
            if (id == null || !id.isJsonPrimitive()) {
                return -1;
            }
            Integer v = ids.get(id.getAsString());
            return v == null ? -1 : v;
        }
    }

    static String readText(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new TokenizerException(file + ": cannot be read as UTF-8 text (" + oneLine(e) + ")", e);
        }
    }

    static JsonObject parseObject(Path file, String text) {
        JsonElement root;
        try {
            root = JsonParser.parseString(text);
        } catch (JsonParseException e) {
            throw new TokenizerException(JsonErrors.syntaxError(file.toString(), e.getMessage(), text), e);
        }
        if (root == null || !root.isJsonObject()) {
            throw new TokenizerException(file + ": expected a JSON object at the top level");
        }
        return root.getAsJsonObject();
    }

    private static JsonObject objectField(Path file, JsonObject obj, String field) {
        JsonElement e = obj.get(field);
        if (e == null || !e.isJsonObject()) {
            throw new TokenizerException(file + ": field " + field + " is missing or not an object");
        }
        return e.getAsJsonObject();
    }

    static int intValue(Path file, String field, JsonElement e) {
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new TokenizerException(file + ": field " + field + " must be an integer");
        }
        double d = e.getAsDouble();
        if (d != Math.rint(d) || d < Integer.MIN_VALUE || d > Integer.MAX_VALUE) {
            throw new TokenizerException(file + ": field " + field + " must be an integer, got " + e);
        }
        return (int) d;
    }

    private static JsonElement nullToNull(JsonElement e) {
        return e == null || e.isJsonNull() ? null : e;
    }

    /** The first line of an exception's message (never a stack trace). */
    static String oneLine(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            m = t.getClass().getSimpleName();
        }
        return JsonErrors.describe(m);
    }

    @Override
    public String toString() {
        return "TokenizerFiles[" + tokenizerJson + ", vocab " + pieces.length + ", bos " + bosId
                + ", eos " + Arrays.toString(eosIds) + ", pad " + padId + "]";
    }
}
