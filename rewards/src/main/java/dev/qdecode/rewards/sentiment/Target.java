package dev.qdecode.rewards.sentiment;

import dev.qdecode.rewards.RewardParams;
import java.util.List;

/** Which sentiment a reward favours: the score as is, or negated. */
enum Target {
    /** Reward positive sentiment (the score as is). */
    POSITIVE(1.0),
    /** Reward negative sentiment (the score negated). */
    NEGATIVE(-1.0);

    private final double sign;

    Target(double sign) {
        this.sign = sign;
    }

    /** Applies the sign to a score (a zero stays +0.0). */
    double apply(double score) {
        return sign * score + 0.0;
    }

    /** Reads the {@code target} parameter ({@code positive} by default). */
    static Target from(RewardParams params) {
        String v = params.getChoice("target", "positive", List.of("positive", "negative"));
        return v.equals("negative") ? NEGATIVE : POSITIVE;
    }
}
