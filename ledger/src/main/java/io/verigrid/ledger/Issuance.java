package io.verigrid.ledger;

import io.verigrid.ledger.tx.ByteReader;
import io.verigrid.ledger.tx.ByteWriter;

/**
 * The genesis emission schedule and the subnet costs (DESIGN.md §4). Each block mints
 * {@link #perBlock(long)} units, split equally over the existing subnets (the remainder of the split is not
 * minted); each subnet pays its share out at its next epoch. Costs are burned.
 *
 * @param emissionPerBlock units minted per block at height 1
 * @param halvingBlocks    the emission halves every this many blocks; 0 = never
 * @param subnetCost       burned to create a subnet
 * @param registrationCost burned to register a hotkey as a UID
 */
public record Issuance(long emissionPerBlock, long halvingBlocks, long subnetCost, long registrationCost) {

    public Issuance {
        if (emissionPerBlock < 0) throw new IllegalArgumentException("emissionPerBlock must not be negative, got " + emissionPerBlock);
        if (halvingBlocks < 0) throw new IllegalArgumentException("halvingBlocks must not be negative, got " + halvingBlocks);
        if (subnetCost < 0) throw new IllegalArgumentException("subnetCost must not be negative, got " + subnetCost);
        if (registrationCost < 0) throw new IllegalArgumentException("registrationCost must not be negative, got " + registrationCost);
    }

    /** 1 token per block, halving every 10 million blocks; a subnet costs 100 tokens, a UID 1 token. */
    public static Issuance defaults() {
        return new Issuance(Params.UNITS_PER_TOKEN, 10_000_000, 100 * Params.UNITS_PER_TOKEN, Params.UNITS_PER_TOKEN);
    }

    /** Units minted by the block at {@code height}. */
    public long perBlock(long height) {
        if (halvingBlocks == 0) return emissionPerBlock;
        long halvings = (height - 1) / halvingBlocks;
        return halvings >= 63 ? 0 : emissionPerBlock >> halvings;
    }

    void write(ByteWriter out) {
        out.i64(emissionPerBlock).i64(halvingBlocks).i64(subnetCost).i64(registrationCost);
    }

    static Issuance read(ByteReader in) {
        return new Issuance(in.i64("emissionPerBlock"), in.i64("halvingBlocks"), in.i64("subnetCost"), in.i64("registrationCost"));
    }
}
