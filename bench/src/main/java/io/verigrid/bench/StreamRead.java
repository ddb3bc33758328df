package io.verigrid.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** A read-only stream over a float array at full vector width: the memory-bandwidth probe's inner loop. */
final class StreamRead {
    private static final VectorSpecies<Float> SPECIES = FmaPeak.SPECIES;

    private StreamRead() {
    }

    /** Sums {@code data[from, to)} (four vector accumulators, so the adds never limit the loads). */
    static float sum(float[] data, int from, int to) {
        int step = 4 * SPECIES.length();
        FloatVector a = FloatVector.zero(SPECIES);
        FloatVector b = a;
        FloatVector c = a;
        FloatVector d = a;
        int i = from;
        for (; i + step <= to; i += step) {
            a = a.add(FloatVector.fromArray(SPECIES, data, i));
            b = b.add(FloatVector.fromArray(SPECIES, data, i + SPECIES.length()));
            c = c.add(FloatVector.fromArray(SPECIES, data, i + 2 * SPECIES.length()));
            d = d.add(FloatVector.fromArray(SPECIES, data, i + 3 * SPECIES.length()));
        }
        float[] lanes = new float[SPECIES.length()];
        a.add(b).add(c.add(d)).intoArray(lanes, 0);
        float total = 0;
        for (float lane : lanes) {
            total += lane;
        }
        for (; i < to; i++) {
            total += data[i];
        }
        return total;
    }
}
