package dev.qdecode.pipeline.dqn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.training.GradientCollector;
import dev.qdecode.models.NativeCalls;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The Q head: an MLP from the state embedding φ(s) through one hidden layer to one Q-value per
 * vocabulary token, with its target network (a parameter copy) and Adam state.
 *
 * <p>Parameters, biases folded in as a last column: {@code W1 [hidden, H+1]} (input layer; φ gets a
 * constant 1 appended) and {@code W2 [V, hidden+1]} (output layer, one row per action; the hidden
 * vector gets a constant 1 appended). The output layer starts at zero, so Q ≡ 0 at first and the
 * initial guided policy is exactly the pretrained model's.
 *
 * <p>Where the work is: the input layer is a dense matrix product done by the engine (DJL NDArrays).
 * The output layer is only ever needed at a few rows per state — the candidate sets when
 * evaluating, the taken actions when training — so it is kept as plain Java arrays and evaluated
 * with row dot products (measured: gathering 256 × 20 rows of 257 floats through the engine cost
 * ~2.5 ms per update, the Java dots ~0.6 ms). Training runs the whole forward pass and the
 * importance-weighted Huber loss under DJL autograd ({@link GradientCollector}), with the taken rows
 * of {@code W2} copied in as a leaf, so one backward pass gives the gradients of {@code W1} and of
 * those rows. Then: global gradient-norm clipping, dense Adam for {@code W1}, and lazy ("sparse")
 * Adam for {@code W2} — only the rows with a gradient and their moments are updated, as PyTorch's
 * {@code SparseAdam} does for embedding tables — so an update costs O(B·H·hidden), independent of
 * V. Engine temporaries live in an {@link NDScope} freed at the end of each call. Not thread-safe.
 *
 * <p>With {@link DqnConfig.ValueLoss#CROSS_ENTROPY} the output layer gives a logit z and Q = σ(z): every
 * method that returns Q-values applies the sigmoid, and training takes the Bernoulli cross-entropy of σ(z)
 * against targets in [0, 1] instead of the Huber loss.
 */
final class QHead implements AutoCloseable {
    static final float ADAM_BETA1 = 0.9f;
    static final float ADAM_BETA2 = 0.999f;
    static final float ADAM_EPS = 1e-8f;

    /** Statistics of one gradient update. */
    record TrainStats(double loss, double gradNorm, float[] q, float[] tdError) {}

    private final int in;
    private final int hidden;
    private final int vocab;
    private final int row;
    private final DqnConfig.Activation activation;
    private final DqnConfig.ValueLoss valueLoss;
    private final NDManager manager;
    /** Input layer W1 [hidden, H+1]: online (requires gradient), target, Adam moments (engine arrays). */
    private NDArray w1;
    private NDArray w1t;
    private NDArray m1;
    private NDArray v1;
    /** Output layer W2 [V, hidden+1], row-major: online, target, Adam moments (Java arrays). */
    private float[] w2;
    private float[] w2t;
    private float[] m2;
    private float[] v2;
    private long adamStep;
    private final NDArray cHalf;
    private final NDArray cBeta1;
    private final NDArray cOneMinusBeta1;
    private final NDArray cBeta2;
    private final NDArray cOneMinusBeta2;
    private final NDArray cEps;
    /**
     * The gate that the head's PyTorch work enters (its scores, its update, its Polyak step): the JVM ends only
     * between them, never under one (see {@link NativeCalls}). {@link NativeCalls#PROCESS}; tests set one of their own.
     */
    volatile NativeCalls gate = NativeCalls.PROCESS;

    /**
     * Creates a head with seeded initial weights (input layer uniform ±1/√H as in PyTorch's Linear,
     * output layer zero) and a target network equal to it.
     *
     * @param in the embedding size H
     * @param hidden the hidden size
     * @param vocab the number of actions V
     * @param activation the hidden activation
     * @param seed the initialisation seed
     */
    QHead(int in, int hidden, int vocab, DqnConfig.Activation activation, long seed) {
        this(in, hidden, vocab, activation, DqnConfig.ValueLoss.HUBER, seed);
    }

    /**
     * Creates a head trained with the given loss (see {@link #QHead(int, int, int, DqnConfig.Activation, long)};
     * with cross-entropy the zero output layer starts at Q ≡ σ(0) = ½).
     *
     * @param in the embedding size H
     * @param hidden the hidden size
     * @param vocab the number of actions V
     * @param activation the hidden activation
     * @param valueLoss the loss, which also fixes what the output layer gives (Q, or the logit of Q)
     * @param seed the initialisation seed
     */
    QHead(int in, int hidden, int vocab, DqnConfig.Activation activation, DqnConfig.ValueLoss valueLoss, long seed) {
        if (in <= 0 || hidden <= 0 || vocab <= 0) {
            throw new IllegalArgumentException("Q head sizes must be positive: in=" + in + " hidden=" + hidden
                    + " vocab=" + vocab);
        }
        if ((long) vocab * (hidden + 1) + (long) hidden * (in + 1) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Q head too large: " + ((long) vocab * (hidden + 1)
                    + (long) hidden * (in + 1)) + " parameters");
        }
        this.in = in;
        this.hidden = hidden;
        this.vocab = vocab;
        this.row = hidden + 1;
        this.activation = activation;
        this.valueLoss = Objects.requireNonNull(valueLoss, "valueLoss");
        this.manager = NDManager.newBaseManager();
        cHalf = constant(0.5f);
        cBeta1 = constant(ADAM_BETA1);
        cOneMinusBeta1 = constant(1 - ADAM_BETA1);
        cBeta2 = constant(ADAM_BETA2);
        cOneMinusBeta2 = constant(1 - ADAM_BETA2);
        cEps = constant(ADAM_EPS);
        float[] init = new float[parameterCount()];
        Rng rng = Rng.derive(seed, 0x48454144L);
        double bound = 1.0 / Math.sqrt(in);
        for (int i = 0; i < size1(); i++) {
            init[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        // The output layer stays zero: Q ≡ 0 at the start.
        setState(new HeadState(in, hidden, vocab, activation, init, init.clone(), new float[init.length],
                new float[init.length], 0, valueLoss));
    }

    private NDArray constant(float v) {
        NDArray a = manager.create(v);
        NDScope.unregister(a);
        return a;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private int size1() {
        return hidden * (in + 1);
    }

    private void setState(HeadState s) {
        NDArray[] old = {w1, w1t, m1, v1};
        int a = size1();
        Shape s1 = new Shape(hidden, in + 1);
        w1 = persistent(Arrays.copyOfRange(s.online(), 0, a), s1);
        w1.setRequiresGradient(true);
        w1t = persistent(Arrays.copyOfRange(s.target(), 0, a), s1);
        m1 = persistent(Arrays.copyOfRange(s.adamM(), 0, a), s1);
        v1 = persistent(Arrays.copyOfRange(s.adamV(), 0, a), s1);
        w2 = Arrays.copyOfRange(s.online(), a, s.online().length);
        w2t = Arrays.copyOfRange(s.target(), a, s.target().length);
        m2 = Arrays.copyOfRange(s.adamM(), a, s.adamM().length);
        v2 = Arrays.copyOfRange(s.adamV(), a, s.adamV().length);
        adamStep = s.adamStep();
        for (NDArray o : old) {
            if (o != null) {
                o.close();
            }
        }
    }

    /** A long-lived array (never owned by a caller's NDScope). */
    private NDArray persistent(float[] data, Shape shape) {
        NDArray x = manager.create(data, shape);
        NDScope.unregister(x);
        return x;
    }

    int inputSize() {
        return in;
    }

    int hiddenSize() {
        return hidden;
    }

    int vocabSize() {
        return vocab;
    }

    DqnConfig.Activation activation() {
        return activation;
    }

    DqnConfig.ValueLoss valueLoss() {
        return valueLoss;
    }

    /** Whether the output layer gives the logit of Q (cross-entropy) rather than Q. */
    private boolean logits() {
        return valueLoss == DqnConfig.ValueLoss.CROSS_ENTROPY;
    }

    /** σ(z), the Q of a logit. */
    static float sigmoid(double z) {
        return (float) (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
    }

    long adamStep() {
        return adamStep;
    }

    /**
     * The number of trainable parameters (biases included).
     *
     * @return the count
     */
    int parameterCount() {
        return size1() + vocab * row;
    }

    /**
     * Online Q-values of candidate actions (no gradient).
     *
     * @param phi embeddings, row-major {@code rows × H}
     * @param rows the number of states
     * @param ids candidate ids, row-major {@code rows × k} (any valid id may pad a row)
     * @param k candidates per row
     * @return Q-values row-major {@code rows × k}
     */
    float[] q(float[] phi, int rows, int[] ids, int k) {
        return evaluate(false, phi, rows, ids, k);
    }

    /**
     * Target-network Q-values of candidate actions.
     *
     * @param phi embeddings, row-major {@code rows × H}
     * @param rows the number of states
     * @param ids candidate ids, row-major {@code rows × k}
     * @param k candidates per row
     * @return Q-values row-major {@code rows × k}
     */
    float[] qTarget(float[] phi, int rows, int[] ids, int k) {
        return evaluate(true, phi, rows, ids, k);
    }

    /**
     * Q-values of candidate actions and, when the output layer gives logits (cross-entropy loss), the
     * logits z of Q = σ(z) themselves. σ(z) rounds to 1.0f for z ≳ 17, so two actions of z = 18 and
     * z = 25 have the same float Q: a decision compares Q and breaks its ties by z
     * ({@link Targets#argmax(float[], float[], int, int)}), which keeps the order of the logits.
     *
     * @param q the Q-values (for an ensemble the mean Q, in probability space), row-major {@code rows × k}
     * @param z the logits (for an ensemble the mean logit) in the same layout, or null when the output is
     *     Q itself (Huber loss) and Q alone decides
     */
    record Scores(float[] q, float[] z) {}

    /**
     * Q-values of candidate actions averaged over heads of the same input size and vocabulary (an
     * ensemble; one head gives its own Q).
     *
     * @param heads the heads, at least one
     * @param useTarget the target networks instead of the online ones
     * @param phi embeddings, row-major {@code rows × H}
     * @param rows the number of states
     * @param ids candidate ids, row-major {@code rows × k}
     * @param k candidates per row
     * @return the mean Q-values row-major {@code rows × k}
     */
    static float[] mean(List<QHead> heads, boolean useTarget, float[] phi, int rows, int[] ids, int k) {
        return meanScores(heads, useTarget, phi, rows, ids, k).q();
    }

    /**
     * As {@link #mean}, with the mean logit beside the mean Q when every head gives logits (the
     * cross-entropy loss): the ensemble's Q stays the mean of σ(z) (probability space), and a decision
     * breaks ties in it by the mean logit.
     *
     * @param heads the heads, at least one
     * @param useTarget the target networks instead of the online ones
     * @param phi embeddings, row-major {@code rows × H}
     * @param rows the number of states
     * @param ids candidate ids, row-major {@code rows × k}
     * @param k candidates per row
     * @return the mean Q-values and (cross-entropy heads) the mean logits, row-major {@code rows × k}
     */
    static Scores meanScores(List<QHead> heads, boolean useTarget, float[] phi, int rows, int[] ids, int k) {
        boolean logits = heads.stream().allMatch(QHead::logits);
        float[] z = logits ? new float[rows * k] : null;
        float[] q = heads.get(0).evaluate(useTarget, phi, rows, ids, k, z);
        if (heads.size() > 1) {
            float[] zh = logits ? new float[rows * k] : null;
            for (QHead h : heads.subList(1, heads.size())) {
                float[] qh = h.evaluate(useTarget, phi, rows, ids, k, zh);
                for (int i = 0; i < q.length; i++) {
                    q[i] += qh[i];
                    if (z != null) {
                        z[i] += zh[i];
                    }
                }
            }
            for (int i = 0; i < q.length; i++) {
                q[i] /= heads.size();
                if (z != null) {
                    z[i] /= heads.size();
                }
            }
        }
        return new Scores(q, z);
    }

    private float[] evaluate(boolean useTarget, float[] phi, int rows, int[] ids, int k) {
        return evaluate(useTarget, phi, rows, ids, k, null);
    }

    /** Q-values; with {@code zOut} (cross-entropy heads only) also the logits. */
    private float[] evaluate(boolean useTarget, float[] phi, int rows, int[] ids, int k, float[] zOut) {
        checkInputs(phi, rows, ids, rows * k);
        if (rows == 0 || k == 0) {
            return new float[0];
        }
        float[] h;
        gate.enter();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray x = manager.create(withOnes(phi, rows), new Shape(rows, in + 1));
            h = hiddenLayer(x, useTarget ? w1t : w1.stopGradient()).toFloatArray();
        } finally {
            gate.exit();
        }
        float[] w = useTarget ? w2t : w2;
        float[] q = new float[rows * k];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < k; j++) {
                int o = ids[r * k + j] * row;
                float z = dot(h, r * hidden, w, o, hidden) + w[o + hidden];
                q[r * k + j] = logits() ? sigmoid(z) : z;
                if (zOut != null) {
                    zOut[r * k + j] = z;
                }
            }
        }
        return q;
    }

    /** Σ_i a[ao+i]·b[bo+i] with eight independent partial sums (the JIT keeps them in registers). */
    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        float s4 = 0;
        float s5 = 0;
        float s6 = 0;
        float s7 = 0;
        int i = 0;
        for (; i + 7 < n; i += 8) {
            s0 += a[ao + i] * b[bo + i];
            s1 += a[ao + i + 1] * b[bo + i + 1];
            s2 += a[ao + i + 2] * b[bo + i + 2];
            s3 += a[ao + i + 3] * b[bo + i + 3];
            s4 += a[ao + i + 4] * b[bo + i + 4];
            s5 += a[ao + i + 5] * b[bo + i + 5];
            s6 += a[ao + i + 6] * b[bo + i + 6];
            s7 += a[ao + i + 7] * b[bo + i + 7];
        }
        for (; i < n; i++) {
            s0 += a[ao + i] * b[bo + i];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** φ rows with a constant 1 appended: row-major {@code rows × (H+1)}. */
    private float[] withOnes(float[] phi, int rows) {
        float[] x = new float[rows * (in + 1)];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(phi, r * in, x, r * (in + 1), in);
            x[r * (in + 1) + in] = 1f;
        }
        return x;
    }

    /** act(x·W1ᵀ): {@code [rows, hidden]}. */
    private NDArray hiddenLayer(NDArray x, NDArray a1) {
        NDArray pre = x.matMul(a1.transpose());
        return switch (activation) {
            case GELU -> ai.djl.nn.Activation.gelu(pre);
            case RELU -> ai.djl.nn.Activation.relu(pre);
            case LINEAR -> pre;
        };
    }

    private void checkInputs(float[] phi, int rows, int[] ids, int nIds) {
        if (phi.length < (long) rows * in) {
            throw new IllegalArgumentException("embeddings: expected " + rows + " × " + in + " floats but got "
                    + phi.length);
        }
        if (ids.length < nIds) {
            throw new IllegalArgumentException("action ids: expected " + nIds + " but got " + ids.length);
        }
        for (int i = 0; i < nIds; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IllegalArgumentException("action id " + ids[i] + " outside the vocabulary 0.." + (vocab - 1));
            }
        }
    }

    /**
     * One gradient step on the importance-weighted Huber loss
     * {@code (1/B)·Σ_i w_i·huber(Q(s_i, a_i) − y_i)}, with global gradient-norm clipping and Adam; with
     * cross-entropy, on {@code (1/B)·Σ_i w_i·(softplus(z_i) − y_i·z_i)}, the Bernoulli cross-entropy of
     * Q = σ(z) against y up to a constant (its gradient in z is σ(z) − y).
     *
     * @param phi embeddings of the states, row-major {@code rows × H}
     * @param rows the batch size B
     * @param actions the taken actions (token ids)
     * @param y the Bellman targets
     * @param weights importance weights (null = all 1)
     * @param lr the learning rate
     * @param clipNorm the global gradient-norm limit (0 = off)
     * @param huberDelta the Huber threshold (not read with cross-entropy)
     * @return the loss, the gradient norm before clipping, Q(s, a) before the step and the TD errors
     *     Q − y
     * @throws IllegalArgumentException when an input is not finite, or with cross-entropy a target is
     *     outside [0, 1]
     * @throws IllegalStateException when the loss or the gradient is not finite (the head diverged)
     */
    TrainStats train(float[] phi, int rows, int[] actions, float[] y, float[] weights, double lr, double clipNorm,
            double huberDelta) {
        return gate.call(() -> trainNow(phi, rows, actions, y, weights, lr, clipNorm, huberDelta));
    }

    private TrainStats trainNow(float[] phi, int rows, int[] actions, float[] y, float[] weights, double lr,
            double clipNorm, double huberDelta) {
        if (rows <= 0 || y.length < rows || (weights != null && weights.length < rows)) {
            throw new IllegalArgumentException("train: expected " + rows + " targets and weights");
        }
        checkInputs(phi, rows, actions, rows);
        requireFinite(phi, rows * in, "embeddings");
        requireFinite(y, rows, "targets");
        if (logits()) {
            for (int i = 0; i < rows; i++) {
                if (y[i] < 0 || y[i] > 1) {
                    throw new IllegalArgumentException("train: target " + y[i] + " at index " + i
                            + " is outside [0, 1], the range of Q = σ(z) under the cross-entropy value loss");
                }
            }
        }
        // Unique actions (the rows of W2 with a gradient) and each sample's position among them.
        int[] uniq = Arrays.copyOf(actions, rows);
        Arrays.sort(uniq);
        int nu = 0;
        for (int i = 0; i < rows; i++) {
            if (i == 0 || uniq[i] != uniq[i - 1]) {
                uniq[nu++] = uniq[i];
            }
        }
        int[] local = new int[rows];
        for (int i = 0; i < rows; i++) {
            local[i] = Arrays.binarySearch(uniq, 0, nu, actions[i]);
        }
        float[] rowsW = new float[nu * row];
        for (int u = 0; u < nu; u++) {
            System.arraycopy(w2, uniq[u] * row, rowsW, u * row, row);
        }
        // y, w/B and δ in one array: [y_0..y_{B-1}, w_0/B..w_{B-1}/B, δ].
        float[] yw = new float[2 * rows + 1];
        for (int i = 0; i < rows; i++) {
            yw[i] = y[i];
            yw[rows + i] = (weights == null ? 1f : weights[i]) / rows;
        }
        yw[2 * rows] = (float) huberDelta;
        requireFinite(yw, 2 * rows, "importance weights");
        float[] stats;
        double gradNorm;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray rowsArr = manager.create(rowsW, new Shape(nu, row)); // a leaf: the taken rows of W2
            rowsArr.setRequiresGradient(true);
            NDArray loss;
            NDArray q;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray x = manager.create(withOnes(phi, rows), new Shape(rows, in + 1));
                NDArray h = hiddenLayer(x, w1);
                NDArray hAug = h.concat(manager.ones(new Shape(rows, 1)), 1);
                NDArray taken = rowsArr.getNDArrayInternal().embedding(manager.create(local), rowsArr,
                        SparseFormat.DENSE).singletonOrThrow();
                q = taken.mul(hAug).sum(new int[] {1});
                NDArray ywArr = manager.create(yw);
                NDArray perSample;
                if (logits()) {
                    // softplus(z) − y·z = max(z, 0) + log(1 + e^−|z|) − y·z, stable for any z
                    NDArray softplus = q.maximum(0f).add(q.abs().neg().exp().add(1f).log());
                    perSample = softplus.sub(q.mul(ywArr.get("0:" + rows)));
                } else {
                    NDArray abs = q.sub(ywArr.get("0:" + rows)).abs();
                    NDArray delta = ywArr.get(2 * rows);
                    NDArray quad = abs.minimum(delta);
                    // huber = ½·quad² + δ·(|td| − quad)
                    perSample = quad.mul(quad.mul(cHalf).sub(delta)).add(abs.mul(delta));
                }
                loss = perSample.mul(ywArr.get(rows + ":" + (2 * rows))).sum();
                gc.backward(loss);
            }
            NDArray g1 = w1.getGradient();
            // One read-back: [loss, |g1|², Q(s, a) × B, gradient of the taken rows].
            stats = NDArrays.concat(new NDList(loss.stopGradient().reshape(1), g1.square().sum().reshape(1),
                    q.stopGradient(), rowsArr.getGradient().reshape(-1))).toFloatArray();
            float lossV = stats[0];
            double sq = stats[1];
            for (int i = 2 + rows; i < stats.length; i++) {
                sq += (double) stats[i] * stats[i];
            }
            double norm = Math.sqrt(sq);
            gradNorm = norm;
            if (!Float.isFinite(lossV) || !Double.isFinite(norm)) {
                throw new IllegalStateException("Q head diverged: non-finite " + (Float.isFinite(lossV)
                        ? "gradient norm" : "loss") + " at Adam step " + (adamStep + 1)
                        + " (lower --lr, keep --clip-targets on, or use Polyak averaging)");
            }
            double scale = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1.0;
            adamStep++;
            double coef1 = 1.0 - Math.pow(ADAM_BETA1, adamStep);
            double coef2 = 1.0 - Math.pow(ADAM_BETA2, adamStep);
            // Adam with the bias correction folded into the step size (as DJL's and MXNet's Adam do):
            // m = β1·m + (1−β1)·g, v = β2·v + (1−β2)·g², w −= lr·√(1−β2^t)/(1−β1^t) · m/(√v + ε).
            double lrCorr = lr * Math.sqrt(coef2) / coef1;
            NDArray step = manager.create(new float[] {(float) scale, (float) lrCorr});
            if (scale != 1.0) {
                g1.muli(step.get(0));
            }
            NDArray w1d = w1.stopGradient();
            m1.muli(cBeta1).addi(g1.mul(cOneMinusBeta1));
            v1.muli(cBeta2).addi(g1.square().muli(cOneMinusBeta2));
            w1d.subi(m1.div(v1.sqrt().addi(cEps)).muli(step.get(1)));
            g1.subi(g1); // the engine accumulates gradients: zero them for the next step
            // Lazy Adam on the output layer: only the rows with a gradient, and their moments.
            int g2 = 2 + rows;
            for (int u = 0; u < nu; u++) {
                int base = uniq[u] * row;
                for (int j = 0; j < row; j++) {
                    double g = scale * stats[g2 + u * row + j];
                    int i = base + j;
                    m2[i] = (float) (ADAM_BETA1 * m2[i] + (1 - ADAM_BETA1) * g);
                    v2[i] = (float) (ADAM_BETA2 * v2[i] + (1 - ADAM_BETA2) * g * g);
                    w2[i] -= (float) (lrCorr * m2[i] / (Math.sqrt(v2[i]) + ADAM_EPS));
                }
            }
        }
        float[] qv = Arrays.copyOfRange(stats, 2, 2 + rows);
        if (logits()) {
            for (int i = 0; i < rows; i++) {
                qv[i] = sigmoid(qv[i]);
            }
        }
        float[] tdv = new float[rows];
        for (int i = 0; i < rows; i++) {
            tdv[i] = qv[i] - y[i];
        }
        return new TrainStats(stats[0], gradNorm, qv, tdv);
    }

    private static void requireFinite(float[] a, int n, String what) {
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(a[i])) {
                throw new IllegalArgumentException("train: " + what + " contain a non-finite value at index " + i);
            }
        }
    }

    /** Copies the online parameters into the target network (hard sync). */
    void syncTarget() {
        polyak(1.0);
    }

    /**
     * Polyak averaging of the target network: θ' ← θ' + τ·(θ − θ') (τ = 1 is an exact copy).
     *
     * @param tau the rate in (0, 1]
     */
    void polyak(double tau) {
        if (!(tau > 0 && tau <= 1)) {
            throw new IllegalArgumentException("Polyak rate must be in (0, 1]: " + tau);
        }
        gate.enter();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray s1 = w1.stopGradient();
            if (tau == 1.0) {
                w1t.muli(0f).addi(s1);
            } else {
                w1t.addi(s1.sub(w1t).muli(manager.create((float) tau)));
            }
        } finally {
            gate.exit();
        }
        if (tau == 1.0) {
            System.arraycopy(w2, 0, w2t, 0, w2.length);
        } else {
            float t = (float) tau;
            float[] o = w2;
            float[] g = w2t;
            for (int i = 0; i < g.length; i++) {
                g[i] += t * (o[i] - g[i]);
            }
        }
    }

    /**
     * The whole state as plain arrays (for checkpoints).
     *
     * @return the state
     */
    HeadState export() {
        float[] a;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            a = w1.stopGradient().toFloatArray();
        }
        return new HeadState(in, hidden, vocab, activation, concat(a, w2), concat(w1t.toFloatArray(), w2t),
                concat(m1.toFloatArray(), m2), concat(v1.toFloatArray(), v2), adamStep, valueLoss);
    }

    /**
     * Restores a state taken from {@link #export()} (sizes must match).
     *
     * @param s the state
     * @throws IllegalArgumentException when the shapes differ
     */
    void load(HeadState s) {
        if (s.in() != in || s.hidden() != hidden || s.vocab() != vocab || s.activation() != activation
                || s.valueLoss() != valueLoss) {
            throw new IllegalArgumentException("Q head state has H=" + s.in() + " hidden=" + s.hidden() + " V="
                    + s.vocab() + " " + s.activation() + " " + s.valueLoss() + " but this head is H=" + in + " hidden="
                    + hidden + " V=" + vocab + " " + activation + " " + valueLoss);
        }
        check(s.online(), "online parameters");
        check(s.target(), "target parameters");
        check(s.adamM(), "Adam first moments");
        check(s.adamV(), "Adam second moments");
        setState(s);
    }

    private void check(float[] a, String what) {
        if (a == null || a.length != parameterCount()) {
            throw new IllegalArgumentException("Q head state: " + what + " have " + (a == null ? 0 : a.length)
                    + " values, expected " + parameterCount());
        }
    }

    /**
     * A new head with the same state (online, target, Adam) as a saved one.
     *
     * @param s the state
     * @return the head
     */
    static QHead of(HeadState s) {
        QHead h = new QHead(s.in(), s.hidden(), s.vocab(), s.activation(), s.valueLoss(), 0L);
        h.load(s);
        return h;
    }

    @Override
    public void close() {
        manager.close();
    }
}
