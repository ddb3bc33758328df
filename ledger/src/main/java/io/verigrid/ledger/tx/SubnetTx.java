package io.verigrid.ledger.tx;

import io.verigrid.ledger.SubnetHyperparams;

/**
 * The subnet transactions (tags 60..79): subnets, UIDs, delegated stake, weights with commit-reveal, and the
 * built-in model-quality subnet's models, score reports and score challenges. Constructors reject values no
 * transaction may carry; whether one is allowed now is the ledger's decision ({@code SubnetRules}).
 */
public final class SubnetTx {
    private SubnetTx() {}

    /** Largest weight vector a transaction may carry (the chain's UID limit). */
    public static final int MAX_UIDS = 65535;

    /** Creates a subnet owned by the sender; the creation cost is burned. {@code task}: see {@code Subnet}. */
    public record CreateSubnet(String name, int task) implements TxBody.SubnetBody {
        public static final int TAG = 60;

        public CreateSubnet {
            if (name == null || name.isEmpty() || name.length() > 64) throw new IllegalArgumentException("name must be 1..64 characters");
            if (task < 0 || task > 2) throw new IllegalArgumentException("task must be 0 (generic), 1 (model quality) or 2 (LM quality), got " + task);
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.string(name).u8(task); }
    }

    /** The owner replaces the subnet's hyperparameters. */
    public record SetHyperparams(int netuid, SubnetHyperparams hyperparams) implements TxBody.SubnetBody {
        public static final int TAG = 61;

        public SetHyperparams {
            Fields.nonNegative(netuid, "netuid");
            if (hyperparams == null) throw new IllegalArgumentException("hyperparams must not be null");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i32(netuid); hyperparams.write(out); }
    }

    /** Registers the sender's key as a UID of the subnet; the registration cost is burned. */
    public record Register(int netuid) implements TxBody.SubnetBody {
        public static final int TAG = 62;

        public Register { Fields.nonNegative(netuid, "netuid"); }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i32(netuid); }
    }

    /** Moves {@code amount} from the sender's balance into stake delegated to {@code hotkey} on the subnet. */
    public record AddStake(int netuid, byte[] hotkey, long amount) implements TxBody.SubnetBody {
        public static final int TAG = 63;

        public AddStake {
            Fields.nonNegative(netuid, "netuid");
            hotkey = Fields.key(hotkey, "hotkey");
            Fields.positive(amount, "amount");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i32(netuid).raw(hotkey).i64(amount); }
    }

    /** Returns {@code amount} of the sender's stake delegated to {@code hotkey} to the sender's balance. */
    public record RemoveStake(int netuid, byte[] hotkey, long amount) implements TxBody.SubnetBody {
        public static final int TAG = 64;

        public RemoveStake {
            Fields.nonNegative(netuid, "netuid");
            hotkey = Fields.key(hotkey, "hotkey");
            Fields.positive(amount, "amount");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i32(netuid).raw(hotkey).i64(amount); }
    }

    /** The sender's weights: {@code values[k]} (u16) for UID {@code uids[k]}; stored row max-upscaled. */
    public record SetWeights(int netuid, int[] uids, int[] values) implements TxBody.SubnetBody {
        public static final int TAG = 65;

        public SetWeights {
            Fields.nonNegative(netuid, "netuid");
            uids = vector(uids, "uids");
            values = vector(values, "values");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { writeWeights(out.i32(netuid), uids, values); }
    }

    /** Commits {@code hash} = {@link #commitHash} of weights revealed later. */
    public record CommitWeights(int netuid, byte[] hash) implements TxBody.SubnetBody {
        public static final int TAG = 66;

        public CommitWeights {
            Fields.nonNegative(netuid, "netuid");
            hash = Fields.hash(hash, "hash");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i32(netuid).raw(hash); }
    }

    /** Reveals weights committed earlier with the same {@code salt}. */
    public record RevealWeights(int netuid, int[] uids, int[] values, byte[] salt) implements TxBody.SubnetBody {
        public static final int TAG = 67;

        public RevealWeights {
            Fields.nonNegative(netuid, "netuid");
            uids = vector(uids, "uids");
            values = vector(values, "values");
            salt = Fields.fixed(salt, 16, "salt");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { writeWeights(out.i32(netuid), uids, values).raw(salt); }
    }

    /** A UID's public endpoint (a miner's gateway URL). */
    public record ServeAxon(int netuid, String url) implements TxBody.SubnetBody {
        public static final int TAG = 68;

        public ServeAxon {
            Fields.nonNegative(netuid, "netuid");
            if (url == null || url.isEmpty() || url.length() > 256) throw new IllegalArgumentException("url must be 1..256 characters");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i32(netuid).string(url); }
    }

    /** Model-quality subnet: a miner publishes its model (float32 weights, {@code ModelQuality} layout). */
    public record PublishModel(int netuid, float[] weights) implements TxBody.SubnetBody {
        public static final int TAG = 69;

        public PublishModel {
            Fields.nonNegative(netuid, "netuid");
            if (weights == null || weights.length == 0 || weights.length > 4096) throw new IllegalArgumentException("weights must have 1..4096 values");
            weights = weights.clone();
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) {
            out.i32(netuid).i32(weights.length);
            for (float w : weights) out.i32(Float.floatToRawIntBits(w));
        }
    }

    /** Model-quality subnet: a validator's scores per UID on the evaluation set seeded by block {@code evalBlock}. */
    public record PublishScores(int netuid, long evalBlock, int[] scores) implements TxBody.SubnetBody {
        public static final int TAG = 70;

        public PublishScores {
            Fields.nonNegative(netuid, "netuid");
            Fields.positive(evalBlock, "evalBlock");
            scores = vector(scores, "scores");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) {
            out.i32(netuid).i64(evalBlock).i32(scores.length);
            for (int s : scores) out.i32(s);
        }
    }

    /** Anyone challenges a score report; the ledger recomputes it and slashes whoever was wrong. */
    public record ChallengeScores(int netuid, long reportId) implements TxBody.SubnetBody {
        public static final int TAG = 71;

        public ChallengeScores {
            Fields.nonNegative(netuid, "netuid");
            Fields.positive(reportId, "reportId");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i32(netuid).i64(reportId); }
    }

    /** LM-quality subnet: a miner commits to the model it serves ({@code LmQuality.commitment} of its files). */
    public record CommitModel(int netuid, byte[] commitment) implements TxBody.SubnetBody {
        public static final int TAG = 72;

        public CommitModel {
            Fields.nonNegative(netuid, "netuid");
            commitment = Fields.hash(commitment, "commitment");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i32(netuid).raw(commitment); }
    }

    /**
     * LM-quality subnet: anyone challenges the score a report gives {@code uid}, carrying that miner's model files;
     * the ledger checks them against the commitment the report was made on, recomputes the score and slashes
     * whoever was wrong. A UID without a commitment is challenged with empty files (its score must be 0).
     */
    public record ChallengeModelScore(int netuid, long reportId, int uid, byte[] configJson, byte[] safetensors) implements TxBody.SubnetBody {
        public static final int TAG = 73;

        public ChallengeModelScore {
            Fields.nonNegative(netuid, "netuid");
            Fields.positive(reportId, "reportId");
            Fields.nonNegative(uid, "uid");
            if (configJson == null || safetensors == null) throw new IllegalArgumentException("configJson and safetensors must not be null");
            configJson = configJson.clone();
            safetensors = safetensors.clone();
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i32(netuid).i64(reportId).i32(uid).bytes(configJson).bytes(safetensors); }
    }

    /** The commitment a {@link CommitWeights} carries: SHA-256 over netuid, committer, weights and salt. */
    public static byte[] commitHash(int netuid, byte[] hotkey, int[] uids, int[] values, byte[] salt) {
        ByteWriter w = new ByteWriter().string("verigrid-weights-commit").i32(netuid).raw(Fields.key(hotkey, "hotkey"));
        writeWeights(w, vector(uids, "uids"), vector(values, "values")).raw(Fields.fixed(salt, 16, "salt"));
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(w.toBytes());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JVM", e);
        }
    }

    static TxBody read(int tag, ByteReader in) {
        return switch (tag) {
            case CreateSubnet.TAG -> new CreateSubnet(in.string("name"), in.u8("task"));
            case SetHyperparams.TAG -> new SetHyperparams(in.i32("netuid"), SubnetHyperparams.read(in));
            case Register.TAG -> new Register(in.i32("netuid"));
            case AddStake.TAG -> new AddStake(in.i32("netuid"), in.raw(32, "hotkey"), in.i64("amount"));
            case RemoveStake.TAG -> new RemoveStake(in.i32("netuid"), in.raw(32, "hotkey"), in.i64("amount"));
            case SetWeights.TAG -> {
                int netuid = in.i32("netuid");
                int[] uids = ints(in, "uids");
                yield new SetWeights(netuid, uids, ints(in, "values"));
            }
            case CommitWeights.TAG -> new CommitWeights(in.i32("netuid"), in.raw(32, "hash"));
            case RevealWeights.TAG -> {
                int netuid = in.i32("netuid");
                int[] uids = ints(in, "uids");
                int[] values = ints(in, "values");
                yield new RevealWeights(netuid, uids, values, in.raw(16, "salt"));
            }
            case ServeAxon.TAG -> new ServeAxon(in.i32("netuid"), in.string("url"));
            case PublishModel.TAG -> {
                int netuid = in.i32("netuid");
                float[] w = new float[in.count("weights", 4)];
                for (int i = 0; i < w.length; i++) w[i] = Float.intBitsToFloat(in.i32("weight"));
                yield new PublishModel(netuid, w);
            }
            case PublishScores.TAG -> {
                int netuid = in.i32("netuid");
                long evalBlock = in.i64("evalBlock");
                yield new PublishScores(netuid, evalBlock, ints(in, "scores"));
            }
            case ChallengeScores.TAG -> new ChallengeScores(in.i32("netuid"), in.i64("reportId"));
            case CommitModel.TAG -> new CommitModel(in.i32("netuid"), in.raw(32, "commitment"));
            case ChallengeModelScore.TAG -> new ChallengeModelScore(in.i32("netuid"), in.i64("reportId"), in.i32("uid"),
                    in.bytes("configJson"), in.bytes("safetensors"));
            default -> throw new MalformedTxException("unknown subnet body tag " + tag);
        };
    }

    private static int[] ints(ByteReader in, String what) {
        int[] v = new int[in.count(what, 4)];
        for (int i = 0; i < v.length; i++) v[i] = in.i32(what);
        return v;
    }

    private static ByteWriter writeWeights(ByteWriter out, int[] uids, int[] values) {
        out.i32(uids.length);
        for (int u : uids) out.i32(u);
        out.i32(values.length);
        for (int v : values) out.i32(v);
        return out;
    }

    /** Lengths and UID ranges are the ledger's checks (clear rejections); here only the size bound. */
    private static int[] vector(int[] v, String name) {
        if (v == null) throw new IllegalArgumentException(name + " must not be null");
        if (v.length > MAX_UIDS) throw new IllegalArgumentException(name + " has " + v.length + " entries, more than " + MAX_UIDS);
        return v.clone();
    }
}
