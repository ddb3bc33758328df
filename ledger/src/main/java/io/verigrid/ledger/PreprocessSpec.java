package io.verigrid.ledger;

import io.verigrid.engine.data.PipelineSpec;
import io.verigrid.ledger.tx.ByteReader;
import io.verigrid.ledger.tx.ByteWriter;
import io.verigrid.ledger.tx.MalformedTxException;
import java.util.Arrays;

/**
 * The spec of a preprocessing order (market kind 4): the declared pipeline and the record count of the input it runs
 * on. The ledger cannot read the input blob, but it must know its size: the referee proves input records against the
 * input root at that leaf count, plan leaf 0 is the list 0..n−1, and the shard count (the job's units, hence the
 * escrow) is bounded by it.
 *
 * <p>Encoding: {@code "VGPP"} ‖ u8 version 1 ‖ i32 inputRecords ‖ bytes {@code PipelineSpec.encode()}.
 */
public record PreprocessSpec(int inputRecords, PipelineSpec pipeline) {
    private static final byte[] MAGIC = {'V', 'G', 'P', 'P'};
    private static final int VERSION = 1;

    public PreprocessSpec {
        if (inputRecords < 1) throw new IllegalArgumentException("inputRecords must be positive, got " + inputRecords);
        if (pipeline == null) throw new IllegalArgumentException("pipeline must not be null");
    }

    /** True when {@code spec} is a preprocessing spec (it starts with the magic), not a training job's. */
    public static boolean matches(byte[] spec) {
        return spec != null && spec.length >= MAGIC.length && Arrays.equals(Arrays.copyOf(spec, MAGIC.length), MAGIC);
    }

    public byte[] encode() {
        return new ByteWriter().raw(MAGIC).u8(VERSION).i32(inputRecords).bytes(pipeline.encode()).toBytes();
    }

    /** Decodes exactly one canonical encoding; {@link IllegalArgumentException} naming what is wrong otherwise. */
    public static PreprocessSpec decode(byte[] bytes) {
        if (!matches(bytes)) throw new IllegalArgumentException("preprocess spec: does not start with VGPP");
        try {
            ByteReader in = new ByteReader(bytes);
            in.raw(MAGIC.length, "magic");
            int version = in.u8("version");
            if (version != VERSION) throw new IllegalArgumentException("preprocess spec: version " + version + " is not " + VERSION);
            int inputRecords = in.i32("inputRecords");
            byte[] pipeline = in.bytes("pipeline");
            in.expectEnd("preprocess spec");
            PipelineSpec spec = PipelineSpec.decode(pipeline);
            if (!Arrays.equals(spec.encode(), pipeline)) throw new IllegalArgumentException("preprocess spec: pipeline is not canonical");
            return new PreprocessSpec(inputRecords, spec);
        } catch (MalformedTxException e) {
            throw new IllegalArgumentException("preprocess spec: " + e.getMessage(), e);
        }
    }

    /**
     * The most shards the pipeline can cut: ⌈n / records per shard⌉, or n under token sharding (a shard holds at
     * least one record). Selection steps only drop records, so the plan's count never exceeds it.
     */
    public int maxShards() {
        if (pipeline.sharding().byTokenCount()) return inputRecords;
        int per = pipeline.sharding().records();
        return (int) (((long) inputRecords + per - 1) / per);
    }
}
