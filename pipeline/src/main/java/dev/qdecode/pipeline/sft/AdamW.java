package dev.qdecode.pipeline.sft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (decoupled weight decay) with global gradient-norm clipping, over a fixed set of parameter
 * tensors whose gradients autograd filled. Per step, for each parameter {@code w} with gradient
 * {@code g} (rescaled by the clipping factor): {@code w -= lr*wd*w; m = b1*m + (1-b1)*g; v = b2*v
 * + (1-b2)*g^2; w -= lr*sqrt(1-b2^t)/(1-b1^t) * m/(sqrt(v)+eps)}; the caller zeroes the gradients afterwards.
 *
 * <p>Two implementations of the same update: {@code fused} uses DJL's native Adam kernel ({@code
 * NDArrayEx.adamUpdate}, one native call per parameter); otherwise a sequence of in-place NDArray
 * ops. The moment tensors live in this optimizer's own manager (the only long-lived arrays besides
 * the parameters); per-step temporaries go to the step manager passed to {@link #step}.
 */
final class AdamW implements AutoCloseable {
    static final float BETA1 = 0.9f;
    static final float BETA2 = 0.999f;
    static final float EPS = 1e-8f;

    private final Map<String, NDArray> params;
    private final NDManager manager;
    private final Map<String, NDArray> mean = new LinkedHashMap<>();
    private final Map<String, NDArray> var = new LinkedHashMap<>();
    private final double weightDecay;
    private final boolean fused;
    private long t;

    /**
     * Creates the optimizer with zero moments.
     *
     * @param params the parameters (gradients attached), by name
     * @param weightDecay decoupled weight decay of tensors with 2+ dimensions (1-D norm gains get
     *     none)
     * @param fused whether to use DJL's native Adam kernel
     */
    AdamW(Map<String, NDArray> params, double weightDecay, boolean fused) {
        this.params = params;
        this.weightDecay = weightDecay;
        this.fused = fused;
        NDArray any = params.values().iterator().next();
        this.manager = any.getManager().newSubManager();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            mean.put(e.getKey(), manager.zeros(e.getValue().getShape()));
            var.put(e.getKey(), manager.zeros(e.getValue().getShape()));
        }
    }

    /**
     * Steps taken so far.
     *
     * @return the step count (bias-correction exponent of the last step)
     */
    long steps() {
        return t;
    }

    /**
     * One update from the current gradients (the caller zeroes them afterwards).
     *
     * @param sm the step manager (owns gradient wrappers and temporaries)
     * @param lr the learning rate of this step
     * @param clip global gradient-norm threshold (0: no clipping)
     * @return the global gradient norm before clipping
     */
    double step(NDManager sm, double lr, double clip) {
        Map<String, NDArray> grads = new LinkedHashMap<>();
        NDArray sq = null;
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray g = e.getValue().getGradient();
            g.attach(sm);
            grads.put(e.getKey(), g);
            NDArray s = g.square().sum();
            sq = sq == null ? s : sq.add(s);
        }
        double norm = Math.sqrt(sq.getFloat());
        if (!Double.isFinite(norm)) {
            return norm;
        }
        float rescale = clip > 0 && norm > clip ? (float) (clip / (norm + 1e-6)) : 1f;
        t++;
        double c1 = 1 - Math.pow(BETA1, t);
        double c2 = 1 - Math.pow(BETA2, t);
        float lrCorr = (float) (lr * Math.sqrt(c2) / c1);
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray w = e.getValue();
            NDArray g = grads.get(e.getKey());
            NDArray m = mean.get(e.getKey());
            NDArray v = var.get(e.getKey());
            float wd = w.getShape().dimension() >= 2 ? (float) weightDecay : 0f;
            if (fused) {
                w.getNDArrayInternal().adamUpdate(new NDList(w, g, m, v), new NDList(w), (float) lr, lrCorr, wd,
                        rescale, -1f, BETA1, BETA2, EPS, true, true);
            } else {
                NDArray gs = rescale == 1f ? g : g.mul(rescale);
                if (wd > 0) {
                    w.muli(1 - lr * wd);
                }
                m.muli(BETA1).addi(gs.mul(1 - BETA1));
                v.muli(BETA2).addi(gs.square().muli(1 - BETA2));
                w.subi(m.div(v.sqrt().addi(EPS)).muli(lrCorr));
            }
        }
        return norm;
    }

    /**
     * The moment tensors for a checkpoint: {@code m.NAME} and {@code v.NAME} (owned by the
     * optimizer; do not close).
     *
     * @return the state tensors
     */
    Map<String, NDArray> state() {
        Map<String, NDArray> s = new LinkedHashMap<>();
        mean.forEach((k, a) -> s.put("m." + k, a));
        var.forEach((k, a) -> s.put("v." + k, a));
        return s;
    }

    /**
     * Restores moments and the step count from a checkpoint.
     *
     * @param state tensors named as {@link #state()} returns them
     * @param steps the step count
     * @param source the checkpoint file (for errors)
     * @throws SftException naming the first missing or mis-shaped tensor
     */
    void restore(Map<String, NDArray> state, long steps, String source) {
        for (String k : params.keySet()) {
            for (String kind : new String[] {"m.", "v."}) {
                NDArray a = state.get(kind + k);
                NDArray mine = (kind.equals("m.") ? mean : var).get(k);
                if (a == null || !a.getShape().equals(mine.getShape())) {
                    throw new SftException(source + ": optimizer tensor '" + kind + k + "' missing or of another shape"
                            + " (expected " + mine.getShape() + ")");
                }
            }
        }
        for (String k : params.keySet()) {
            mean.get(k).muli(0).addi(state.get("m." + k));
            var.get(k).muli(0).addi(state.get("v." + k));
        }
        this.t = steps;
    }

    /** Frees the moments. */
    @Override
    public void close() {
        manager.close();
    }
}
