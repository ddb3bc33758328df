package io.verigrid.ledger;

import io.verigrid.engine.MatmulTiles;
import io.verigrid.ledger.tx.ByteReader;
import io.verigrid.ledger.tx.ByteWriter;
import io.verigrid.verify.Sampling;

/**
 * The chain's economic and timing parameters, fixed at genesis. Amounts are base units (1 token = 10^9
 * units), durations are blocks, fractions are parts per million.
 *
 * @param txFee               minimum fee of every transaction; fees are burned, not paid to anyone, so
 *                            nobody profits from ordering and the supply shrinks with use
 * @param minProviderStake    stake an account needs to lease a job
 * @param minVerifierStake    stake an account needs to attest or challenge
 * @param unbondingBlocks     blocks between Unstake and the stake returning to the balance (it can still be slashed)
 * @param challengeWindowBlocks blocks after a unit's commitment during which it can be challenged
 * @param sampleDelayBlocks   the sampling seed of a unit is the hash of the block this many blocks after its commitment
 * @param moveBlocks          deadline of every dispute move, in blocks
 * @param fanout              bisection fanout of the dispute game
 * @param challengeBond       bond a challenger locks when opening a dispute
 * @param challengeFee        paid to the provider by a challenger who loses, locked with the bond
 * @param slashPpm            fraction of a losing provider's stake that is slashed
 * @param winnerSharePpm      fraction of a slash or forfeited bond paid to the winner; the rest is burned
 * @param maxTxBytes          size limit of an encoded signed transaction (dispute evidence carries tensors)
 * @param samplePpm           the default and minimum sampling rate p of a job: a job posted with 0 takes it, and no
 *                            job samples less (verifiers re-execute this fraction of units, so at 1 % a
 *                            verifier spends about 1 % of the job's compute)
 * @param securedUnitPrice    the highest price per unit the default rate secures: genesis is refused unless
 *                            skipping a unit of this price loses money at {@code samplePpm} against the slash of
 *                            {@code minProviderStake} (spec §5); a dearer unit gets a higher rate ({@link #jobSamplePpm})
 * @param maxRefereeBytes     max_referee_bytes (dispute-game spec §2): a matmul whose inputs exceed it is traced as tiles,
 *                            so the referee never reads more than this (plus chunk rounding) for one leaf; every party
 *                            traces with it. At least {@link #MIN_MAX_REFEREE_BYTES}: a tile reads a chunk of each input
 */
public record Params(long txFee, long minProviderStake, long minVerifierStake, long unbondingBlocks,
                     long challengeWindowBlocks, long sampleDelayBlocks, long moveBlocks, int fanout,
                     long challengeBond, long challengeFee, int slashPpm, int winnerSharePpm, int maxTxBytes,
                     int samplePpm, long securedUnitPrice, long maxRefereeBytes) {

    public static final long UNITS_PER_TOKEN = 1_000_000_000L;
    public static final int PPM = 1_000_000;
    /**
     * p = 0.75 %: a verifier re-executes 0.75 % of a job's units, under 1 % of its compute even with its checkpoint
     * fetch and hashing (docs/benchmarks.md), and still 1.5 times the rate that makes cheating lose at the defaults.
     */
    public static final int DEFAULT_SAMPLE_PPM = 7_500;
    /**
     * 0.25 token: at p = 1 % against half of the 100-token minimum stake a skipped unit risks
     * 0.01 · (50 + 0.25) = 0.5025 tokens to save 0.25.
     */
    public static final long DEFAULT_SECURED_UNIT_PRICE = UNITS_PER_TOKEN / 4;
    /** 4 MiB: the tiny and small jobs are never tiled at this bound, so their traces are one leaf per operator. */
    public static final long DEFAULT_MAX_REFEREE_BYTES = MatmulTiles.DEFAULT_MAX_REFEREE_BYTES;
    /** A tile reads at least one committed chunk of A and one of B. */
    public static final long MIN_MAX_REFEREE_BYTES = 2L * MatmulTiles.COMMIT_CHUNK_BYTES;

    public Params {
        nonNegative(txFee, "txFee");
        nonNegative(minProviderStake, "minProviderStake");
        nonNegative(minVerifierStake, "minVerifierStake");
        nonNegative(unbondingBlocks, "unbondingBlocks");
        positive(challengeWindowBlocks, "challengeWindowBlocks");
        positive(sampleDelayBlocks, "sampleDelayBlocks");
        positive(moveBlocks, "moveBlocks");
        if (fanout < 2 || fanout > 256) throw new IllegalArgumentException("fanout must be in 2..256, got " + fanout);
        nonNegative(challengeBond, "challengeBond");
        nonNegative(challengeFee, "challengeFee");
        ppm(slashPpm, "slashPpm");
        ppm(winnerSharePpm, "winnerSharePpm");
        if (maxTxBytes < 1024) throw new IllegalArgumentException("maxTxBytes must be at least 1024, got " + maxTxBytes);
        ppm(samplePpm, "samplePpm");
        nonNegative(securedUnitPrice, "securedUnitPrice");
        if (maxRefereeBytes < MIN_MAX_REFEREE_BYTES) {
            throw new IllegalArgumentException("maxRefereeBytes must be at least " + MIN_MAX_REFEREE_BYTES
                    + " (two committed chunks), got " + maxRefereeBytes);
        }
    }

    /** Parameters with the default max_referee_bytes. */
    public Params(long txFee, long minProviderStake, long minVerifierStake, long unbondingBlocks,
                  long challengeWindowBlocks, long sampleDelayBlocks, long moveBlocks, int fanout,
                  long challengeBond, long challengeFee, int slashPpm, int winnerSharePpm, int maxTxBytes,
                  int samplePpm, long securedUnitPrice) {
        this(txFee, minProviderStake, minVerifierStake, unbondingBlocks, challengeWindowBlocks, sampleDelayBlocks,
                moveBlocks, fanout, challengeBond, challengeFee, slashPpm, winnerSharePpm, maxTxBytes, samplePpm,
                securedUnitPrice, DEFAULT_MAX_REFEREE_BYTES);
    }

    /** These parameters with max_referee_bytes {@code bytes}. */
    public Params withMaxRefereeBytes(long bytes) {
        return new Params(txFee, minProviderStake, minVerifierStake, unbondingBlocks, challengeWindowBlocks,
                sampleDelayBlocks, moveBlocks, fanout, challengeBond, challengeFee, slashPpm, winnerSharePpm, maxTxBytes,
                samplePpm, securedUnitPrice, bytes);
    }

    /** Parameters with the default sampling rate and secured unit price. */
    public Params(long txFee, long minProviderStake, long minVerifierStake, long unbondingBlocks,
                  long challengeWindowBlocks, long sampleDelayBlocks, long moveBlocks, int fanout,
                  long challengeBond, long challengeFee, int slashPpm, int winnerSharePpm, int maxTxBytes) {
        this(txFee, minProviderStake, minVerifierStake, unbondingBlocks, challengeWindowBlocks, sampleDelayBlocks,
                moveBlocks, fanout, challengeBond, challengeFee, slashPpm, winnerSharePpm, maxTxBytes,
                DEFAULT_SAMPLE_PPM, DEFAULT_SECURED_UNIT_PRICE);
    }

    public static Params defaults() {
        return new Params(
                1_000_000L,                 // txFee: 0.001 token
                100 * UNITS_PER_TOKEN,      // minProviderStake
                10 * UNITS_PER_TOKEN,       // minVerifierStake
                100,                        // unbondingBlocks
                30,                         // challengeWindowBlocks
                2,                          // sampleDelayBlocks
                20,                         // moveBlocks
                16,                         // fanout
                10 * UNITS_PER_TOKEN,       // challengeBond
                UNITS_PER_TOKEN,            // challengeFee
                500_000,                    // slashPpm: half the stake
                500_000,                    // winnerSharePpm: half to the winner, half burned
                4 * 1024 * 1024,            // maxTxBytes
                DEFAULT_SAMPLE_PPM,         // samplePpm: 0.75 %
                DEFAULT_SECURED_UNIT_PRICE, // securedUnitPrice: 0.25 token
                DEFAULT_MAX_REFEREE_BYTES); // maxRefereeBytes: 4 MiB
    }

    /** S: what a dispute takes from a provider holding the minimum stake. */
    public long minSlash() {
        return ppmOf(minProviderStake, slashPpm);
    }

    /**
     * The sampling rate a job gets: what the buyer asked for (0: the default), at least {@code samplePpm}, and at
     * least the rate at which skipping one unit of {@code unitPrice} loses money against {@link #minSlash()}, so
     * cheating has negative expected value on every job. Capped at sampling every unit.
     */
    public int jobSamplePpm(int requestedPpm, long unitPrice) {
        ppm(requestedPpm, "requestedPpm");
        int securing = Sampling.securingPpm(minSlash(), unitPrice);
        return Math.min(PPM, Math.max(Math.max(requestedPpm, samplePpm), securing));
    }

    /**
     * Refuses parameters under which cheating pays (spec §5): at the default rate, skipping a unit priced
     * {@code securedUnitPrice} must lose money against the minimum stake's slash.
     *
     * @throws IllegalArgumentException naming the parameters and the rate that would be needed
     */
    public void checkCheatingLoses() {
        int needed = Sampling.securingPpm(minSlash(), securedUnitPrice);
        if (needed <= samplePpm) return;
        throw new IllegalArgumentException("params make cheating pay: at samplePpm " + samplePpm
                + " a provider skipping a unit priced securedUnitPrice " + securedUnitPrice + " risks p·(S + R) with S = "
                + minSlash() + " (slashPpm " + slashPpm + " of minProviderStake " + minProviderStake + "), no more than the "
                + securedUnitPrice + " it saves; " + (needed > PPM ? "no sampling rate helps: raise slashPpm or minProviderStake"
                : "samplePpm must be at least " + needed + ", or raise the stake or slash, or lower securedUnitPrice"));
    }

    /** floor(amount · ppm / 10^6) without overflow for any non-negative amount. */
    public static long ppmOf(long amount, int ppm) {
        return amount / PPM * ppm + amount % PPM * ppm / PPM;
    }

    void write(ByteWriter out) {
        out.i64(txFee).i64(minProviderStake).i64(minVerifierStake).i64(unbondingBlocks).i64(challengeWindowBlocks)
                .i64(sampleDelayBlocks).i64(moveBlocks).i32(fanout).i64(challengeBond).i64(challengeFee)
                .i32(slashPpm).i32(winnerSharePpm).i32(maxTxBytes).i32(samplePpm).i64(securedUnitPrice)
                .i64(maxRefereeBytes);
    }

    static Params read(ByteReader in) {
        return read(in, true);
    }

    /** {@code withMaxRefereeBytes}: false for a version-1 snapshot, written before the field (it takes the default). */
    static Params read(ByteReader in, boolean withMaxRefereeBytes) {
        return new Params(in.i64("txFee"), in.i64("minProviderStake"), in.i64("minVerifierStake"),
                in.i64("unbondingBlocks"), in.i64("challengeWindowBlocks"), in.i64("sampleDelayBlocks"),
                in.i64("moveBlocks"), in.i32("fanout"), in.i64("challengeBond"), in.i64("challengeFee"),
                in.i32("slashPpm"), in.i32("winnerSharePpm"), in.i32("maxTxBytes"), in.i32("samplePpm"),
                in.i64("securedUnitPrice"), withMaxRefereeBytes ? in.i64("maxRefereeBytes") : DEFAULT_MAX_REFEREE_BYTES);
    }

    private static void nonNegative(long v, String name) {
        if (v < 0) throw new IllegalArgumentException(name + " must not be negative, got " + v);
    }

    private static void positive(long v, String name) {
        if (v <= 0) throw new IllegalArgumentException(name + " must be positive, got " + v);
    }

    private static void ppm(int v, String name) {
        if (v < 0 || v > PPM) throw new IllegalArgumentException(name + " must be in 0..1000000, got " + v);
    }
}
