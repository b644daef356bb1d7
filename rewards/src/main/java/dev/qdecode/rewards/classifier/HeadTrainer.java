package dev.qdecode.rewards.classifier;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.qdecode.models.NativeCalls;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link Head} on the PyTorch engine: DJL NDArrays, autograd through a {@link
 * GradientCollector}, and Adam written out on NDArrays (β1 0.9, β2 0.999, ε 1e-8). Everything random
 * (initialisation, batch order, dropout masks) comes from one {@link Random} seeded by the config,
 * so a run is reproducible. Per-step arrays live in a sub-manager closed after the step; long-lived
 * arrays are temporarily attached to it for the step and return to the run's manager.
 */
final class HeadTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(HeadTrainer.class);
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;
    /** A validation loss must drop by this much to count as an improvement. */
    private static final double MIN_IMPROVEMENT = 1e-4;

    /**
     * The outcome of training.
     *
     * @param head the weights of the best epoch
     * @param bestEpoch the epoch whose weights were kept (1-based)
     * @param epochsRun the epochs run before stopping
     * @param validationLoss the validation cross-entropy of the kept weights (NaN without validation)
     */
    record Result(Head head, int bestEpoch, int epochsRun, double validationLoss) {}

    private HeadTrainer() {}

    static Result train(float[][] x, int[] y, int numLabels, int[] trainIdx, int[] valIdx, ClassifierConfig cfg) {
        return train(x, y, numLabels, trainIdx, valIdx, cfg, NativeCalls.PROCESS);
    }

    /**
     * Trains a head.
     *
     * @param x the embeddings, one row per text
     * @param y the label index of each row
     * @param numLabels the number of labels
     * @param trainIdx the rows trained on
     * @param valIdx the rows validated on (none: no early stopping)
     * @param cfg the settings
     * @param gate the gate that each training step and validation pass enters, so that the JVM does not end under
     *     one ({@link NativeCalls#PROCESS}; tests give one of their own)
     * @return the weights of the best epoch and how they were chosen
     */
    static Result train(float[][] x, int[] y, int numLabels, int[] trainIdx, int[] valIdx, ClassifierConfig cfg,
            NativeCalls gate) {
        int d = x[0].length;
        int n = trainIdx.length;
        boolean mlp = cfg.head() == ClassifierConfig.HeadType.MLP;
        int h1 = mlp ? cfg.hidden() : numLabels;
        float[] mean = new float[d];
        float[] std = new float[d];
        standardisation(x, trainIdx, mean, std);

        Random rnd = new Random(cfg.seed());
        float[] w1 = init(rnd, d, h1, mlp ? Math.sqrt(6.0 / d) : 0);
        float[] b1 = new float[h1];
        float[] w2 = mlp ? init(rnd, cfg.hidden(), numLabels, Math.sqrt(6.0 / (cfg.hidden() + numLabels))) : null;
        float[] b2 = mlp ? new float[numLabels] : null;

        Engine engine = Engine.getEngine("PyTorch");
        try (NDManager root = NDManager.newBaseManager(Device.cpu(), engine.getEngineName())) {
            NDArray xTrain = root.create(rows(x, trainIdx, mean, std), new Shape(n, d));
            NDArray yTrain = root.create(oneHot(y, trainIdx, numLabels), new Shape(n, numLabels));
            NDArray xVal = valIdx.length == 0 ? null
                    : root.create(rows(x, valIdx, mean, std), new Shape(valIdx.length, d));
            NDArray yVal = valIdx.length == 0 ? null
                    : root.create(oneHot(y, valIdx, numLabels), new Shape(valIdx.length, numLabels));
            List<NDArray> params = new ArrayList<>();
            params.add(root.create(w1, new Shape(d, h1)));
            params.add(root.create(b1, new Shape(h1)));
            if (mlp) {
                params.add(root.create(w2, new Shape(cfg.hidden(), numLabels)));
                params.add(root.create(b2, new Shape(numLabels)));
            }
            List<NDArray> adamM = new ArrayList<>();
            List<NDArray> adamV = new ArrayList<>();
            for (NDArray p : params) {
                p.setRequiresGradient(true);
                adamM.add(root.zeros(p.getShape()));
                adamV.add(root.zeros(p.getShape()));
            }
            // W1 acts on standardised inputs; W1 / std is the weight on the raw embedding, so the
            // penalty sum((W1 / std)^2) is the one a model trained on raw embeddings would get.
            float[] invVar = new float[d];
            for (int j = 0; j < d; j++) {
                invVar[j] = 1f / (std[j] * std[j]);
            }
            NDArray penaltyScale = root.create(invVar, new Shape(d, 1));
            List<NDArray> longLived = new ArrayList<>(params);
            longLived.add(penaltyScale);
            longLived.addAll(adamM);
            longLived.addAll(adamV);
            longLived.add(xTrain);
            longLived.add(yTrain);
            if (xVal != null) {
                longLived.add(xVal);
                longLived.add(yVal);
            }

            float[][] best = snapshot(params);
            double bestLoss = Double.POSITIVE_INFINITY;
            int bestEpoch = 0;
            int epochsRun = 0;
            int sinceBest = 0;
            int step = 0;
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            for (int epoch = 1; epoch <= cfg.maxEpochs(); epoch++) {
                shuffle(order, rnd);
                double lossSum = 0;
                for (int start = 0; start < n; start += cfg.batchSize()) {
                    int end = Math.min(n, start + cfg.batchSize());
                    long[] batch = new long[end - start];
                    for (int i = start; i < end; i++) {
                        batch[i - start] = order[i];
                    }
                    step++;
                    gate.enter(); // forward, backward and Adam: the JVM does not end under them
                    try (NDManager sub = root.newSubManager()) {
                        for (NDArray a : longLived) {
                            a.tempAttach(sub);
                        }
                        NDArray idx = sub.create(batch);
                        NDArray xb = xTrain.get(idx);
                        NDArray yb = yTrain.get(idx);
                        NDArray mask = mlp && cfg.dropout() > 0
                                ? sub.create(dropoutMask(rnd, batch.length, cfg.hidden(), cfg.dropout()),
                                        new Shape(batch.length, cfg.hidden()))
                                : null;
                        try (GradientCollector gc = engine.newGradientCollector()) {
                            NDArray logits = forward(xb, params, mlp, mask);
                            NDArray nll = crossEntropy(logits, yb);
                            NDArray loss = nll;
                            if (cfg.l2() > 0) {
                                NDArray penalty = params.get(0).square().mul(penaltyScale).sum();
                                if (mlp) {
                                    penalty = penalty.add(params.get(2).square().sum());
                                }
                                // the factor as an array of this step's manager, alive until after backward():
                                // mul(Number) would hand autograd a buffer released (and freeable) at once
                                loss = nll.add(penalty.mul(sub.create((float) (cfg.l2() / 2))));
                            }
                            gc.backward(loss);
                            lossSum += nll.getFloat() * batch.length;
                        }
                        // Cosine decay from the configured rate to 0 over maxEpochs: constant-rate Adam
                        // keeps jumping around the optimum (dev accuracy then varies by +-0.01).
                        double progress = (epoch - 1 + (double) end / n) / cfg.maxEpochs();
                        double lr = cfg.learningRate() * 0.5 * (1 + Math.cos(Math.PI * progress));
                        adam(params, adamM, adamV, Math.max(lr, cfg.learningRate() * 1e-3), step);
                    } finally {
                        gate.exit();
                    }
                }
                epochsRun = epoch;
                double trainLoss = lossSum / n;
                if (xVal == null) {
                    LOG.debug("epoch {}: train loss {}", epoch, trainLoss);
                    continue;
                }
                double valLoss;
                double valAcc;
                gate.enter();
                try (NDManager sub = root.newSubManager()) {
                    for (NDArray a : longLived) {
                        a.tempAttach(sub);
                    }
                    NDArray logits = forward(xVal, params, mlp, null);
                    valLoss = crossEntropy(logits, yVal).getFloat();
                    valAcc = logits.argMax(1).eq(yVal.argMax(1)).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                            .mean().getFloat();
                } finally {
                    gate.exit();
                }
                LOG.debug("epoch {}: train loss {} validation loss {} acc {}", epoch, trainLoss, valLoss, valAcc);
                if (valLoss < bestLoss - MIN_IMPROVEMENT) {
                    bestLoss = valLoss;
                    bestEpoch = epoch;
                    best = snapshot(params);
                    sinceBest = 0;
                } else if (++sinceBest >= cfg.patience()) {
                    break;
                }
            }
            if (xVal == null) {
                best = snapshot(params);
                bestEpoch = epochsRun;
                bestLoss = Double.NaN;
            }
            Head head = new Head(cfg.head(), d, cfg.hidden(), numLabels, mean, std, best[0], best[1],
                    mlp ? best[2] : null, mlp ? best[3] : null);
            return new Result(head, bestEpoch, epochsRun, bestLoss);
        }
    }

    static NDArray forward(NDArray x, List<NDArray> params, boolean mlp, NDArray dropoutMask) {
        NDArray z = x.matMul(params.get(0)).add(params.get(1));
        if (!mlp) {
            return z;
        }
        // relu, not maximum(0f): a Number becomes a buffer released right after the op, which autograd keeps
        // for the backward pass (a collection in between made the ReLU mask read freed memory)
        NDArray h = ai.djl.nn.Activation.relu(z);
        if (dropoutMask != null) {
            h = h.mul(dropoutMask);
        }
        return h.matMul(params.get(2)).add(params.get(3));
    }

    /** Mean softmax cross-entropy against one-hot targets. */
    static NDArray crossEntropy(NDArray logits, NDArray oneHot) {
        return logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg().mean();
    }

    /**
     * One Adam step on every parameter, then zeroes its gradient (outside gradient recording). The parameter
     * is updated through a view without a gradient ({@code stopGradient()}, the same storage), as QHead's
     * step does: PyTorch refuses an in-place operation on a leaf that requires a gradient while grad mode is
     * on, and grad mode is per thread (DJL turns it off only on the thread that started the engine).
     */
    private static void adam(List<NDArray> params, List<NDArray> m, List<NDArray> v, double lr, int step) {
        double c1 = 1 - Math.pow(BETA1, step);
        double c2 = 1 - Math.pow(BETA2, step);
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i);
            NDArray g = p.getGradient();
            m.get(i).muli(BETA1).addi(g.mul(1 - BETA1));
            v.get(i).muli(BETA2).addi(g.square().mul(1 - BETA2));
            NDArray update = m.get(i).div(c1).div(v.get(i).div(c2).sqrt().add(EPS)).mul(lr);
            p.stopGradient().subi(update);
            g.subi(g);
        }
    }

    private static float[][] snapshot(List<NDArray> params) {
        float[][] s = new float[params.size()][];
        for (int i = 0; i < params.size(); i++) {
            s[i] = params.get(i).toFloatArray();
        }
        return s;
    }

    private static void standardisation(float[][] x, int[] idx, float[] mean, float[] std) {
        int d = mean.length;
        double[] sum = new double[d];
        double[] sq = new double[d];
        for (int i : idx) {
            for (int j = 0; j < d; j++) {
                sum[j] += x[i][j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] = (float) (sum[j] / idx.length);
        }
        for (int i : idx) {
            for (int j = 0; j < d; j++) {
                double c = x[i][j] - mean[j];
                sq[j] += c * c;
            }
        }
        for (int j = 0; j < d; j++) {
            std[j] = (float) Math.max(Math.sqrt(sq[j] / idx.length), 1e-6);
        }
    }

    private static float[] rows(float[][] x, int[] idx, float[] mean, float[] std) {
        int d = mean.length;
        float[] out = new float[idx.length * d];
        for (int r = 0; r < idx.length; r++) {
            float[] v = x[idx[r]];
            for (int j = 0; j < d; j++) {
                out[r * d + j] = (v[j] - mean[j]) / std[j];
            }
        }
        return out;
    }

    private static float[] oneHot(int[] y, int[] idx, int k) {
        float[] out = new float[idx.length * k];
        for (int r = 0; r < idx.length; r++) {
            out[r * k + y[idx[r]]] = 1f;
        }
        return out;
    }

    private static float[] init(Random rnd, int in, int out, double bound) {
        float[] w = new float[in * out];
        if (bound > 0) {
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
            }
        }
        return w;
    }

    private static float[] dropoutMask(Random rnd, int rows, int cols, double p) {
        float[] m = new float[rows * cols];
        float keep = (float) (1 / (1 - p));
        for (int i = 0; i < m.length; i++) {
            m[i] = rnd.nextDouble() < p ? 0f : keep;
        }
        return m;
    }

    private static void shuffle(int[] a, Random rnd) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
