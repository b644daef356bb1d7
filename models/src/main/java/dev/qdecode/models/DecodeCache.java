package dev.qdecode.models;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Preallocated batched KV cache, written in place at column {@link #columns}. Prompts are
 * left-padded, so row {@code r}'s tokens occupy columns {@code [pads[r], columns)} and its position
 * at column {@code c} is {@code c - pads[r]}. Owns a sub-manager of the model's manager.
 *
 * <p>Two layouts per layer: the per-head layout {@code [B, kvHeads, capacity, 2*headDim]} (key and
 * value of a head side by side; attention is one small matrix product per row and kv head) and the
 * block layout {@code [B, capacity, 2*kvHeads*headDim]} (all keys, then all values, of a position;
 * attention is one product per row over all kv heads at once, see {@link TransformerLM}). Columns
 * not yet written are zero, which the block layout's in-place write (an add) relies on.
 */
final class DecodeCache implements KvCache {
    private final TransformerLM model;
    private final PtNDManager manager;
    final int capacity;
    /**
     * Columns allocated: {@link #capacity} rounded up to a multiple of {@link #ALIGN}. Attention
     * reads a multiple of 8 columns (unwritten ones masked), because PyTorch's CPU softmax is about
     * 2.5x slower when the last dimension is not a multiple of 8.
     */
    final int allocated;
    /** Column alignment of attention reads. */
    static final int ALIGN = 8;
    int batch;
    int[] pads;
    /** Columns written so far (the next step writes this column). */
    int columns;
    final PtNDArray[] kv;
    /** Whether this cache uses the block layout. */
    final boolean blockLayout;
    /**
     * Additive key mask over the allocated columns, {@code -1e9} on each row's padding columns and
     * on columns not yet written (each step unmasks its column): {@code [B, 1, allocated]} (block)
     * or {@code [B, 1, 1, allocated]}.
     */
    PtNDArray mask;
    /** Rotary tables {@code cos, sin} ({@code [capacity, qkvWidth]}, Llama family only, see TransformerLM#ropeTables). */
    final PtNDArray[] rope;
    /** Reused direct buffers (native order) holding the step's token ids and positions. */
    private ByteBuffer inputBuffer;
    private ByteBuffer positionBuffer;
    StepOutput last;
    private PtNDArray pick;
    private boolean closed;

    /**
     * Allocates a cache for {@code batch} rows whose prompts are left-padded to {@code promptLength}
     * columns ({@code pads[r]} of them padding), with room for {@code capacity} columns in all.
     */
    DecodeCache(TransformerLM model, int batch, int promptLength, int capacity, int[] pads) {
        this.model = model;
        this.manager = (PtNDManager) model.manager.newSubManager();
        this.capacity = capacity;
        this.allocated = (capacity + ALIGN - 1) / ALIGN * ALIGN;
        this.batch = batch;
        this.pads = pads.clone();
        this.blockLayout = model.blockDecode;
        try {
            this.kv = new PtNDArray[model.layers.length];
            Shape shape = blockLayout
                    ? new Shape(batch, allocated, 2L * model.kvHeads * model.headDim)
                    : new Shape(batch, model.kvHeads, allocated, 2L * model.headDim);
            for (int i = 0; i < kv.length; i++) {
                kv[i] = (PtNDArray) manager.zeros(shape, DataType.FLOAT32);
            }
            float[] m = new float[batch * allocated];
            for (int r = 0; r < batch; r++) {
                for (int c = 0; c < allocated; c++) {
                    m[r * allocated + c] = c < pads[r] || c >= promptLength ? TransformerLM.NEG : 0f;
                }
            }
            this.mask = (PtNDArray) manager.create(m,
                    blockLayout ? new Shape(batch, 1, allocated) : new Shape(batch, 1, 1, allocated));
            this.rope = model.llama ? model.ropeTables(manager, capacity) : null;
            this.pick = blockLayout ? model.blockPick(manager, batch) : null;
            allocateInputs();
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** (Re)allocates the per-step input buffers for the current batch size. */
    private void allocateInputs() {
        inputBuffer = ByteBuffer.allocateDirect(batch * 8).order(ByteOrder.nativeOrder());
        positionBuffer = ByteBuffer.allocateDirect(batch * 8).order(ByteOrder.nativeOrder());
    }

    /** Flat indices picking each head's own block of the block-attention output (block layout only). */
    PtNDArray blockPick() {
        return pick;
    }

    @Override
    public int batchSize() {
        return batch;
    }

    @Override
    public int length(int row) {
        checkRow(row);
        return columns - pads[row];
    }

    @Override
    public int remaining() {
        return capacity - columns;
    }

    @Override
    public StepOutput last() {
        checkOpen();
        if (last == null || isReleased(last.logits()) || isReleased(last.hidden())) {
            throw new IllegalStateException("the latest output's arrays were closed with their manager");
        }
        return last;
    }

    @Override
    public StepOutput step(NDManager stepManager, int[] nextTokens) {
        checkOpen();
        if (!(stepManager instanceof PtNDManager out)) {
            throw new IllegalArgumentException("stepManager must be a PyTorch-engine NDManager, got "
                    + (stepManager == null ? "null" : stepManager.getClass().getSimpleName()));
        }
        if (nextTokens == null || nextTokens.length != batch) {
            throw new IllegalArgumentException("nextTokens must hold one token per row: expected " + batch + ", got "
                    + (nextTokens == null ? "null" : nextTokens.length));
        }
        model.checkIds(nextTokens, "nextTokens");
        if (columns >= capacity) {
            throw new IllegalStateException("KV cache is full: capacity " + capacity
                    + " positions (longest prompt + maxNewTokens) already used");
        }
        for (int r = 0; r < batch; r++) {
            inputBuffer.putLong(r * 8, nextTokens[r]);
            positionBuffer.putLong(r * 8, columns - pads[r]);
        }
        NativeCalls gate = model.gate; // the one entered is the one exited
        gate.enter(); // one forward pass: the JVM does not end under it (see NativeCalls)
        try (PtNDManager tmp = (PtNDManager) out.newSubManager()) {
            // arrays over the reused buffers (no copy); closed with tmp before the buffers change
            Shape shape = new Shape(batch);
            PtNDArray ids = JniUtils.createNdFromByteBuffer(tmp, inputBuffer, shape, DataType.INT64, SparseFormat.DENSE,
                    Device.cpu());
            PtNDArray positions = JniUtils.createNdFromByteBuffer(tmp, positionBuffer, shape, DataType.INT64,
                    SparseFormat.DENSE, Device.cpu());
            PtNDArray hid = model.decodeHidden(this, tmp, ids, positions);
            PtNDArray logits = model.head(hid);
            hid.attach(out);
            logits.attach(out);
            columns++;
            last = new StepOutput(logits, hid);
            return last;
        } finally {
            gate.exit();
        }
    }

    @Override
    public void retainRows(int[] rows) {
        checkOpen();
        if (rows == null || rows.length == 0) {
            throw new IllegalArgumentException("retainRows: at least one row must be kept");
        }
        long[] idx = new long[rows.length];
        int[] newPads = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            checkRow(rows[i]);
            idx[i] = rows[i];
            newPads[i] = pads[rows[i]];
        }
        model.gate.run(() -> retain(idx, newPads)); // copies the cache: the JVM does not end under it
    }

    private void retain(long[] idx, int[] newPads) {
        try (NDManager tmp = manager.newSubManager()) {
            NDArray index = tmp.create(idx);
            NDIndex select = new NDIndex("{}", index);
            for (int i = 0; i < kv.length; i++) {
                PtNDArray kept = JniUtils.indexAdv(kv[i], select, manager);
                kv[i].close();
                kv[i] = kept;
            }
            PtNDArray keptMask = JniUtils.indexAdv(mask, select, manager);
            mask.close();
            mask = keptMask;
            if (last != null && !isReleased(last.logits()) && !isReleased(last.hidden())) {
                PtNDArray l = (PtNDArray) last.logits();
                PtNDArray h = (PtNDArray) last.hidden();
                PtNDArray idxHere = (PtNDArray) l.getManager().create(idx);
                last = new StepOutput(JniUtils.indexAdv(l, new NDIndex("{}", idxHere), l.getManager()),
                        JniUtils.indexAdv(h, new NDIndex("{}", idxHere), h.getManager()));
                idxHere.close();
            } else {
                last = null;
            }
        }
        pads = newPads;
        batch = idx.length;
        if (pick != null) {
            pick.close();
            pick = model.blockPick(manager, batch);
        }
        allocateInputs();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }

    private static boolean isReleased(NDArray a) {
        return ((PtNDArray) a).isReleased();
    }

    private void checkOpen() {
        if (closed || mask.isReleased()) {
            throw new IllegalStateException("KV cache is closed");
        }
    }

    private void checkRow(int row) {
        if (row < 0 || row >= batch) {
            throw new IllegalArgumentException("row " + row + " is outside [0, " + batch + ")");
        }
    }
}
