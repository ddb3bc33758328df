package io.verigrid.engine.data;

/** A step applied to each record alone: its output for a record depends on that record (and its origin) only. */
public interface MapStep extends Step {
    DataRecord apply(DataRecord record, Resources resources);
}
