package dev.qdecode.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

/** Where model weights come from: a checkpoint on disk or a seeded random initialisation. */
interface ParamSource extends AutoCloseable {

    /** How a randomly initialised tensor is filled. */
    enum Init {
        /** Uniform with standard deviation 0.02. */
        MATRIX,
        /** All ones (norm gains). */
        ONES,
        /** All zeros (biases). */
        ZEROS
    }

    /**
     * Whether a tensor of this name is available.
     *
     * @param name tensor name
     * @return true if {@link #get} can return it
     */
    boolean has(String name);

    /**
     * Returns a float32 tensor of the given shape.
     *
     * @param manager owner of the result
     * @param name tensor name
     * @param shape expected shape
     * @param init how a random source fills it
     * @param why what the shape derives from, for error messages
     * @return the tensor
     * @throws ModelException if a checkpoint lacks it or has another shape
     */
    NDArray get(NDManager manager, String name, long[] shape, Init init, String why);

    /** Releases files. */
    @Override
    void close();

    /** Weights read from safetensors files. */
    static ParamSource of(TensorStore store) {
        return new ParamSource() {
            @Override
            public boolean has(String name) {
                return store.has(name);
            }

            @Override
            public NDArray get(NDManager manager, String name, long[] shape, Init init, String why) {
                return store.load(manager, name, shape, why);
            }

            @Override
            public void close() {
                store.close();
            }
        };
    }

    /** Seeded random weights; every name is available. */
    static ParamSource random(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double a = 0.02 * Math.sqrt(3.0);
        return new ParamSource() {
            @Override
            public boolean has(String name) {
                return true;
            }

            @Override
            public NDArray get(NDManager manager, String name, long[] shape, Init init, String why) {
                Shape s = new Shape(shape);
                if (init == Init.ONES) {
                    return manager.ones(s, DataType.FLOAT32);
                }
                if (init == Init.ZEROS) {
                    return manager.zeros(s, DataType.FLOAT32);
                }
                int n = Math.toIntExact(s.size());
                ByteBuffer buf = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder());
                FloatBuffer f = buf.asFloatBuffer();
                for (int i = 0; i < n; i++) {
                    f.put(i, (float) ((rng.nextDouble() * 2 - 1) * a));
                }
                return manager.create(buf, s, DataType.FLOAT32);
            }

            @Override
            public void close() {
                // nothing to release
            }
        };
    }
}
