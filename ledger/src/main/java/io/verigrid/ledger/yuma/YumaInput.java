package io.verigrid.ledger.yuma;

import java.util.Arrays;
import java.util.List;

/**
 * Everything one Yuma epoch of one subnet reads (spec {@code yuma-epoch.md} §2, §3, §9). UIDs are
 * {@code 0..n-1}; every per-UID array has length {@code n}; blocks and rao amounts are non-negative
 * {@code long}s; weights and bonds are u16 sparse rows whose columns are UIDs.
 *
 * <p>The constructor validates everything and throws {@link IllegalArgumentException} naming the argument.
 * Arrays are not copied: callers must not mutate them afterwards.
 *
 * @param ownerUid the subnet owner's UID, or {@link #NO_OWNER}
 * @param commitBlocks per UID the block of its earliest pending commit-reveal commit ({@link #NO_COMMIT}
 *     where none), or {@code null} when commit-reveal masking does not apply
 */
public record YumaInput(
        int n,
        long currentBlock,
        long tempo,
        long activityCutoff,
        long lastMechanismStepBlock,
        long[] stake,
        long stakeThreshold,
        int ownerUid,
        boolean[] validatorPermits,
        int maxAllowedValidators,
        long[] lastUpdate,
        long[] blockAtRegistration,
        List<SparseRow> weights,
        List<SparseRow> bonds,
        int kappa,
        int bondsPenalty,
        long bondsMovingAverage,
        long raoEmission,
        boolean yuma3,
        boolean liquidAlpha,
        int alphaLow,
        int alphaHigh,
        int alphaSigmoidSteepness,
        long[] commitBlocks) {

    public static final int NO_OWNER = -1;
    public static final long NO_COMMIT = Long.MAX_VALUE;
    public static final int DEFAULT_KAPPA = 32767;
    public static final int DEFAULT_BONDS_PENALTY = 65535;
    public static final long DEFAULT_BONDS_MOVING_AVERAGE = 900_000;
    public static final int DEFAULT_MAX_ALLOWED_VALIDATORS = 128;
    public static final int DEFAULT_ALPHA_LOW = 45875;
    public static final int DEFAULT_ALPHA_HIGH = 58982;
    public static final int DEFAULT_ALPHA_SIGMOID_STEEPNESS = 1000;

    public YumaInput {
        if (n < 0 || n > 65535) throw new IllegalArgumentException("n: must be in [0, 65535], got " + n);
        nonNegative("current_block", currentBlock);
        nonNegative("tempo", tempo);
        nonNegative("activity_cutoff", activityCutoff);
        nonNegative("last_mechanism_step_block", lastMechanismStepBlock);
        nonNegative("stake_threshold", stakeThreshold);
        nonNegative("bonds_moving_average", bondsMovingAverage);
        nonNegative("rao_emission", raoEmission);
        perUid("stake", stake, n);
        perUid("last_update", lastUpdate, n);
        perUid("block_at_registration", blockAtRegistration, n);
        if (validatorPermits == null || validatorPermits.length != n) {
            throw new IllegalArgumentException("validator_permits: expected " + n + " entries, got " + (validatorPermits == null ? "none" : validatorPermits.length));
        }
        long total = 0;
        for (long s : stake) {
            total += s;
            if (total < 0) throw new IllegalArgumentException("stake: total stake exceeds 2^63-1 rao");
        }
        if (ownerUid != NO_OWNER && (ownerUid < 0 || ownerUid >= n)) {
            throw new IllegalArgumentException("owner_uid: must be a UID below n=" + n + " or none, got " + ownerUid);
        }
        u16("max_allowed_validators", maxAllowedValidators);
        u16("kappa", kappa);
        u16("bonds_penalty", bondsPenalty);
        u16("alpha_low", alphaLow);
        u16("alpha_high", alphaHigh);
        if (alphaSigmoidSteepness < Short.MIN_VALUE || alphaSigmoidSteepness > Short.MAX_VALUE) {
            throw new IllegalArgumentException("alpha_sigmoid_steepness: must fit in i16, got " + alphaSigmoidSteepness);
        }
        weights = List.copyOf(checkRows("weights", weights, n));
        bonds = List.copyOf(checkRows("bonds", bonds, n));
        if (commitBlocks != null) perUid("commit_blocks", commitBlocks, n);
    }

    private static void nonNegative(String name, long value) {
        if (value < 0) throw new IllegalArgumentException(name + ": must be non-negative, got " + value);
    }

    private static void u16(String name, int value) {
        if (value < 0 || value > 65535) throw new IllegalArgumentException(name + ": must be a u16 in [0, 65535], got " + value);
    }

    private static void perUid(String name, long[] values, int n) {
        if (values == null || values.length != n) {
            throw new IllegalArgumentException(name + ": expected " + n + " entries, got " + (values == null ? "none" : values.length));
        }
        for (int i = 0; i < n; i++) {
            if (values[i] < 0) throw new IllegalArgumentException(name + "[" + i + "]: must be non-negative, got " + values[i]);
        }
    }

    private static List<SparseRow> checkRows(String name, List<SparseRow> rows, int n) {
        if (rows == null || rows.size() != n) {
            throw new IllegalArgumentException(name + ": expected " + n + " rows, got " + (rows == null ? "none" : rows.size()));
        }
        for (int i = 0; i < n; i++) {
            SparseRow row = rows.get(i);
            if (row == null) throw new IllegalArgumentException(name + "[" + i + "]: row must not be null");
            for (int k = 0; k < row.size(); k++) {
                int column = row.columns()[k];
                long value = row.values()[k];
                if (column >= n) throw new IllegalArgumentException(name + "[" + i + "]: column " + column + " is not a UID below n=" + n);
                if (value < 0 || value > 65535) {
                    throw new IllegalArgumentException(name + "[" + i + "]: value " + value + " at column " + column + " is not a u16");
                }
            }
        }
        return rows;
    }

    /** A builder for {@code n} UIDs with the chain defaults of §3 and no weights, bonds, stake or permits. */
    public static Builder builder(int n) {
        return new Builder(n);
    }

    /** This input as a builder, to change a few fields (e.g. for the next epoch). */
    public Builder toBuilder() {
        Builder b = new Builder(n);
        b.currentBlock = currentBlock;
        b.tempo = tempo;
        b.activityCutoff = activityCutoff;
        b.lastMechanismStepBlock = lastMechanismStepBlock;
        b.stake = stake.clone();
        b.stakeThreshold = stakeThreshold;
        b.ownerUid = ownerUid;
        b.validatorPermits = validatorPermits.clone();
        b.maxAllowedValidators = maxAllowedValidators;
        b.lastUpdate = lastUpdate.clone();
        b.blockAtRegistration = blockAtRegistration.clone();
        b.weights = weights.toArray(new SparseRow[0]);
        b.bonds = bonds.toArray(new SparseRow[0]);
        b.kappa = kappa;
        b.bondsPenalty = bondsPenalty;
        b.bondsMovingAverage = bondsMovingAverage;
        b.raoEmission = raoEmission;
        b.yuma3 = yuma3;
        b.liquidAlpha = liquidAlpha;
        b.alphaLow = alphaLow;
        b.alphaHigh = alphaHigh;
        b.alphaSigmoidSteepness = alphaSigmoidSteepness;
        b.commitBlocks = commitBlocks == null ? null : commitBlocks.clone();
        return b;
    }

    /** Mutable construction helper; {@link #build()} validates. Per-UID arrays start zeroed / false / empty. */
    public static final class Builder {
        private final int n;
        private long currentBlock;
        private long tempo = 360;
        private long activityCutoff = 5000;
        private long lastMechanismStepBlock;
        private long[] stake;
        private long stakeThreshold;
        private int ownerUid = NO_OWNER;
        private boolean[] validatorPermits;
        private int maxAllowedValidators = DEFAULT_MAX_ALLOWED_VALIDATORS;
        private long[] lastUpdate;
        private long[] blockAtRegistration;
        private SparseRow[] weights;
        private SparseRow[] bonds;
        private int kappa = DEFAULT_KAPPA;
        private int bondsPenalty = DEFAULT_BONDS_PENALTY;
        private long bondsMovingAverage = DEFAULT_BONDS_MOVING_AVERAGE;
        private long raoEmission;
        private boolean yuma3;
        private boolean liquidAlpha;
        private int alphaLow = DEFAULT_ALPHA_LOW;
        private int alphaHigh = DEFAULT_ALPHA_HIGH;
        private int alphaSigmoidSteepness = DEFAULT_ALPHA_SIGMOID_STEEPNESS;
        private long[] commitBlocks;

        private Builder(int n) {
            if (n < 0) throw new IllegalArgumentException("n: must be non-negative, got " + n);
            this.n = n;
            stake = new long[n];
            validatorPermits = new boolean[n];
            lastUpdate = new long[n];
            blockAtRegistration = new long[n];
            weights = new SparseRow[n];
            bonds = new SparseRow[n];
            Arrays.fill(weights, SparseRow.EMPTY);
            Arrays.fill(bonds, SparseRow.EMPTY);
        }

        public Builder currentBlock(long v) { currentBlock = v; return this; }
        public Builder tempo(long v) { tempo = v; return this; }
        public Builder activityCutoff(long v) { activityCutoff = v; return this; }
        public Builder lastMechanismStepBlock(long v) { lastMechanismStepBlock = v; return this; }
        public Builder stake(long... v) { stake = v.clone(); return this; }
        public Builder stakeOf(int uid, long v) { stake[uid] = v; return this; }
        public Builder stakeThreshold(long v) { stakeThreshold = v; return this; }
        public Builder ownerUid(int v) { ownerUid = v; return this; }
        public Builder validatorPermits(boolean... v) { validatorPermits = v.clone(); return this; }
        public Builder validatorPermitOf(int uid, boolean v) { validatorPermits[uid] = v; return this; }
        public Builder maxAllowedValidators(int v) { maxAllowedValidators = v; return this; }
        public Builder lastUpdate(long... v) { lastUpdate = v.clone(); return this; }
        public Builder lastUpdateOf(int uid, long v) { lastUpdate[uid] = v; return this; }
        public Builder allLastUpdate(long v) { Arrays.fill(lastUpdate, v); return this; }
        public Builder blockAtRegistration(long... v) { blockAtRegistration = v.clone(); return this; }
        public Builder blockAtRegistrationOf(int uid, long v) { blockAtRegistration[uid] = v; return this; }
        public Builder weights(List<SparseRow> v) { weights = v.toArray(new SparseRow[0]); return this; }
        public Builder weightsOf(int uid, SparseRow row) { weights[uid] = row; return this; }
        public Builder bonds(List<SparseRow> v) { bonds = v.toArray(new SparseRow[0]); return this; }
        public Builder bondsOf(int uid, SparseRow row) { bonds[uid] = row; return this; }
        public Builder kappa(int v) { kappa = v; return this; }
        public Builder bondsPenalty(int v) { bondsPenalty = v; return this; }
        public Builder bondsMovingAverage(long v) { bondsMovingAverage = v; return this; }
        public Builder raoEmission(long v) { raoEmission = v; return this; }
        public Builder yuma3(boolean v) { yuma3 = v; return this; }
        public Builder liquidAlpha(boolean v) { liquidAlpha = v; return this; }
        public Builder alphaValues(int low, int high) { alphaLow = low; alphaHigh = high; return this; }
        public Builder alphaSigmoidSteepness(int v) { alphaSigmoidSteepness = v; return this; }
        public Builder commitBlocks(long[] v) { commitBlocks = v == null ? null : v.clone(); return this; }

        public YumaInput build() {
            return new YumaInput(n, currentBlock, tempo, activityCutoff, lastMechanismStepBlock, stake.clone(), stakeThreshold,
                    ownerUid, validatorPermits.clone(), maxAllowedValidators, lastUpdate.clone(), blockAtRegistration.clone(),
                    Arrays.asList(weights.clone()), Arrays.asList(bonds.clone()), kappa, bondsPenalty, bondsMovingAverage,
                    raoEmission, yuma3, liquidAlpha, alphaLow, alphaHigh, alphaSigmoidSteepness,
                    commitBlocks == null ? null : commitBlocks.clone());
        }
    }
}
