package io.verigrid.engine.generate;

/**
 * The {@code rope} operator's cosines and sines per position, computed once and applied in place.
 *
 * <p>Arithmetic (that of {@code rope}, Hugging Face rotate_half): inv_freq_i = (float) (1 / theta^(2i / headDim)),
 * angle = (float) position · inv_freq_i in float, cos and sin = StrictMath in double rounded to float;
 * out_i = x_i·cos − x_{i+half}·sin and out_{i+half} = x_{i+half}·cos + x_i·sin, each in double and rounded once.
 * The table grows on demand up to the context length; reads of filled rows need no lock.
 */
final class RopeTable {
    private final int headDim;
    private final int half;
    private final float[] invFreq;
    private volatile float[][] cos = new float[0][];
    private volatile float[][] sin = new float[0][];

    RopeTable(float theta, int headDim) {
        this.headDim = headDim;
        this.half = headDim / 2;
        this.invFreq = new float[half];
        for (int i = 0; i < half; i++) {
            invFreq[i] = (float) (1.0 / StrictMath.pow(theta, (2.0 * i) / headDim));
        }
    }

    /** Makes positions {@code [0, positions)} available. */
    synchronized void ensure(int positions) {
        float[][] oldCos = cos;
        if (oldCos.length >= positions) {
            return;
        }
        int size = Math.max(positions, Math.min(2 * oldCos.length, Integer.MAX_VALUE / 2));
        float[][] newCos = java.util.Arrays.copyOf(oldCos, size);
        float[][] newSin = java.util.Arrays.copyOf(sin, size);
        for (int pos = oldCos.length; pos < size; pos++) {
            newCos[pos] = new float[half];
            newSin[pos] = new float[half];
            float position = pos;
            for (int i = 0; i < half; i++) {
                float angle = position * invFreq[i];
                newCos[pos][i] = (float) StrictMath.cos(angle);
                newSin[pos][i] = (float) StrictMath.sin(angle);
            }
        }
        sin = newSin;
        cos = newCos;
    }

    /** Rotates {@code heads} heads of one row starting at {@code x[off]}, all at {@code position}. */
    void rotate(float[] x, int off, int heads, int position) {
        float[] c = cos[position];
        float[] s = sin[position];
        for (int h = 0; h < heads; h++) {
            int base = off + h * headDim;
            for (int i = 0; i < half; i++) {
                double a = x[base + i];
                double b = x[base + i + half];
                double ci = c[i];
                double si = s[i];
                x[base + i] = (float) (a * ci - b * si);
                x[base + i + half] = (float) (b * ci + a * si);
            }
        }
    }
}
