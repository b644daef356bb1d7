package dev.qdecode.pipeline.dqn;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Every setting of DQN training and decoding, validated in one place (the canonical constructor):
 * an invalid value throws {@link IllegalArgumentException} with one line naming the CLI option.
 * The config round-trips through JSON ({@link #toJson()}, {@link #fromJson(String, String)}), so it
 * can live in a file and in checkpoints; {@link #toBuilder()} lets command-line options override a
 * file's values.
 *
 * @param episodes training episodes in total (--episodes, default 6000)
 * @param rolloutEpisodes episodes rolled out (as one batch) between rounds of updates (--rollout-episodes, default 32)
 * @param maxNewTokens the most tokens generated per episode (--max-new-tokens, default 48)
 * @param minNewTokens end-of-sequence is banned until this many tokens exist (--min-new-tokens, default 24)
 * @param gamma discount factor in (0, 1] (--gamma, default 1.0)
 * @param nStep steps of real reward before bootstrapping (--n-step, default 4)
 * @param backup how the bootstrap value is computed (--backup, default soft)
 * @param tauQ temperature of the KL-regularised soft-Q policy (--tau-q, default 0.2: on VADER and classifier rewards it keeps distinct-2 within 0.95x of the base at a positive rate of 0.97-0.98; 0.1 reaches 0.99 at 0.90x)
 * @param targetSync 0 = Polyak averaging every update; N &gt; 0 = hard copy every N updates (--target-sync, default 0)
 * @param polyak Polyak rate τ in (0, 1] (used when targetSync is 0) (--polyak, default 0.01)
 * @param candidatesTopK candidate set keeps the k most likely tokens of π_ref (0 = no limit) (--candidates-top-k, default 20)
 * @param candidatesTopP candidate set keeps the smallest prefix reaching this mass of π_ref (1.0 = off) (--candidates-top-p, default 1.0)
 * @param minCandidates at least this many candidates (when that many tokens are eligible) (--min-candidates, default 2)
 * @param epsilonStart ε of ε-greedy exploration at the first episode (--epsilon-start, default 0.1)
 * @param epsilonEnd ε after the decay (--epsilon-end, default 0.01)
 * @param epsilonEpisodes episodes of linear ε decay (0 = the whole run) (--epsilon-episodes, default 0)
 * @param lr Adam learning rate (--lr, default 1e-3)
 * @param batchSize transitions per gradient update (--batch-size, default 64)
 * @param updatesPerRollout gradient updates after each rollout (--updates-per-rollout, default 16)
 * @param replaySize replay capacity in transitions (oldest episodes are evicted first) (--replay-size, default 200000)
 * @param prioritized proportional prioritized replay instead of uniform (--prioritized, default false)
 * @param priorityAlpha priority exponent α (--priority-alpha, default 0.6)
 * @param priorityBetaStart importance-weight exponent β at the start (annealed linearly) (--priority-beta-start, default 0.4)
 * @param priorityBetaEnd β at the end of the run (--priority-beta-end, default 1.0)
 * @param priorityEps added to |TD error| so every transition keeps a chance (--priority-eps, default 1e-3)
 * @param gradClip global gradient-norm clip (0 = off) (--grad-clip, default 10.0)
 * @param huberDelta Huber loss threshold (--huber-delta, default 1.0)
 * @param klBeta initial per-token KL penalty coefficient β (0 = off) (--kl-beta, default 0.0)
 * @param klTarget target KL per episode for the adaptive β (0 = fixed β) (--kl-target, default 0.0)
 * @param klHorizon horizon (episodes) of the adaptive β controller (--kl-horizon, default 10000)
 * @param clipTargets clip Bellman targets to the achievable return range (--clip-targets, default true)
 * @param returnMin lower end of the achievable return range (null = ±1, ±2 with shaping, widened to the returns the run's episodes reach) (--return-min, default null)
 * @param returnMax upper end of the achievable return range (null = ±1, ±2 with shaping, widened to the returns the run's episodes reach) (--return-max, default null)
 * @param headHidden hidden units of the Q head (--head-hidden, default 256)
 * @param activation hidden activation of the Q head (--head-activation, default relu)
 * @param shapingEvery potential-based shaping: score prefixes every N tokens (0 = terminal reward only) (--shaping-every, default 1)
 * @param seed the run seed (--seed, default 1)
 * @param evalEvery evaluate every N episodes (0 = only at the end) (--eval-every, default 1000)
 * @param evalSamples samples per held-out prompt at evaluation (--eval-samples, default 4)
 * @param checkpointEvery checkpoint every N episodes (0 = at every evaluation) (--checkpoint-every, default 0)
 * @param saveReplay include the replay buffer in checkpoints (exact resume needs it) (--save-replay, default false)
 * @param rolloutTemperature temperature of the training rollouts' sampling from the guided policy; 0 = its argmax,
 *     so only ε explores (the backup does not depend on it: it only moves the visited states toward those that
 *     greedy decoding visits; evaluations sample the policy itself, at temperature 1)
 *     (--rollout-temperature, default 1)
 * @param allTerminalActions classification: at each decision whose allowed tokens end labels, also store the
 *     transitions of the terminal tokens not taken, scored by the reward module (exact simulated transitions:
 *     the token MDP's dynamics and the reward function are known) (--all-terminal-actions, default false)
 * @param lrSchedule how the Q head's learning rate moves over the run: constant, or decaying from {@code lr} to 0
 *     at the last episode, linearly or along a half cosine (--lr-schedule, default constant)
 * @param refit classification: after the head is selected on the validation split, train a fresh head on all
 *     training examples for the selected number of episodes and keep that one (the probe's protocol)
 *     (--refit, default false)
 * @param shuffledPasses draw the training prompts (texts) in shuffled passes, each once per pass, instead of
 *     independently with replacement (--shuffled-passes, default false)
 * @param demonstrations tasks with references (translation, dialogue): for this fraction of each rollout batch's
 *     prompts, also store the reference target as a teacher-forced episode, scored by the reward like any other
 *     (demonstration transitions in replay, as in DQfD and ILQL's offline data; the reference token joins C(s)
 *     where π_ref's top candidates miss it); 0 = off (--demonstrations, default 0)
 * @param samplesPerPrompt rollout episodes drawn per training prompt, side by side in one batch, so the
 *     replay holds different continuations of the same states (a group, as GRPO and RLOO sample); must
 *     divide {@code rolloutEpisodes} (--samples-per-prompt, default 1)
 * @param valueLoss the Q head's regression loss: Huber on Q − y, or, for returns in [0, 1], the Bernoulli
 *     cross-entropy of Q = σ(z) against y (--value-loss, default huber; classification: cross-entropy)
 */
public record DqnConfig(
        int episodes,
        int rolloutEpisodes,
        int maxNewTokens,
        int minNewTokens,
        double gamma,
        int nStep,
        Backup backup,
        double tauQ,
        int targetSync,
        double polyak,
        int candidatesTopK,
        double candidatesTopP,
        int minCandidates,
        double epsilonStart,
        double epsilonEnd,
        int epsilonEpisodes,
        double lr,
        int batchSize,
        int updatesPerRollout,
        int replaySize,
        boolean prioritized,
        double priorityAlpha,
        double priorityBetaStart,
        double priorityBetaEnd,
        double priorityEps,
        double gradClip,
        double huberDelta,
        double klBeta,
        double klTarget,
        int klHorizon,
        boolean clipTargets,
        Double returnMin,
        Double returnMax,
        int headHidden,
        Activation activation,
        int shapingEvery,
        long seed,
        int evalEvery,
        int evalSamples,
        int checkpointEvery,
        boolean saveReplay,
        double rolloutTemperature,
        boolean allTerminalActions,
        LrSchedule lrSchedule,
        boolean refit,
        boolean shuffledPasses,
        double demonstrations,
        int samplesPerPrompt,
        ValueLoss valueLoss) {

    /** How the value of the bootstrap state is computed in the Bellman target. */
    public enum Backup {
        /** KL-regularised soft backup: τ_Q·log Σ_{a'∈C} π_ref(a')·exp(Q_target(a')/τ_Q). */
        SOFT,
        /** DQN max backup: max_{a'∈C} Q_target(a'). */
        HARD,
        /** Double DQN: the online head picks argmax over C, the target head gives its value. */
        DOUBLE;

        /**
         * Parses a name case-insensitively ({@code soft}, {@code hard}, {@code double}).
         *
         * @param s the text
         * @return the backup
         * @throws IllegalArgumentException naming {@code --backup} when unknown
         * @throws NullPointerException naming {@code s} when it is null
         */
        public static Backup parse(String s) {
            return parseEnum(Backup.class, s, "--backup");
        }
    }

    /** Hidden activation of the Q head. */
    public enum Activation {
        /** max(0, x). */
        RELU,
        /** Gaussian error linear unit (tanh approximation). */
        GELU,
        /** The identity: Q is then a linear function of φ (the hidden layer a linear factorisation). */
        LINEAR;

        /**
         * Parses a name case-insensitively ({@code relu}, {@code gelu}, {@code linear}).
         *
         * @param s the text
         * @return the activation
         * @throws IllegalArgumentException naming {@code --head-activation} when unknown
         * @throws NullPointerException naming {@code s} when it is null
         */
        public static Activation parse(String s) {
            return parseEnum(Activation.class, s, "--head-activation");
        }
    }

    /** How the learning rate of the Q head moves over the run ({@link #lrAt(long)}). */
    public enum LrSchedule {
        /** {@code lr} throughout. */
        CONSTANT,
        /** From {@code lr} down to 0 at the last episode, linearly. */
        LINEAR,
        /** From {@code lr} down to 0 at the last episode along a half cosine, {@code lr·(1 + cos(π·f))/2}. */
        COSINE;

        /**
         * Parses a name case-insensitively ({@code constant}, {@code linear}, {@code cosine}).
         *
         * @param s the text
         * @return the schedule
         * @throws IllegalArgumentException naming --lr-schedule and the accepted names
         * @throws NullPointerException naming {@code s} when it is null
         */
        public static LrSchedule parse(String s) {
            return parseEnum(LrSchedule.class, s, "--lr-schedule");
        }
    }

    /** The loss that fits the Q head to its Bellman targets y ({@code QHead.train}). */
    public enum ValueLoss {
        /** Huber loss on Q − y (threshold {@code huberDelta}); Q is the head's output. */
        HUBER,
        /**
         * Bernoulli cross-entropy {@code −y·log σ(z) − (1−y)·log(1 − σ(z))} of Q = σ(z), z the head's output:
         * for returns in [0, 1] (a label match, a probability), whose minimiser is still E[y], so Q stays the
         * expected return; a regression trained as a classification (Farebrother et al. 2024, "Stop
         * Regressing"). The returns must lie in [0, 1].
         */
        CROSS_ENTROPY;

        /**
         * Parses a name case-insensitively ({@code huber}, {@code cross-entropy}).
         *
         * @param s the text
         * @return the loss
         * @throws IllegalArgumentException naming --value-loss and the accepted names
         * @throws NullPointerException naming {@code s} when it is null
         */
        public static ValueLoss parse(String s) {
            return parseEnum(ValueLoss.class, s, "--value-loss");
        }
    }

    private static final Map<String, String> OPTIONS = options();

    private static Map<String, String> options() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("episodes", "--episodes");
        m.put("rolloutEpisodes", "--rollout-episodes");
        m.put("maxNewTokens", "--max-new-tokens");
        m.put("minNewTokens", "--min-new-tokens");
        m.put("gamma", "--gamma");
        m.put("nStep", "--n-step");
        m.put("backup", "--backup");
        m.put("tauQ", "--tau-q");
        m.put("targetSync", "--target-sync");
        m.put("polyak", "--polyak");
        m.put("candidatesTopK", "--candidates-top-k");
        m.put("candidatesTopP", "--candidates-top-p");
        m.put("minCandidates", "--min-candidates");
        m.put("epsilonStart", "--epsilon-start");
        m.put("epsilonEnd", "--epsilon-end");
        m.put("epsilonEpisodes", "--epsilon-episodes");
        m.put("lr", "--lr");
        m.put("batchSize", "--batch-size");
        m.put("updatesPerRollout", "--updates-per-rollout");
        m.put("replaySize", "--replay-size");
        m.put("prioritized", "--prioritized");
        m.put("priorityAlpha", "--priority-alpha");
        m.put("priorityBetaStart", "--priority-beta-start");
        m.put("priorityBetaEnd", "--priority-beta-end");
        m.put("priorityEps", "--priority-eps");
        m.put("gradClip", "--grad-clip");
        m.put("huberDelta", "--huber-delta");
        m.put("klBeta", "--kl-beta");
        m.put("klTarget", "--kl-target");
        m.put("klHorizon", "--kl-horizon");
        m.put("clipTargets", "--clip-targets");
        m.put("returnMin", "--return-min");
        m.put("returnMax", "--return-max");
        m.put("headHidden", "--head-hidden");
        m.put("activation", "--head-activation");
        m.put("shapingEvery", "--shaping-every");
        m.put("seed", "--seed");
        m.put("evalEvery", "--eval-every");
        m.put("evalSamples", "--eval-samples");
        m.put("checkpointEvery", "--checkpoint-every");
        m.put("saveReplay", "--save-replay");
        m.put("rolloutTemperature", "--rollout-temperature");
        m.put("allTerminalActions", "--all-terminal-actions");
        m.put("lrSchedule", "--lr-schedule");
        m.put("refit", "--refit");
        m.put("shuffledPasses", "--shuffled-passes");
        m.put("demonstrations", "--demonstrations");
        m.put("samplesPerPrompt", "--samples-per-prompt");
        m.put("valueLoss", "--value-loss");
        return Collections.unmodifiableMap(m);
    }

    /**
     * Validates every field; errors name the CLI option and what was expected.
     *
     * @param episodes training episodes in total, {@code > 0}
     * @param rolloutEpisodes episodes per rollout batch, {@code > 0}, a multiple of
     *     {@code samplesPerPrompt}
     * @param maxNewTokens the most tokens generated per episode, {@code > 0}
     * @param minNewTokens tokens before end-of-sequence is allowed, in [0, {@code maxNewTokens}]
     * @param gamma discount factor, in (0, 1]
     * @param nStep steps of real reward before bootstrapping, {@code > 0}
     * @param backup the bootstrap backup; not null
     * @param tauQ soft-Q temperature, finite and {@code > 0}
     * @param targetSync 0 = Polyak averaging, N {@code > 0} = hard copy every N updates; {@code >= 0}
     * @param polyak Polyak rate τ, in (0, 1]
     * @param candidatesTopK candidate top-k of π_ref, {@code >= 0} (0 = no limit)
     * @param candidatesTopP candidate top-p mass of π_ref, in (0, 1] (1.0 = off)
     * @param minCandidates least candidates, {@code > 0} and at most {@code candidatesTopK} when that
     *     is set
     * @param epsilonStart ε at the first episode, in [0, 1]
     * @param epsilonEnd ε after the decay, in [0, 1]
     * @param epsilonEpisodes episodes of linear ε decay, {@code >= 0} (0 = the whole run)
     * @param lr Adam learning rate, finite and {@code > 0}
     * @param batchSize transitions per gradient update, {@code > 0}
     * @param updatesPerRollout gradient updates after each rollout, {@code >= 0}
     * @param replaySize replay capacity in transitions, {@code >= batchSize}
     * @param prioritized proportional prioritized replay instead of uniform
     * @param priorityAlpha priority exponent α, in [0, 1]
     * @param priorityBetaStart importance-weight exponent β at the start, in [0, 1]
     * @param priorityBetaEnd β at the end of the run, in [0, 1]
     * @param priorityEps added to |TD error|, finite and {@code > 0}
     * @param gradClip global gradient-norm clip, finite and {@code >= 0} (0 = off)
     * @param huberDelta Huber loss threshold, finite and {@code > 0}
     * @param klBeta initial per-token KL coefficient β, finite and {@code >= 0} (0 = off)
     * @param klTarget target KL per episode, finite and {@code >= 0} (0 = fixed β); {@code > 0}
     *     needs {@code klBeta > 0}
     * @param klHorizon horizon in episodes of the adaptive β controller, {@code > 0}
     * @param clipTargets clip Bellman targets to the achievable return range
     * @param returnMin lower end of the return range, or null (with {@code returnMax}) to derive it
     *     from the reward; finite
     * @param returnMax upper end of the return range, or null (with {@code returnMin}); finite and
     *     greater than {@code returnMin}
     * @param headHidden hidden units of the Q head, {@code > 0}
     * @param activation hidden activation of the Q head; not null
     * @param shapingEvery score prefixes every N tokens, {@code >= 0} (0 = terminal reward only)
     * @param seed the run seed
     * @param evalEvery evaluate every N episodes, {@code >= 0} (0 = only at the end)
     * @param evalSamples samples per held-out prompt at evaluation, {@code > 0}
     * @param checkpointEvery checkpoint every N episodes, {@code >= 0} (0 = at every evaluation)
     * @param saveReplay include the replay buffer in checkpoints
     * @param rolloutTemperature rollout sampling temperature, finite and {@code >= 0} (0 = argmax)
     * @param allTerminalActions classification: also store the terminal tokens not taken
     * @param lrSchedule the learning-rate schedule; not null
     * @param refit classification: retrain a fresh head on all training examples after selection
     * @param shuffledPasses draw the training prompts in shuffled passes
     * @param demonstrations fraction of each batch's prompts also stored as reference episodes, in
     *     [0, 1]
     * @param samplesPerPrompt rollout episodes per training prompt, {@code > 0}, dividing
     *     {@code rolloutEpisodes}
     * @param valueLoss the Q head's loss; not null; with cross-entropy, a given return range must lie in
     *     [0, 1]
     * @throws IllegalArgumentException naming the CLI option of the first invalid field
     * @throws NullPointerException naming {@code backup}, {@code activation}, {@code lrSchedule} or {@code
     *     valueLoss} when it is null (checked before the other fields)
     */
    public DqnConfig {
        Objects.requireNonNull(backup, "backup");
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(lrSchedule, "lrSchedule");
        Objects.requireNonNull(valueLoss, "valueLoss");
        positive(episodes, "episodes");
        positive(rolloutEpisodes, "rolloutEpisodes");
        positive(maxNewTokens, "maxNewTokens");
        if (minNewTokens < 0 || minNewTokens > maxNewTokens) {
            fail("minNewTokens", "an integer in 0.." + maxNewTokens + " (--max-new-tokens)", minNewTokens);
        }
        if (!(gamma > 0 && gamma <= 1)) {
            fail("gamma", "a number in (0, 1]", gamma);
        }
        positive(nStep, "nStep");
        if (!(tauQ > 0) || !Double.isFinite(tauQ)) {
            fail("tauQ", "a number > 0", tauQ);
        }
        nonNegative(targetSync, "targetSync");
        if (!(polyak > 0 && polyak <= 1)) {
            fail("polyak", "a number in (0, 1]", polyak);
        }
        nonNegative(candidatesTopK, "candidatesTopK");
        if (!(candidatesTopP > 0 && candidatesTopP <= 1)) {
            fail("candidatesTopP", "a number in (0, 1]", candidatesTopP);
        }
        positive(minCandidates, "minCandidates");
        if (candidatesTopK > 0 && minCandidates > candidatesTopK) {
            fail("minCandidates", "at most --candidates-top-k (" + candidatesTopK + ")", minCandidates);
        }
        probability(epsilonStart, "epsilonStart");
        probability(epsilonEnd, "epsilonEnd");
        nonNegative(epsilonEpisodes, "epsilonEpisodes");
        if (!(rolloutTemperature >= 0) || !Double.isFinite(rolloutTemperature)) {
            fail("rolloutTemperature", "a number >= 0 (0 = argmax of the guided policy)", rolloutTemperature);
        }
        if (!(lr > 0) || !Double.isFinite(lr)) {
            fail("lr", "a number > 0", lr);
        }
        positive(batchSize, "batchSize");
        nonNegative(updatesPerRollout, "updatesPerRollout");
        if (replaySize < batchSize) {
            fail("replaySize", "at least --batch-size (" + batchSize + ") transitions", replaySize);
        }
        if (!(priorityAlpha >= 0 && priorityAlpha <= 1)) {
            fail("priorityAlpha", "a number in [0, 1]", priorityAlpha);
        }
        probability(priorityBetaStart, "priorityBetaStart");
        probability(priorityBetaEnd, "priorityBetaEnd");
        if (!(priorityEps > 0) || !Double.isFinite(priorityEps)) {
            fail("priorityEps", "a number > 0", priorityEps);
        }
        if (!(gradClip >= 0) || !Double.isFinite(gradClip)) {
            fail("gradClip", "a number >= 0 (0 = off)", gradClip);
        }
        if (!(huberDelta > 0) || !Double.isFinite(huberDelta)) {
            fail("huberDelta", "a number > 0", huberDelta);
        }
        if (!(klBeta >= 0) || !Double.isFinite(klBeta)) {
            fail("klBeta", "a number >= 0 (0 = off)", klBeta);
        }
        if (!(klTarget >= 0) || !Double.isFinite(klTarget)) {
            fail("klTarget", "a number >= 0 (0 = fixed --kl-beta)", klTarget);
        }
        if (klTarget > 0 && klBeta == 0) {
            // the value refused is --kl-beta's (0), which the message names: not the target's
            throw new SettingException("klTarget", OPTIONS.get("klTarget") + " " + klTarget + ": expected --kl-beta > 0 "
                    + "as the starting coefficient of the adaptive controller (e.g. --kl-beta 0.1) but --kl-beta is 0");
        }
        positive(klHorizon, "klHorizon");
        if ((returnMin == null) != (returnMax == null)) {
            fail(returnMin == null ? "returnMin" : "returnMax",
                    "both --return-min and --return-max, or neither", "only one of them");
        }
        if (returnMin != null) {
            if (!Double.isFinite(returnMin) || !Double.isFinite(returnMax) || !(returnMin < returnMax)) {
                fail("returnMax", "a finite number greater than --return-min (" + returnMin + ")", returnMax);
            }
        }
        positive(headHidden, "headHidden");
        if (valueLoss == ValueLoss.CROSS_ENTROPY && returnMin != null && (returnMin < 0 || returnMax > 1)) {
            fail(returnMin < 0 ? "returnMin" : "returnMax", "a return range within [0, 1] with --value-loss "
                    + "cross-entropy (Q = σ(z) is a probability)", returnMin < 0 ? returnMin : returnMax);
        }
        nonNegative(shapingEvery, "shapingEvery");
        nonNegative(evalEvery, "evalEvery");
        positive(evalSamples, "evalSamples");
        nonNegative(checkpointEvery, "checkpointEvery");
        probability(demonstrations, "demonstrations");
        positive(samplesPerPrompt, "samplesPerPrompt");
        if (rolloutEpisodes % samplesPerPrompt != 0) {
            fail("samplesPerPrompt", "a divisor of --rollout-episodes (" + rolloutEpisodes + ")", samplesPerPrompt);
        }
    }

    private static void positive(int v, String field) {
        if (v <= 0) {
            fail(field, "a positive integer", v);
        }
    }

    private static void nonNegative(int v, String field) {
        if (v < 0) {
            fail(field, "an integer >= 0", v);
        }
    }

    private static void probability(double v, String field) {
        if (!(v >= 0 && v <= 1)) {
            fail(field, "a number in [0, 1]", v);
        }
    }

    private static void fail(String field, String expected, Object got) {
        throw new SettingException(field, OPTIONS.get(field) + ": expected " + expected + " but got " + got);
    }

    /**
     * A setting's value refused by the validation, with the field it concerns (so that a caller that merged
     * settings from several places can say where the value came from).
     */
    public static final class SettingException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        /** The record component whose value was refused. */
        private final String field;

        SettingException(String field, String message) {
            super(message);
            this.field = field;
        }

        /**
         * The record component whose value was refused (e.g. {@code "gamma"}).
         *
         * @return the field name
         */
        public String field() {
            return field;
        }
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String s, String option) {
        Objects.requireNonNull(s, "s");
        String norm = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(norm)) {
                return e;
            }
        }
        StringBuilder names = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            names.append(names.length() == 0 ? "" : ", ").append(label(e));
        }
        throw new IllegalArgumentException(option + ": expected one of " + names + " but got '" + s + "'");
    }

    private static String label(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The defaults (those of the prototype that the issue reports, with minimum/maximum new tokens
     * of the target task).
     *
     * @return the default config
     */
    public static DqnConfig defaults() {
        return new DqnConfig(6000, 32, 48, 24, 1.0, 4, Backup.SOFT, 0.2, 0, 0.01, 20, 1.0, 2, 0.1, 0.01, 0, 1e-3, 64, 16, 200000, false, 0.6, 0.4, 1.0, 1e-3, 10.0, 1.0, 0.0, 0.0, 10000, true, null, null, 256, Activation.RELU, 1, 1, 1000, 4, 0, false, 1.0, false, LrSchedule.CONSTANT, false, false, 0.0, 1, ValueLoss.HUBER);
    }

    /**
     * The CLI option that sets a field (e.g. {@code "gamma"} → {@code "--gamma"}).
     *
     * @param field a record component name
     * @return the option, or null when there is no such field
     * @throws NullPointerException naming {@code field} when it is null
     */
    public static String optionOf(String field) {
        Objects.requireNonNull(field, "field");
        return OPTIONS.get(field);
    }

    /**
     * ε of the exploration schedule at an episode: linear from {@code epsilonStart} to
     * {@code epsilonEnd} over {@code epsilonEpisodes} (or the whole run when 0), then constant.
     *
     * @param episode episodes done so far
     * @return ε in [0, 1]
     */
    public double epsilonAt(long episode) {
        long span = epsilonEpisodes > 0 ? epsilonEpisodes : episodes;
        double f = Math.min(1.0, Math.max(0.0, episode / (double) span));
        return epsilonStart + f * (epsilonEnd - epsilonStart);
    }

    /**
     * The Q head's learning rate at an episode under {@code lrSchedule}: {@code lr} when constant, else
     * decaying from {@code lr} at episode 0 to 0 at {@code episodes}.
     *
     * @param episode episodes done so far
     * @return the learning rate (&gt;= 0)
     */
    public double lrAt(long episode) {
        double f = Math.min(1.0, Math.max(0.0, episode / (double) episodes));
        return switch (lrSchedule) {
            case CONSTANT -> lr;
            case LINEAR -> lr * (1 - f);
            case COSINE -> lr * 0.5 * (1 + Math.cos(Math.PI * f));
        };
    }

    /**
     * β of the importance weights at an episode: linear from {@code priorityBetaStart} to
     * {@code priorityBetaEnd} over the run.
     *
     * @param episode episodes done so far
     * @return β in [0, 1]
     */
    public double priorityBetaAt(long episode) {
        double f = Math.min(1.0, Math.max(0.0, episode / (double) episodes));
        return priorityBetaStart + f * (priorityBetaEnd - priorityBetaStart);
    }

    /**
     * A builder starting from this config (to apply command-line overrides).
     *
     * @return the builder
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * A builder starting from {@link #defaults()}.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder(defaults());
    }

    /**
     * The config as pretty-printed JSON: one key per field (enums in lower case, unset return range
     * as null).
     *
     * @return the JSON text
     */
    public String toJson() {
        JsonObject o = new JsonObject();
        for (RecordComponent c : DqnConfig.class.getRecordComponents()) {
            Object v = get(c);
            JsonElement e;
            if (v == null) {
                e = JsonNull.INSTANCE;
            } else if (v instanceof Enum<?> en) {
                e = new JsonPrimitive(label(en));
            } else if (v instanceof Boolean b) {
                e = new JsonPrimitive(b);
            } else {
                e = new JsonPrimitive((Number) v);
            }
            o.add(c.getName(), e);
        }
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(o);
    }

    /**
     * Reads a config from JSON; missing keys keep their {@link #defaults()}.
     *
     * @param json the JSON text (an object whose keys are field names, e.g. {@code "tauQ"})
     * @param source where the text came from, for error messages (e.g. a file name)
     * @return the config
     * @throws IllegalArgumentException with one line naming the source, the key and what was expected
     * @throws NullPointerException naming {@code json} or {@code source} when it is null
     */
    public static DqnConfig fromJson(String json, String source) {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(source, "source");
        return defaults().withJson(json, source);
    }

    /**
     * This config with the keys of a JSON object applied on top (keys absent from the JSON keep this
     * config's values).
     *
     * @param json the JSON text
     * @param source where the text came from, for error messages
     * @return the new config
     * @throws IllegalArgumentException with one line naming the source, the key and what was expected
     * @throws NullPointerException naming {@code json} or {@code source} when it is null
     */
    public DqnConfig withJson(String json, String source) {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(source, "source");
        JsonObject keys = keys(json, source);
        RecordComponent[] comps = DqnConfig.class.getRecordComponents();
        Object[] values = new Object[comps.length];
        Class<?>[] types = new Class<?>[comps.length];
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < comps.length; i++) {
            values[i] = get(comps[i]);
            types[i] = comps[i].getType();
            index.put(comps[i].getName(), i);
        }
        for (Map.Entry<String, JsonElement> e : keys.entrySet()) {
            int i = index.get(e.getKey());
            values[i] = parseValue(e.getValue(), types[i], source, e.getKey());
        }
        try {
            Constructor<DqnConfig> ctor = DqnConfig.class.getDeclaredConstructor(types);
            return ctor.newInstance(values);
        } catch (InvocationTargetException e) {
            Throwable c = e.getCause();
            if (c instanceof SettingException se) {
                throw new SettingException(se.field(), source + ": " + c.getMessage());
            }
            if (c instanceof IllegalArgumentException) {
                throw new IllegalArgumentException(source + ": " + c.getMessage());
            }
            throw new IllegalStateException(c);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The keys of a JSON config, each checked on its own: strict JSON, an object, known keys, values of
     * the right type (an integer, a number, true or false, a name). Ranges, and settings that depend on
     * each other (e.g. {@code minNewTokens} and {@code maxNewTokens}), are checked when a config is built
     * from them ({@link #withJson}), so that a file can be completed by command-line options first.
     *
     * @param json the JSON text
     * @param source where the text came from, for error messages
     * @return the object, as written
     * @throws IllegalArgumentException with one line naming the source, the key and what was expected
     * @throws NullPointerException naming {@code json} or {@code source} when it is null
     */
    public static JsonObject keys(String json, String source) {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(source, "source");
        JsonElement root;
        try {
            root = dev.qdecode.data.StrictJson.parse(json, source);
        } catch (dev.qdecode.data.DataException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (!root.isJsonObject()) {
            throw new IllegalArgumentException(source + ": expected a JSON object of config keys");
        }
        Map<String, Class<?>> types = new LinkedHashMap<>();
        for (RecordComponent c : DqnConfig.class.getRecordComponents()) {
            types.put(c.getName(), c.getType());
        }
        for (Map.Entry<String, JsonElement> e : root.getAsJsonObject().entrySet()) {
            Class<?> type = types.get(e.getKey());
            if (type == null) {
                throw new IllegalArgumentException(source + ": unknown key \"" + e.getKey() + "\" (expected one of "
                        + String.join(", ", types.keySet()) + ")");
            }
            parseValue(e.getValue(), type, source, e.getKey());
        }
        return root.getAsJsonObject();
    }

    /**
     * The keys of a config file, checked as {@link #keys(String, String)} checks them (not against each
     * other: see {@link #read(Path)} for a whole config).
     *
     * @param file the file
     * @return its JSON object
     * @throws IllegalArgumentException naming the file when it is missing, unreadable or invalid
     * @throws NullPointerException naming {@code file} when it is null
     */
    public static JsonObject readKeys(Path file) {
        Objects.requireNonNull(file, "file");
        return keys(readText(file), file.toString());
    }

    private static String readText(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": config file not found");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IllegalArgumentException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static Object parseValue(JsonElement v, Class<?> type, String source, String key) {
        String where = source + ": key \"" + key + "\" (" + OPTIONS.get(key) + ")";
        if (v.isJsonNull()) {
            if (type == Double.class) {
                return null;
            }
            throw new IllegalArgumentException(where + ": expected a value but got null");
        }
        try {
            if (type == int.class) {
                return exactInt(v, where);
            } else if (type == long.class) {
                return exactNumber(v, where, Long.MIN_VALUE, Long.MAX_VALUE);
            } else if (type == double.class || type == Double.class) {
                requireNumber(v, where, "a number");
                return v.getAsDouble();
            } else if (type == boolean.class) {
                if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isBoolean()) {
                    throw new IllegalArgumentException(where + ": expected true or false but got " + v);
                }
                return v.getAsBoolean();
            } else if (type == Backup.class) {
                return Backup.parse(string(v, where));
            } else if (type == Activation.class) {
                return Activation.parse(string(v, where));
            } else if (type == LrSchedule.class) {
                return LrSchedule.parse(string(v, where));
            } else if (type == ValueLoss.class) {
                return ValueLoss.parse(string(v, where));
            }
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(source)) {
                throw e;
            }
            // a name's parser names the option, which `where` already does
            String m = String.valueOf(e.getMessage());
            String option = OPTIONS.get(key) + ": ";
            throw new IllegalArgumentException(where + ": " + (m.startsWith(option) ? m.substring(option.length()) : m));
        }
        throw new IllegalStateException("unsupported config field type " + type);
    }

    private static int exactInt(JsonElement v, String where) {
        return (int) exactNumber(v, where, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    private static long exactNumber(JsonElement v, String where, long min, long max) {
        requireNumber(v, where, "an integer");
        java.math.BigDecimal d = v.getAsBigDecimal();
        try {
            java.math.BigInteger bi = d.toBigIntegerExact();
            if (bi.compareTo(java.math.BigInteger.valueOf(min)) < 0 || bi.compareTo(java.math.BigInteger.valueOf(max)) > 0) {
                throw new ArithmeticException();
            }
            return bi.longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(where + ": expected an integer but got " + v);
        }
    }

    private static void requireNumber(JsonElement v, String where, String what) {
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException(where + ": expected " + what + " but got " + v);
        }
    }

    private static String string(JsonElement v, String where) {
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException(where + ": expected a string but got " + v);
        }
        return v.getAsString();
    }

    private Object get(RecordComponent c) {
        try {
            return c.getAccessor().invoke(this);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads a config file (JSON); missing keys keep the defaults.
     *
     * @param file the file
     * @return the config
     * @throws IllegalArgumentException naming the file when it is missing, unreadable or invalid
     * @throws NullPointerException naming {@code file} when it is null
     */
    public static DqnConfig read(Path file) {
        Objects.requireNonNull(file, "file");
        return fromJson(readText(file), file.toString());
    }

    /**
     * Writes this config as JSON, atomically (temporary file, then rename).
     *
     * @param file the destination
     * @throws IOException when it cannot be written
     * @throws NullPointerException naming {@code file} when it is null
     */
    public void write(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        AtomicFiles.write(file, toJson().getBytes(StandardCharsets.UTF_8));
    }

    /** Builds a {@link DqnConfig} field by field; {@link #build()} validates. */
    public static final class Builder {
        private int episodes;
        private int rolloutEpisodes;
        private int maxNewTokens;
        private int minNewTokens;
        private double gamma;
        private int nStep;
        private Backup backup;
        private double tauQ;
        private int targetSync;
        private double polyak;
        private int candidatesTopK;
        private double candidatesTopP;
        private int minCandidates;
        private double epsilonStart;
        private double epsilonEnd;
        private int epsilonEpisodes;
        private double lr;
        private int batchSize;
        private int updatesPerRollout;
        private int replaySize;
        private boolean prioritized;
        private double priorityAlpha;
        private double priorityBetaStart;
        private double priorityBetaEnd;
        private double priorityEps;
        private double gradClip;
        private double huberDelta;
        private double klBeta;
        private double klTarget;
        private int klHorizon;
        private boolean clipTargets;
        private Double returnMin;
        private Double returnMax;
        private int headHidden;
        private Activation activation;
        private int shapingEvery;
        private long seed;
        private int evalEvery;
        private int evalSamples;
        private int checkpointEvery;
        private boolean saveReplay;
        private double rolloutTemperature;
        private boolean allTerminalActions;
        private LrSchedule lrSchedule;
        private boolean refit;
        private boolean shuffledPasses;
        private double demonstrations;
        private int samplesPerPrompt;
        private ValueLoss valueLoss;

        private Builder(DqnConfig c) {
            this.episodes = c.episodes;
            this.rolloutEpisodes = c.rolloutEpisodes;
            this.maxNewTokens = c.maxNewTokens;
            this.minNewTokens = c.minNewTokens;
            this.gamma = c.gamma;
            this.nStep = c.nStep;
            this.backup = c.backup;
            this.tauQ = c.tauQ;
            this.targetSync = c.targetSync;
            this.polyak = c.polyak;
            this.candidatesTopK = c.candidatesTopK;
            this.candidatesTopP = c.candidatesTopP;
            this.minCandidates = c.minCandidates;
            this.epsilonStart = c.epsilonStart;
            this.epsilonEnd = c.epsilonEnd;
            this.epsilonEpisodes = c.epsilonEpisodes;
            this.lr = c.lr;
            this.batchSize = c.batchSize;
            this.updatesPerRollout = c.updatesPerRollout;
            this.replaySize = c.replaySize;
            this.prioritized = c.prioritized;
            this.priorityAlpha = c.priorityAlpha;
            this.priorityBetaStart = c.priorityBetaStart;
            this.priorityBetaEnd = c.priorityBetaEnd;
            this.priorityEps = c.priorityEps;
            this.gradClip = c.gradClip;
            this.huberDelta = c.huberDelta;
            this.klBeta = c.klBeta;
            this.klTarget = c.klTarget;
            this.klHorizon = c.klHorizon;
            this.clipTargets = c.clipTargets;
            this.returnMin = c.returnMin;
            this.returnMax = c.returnMax;
            this.headHidden = c.headHidden;
            this.activation = c.activation;
            this.shapingEvery = c.shapingEvery;
            this.seed = c.seed;
            this.evalEvery = c.evalEvery;
            this.evalSamples = c.evalSamples;
            this.checkpointEvery = c.checkpointEvery;
            this.saveReplay = c.saveReplay;
            this.rolloutTemperature = c.rolloutTemperature;
            this.allTerminalActions = c.allTerminalActions;
            this.lrSchedule = c.lrSchedule;
            this.refit = c.refit;
            this.shuffledPasses = c.shuffledPasses;
            this.demonstrations = c.demonstrations;
            this.samplesPerPrompt = c.samplesPerPrompt;
            this.valueLoss = c.valueLoss;
        }

        /**
         * Sets episodes (--episodes): training episodes in total.
         *
         * @param v the value
         * @return this builder
         */
        public Builder episodes(int v) {
            this.episodes = v;
            return this;
        }

        /**
         * Sets rolloutEpisodes (--rollout-episodes): episodes rolled out (as one batch) between rounds of updates.
         *
         * @param v the value
         * @return this builder
         */
        public Builder rolloutEpisodes(int v) {
            this.rolloutEpisodes = v;
            return this;
        }

        /**
         * Sets maxNewTokens (--max-new-tokens): the most tokens generated per episode.
         *
         * @param v the value
         * @return this builder
         */
        public Builder maxNewTokens(int v) {
            this.maxNewTokens = v;
            return this;
        }

        /**
         * Sets minNewTokens (--min-new-tokens): end-of-sequence is banned until this many tokens exist.
         *
         * @param v the value
         * @return this builder
         */
        public Builder minNewTokens(int v) {
            this.minNewTokens = v;
            return this;
        }

        /**
         * Sets gamma (--gamma): discount factor in (0, 1].
         *
         * @param v the value
         * @return this builder
         */
        public Builder gamma(double v) {
            this.gamma = v;
            return this;
        }

        /**
         * Sets nStep (--n-step): steps of real reward before bootstrapping.
         *
         * @param v the value
         * @return this builder
         */
        public Builder nStep(int v) {
            this.nStep = v;
            return this;
        }

        /**
         * Sets backup (--backup): how the bootstrap value is computed.
         *
         * @param v the value
         * @return this builder
         * @throws NullPointerException naming {@code v} when it is null
         */
        public Builder backup(Backup v) {
            Objects.requireNonNull(v, "v");
            this.backup = v;
            return this;
        }

        /**
         * Sets tauQ (--tau-q): temperature of the KL-regularised soft-Q policy.
         *
         * @param v the value
         * @return this builder
         */
        public Builder tauQ(double v) {
            this.tauQ = v;
            return this;
        }

        /**
         * Sets targetSync (--target-sync): 0 = Polyak averaging every update; N &gt; 0 = hard copy every N updates.
         *
         * @param v the value
         * @return this builder
         */
        public Builder targetSync(int v) {
            this.targetSync = v;
            return this;
        }

        /**
         * Sets polyak (--polyak): Polyak rate τ in (0, 1] (used when targetSync is 0).
         *
         * @param v the value
         * @return this builder
         */
        public Builder polyak(double v) {
            this.polyak = v;
            return this;
        }

        /**
         * Sets candidatesTopK (--candidates-top-k): candidate set keeps the k most likely tokens of π_ref (0 = no limit).
         *
         * @param v the value
         * @return this builder
         */
        public Builder candidatesTopK(int v) {
            this.candidatesTopK = v;
            return this;
        }

        /**
         * Sets candidatesTopP (--candidates-top-p): candidate set keeps the smallest prefix reaching this mass of π_ref (1.0 = off).
         *
         * @param v the value
         * @return this builder
         */
        public Builder candidatesTopP(double v) {
            this.candidatesTopP = v;
            return this;
        }

        /**
         * Sets minCandidates (--min-candidates): at least this many candidates (when that many tokens are eligible).
         *
         * @param v the value
         * @return this builder
         */
        public Builder minCandidates(int v) {
            this.minCandidates = v;
            return this;
        }

        /**
         * Sets epsilonStart (--epsilon-start): ε of ε-greedy exploration at the first episode.
         *
         * @param v the value
         * @return this builder
         */
        public Builder epsilonStart(double v) {
            this.epsilonStart = v;
            return this;
        }

        /**
         * Sets epsilonEnd (--epsilon-end): ε after the decay.
         *
         * @param v the value
         * @return this builder
         */
        public Builder epsilonEnd(double v) {
            this.epsilonEnd = v;
            return this;
        }

        /**
         * Sets epsilonEpisodes (--epsilon-episodes): episodes of linear ε decay (0 = the whole run).
         *
         * @param v the value
         * @return this builder
         */
        public Builder epsilonEpisodes(int v) {
            this.epsilonEpisodes = v;
            return this;
        }

        /**
         * Sets lr (--lr): Adam learning rate.
         *
         * @param v the value
         * @return this builder
         */
        public Builder lr(double v) {
            this.lr = v;
            return this;
        }

        /**
         * Sets batchSize (--batch-size): transitions per gradient update.
         *
         * @param v the value
         * @return this builder
         */
        public Builder batchSize(int v) {
            this.batchSize = v;
            return this;
        }

        /**
         * Sets updatesPerRollout (--updates-per-rollout): gradient updates after each rollout.
         *
         * @param v the value
         * @return this builder
         */
        public Builder updatesPerRollout(int v) {
            this.updatesPerRollout = v;
            return this;
        }

        /**
         * Sets replaySize (--replay-size): replay capacity in transitions (oldest episodes are evicted first).
         *
         * @param v the value
         * @return this builder
         */
        public Builder replaySize(int v) {
            this.replaySize = v;
            return this;
        }

        /**
         * Sets prioritized (--prioritized): proportional prioritized replay instead of uniform.
         *
         * @param v the value
         * @return this builder
         */
        public Builder prioritized(boolean v) {
            this.prioritized = v;
            return this;
        }

        /**
         * Sets priorityAlpha (--priority-alpha): priority exponent α.
         *
         * @param v the value
         * @return this builder
         */
        public Builder priorityAlpha(double v) {
            this.priorityAlpha = v;
            return this;
        }

        /**
         * Sets priorityBetaStart (--priority-beta-start): importance-weight exponent β at the start (annealed linearly).
         *
         * @param v the value
         * @return this builder
         */
        public Builder priorityBetaStart(double v) {
            this.priorityBetaStart = v;
            return this;
        }

        /**
         * Sets priorityBetaEnd (--priority-beta-end): β at the end of the run.
         *
         * @param v the value
         * @return this builder
         */
        public Builder priorityBetaEnd(double v) {
            this.priorityBetaEnd = v;
            return this;
        }

        /**
         * Sets priorityEps (--priority-eps): added to |TD error| so every transition keeps a chance.
         *
         * @param v the value
         * @return this builder
         */
        public Builder priorityEps(double v) {
            this.priorityEps = v;
            return this;
        }

        /**
         * Sets gradClip (--grad-clip): global gradient-norm clip (0 = off).
         *
         * @param v the value
         * @return this builder
         */
        public Builder gradClip(double v) {
            this.gradClip = v;
            return this;
        }

        /**
         * Sets huberDelta (--huber-delta): Huber loss threshold.
         *
         * @param v the value
         * @return this builder
         */
        public Builder huberDelta(double v) {
            this.huberDelta = v;
            return this;
        }

        /**
         * Sets klBeta (--kl-beta): initial per-token KL penalty coefficient β (0 = off).
         *
         * @param v the value
         * @return this builder
         */
        public Builder klBeta(double v) {
            this.klBeta = v;
            return this;
        }

        /**
         * Sets klTarget (--kl-target): target KL per episode for the adaptive β (0 = fixed β).
         *
         * @param v the value
         * @return this builder
         */
        public Builder klTarget(double v) {
            this.klTarget = v;
            return this;
        }

        /**
         * Sets klHorizon (--kl-horizon): horizon (episodes) of the adaptive β controller.
         *
         * @param v the value
         * @return this builder
         */
        public Builder klHorizon(int v) {
            this.klHorizon = v;
            return this;
        }

        /**
         * Sets clipTargets (--clip-targets): clip Bellman targets to the achievable return range.
         *
         * @param v the value
         * @return this builder
         */
        public Builder clipTargets(boolean v) {
            this.clipTargets = v;
            return this;
        }

        /**
         * Sets returnMin (--return-min): lower end of the achievable return range (null = ±1, ±2 with shaping, widened to the returns the run's episodes reach).
         *
         * @param v the value
         * @return this builder
         */
        public Builder returnMin(Double v) {
            this.returnMin = v;
            return this;
        }

        /**
         * Sets returnMax (--return-max): upper end of the achievable return range (null = ±1, ±2 with shaping, widened to the returns the run's episodes reach).
         *
         * @param v the value
         * @return this builder
         */
        public Builder returnMax(Double v) {
            this.returnMax = v;
            return this;
        }

        /**
         * Sets headHidden (--head-hidden): hidden units of the Q head.
         *
         * @param v the value
         * @return this builder
         */
        public Builder headHidden(int v) {
            this.headHidden = v;
            return this;
        }

        /**
         * Sets activation (--head-activation): hidden activation of the Q head.
         *
         * @param v the value
         * @return this builder
         * @throws NullPointerException naming {@code v} when it is null
         */
        public Builder activation(Activation v) {
            Objects.requireNonNull(v, "v");
            this.activation = v;
            return this;
        }

        /**
         * Sets shapingEvery (--shaping-every): potential-based shaping: score prefixes every N tokens (0 = terminal reward only).
         *
         * @param v the value
         * @return this builder
         */
        public Builder shapingEvery(int v) {
            this.shapingEvery = v;
            return this;
        }

        /**
         * Sets seed (--seed): the run seed.
         *
         * @param v the value
         * @return this builder
         */
        public Builder seed(long v) {
            this.seed = v;
            return this;
        }

        /**
         * Sets evalEvery (--eval-every): evaluate every N episodes (0 = only at the end).
         *
         * @param v the value
         * @return this builder
         */
        public Builder evalEvery(int v) {
            this.evalEvery = v;
            return this;
        }

        /**
         * Sets evalSamples (--eval-samples): samples per held-out prompt at evaluation.
         *
         * @param v the value
         * @return this builder
         */
        public Builder evalSamples(int v) {
            this.evalSamples = v;
            return this;
        }

        /**
         * Sets checkpointEvery (--checkpoint-every): checkpoint every N episodes (0 = at every evaluation).
         *
         * @param v the value
         * @return this builder
         */
        public Builder checkpointEvery(int v) {
            this.checkpointEvery = v;
            return this;
        }

        /**
         * Sets saveReplay (--save-replay): include the replay buffer in checkpoints (exact resume needs it).
         *
         * @param v the value
         * @return this builder
         */
        public Builder saveReplay(boolean v) {
            this.saveReplay = v;
            return this;
        }

        /**
         * Sets rolloutTemperature (--rollout-temperature): sampling temperature of the training rollouts
         * (0 = argmax of the guided policy plus ε).
         *
         * @param v the value
         * @return this builder
         */
        public Builder rolloutTemperature(double v) {
            this.rolloutTemperature = v;
            return this;
        }

        /**
         * Sets allTerminalActions (--all-terminal-actions): classification stores the terminal tokens not
         * taken too, scored by the reward module.
         *
         * @param v the value
         * @return this builder
         */
        public Builder allTerminalActions(boolean v) {
            this.allTerminalActions = v;
            return this;
        }

        /**
         * Sets lrSchedule (--lr-schedule): constant, or decaying to 0 at the last episode.
         *
         * @param v the value
         * @return this builder
         * @throws NullPointerException naming {@code v} when it is null
         */
        public Builder lrSchedule(LrSchedule v) {
            Objects.requireNonNull(v, "v");
            this.lrSchedule = v;
            return this;
        }

        /**
         * Sets refit (--refit): classification retrains the selected head on all training examples.
         *
         * @param v the value
         * @return this builder
         */
        public Builder refit(boolean v) {
            this.refit = v;
            return this;
        }

        /**
         * Sets shuffledPasses (--shuffled-passes): training prompts are drawn in shuffled passes.
         *
         * @param v the value
         * @return this builder
         */
        public Builder shuffledPasses(boolean v) {
            this.shuffledPasses = v;
            return this;
        }

        /**
         * Sets demonstrations (--demonstrations): the fraction of each rollout batch's prompts whose
         * reference target is also stored as a teacher-forced episode.
         *
         * @param v the fraction in [0, 1]
         * @return this builder
         */
        public Builder demonstrations(double v) {
            this.demonstrations = v;
            return this;
        }

        /**
         * Sets samplesPerPrompt (--samples-per-prompt): rollout episodes per training prompt in a batch.
         *
         * @param v the group size (divides rolloutEpisodes)
         * @return this builder
         */
        public Builder samplesPerPrompt(int v) {
            this.samplesPerPrompt = v;
            return this;
        }

        /**
         * Sets valueLoss (--value-loss): Huber on Q − y, or the cross-entropy of Q = σ(z) for returns in [0, 1].
         *
         * @param v the loss
         * @return this builder
         * @throws NullPointerException naming {@code v} when it is null
         */
        public Builder valueLoss(ValueLoss v) {
            Objects.requireNonNull(v, "v");
            this.valueLoss = v;
            return this;
        }

        /**
         * Validates and builds the config.
         *
         * @return the config
         * @throws IllegalArgumentException naming the CLI option of the first invalid field
         */
        public DqnConfig build() {
            return new DqnConfig(episodes, rolloutEpisodes, maxNewTokens, minNewTokens, gamma, nStep, backup, tauQ, targetSync, polyak, candidatesTopK, candidatesTopP, minCandidates, epsilonStart, epsilonEnd, epsilonEpisodes, lr, batchSize, updatesPerRollout, replaySize, prioritized, priorityAlpha, priorityBetaStart, priorityBetaEnd, priorityEps, gradClip, huberDelta, klBeta, klTarget, klHorizon, clipTargets, returnMin, returnMax, headHidden, activation, shapingEvery, seed, evalEvery, evalSamples, checkpointEvery, saveReplay, rolloutTemperature, allTerminalActions, lrSchedule, refit, shuffledPasses, demonstrations, samplesPerPrompt, valueLoss);
        }
    }
}
