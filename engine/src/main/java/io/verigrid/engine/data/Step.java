package io.verigrid.engine.data;

import java.util.Map;

/**
 * One declared step of a {@link PipelineSpec}. A step is a pure function of its parameters, its input records
 * and (for random steps) its seed keyed by each record's origin. Three shapes exist:
 * <ul>
 *   <li>{@link MapStep}: record by record, independent of every other record — a shard recomputes it alone;</li>
 *   <li>{@link SelectStep}: keeps and orders records (filters, dedup, shuffle) — its result over the whole list is
 *       the "plan" a shard is cut from, committed as the list of surviving origins;</li>
 *   <li>{@link Mixup}: each record mixed with one partner, chosen by a seeded permutation of positions.</li>
 * </ul>
 */
public sealed interface Step permits MapStep, SelectStep, Mixup {
    /** The name in specs and traces, e.g. {@code "normalize"}. */
    String name();

    /** The record type the step reads; {@code null} for steps that take any type. */
    RecordType inputType();

    /** The record type the step writes for {@code input}; most steps keep it. */
    default RecordType outputType(RecordType input) {
        return input;
    }

    /** The step's parameters in canonical order (the spec encoding follows the name with them). */
    void writeParams(DataWriter out);

    /** The step's parameters by JSON field name, in canonical order. */
    Map<String, Object> jsonParams();
}
