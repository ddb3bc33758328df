package io.verigrid.ledger.tx;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The verified-inference transactions (tags 80..86): models a provider serves, API keys bound to accounts, the
 * inference escrow, the per-block settlement that puts served requests on hold, and challenges and moves of the
 * inference dispute game. Constructors reject values no transaction may carry; whether one is allowed now is the
 * ledger's decision ({@code InferenceRules}).
 */
public final class InferenceTx {
    private InferenceTx() {}

    /** Most requests one settlement may carry. */
    public static final int MAX_RECORDS = 4096;

    /**
     * A staked provider offers a model: {@code config} is its {@code config.json} (UTF-8), {@code weightsRoot} the
     * Merkle root of its weights ({@code InferenceCommitments.weightsRoot}), {@code pricePerToken} units charged
     * per prompt or completion token.
     */
    public record RegisterModel(String name, byte[] config, byte[] weightsRoot, long pricePerToken) implements TxBody.InferenceBody {
        public static final int TAG = 80;

        public RegisterModel {
            if (name == null || name.isEmpty() || name.length() > 128) throw new IllegalArgumentException("name must be 1..128 characters");
            if (config == null || config.length == 0 || config.length > 65536) throw new IllegalArgumentException("config must be 1..65536 bytes");
            config = config.clone();
            weightsRoot = Fields.hash(weightsRoot, "weightsRoot");
            Fields.positive(pricePerToken, "pricePerToken");
        }

        public String configJson() { return new String(config, StandardCharsets.UTF_8); }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.string(name).bytes(config).raw(weightsRoot).i64(pricePerToken); }
    }

    /**
     * Binds an API key to the sender's account: {@code keyHash} is SHA-256 of the key's text (the key itself never
     * touches the ledger); {@code samplePpm} is the share of its requests the buyer wants re-executed by verifiers.
     */
    public record RegisterApiKey(byte[] keyHash, int samplePpm) implements TxBody.InferenceBody {
        public static final int TAG = 81;

        public RegisterApiKey {
            keyHash = Fields.hash(keyHash, "keyHash");
            if (samplePpm < 0 || samplePpm > 1_000_000) throw new IllegalArgumentException("samplePpm must be in 0..1000000, got " + samplePpm);
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.raw(keyHash).i32(samplePpm); }
    }

    /** Moves {@code amount} from the sender's balance into its inference escrow, which pays for its keys' requests. */
    public record DepositInference(long amount) implements TxBody.InferenceBody {
        public static final int TAG = 82;

        public DepositInference { Fields.positive(amount, "amount"); }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(amount); }
    }

    /** Moves {@code amount} of the escrow not yet on hold back to the balance. */
    public record WithdrawInference(long amount) implements TxBody.InferenceBody {
        public static final int TAG = 83;

        public WithdrawInference { Fields.positive(amount, "amount"); }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(amount); }
    }

    /** One served request: the key, the request's hash, the response root the provider commits to, its usage. */
    public record Served(byte[] keyHash, byte[] requestHash, byte[] responseRoot, int promptTokens, int completionTokens) {
        public Served {
            keyHash = Fields.hash(keyHash, "keyHash");
            requestHash = Fields.hash(requestHash, "requestHash");
            responseRoot = Fields.hash(responseRoot, "responseRoot");
            Fields.positive(promptTokens, "promptTokens");
            Fields.nonNegative(completionTokens, "completionTokens");
        }

        void write(ByteWriter out) {
            out.raw(keyHash).raw(requestHash).raw(responseRoot).i32(promptTokens).i32(completionTokens);
        }

        static Served read(ByteReader in) {
            return new Served(in.raw(32, "keyHash"), in.raw(32, "requestHash"), in.raw(32, "responseRoot"),
                    in.i32("promptTokens"), in.i32("completionTokens"));
        }
    }

    /**
     * The model's provider settles the requests it served since its last settlement (one transaction per block,
     * not one per request): each is charged from its key's escrow into a hold paid out after the challenge window.
     */
    public record SettleInference(byte[] modelId, List<Served> served) implements TxBody.InferenceBody {
        public static final int TAG = 84;

        public SettleInference {
            modelId = Fields.hash(modelId, "modelId");
            if (served == null || served.isEmpty() || served.size() > MAX_RECORDS) {
                throw new IllegalArgumentException("served must hold 1.." + MAX_RECORDS + " requests");
            }
            served = List.copyOf(served);
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) {
            out.raw(modelId).i32(served.size());
            served.forEach(s -> s.write(out));
        }
    }

    /**
     * A staked verifier disputes a held request: {@code request} is {@code InferenceRequest.encode()} (its hash
     * names the hold), {@code claimedRoot} the response root its re-execution gave.
     */
    public record ChallengeInference(byte[] request, byte[] claimedRoot) implements TxBody.InferenceBody {
        public static final int TAG = 85;

        public ChallengeInference {
            if (request == null || request.length == 0) throw new IllegalArgumentException("request must not be empty");
            request = request.clone();
            claimedRoot = Fields.hash(claimedRoot, "claimedRoot");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.bytes(request).raw(claimedRoot); }
    }

    /** One move of inference dispute {@code disputeId}: {@code move} is {@code InferenceMove.encode()}. */
    public record InferenceMove(long disputeId, byte[] move) implements TxBody.InferenceBody {
        public static final int TAG = 86;

        public InferenceMove {
            Fields.positive(disputeId, "disputeId");
            if (move == null || move.length == 0) throw new IllegalArgumentException("move must not be empty");
            move = move.clone();
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(disputeId).bytes(move); }
    }

    static TxBody read(int tag, ByteReader in) {
        return switch (tag) {
            case RegisterModel.TAG -> new RegisterModel(in.string("name"), in.bytes("config"), in.raw(32, "weightsRoot"),
                    in.i64("pricePerToken"));
            case RegisterApiKey.TAG -> new RegisterApiKey(in.raw(32, "keyHash"), in.i32("samplePpm"));
            case DepositInference.TAG -> new DepositInference(in.i64("amount"));
            case WithdrawInference.TAG -> new WithdrawInference(in.i64("amount"));
            case SettleInference.TAG -> {
                byte[] modelId = in.raw(32, "modelId");
                int count = in.count("served", 104);
                List<Served> served = new ArrayList<>(count);
                for (int i = 0; i < count; i++) served.add(Served.read(in));
                yield new SettleInference(modelId, served);
            }
            case ChallengeInference.TAG -> new ChallengeInference(in.bytes("request"), in.raw(32, "claimedRoot"));
            case InferenceMove.TAG -> new InferenceMove(in.i64("disputeId"), in.bytes("move"));
            default -> throw new MalformedTxException("unknown body tag " + tag);
        };
    }
}
