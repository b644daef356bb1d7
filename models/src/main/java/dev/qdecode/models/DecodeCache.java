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
    int batch;
    int[] pads;
    /** Columns written so far (the next step writes this column). */
    int columns;
    final PtNDArray[] kv;
    /** Whether this cache uses the block layout. */
    final boolean blockLayout;
    /** Additive key mask, {@code -1e9} on padding columns: {@code [B, 1, capacity]} (block) or {@code [B, 1, 1, capacity]}. */
    PtNDArray mask;
    /** Rotary table {@code [capacity, 2*qkvWidth]} (Llama family only, see TransformerLM#ropeTable). */
    final PtNDArray rope;
    /** Step inputs {@code [B]} (int64): wrap {@link #inputBuffer} / {@link #positionBuffer}, rebuilt every step. */
    PtNDArray ids;
    PtNDArray positions;
    /** Reused direct buffers (native order) holding the step's token ids and positions. */
    private ByteBuffer inputBuffer;
    private ByteBuffer positionBuffer;
    StepOutput last;
    private PtNDArray pick;
    private boolean closed;

    DecodeCache(TransformerLM model, int batch, int capacity, int[] pads) {
        this.model = model;
        this.manager = (PtNDManager) model.manager.newSubManager();
        this.capacity = capacity;
        this.batch = batch;
        this.pads = pads.clone();
        this.blockLayout = model.blockDecode;
        try {
            this.kv = new PtNDArray[model.layers.length];
            Shape shape = blockLayout
                    ? new Shape(batch, capacity, 2L * model.kvHeads * model.headDim)
                    : new Shape(batch, model.kvHeads, capacity, 2L * model.headDim);
            for (int i = 0; i < kv.length; i++) {
                kv[i] = (PtNDArray) manager.zeros(shape, DataType.FLOAT32);
            }
            float[] m = new float[batch * capacity];
            for (int r = 0; r < batch; r++) {
                for (int c = 0; c < pads[r]; c++) {
                    m[r * capacity + c] = TransformerLM.NEG;
                }
            }
            this.mask = (PtNDArray) manager.create(m,
                    blockLayout ? new Shape(batch, 1, capacity) : new Shape(batch, 1, 1, capacity));
            this.rope = model.llama ? model.ropeTable(manager, capacity) : null;
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

    /** Flat indices picking each head's own block of the block-attention output (built per batch size). */
    PtNDArray blockPick() {
        if (pick == null) {
            pick = model.blockPick(manager, batch);
        }
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
        try (PtNDManager tmp = (PtNDManager) out.newSubManager()) {
            // arrays over the reused buffers (no copy); closed with tmp before the buffers change
            Shape shape = new Shape(batch);
            ids = JniUtils.createNdFromByteBuffer(tmp, inputBuffer, shape, DataType.INT64, SparseFormat.DENSE, Device.cpu());
            positions = JniUtils.createNdFromByteBuffer(tmp, positionBuffer, shape, DataType.INT64, SparseFormat.DENSE,
                    Device.cpu());
            PtNDArray hid = model.decodeHidden(this, tmp);
            PtNDArray logits = JniUtils.linear(hid, model.lmHead, null);
            hid.attach(out);
            logits.attach(out);
            columns++;
            last = new StepOutput(logits, hid);
            return last;
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
        batch = rows.length;
        if (pick != null) {
            pick.close();
            pick = null;
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
