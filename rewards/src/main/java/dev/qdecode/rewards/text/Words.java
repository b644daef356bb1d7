package dev.qdecode.rewards.text;

import dev.qdecode.rewards.pystr.PyStr;
import java.util.List;

/**
 * Word splitting of the text rewards: the SQuAD v1.1 evaluation script's {@code normalize_answer}
 * and the word count of the {@code length} reward, on the Python {@code str}/{@code re} semantics
 * of {@link PyStr}. Stateless and thread-safe.
 */
final class Words {
    private Words() {}

    /**
     * The number of words of {@link PyStr#split} that hold at least one word character (letter,
     * number or underscore): pieces of punctuation alone, such as {@code ?} or {@code ’} in
     * tokenised dialogue text, are not counted.
     */
    static int countWords(String s) {
        int words = 0;
        boolean inPiece = false;
        boolean counted = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (PyStr.isSpace(cp)) {
                inPiece = false;
            } else {
                if (!inPiece) {
                    inPiece = true;
                    counted = false;
                }
                if (!counted && PyStr.isWordChar(cp)) {
                    words++;
                    counted = true;
                }
            }
            i += Character.charCount(cp);
        }
        return words;
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
        String lower = PyStr.lower(s);
        StringBuilder noPunc = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (PyStr.PUNCTUATION.indexOf(c) < 0) {
                noPunc.append(c);
            }
        }
        // \b(a|an|the)\b matches exactly the maximal runs of word characters equal to an article.
        StringBuilder noArticles = new StringBuilder(noPunc.length());
        int n = noPunc.length();
        int i = 0;
        while (i < n) {
            int cp = noPunc.codePointAt(i);
            if (!PyStr.isWordChar(cp)) {
                noArticles.appendCodePoint(cp);
                i += Character.charCount(cp);
                continue;
            }
            int start = i;
            while (i < n && PyStr.isWordChar(cp = noPunc.codePointAt(i))) {
                i += Character.charCount(cp);
            }
            String word = noPunc.substring(start, i);
            noArticles.append(isArticle(word) ? " " : word);
        }
        return PyStr.split(noArticles.toString());
    }

    private static boolean isArticle(String w) {
        return w.equals("a") || w.equals("an") || w.equals("the");
    }
}
