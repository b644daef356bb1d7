package dev.qdecode.rewards.text;

import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.Reward;
import java.util.ArrayList;
import java.util.List;

/** Test helper: scores texts as episodes that hold only a text. */
final class TextEpisodes {
    private TextEpisodes() {}

    static double[] score(Reward r, String... texts) {
        List<Episode> eps = new ArrayList<>();
        for (String t : texts) {
            eps.add(Episode.ofText(t));
        }
        return r.score(eps);
    }
}
