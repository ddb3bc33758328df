package io.verigrid.engine;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One operator of a step's program before it runs: its kind (see {@link Ops#kinds()}), its integer
 * attributes (floats travel as {@link Float#floatToRawIntBits}) and where its inputs come from.
 * Equality is by content.
 */
public record OpSpec(String kind, long[] attrs, List<InputRef> inputs) {
    public OpSpec {
        if (kind == null || kind.isEmpty()) {
            throw new IllegalArgumentException("kind must not be empty");
        }
        if (attrs == null) {
            throw new IllegalArgumentException("attrs must not be null");
        }
        if (inputs == null) {
            throw new IllegalArgumentException("inputs must not be null");
        }
        attrs = attrs.clone();
        inputs = List.copyOf(inputs);
    }

    /** A copy of the attributes. */
    @Override
    public long[] attrs() {
        return attrs.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof OpSpec spec && kind.equals(spec.kind) && Arrays.equals(attrs, spec.attrs)
                && inputs.equals(spec.inputs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, Arrays.hashCode(attrs), inputs);
    }

    @Override
    public String toString() {
        return kind + Arrays.toString(attrs) + inputs;
    }
}
