package io.verigrid.engine;

/**
 * Where one input of an operator comes from: a tensor of the model state before the step
 * ({@link Source#STATE}), the output of an earlier operator of the same step ({@link Source#OP}) or a
 * tensor of the job's dataset ({@link Source#DATA}). {@code name} is set for STATE and DATA, {@code op}
 * (the operator index) for OP; the unused field is {@code null} / {@code -1}.
 */
public record InputRef(Source source, String name, int op) {
    public enum Source { STATE, OP, DATA }

    public InputRef {
        if (source == null) {
            throw new IllegalArgumentException("source must not be null");
        }
        if (source == Source.OP) {
            if (op < 0) {
                throw new IllegalArgumentException("op index must be >= 0, got " + op);
            }
            if (name != null) {
                throw new IllegalArgumentException("an OP input has no name, got " + name);
            }
        } else {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("a " + source + " input needs a name");
            }
            if (op != -1) {
                throw new IllegalArgumentException("a " + source + " input has op -1, got " + op);
            }
        }
    }

    public static InputRef state(String name) {
        return new InputRef(Source.STATE, name, -1);
    }

    public static InputRef op(int index) {
        return new InputRef(Source.OP, null, index);
    }

    public static InputRef data(String name) {
        return new InputRef(Source.DATA, name, -1);
    }

    @Override
    public String toString() {
        return source == Source.OP ? "op(" + op + ")" : source.name().toLowerCase() + "(" + name + ")";
    }
}
