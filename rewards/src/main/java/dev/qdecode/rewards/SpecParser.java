package dev.qdecode.rewards;

import dev.qdecode.tokenizer.Decimals;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Parses reward specs (grammar in {@link Rewards}).
 */
final class SpecParser {
    /** Valid reward ids: lower-case letters, digits, '.', '_' and '-', starting alphanumeric. */
    static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    private SpecParser() {}

    /** One parsed part: {@code [WEIGHT*]id[:key=value,...]}. */
    record Part(String text, boolean weighted, double weight, String id, Map<String, String> params) {}

    /** Splits {@code s} at unescaped {@code sep}, keeping escapes in the pieces. */
    private static List<String> split(String s, char sep) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                cur.append(c).append(s.charAt(++i));
            } else if (c == sep) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    private static String unescape(String s, String spec) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                if (i + 1 >= s.length()) {
                    throw new RewardSpecException("reward spec '" + spec
                            + "': a trailing backslash escapes nothing (write \\\\ for a backslash)");
                }
                sb.append(s.charAt(++i));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Parses a spec string holding one or more parts joined by {@code +}. */
    static List<Part> parseAll(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new RewardSpecException("empty reward spec: expected id[:key=value,...]");
        }
        List<Part> parts = new ArrayList<>();
        for (String p : split(spec, '+')) {
            parts.add(parsePart(p, spec));
        }
        return parts;
    }

    private static Part parsePart(String raw, String spec) {
        String text = raw.strip();
        if (text.isEmpty()) {
            throw new RewardSpecException("reward spec '" + spec
                    + "': empty part (expected [WEIGHT*]id[:key=value,...] between '+')");
        }
        int colon = text.indexOf(':');
        String head = colon < 0 ? text : text.substring(0, colon);
        String body = colon < 0 ? null : text.substring(colon + 1);
        boolean weighted = false;
        double weight = 1.0;
        int star = head.indexOf('*');
        if (star >= 0) {
            String w = head.substring(0, star).strip();
            try {
                weight = Double.parseDouble(w);
            } catch (NumberFormatException e) {
                weight = Double.NaN;
            }
            // a decimal number as the grammar allows it (0.7, -1, .5, 2.5e-3), none of the other spellings
            // Double.parseDouble takes (0x1p3, 1f, 2d, NaN)
            if (!Double.isFinite(weight) || !Decimals.isDecimal(w)) {
                throw new RewardSpecException("reward spec '" + spec + "': weight '" + w
                        + "' is not a finite number (expected e.g. 0.7*vader)");
            }
            weighted = true;
            head = head.substring(star + 1);
        }
        String id = head.strip();
        if (!ID.matcher(id).matches()) {
            throw new RewardSpecException("reward spec '" + spec + "': '" + id
                    + "' is not a reward id (lower-case letters, digits, '.', '_', '-')");
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (body != null && !body.isBlank()) {
            for (String kv : split(body, ',')) {
                if (kv.isBlank()) {
                    throw new RewardSpecException("reward spec '" + spec + "': empty parameter in '"
                            + text + "' (expected key=value separated by ',')");
                }
                int eq = kv.indexOf('=');
                if (eq < 0) {
                    throw new RewardSpecException("reward spec '" + spec + "': parameter '" + kv.strip()
                            + "' of reward '" + id + "' has no '=' (expected key=value)");
                }
                String key = kv.substring(0, eq).strip();
                String value = unescape(kv.substring(eq + 1), spec).strip();
                if (key.isEmpty()) {
                    throw new RewardSpecException("reward spec '" + spec + "': parameter '" + kv.strip()
                            + "' of reward '" + id + "' has no key");
                }
                if (params.put(key, value) != null) {
                    throw new RewardSpecException("reward spec '" + spec + "': parameter '" + key
                            + "' of reward '" + id + "' is given twice");
                }
            }
        }
        return new Part(text, weighted, weight, id, params);
    }
}
