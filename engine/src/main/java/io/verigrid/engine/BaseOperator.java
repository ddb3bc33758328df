package io.verigrid.engine;

/** The fixed kind, input count and attribute count every operator declares. */
abstract class BaseOperator implements Operator {
    private final String kind;
    private final int inputCount;
    private final int attrCount;

    BaseOperator(String kind, int inputCount, int attrCount) {
        this.kind = kind;
        this.inputCount = inputCount;
        this.attrCount = attrCount;
    }

    @Override
    public String kind() {
        return kind;
    }

    @Override
    public int inputCount() {
        return inputCount;
    }

    @Override
    public int attrCount() {
        return attrCount;
    }

    /** An integer attribute that must lie in [min, max]. */
    int intAttr(long[] attrs, int index, String name, long min, long max) {
        long value = attrs[index];
        if (value < min || value > max) {
            throw new IllegalArgumentException(kind + ": attr " + index + " (" + name + ") must be in [" + min + ", "
                    + max + "], got " + value);
        }
        return (int) value;
    }

    IllegalArgumentException bad(int input, String problem) {
        return Ops.bad(kind, input, problem);
    }
}
