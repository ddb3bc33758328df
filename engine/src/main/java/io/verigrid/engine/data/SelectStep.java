package io.verigrid.engine.data;

import java.util.List;

/**
 * A step that keeps and orders records without changing them. {@link #select} returns positions into
 * {@code records}: output position p holds {@code records[select[p]]}.
 */
public sealed interface SelectStep extends Step permits ExactDedup, MinHashDedup, QualityFilter, Shuffle {
    int[] select(List<DataRecord> records);

    /** False when the selection depends only on the record count (shuffle), so a plan needs no record values. */
    boolean readsRecords();
}
