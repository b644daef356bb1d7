package dev.qdecode.rewards.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Python {@code str}/{@code re} semantics the SQuAD v1.1 evaluation script relies on
 * ({@code str.lower()}, {@code string.punctuation}, {@code str.split()}, {@code \b} on
 * {@code str} patterns), on code points. Stateless and thread-safe.
 */
final class Words {
    /** Python's {@code string.punctuation} (ASCII only). */
    static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private Words() {}

    /** Python's {@code str.isspace()} for one code point (bidi class WS, B or S, or category Zs). */
    static boolean isSpace(int cp) {
        if (cp < 128) {
            return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F);
        }
        return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A)
                || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }

    /**
     * A word character of Python's {@code re} on {@code str} patterns ({@code \w}): a letter, a
     * number (decimal, letter or other number) or the underscore.
     */
    static boolean isWordChar(int cp) {
        if (cp < 128) {
            return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')
                    || cp == '_';
        }
        if (Character.isLetter(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }

    /** Python's {@code str.split()} without arguments: whitespace runs separate, no empty words. */
    static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        int n = s.length();
        int i = 0;
        while (i < n) {
            int cp = s.codePointAt(i);
            if (isSpace(cp)) {
                i += Character.charCount(cp);
                continue;
            }
            int start = i;
            while (i < n) {
                cp = s.codePointAt(i);
                if (isSpace(cp)) {
                    break;
                }
                i += Character.charCount(cp);
            }
            out.add(s.substring(start, i));
        }
        return out;
    }

    /**
     * The number of words of {@link #split} that hold at least one word character (letter,
     * number or underscore): pieces of punctuation alone, such as {@code ?} or {@code ’} in
     * tokenised dialogue text, are not counted.
     */
    static int countWords(String s) {
        int words = 0;
        boolean inPiece = false;
        boolean counted = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (isSpace(cp)) {
                inPiece = false;
            } else {
                if (!inPiece) {
                    inPiece = true;
                    counted = false;
                }
                if (!counted && isWordChar(cp)) {
                    words++;
                    counted = true;
                }
            }
            i += Character.charCount(cp);
        }
        return words;
    }

    /** Python's {@code str.lower()} (full Unicode mapping, locale-independent). */
    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    /** Python's {@code token.strip(string.punctuation)}: ASCII punctuation off both ends. */
    static String stripPunctuation(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && PUNCTUATION.indexOf(s.charAt(start)) >= 0) {
            start++;
        }
        while (end > start && PUNCTUATION.indexOf(s.charAt(end - 1)) >= 0) {
            end--;
        }
        return s.substring(start, end);
    }

    /**
     * {@code normalize_answer} of the SQuAD v1.1 evaluation script:
     * {@code white_space_fix(remove_articles(remove_punc(lower(s))))}, i.e. lower-case, delete
     * every ASCII punctuation character (not replaced by a space: {@code don't} becomes
     * {@code dont}), replace the whole words {@code a}, {@code an}, {@code the} by a space
     * ({@code re.sub(r'\b(a|an|the)\b', ' ', text)}), and join the words with single spaces.
     */
    static String squadNormalize(String s) {
        return String.join(" ", squadTokens(s));
    }

    /** {@code normalize_answer(s).split()}. */
    static List<String> squadTokens(String s) {
        String lower = lower(s);
        StringBuilder noPunc = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (PUNCTUATION.indexOf(c) < 0) {
                noPunc.append(c);
            }
        }
        // \b(a|an|the)\b matches exactly the maximal runs of word characters equal to an article.
        StringBuilder noArticles = new StringBuilder(noPunc.length());
        int n = noPunc.length();
        int i = 0;
        while (i < n) {
            int cp = noPunc.codePointAt(i);
            if (!isWordChar(cp)) {
                noArticles.appendCodePoint(cp);
                i += Character.charCount(cp);
                continue;
            }
            int start = i;
            while (i < n && isWordChar(cp = noPunc.codePointAt(i))) {
                i += Character.charCount(cp);
            }
            String word = noPunc.substring(start, i);
            noArticles.append(isArticle(word) ? " " : word);
        }
        return split(noArticles.toString());
    }

    private static boolean isArticle(String w) {
        return w.equals("a") || w.equals("an") || w.equals("the");
    }
}
