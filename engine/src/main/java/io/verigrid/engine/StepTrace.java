package io.verigrid.engine;

import java.util.List;

/** What running one step recorded: every operator in execution order (forward, backward, optimizer). */
public record StepTrace(long step, List<OpRecord> ops) {
    public StepTrace {
        if (ops == null) {
            throw new IllegalArgumentException("ops must not be null");
        }
        ops = List.copyOf(ops);
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).index() != i) {
                throw new IllegalArgumentException("ops[" + i + "] has index " + ops.get(i).index());
            }
        }
    }
}
