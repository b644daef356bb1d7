package dev.qdecode.tokenizer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a prompt text becomes token ids for a given model: the text is put into {@code template} at
 * {@code {text}} and the result is encoded with or without the tokenizer's special tokens.
 *
 * <p>Examples: {@code "{text}"} with special tokens (the Hugging Face default: BOS + tokens), or
 * {@code "<|start_story|>{text}"} without (TinyStories-656K's native format: BOS written as text,
 * which the tokenizer splits out as the added token, and the text right after it, without the
 * {@code ▁} that its normalizer would otherwise prepend).
 *
 * <h2>Default for a model ({@link #forModel})</h2>
 *
 * <ol>
 *   <li>The per-model settings file {@value #SETTINGS_FILE} in the model directory, if it has a
 *       {@code "prompt_format"} entry (see {@link #readSettings}); users may write it by hand.
 *   <li>Otherwise detection from the tokenizer files ({@link #detect}).
 * </ol>
 *
 * <h2>CLI spec ({@link #parse})</h2>
 *
 * <pre>{@code TEMPLATE[;special=true|false]}</pre>
 *
 * <p>{@code TEMPLATE} must contain {@code {text}} exactly once. Escapes in the template: {@code \n}
 * newline, {@code \t} tab, {@code \;} a literal semicolon, {@code \\} a backslash. An unescaped
 * {@code ;} starts an option; the only option is {@code special} (default {@code true}: the
 * tokenizer adds its special tokens, e.g. BOS). Examples: {@code "{text}"}, {@code
 * "<|start_story|>{text};special=false"}, {@code "Q: {text}\nA:"}.
 *
 * @param template the text around the prompt, containing {@value #TEXT} exactly once
 * @param addSpecialTokens whether the tokenizer's post-processor adds its special tokens
 */
public record PromptFormat(String template, boolean addSpecialTokens) {
    private static final Logger LOG = LoggerFactory.getLogger(PromptFormat.class);

    /** The placeholder for the prompt text. */
    public static final String TEXT = "{text}";

    /** Name of the per-model settings file read by {@link #forModel}. */
    public static final String SETTINGS_FILE = "qdecode-model.json";

    /** The key of the prompt format in the settings file. */
    public static final String SETTINGS_KEY = "prompt_format";

    /** The settings file's entry that {@code qdecode sft} writes for its own use. */
    public static final String SFT_KEY = "sft";

    /**
     * Validates the template.
     *
     * @param template the text around the prompt, containing {@value #TEXT} exactly once
     * @param addSpecialTokens whether the tokenizer's post-processor adds its special tokens
     * @throws TokenizerException if the template does not contain {@value #TEXT} exactly once
     * @throws NullPointerException naming {@code template} when it is null
     */
    public PromptFormat {
        Objects.requireNonNull(template, "template");
        int first = template.indexOf(TEXT);
        if (first < 0 || template.indexOf(TEXT, first + 1) >= 0) {
            throw new TokenizerException("prompt template \"" + escape(template) + "\" must contain "
                    + TEXT + " exactly once");
        }
    }

    /**
     * The Hugging Face default: {@code "{text}"} encoded with special tokens.
     *
     * @return the plain format
     */
    public static PromptFormat plain() {
        return new PromptFormat(TEXT, true);
    }

    /**
     * The string handed to the tokenizer: the template with {@code text} in place of {@value #TEXT}
     * (inserted literally, even if {@code text} itself contains {@value #TEXT}).
     *
     * @param text the prompt text
     * @return the filled template
     */
    public String apply(String text) {
        Objects.requireNonNull(text, "text");
        int at = template.indexOf(TEXT);
        return template.substring(0, at) + text + template.substring(at + TEXT.length());
    }

    /**
     * Encodes a prompt in this format.
     *
     * @param tok the model's tokenizer
     * @param text the prompt text
     * @return the prompt ids
     * @throws NullPointerException naming {@code tok} when it is null
     */
    public int[] encode(TextTokenizer tok, String text) {
        Objects.requireNonNull(tok, "tok");
        return tok.encode(apply(text), addSpecialTokens);
    }

    /**
     * Encodes many prompts in this format with one batch call.
     *
     * @param tok the model's tokenizer
     * @param texts the prompt texts
     * @return one unpadded row of ids per text
     * @throws NullPointerException naming {@code tok} or {@code texts} when it is null
     */
    public int[][] encodeBatch(TextTokenizer tok, List<String> texts) {
        Objects.requireNonNull(tok, "tok");
        Objects.requireNonNull(texts, "texts");
        List<String> filled = new ArrayList<>(texts.size());
        for (String t : texts) {
            filled.add(apply(t));
        }
        return tok.encodeBatch(filled, addSpecialTokens);
    }

    /**
     * The CLI form of this format, accepted back by {@link #parse}.
     *
     * @return e.g. {@code "<|start_story|>{text};special=false"}
     */
    public String toSpec() {
        return escape(template) + ";special=" + addSpecialTokens;
    }

    @Override
    public String toString() {
        return toSpec();
    }

    /**
     * Parses the CLI form {@code TEMPLATE[;special=true|false]} (see the class comment).
     *
     * @param spec the spec
     * @return the format
     * @throws TokenizerException (one line) for a bad escape, an unknown option or value, or a
     *     template without {@value #TEXT}
     * @throws NullPointerException naming {@code spec} when it is null
     */
    public static PromptFormat parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            if (c == '\\') {
                if (i + 1 >= spec.length()) {
                    throw badSpec(spec, "it ends with a lone backslash (write \\\\ for a backslash)");
                }
                char n = spec.charAt(++i);
                int c2 = escaped(n);
                if (c2 < 0) {
                    throw badSpec(spec, "unknown escape \\" + n + " (use " + ESCAPES + ")");
                }
                cur.append((char) c2);
            } else if (c == ';') {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        boolean special = true;
        boolean seen = false;
        for (String opt : parts.subList(1, parts.size())) {
            String o = opt.strip();
            int eq = o.indexOf('=');
            String key = eq < 0 ? o : o.substring(0, eq).strip();
            String value = eq < 0 ? "" : o.substring(eq + 1).strip();
            if (!key.equals("special")) {
                throw badSpec(spec, "unknown option \"" + o + "\" (the only option is special=true|false;"
                        + " write \\; for a literal semicolon)");
            }
            if (seen) {
                throw badSpec(spec, "option special is given twice");
            }
            seen = true;
            if (value.equals("true")) {
                special = true;
            } else if (value.equals("false")) {
                special = false;
            } else {
                throw badSpec(spec, "special=" + value + " (expected special=true or special=false)");
            }
        }
        String template = parts.get(0);
        if (!template.contains(TEXT)) {
            throw badSpec(spec, "the template has no " + TEXT + " placeholder");
        }
        return new PromptFormat(template, special);
    }

    /**
     * The default format for a model: {@value #SETTINGS_FILE} in {@code modelDir} if it exists and
     * has a {@value #SETTINGS_KEY} entry, else {@link #detect}.
     *
     * @param modelDir the model directory (only its settings file is read here)
     * @param tok the model's tokenizer
     * @return the format
     * @throws TokenizerException (one line) when the settings file exists but is invalid
     * @throws NullPointerException naming {@code modelDir} or {@code tok} when it is null
     */
    public static PromptFormat forModel(Path modelDir, TextTokenizer tok) {
        Objects.requireNonNull(modelDir, "modelDir");
        Objects.requireNonNull(tok, "tok");
        Path settings = modelDir.resolve(SETTINGS_FILE);
        if (Files.isRegularFile(settings)) {
            Optional<PromptFormat> f = readSettings(settings);
            if (f.isPresent()) {
                return f.get();
            }
        }
        return detect(tok);
    }

    /**
     * Reads the prompt format of a per-model settings file (such as {@value #SETTINGS_FILE}, also
     * when given explicitly on the command line). Format:
     *
     * <pre>{@code
     * { "prompt_format": { "template": "<|start_story|>{text}", "add_special_tokens": false } }
     * }</pre>
     *
     * <p>{@code add_special_tokens} is optional (default {@code true}). The only other top-level key is
     * {@value #SFT_KEY} (written by {@code qdecode sft}, read there); unknown keys, at the top or inside
     * {@code prompt_format}, are errors, so a misspelt key is not skipped.
     *
     * @param settingsFile the JSON file
     * @return the format, or empty when the file has no {@value #SETTINGS_KEY} entry
     * @throws TokenizerException (one line) when the file is missing, not JSON, or the entry is
     *     malformed
     * @throws NullPointerException naming {@code settingsFile} when it is null
     */
    public static Optional<PromptFormat> readSettings(Path settingsFile) {
        Objects.requireNonNull(settingsFile, "settingsFile");
        if (!Files.isRegularFile(settingsFile)) {
            throw new TokenizerException(settingsFile + ": settings file not found");
        }
        JsonObject root = TokenizerFiles.parseObject(settingsFile, TokenizerFiles.readText(settingsFile));
        for (String k : root.keySet()) {
            if (!k.equals(SETTINGS_KEY) && !k.equals(SFT_KEY)) {
                throw new TokenizerException(settingsFile + ": unknown key \"" + k + "\" (expected " + SETTINGS_KEY
                        + " or " + SFT_KEY + ")");
            }
        }
        JsonElement e = root.get(SETTINGS_KEY);
        if (e == null || e.isJsonNull()) {
            return Optional.empty();
        }
        String where = settingsFile + ": " + SETTINGS_KEY;
        if (!e.isJsonObject()) {
            throw new TokenizerException(where + " must be an object {\"template\": \"...{text}...\", "
                    + "\"add_special_tokens\": true|false}");
        }
        JsonObject o = e.getAsJsonObject();
        for (String k : o.keySet()) {
            if (!k.equals("template") && !k.equals("add_special_tokens")) {
                throw new TokenizerException(where + ": unknown key \"" + k
                        + "\" (expected template, add_special_tokens)");
            }
        }
        JsonElement t = o.get("template");
        if (t == null || !t.isJsonPrimitive() || !t.getAsJsonPrimitive().isString()) {
            throw new TokenizerException(where + ".template must be a string containing " + TEXT);
        }
        boolean special = true;
        JsonElement s = o.get("add_special_tokens");
        if (s != null) {
            if (!s.isJsonPrimitive() || !s.getAsJsonPrimitive().isBoolean()) {
                throw new TokenizerException(where + ".add_special_tokens must be true or false");
            }
            special = s.getAsBoolean();
        }
        String template = t.getAsString();
        if (!template.contains(TEXT)) {
            throw new TokenizerException(where + ".template \"" + escape(template) + "\" has no " + TEXT);
        }
        return Optional.of(new PromptFormat(template, special));
    }

    /**
     * Detects the native prompt format from the tokenizer files alone ("suffix-marker rule").
     *
     * <p>SentencePiece-style tokenizers prepend a word marker P (usually {@code ▁}) to the text,
     * through a {@code Prepend} normalizer or a {@code Metaspace} pre-tokenizer that adds a prefix.
     * That matches a vocabulary that marks word <em>starts</em> ({@code "▁the"}, Llama-2,
     * stories260K). When the vocabulary instead marks word <em>ends</em> (strictly more pieces end
     * with P than start with it; TinyStories-656K: 1044 vs 76), the model was trained on text in
     * which P follows words, so the prepended P becomes a lone token that no training sequence had
     * after BOS (perplexity 52.9 instead of 9.4 on TinyStories-656K). For such a tokenizer with a
     * BOS token, the format is {@code BOS-text + "{text}"} without special tokens: the BOS is split
     * out as the added token and the text after it is encoded without the prepended marker. The
     * rule is kept only if encoding the empty prompt in that format gives exactly {@code [BOS]}.
     *
     * <p>Every other tokenizer gets {@link #plain()} ({@code "{text}"} with special tokens).
     *
     * @param tok the model's tokenizer
     * @return the detected format
     * @throws NullPointerException naming {@code tok} when it is null
     */
    public static PromptFormat detect(TextTokenizer tok) {
        Objects.requireNonNull(tok, "tok");
        TokenizerFiles f = tok.files();
        String marker = prependedMarker(f.normalizer);
        if (marker == null) {
            marker = prependedMarker(f.preTokenizer);
        }
        if (marker == null || tok.bosId() < 0) {
            return plain();
        }
        int starts = 0;
        int ends = 0;
        for (String p : f.pieces) {
            if (p == null || p.equals(marker)) {
                continue;
            }
            if (p.startsWith(marker)) {
                starts++;
            }
            if (p.endsWith(marker)) {
                ends++;
            }
        }
        if (ends <= starts) {
            return plain();
        }
        PromptFormat nativeFormat = new PromptFormat(tok.piece(tok.bosId()) + TEXT, false);
        int[] empty = nativeFormat.encode(tok, "");
        if (!Arrays.equals(empty, new int[] {tok.bosId()})) {
            LOG.warn("{}: word-end-marker vocabulary, but \"{}\" does not encode to [BOS]; using {}",
                    f.tokenizerJson, tok.piece(tok.bosId()), plain());
            return plain();
        }
        return nativeFormat;
    }

    /** The marker that a normalizer / pre-tokenizer prepends to the text, or null. */
    private static String prependedMarker(JsonElement section) {
        if (section == null || !section.isJsonObject()) {
            return null;
        }
        JsonObject o = section.getAsJsonObject();
        String type = o.has("type") ? o.get("type").getAsString() : "";
        switch (type) {
            case "Sequence":
                for (String key : new String[] {"normalizers", "pretokenizers"}) {
                    if (o.has(key) && o.get(key).isJsonArray()) {
                        for (JsonElement e : o.getAsJsonArray(key)) {
                            String m = prependedMarker(e);
                            if (m != null) {
                                return m;
                            }
                        }
                    }
                }
                return null;
            case "Prepend":
                return o.has("prepend") ? o.get("prepend").getAsString() : null;
            case "Metaspace": {
                String scheme = o.has("prepend_scheme") ? o.get("prepend_scheme").getAsString() : null;
                boolean adds = scheme != null ? !scheme.equals("never")
                        : !o.has("add_prefix_space") || o.get("add_prefix_space").getAsBoolean();
                return adds && o.has("replacement") ? o.get("replacement").getAsString() : null;
            }
            default:
                return null;
        }
    }

    private static TokenizerException badSpec(String spec, String why) {
        String shown = spec.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
        return new TokenizerException("prompt format \"" + shown + "\": " + why
                + " (expected TEMPLATE[;special=true|false] with " + TEXT + " in TEMPLATE)");
    }

    /** The escapes a template given on the command line may use, as messages list them. */
    private static final String ESCAPES = "\\n, \\t, \\; or \\\\";

    /** The character the escape {@code \} + {@code n} stands for, or -1 for an unknown escape. */
    private static int escaped(char n) {
        switch (n) {
            case 'n': return '\n';
            case 't': return '\t';
            case ';': return ';';
            case '\\': return '\\';
            default: return -1;
        }
    }

    /**
     * Reads the backslash escapes of a template given on the command line, the same as {@link #parse}
     * reads in {@code --prompt-format}'s template: {@code \n} newline, {@code \t} tab, {@code \;} a
     * semicolon, {@code \\} a backslash (a {@code ;} needs no escape here: there are no options). For
     * {@code sft --template} and {@code train --task classification --template}; a text without a
     * backslash is returned as it is.
     *
     * @param text the template as given
     * @return the template with its escapes replaced
     * @throws IllegalArgumentException (one line: the reason, for the caller to prefix with the option and
     *     value) for an unknown escape or a lone trailing backslash
     * @throws NullPointerException naming {@code text} when it is null
     */
    public static String unescapeTemplate(String text) {
        Objects.requireNonNull(text, "text");
        if (text.indexOf('\\') < 0) {
            return text;
        }
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i + 1 >= text.length()) {
                throw new IllegalArgumentException("it ends with a lone backslash (write \\\\ for a backslash)");
            }
            char n = text.charAt(++i);
            int r = escaped(n);
            if (r < 0) {
                throw new IllegalArgumentException("unknown escape \\" + n + " (use " + ESCAPES + ")");
            }
            b.append((char) r);
        }
        return b.toString();
    }

    /**
     * A template as it would be given on the command line, the inverse of {@link #unescapeTemplate}: a
     * backslash, newline and tab are written {@code \\}, {@code \n} and {@code \t}, so that the text
     * fits one line of a message and can be given again as it is shown.
     *
     * @param template the template
     * @return its command-line spelling
     * @throws NullPointerException naming {@code template} when it is null
     */
    public static String escapeTemplate(String template) {
        Objects.requireNonNull(template, "template");
        StringBuilder b = new StringBuilder(template.length());
        for (char c : template.toCharArray()) {
            switch (c) {
                case '\n': b.append("\\n"); break;
                case '\t': b.append("\\t"); break;
                case '\\': b.append("\\\\"); break;
                default: b.append(c);
            }
        }
        return b.toString();
    }

    /** Escapes a template for the CLI form (and for one-line messages). */
    private static String escape(String template) {
        StringBuilder b = new StringBuilder();
        for (char c : template.toCharArray()) {
            switch (c) {
                case '\n': b.append("\\n"); break;
                case '\t': b.append("\\t"); break;
                case ';': b.append("\\;"); break;
                case '\\': b.append("\\\\"); break;
                default: b.append(c);
            }
        }
        return b.toString();
    }
}
