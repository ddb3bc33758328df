package io.verigrid.engine.data;

/** A step applied to each record alone: its output for a record depends on that record (and its origin) only. */
public sealed interface MapStep extends Step permits Normalize, Tokenize, RandomCrop, HorizontalFlip, GaussianNoise {
    DataRecord apply(DataRecord record, Resources resources);
}
