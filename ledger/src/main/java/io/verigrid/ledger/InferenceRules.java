package io.verigrid.ledger;

import io.verigrid.engine.Decoder;
import io.verigrid.engine.LlamaConfig;
import io.verigrid.engine.LlamaModel;
import io.verigrid.ledger.InferenceRecords.ApiKey;
import io.verigrid.ledger.InferenceRecords.Dispute;
import io.verigrid.ledger.InferenceRecords.Hold;
import io.verigrid.ledger.InferenceRecords.Model;
import io.verigrid.ledger.tx.ByteWriter;
import io.verigrid.ledger.tx.InferenceTx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.GameException;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.InferenceGame;
import io.verigrid.verify.InferenceLayout;
import io.verigrid.verify.InferenceMove;
import io.verigrid.verify.InferenceRequest;
import io.verigrid.verify.Verdict;
import java.util.ArrayList;
import java.util.List;

/**
 * Verified inference on the ledger (docs/protocol.md, "Inference on the ledger"). A buyer binds API keys to its
 * account and deposits inference escrow; the provider of a model settles what it served once per block, each
 * request (a completion, or one input of an embeddings call: prompt tokens only) charged (prompt + completion tokens ×
 * the model's price) from the key's escrow into a hold; a hold is
 * paid to the provider at the first block past its challenge window unless a staked verifier challenges it. The
 * challenge opens an {@link InferenceGame}; its verdict slashes the provider and refunds the buyer, or forfeits the
 * challenger's bond, exactly as training disputes do (spec §4).
 */
final class InferenceRules {
    static final String REFEREE = "REFEREE";
    static final String TIMEOUT = "TIMEOUT";

    private InferenceRules() {}

    static void apply(Draft d, String sender, Account account, TxBody.InferenceBody body) {
        InferenceDraft inf = d.inference();
        if (body instanceof InferenceTx.RegisterModel m) registerModel(d, inf, sender, account, m);
        else if (body instanceof InferenceTx.RegisterApiKey k) registerKey(d, inf, sender, k);
        else if (body instanceof InferenceTx.DepositInference dep) {
            AccountRules.debit(account, dep.amount(), "inference escrow");
            inf.setEscrow(sender, Math.addExact(inf.escrow(sender), dep.amount()));
        } else if (body instanceof InferenceTx.WithdrawInference w) {
            long escrow = inf.escrow(sender);
            if (w.amount() > escrow) {
                throw new Rejection(Rejection.INSUFFICIENT_ESCROW, "withdraw " + w.amount() + " but escrow is " + escrow);
            }
            inf.setEscrow(sender, escrow - w.amount());
            account.balance = Math.addExact(account.balance, w.amount());
        } else if (body instanceof InferenceTx.SettleInference s) settle(d, inf, sender, account, s);
        else if (body instanceof InferenceTx.ChallengeInference c) challenge(d, inf, sender, account, c);
        else if (body instanceof InferenceTx.InferenceMove m) move(d, inf, sender, m);
        else throw new IllegalStateException("no inference rule for " + body.getClass().getSimpleName());
    }

    /** The id of a model: H(0x46 ‖ owner ‖ name ‖ config ‖ weightsRoot), hex. */
    static String modelId(String owner, InferenceTx.RegisterModel m) {
        return Hashes.hex(Hashes.sha256(new ByteWriter().u8(0x46).string(owner).string(m.name()).bytes(m.config())
                .raw(m.weightsRoot()).toBytes()));
    }

    private static void registerModel(Draft d, InferenceDraft inf, String sender, Account account, InferenceTx.RegisterModel m) {
        if (account.stake < d.params.minProviderStake()) {
            throw new Rejection(Rejection.INSUFFICIENT_STAKE, "stake " + account.stake + " below minProviderStake "
                    + d.params.minProviderStake());
        }
        LlamaModel model = new LlamaModel(LlamaConfig.fromJson(m.configJson())); // a bad config is INVALID
        // Its traces must lay out under the genesis bound (a matmul too large to tile under it is INVALID too).
        InferenceLayout.of(model, d.params.maxRefereeBytes());
        String id = modelId(sender, m);
        if (inf.hasModel(id)) throw new Rejection(Rejection.ALREADY_REGISTERED, "model " + id + " is already registered");
        Model record = new Model();
        record.id = id;
        record.owner = sender;
        record.name = m.name();
        record.config = m.configJson();
        record.weightsRoot = m.weightsRoot().clone();
        record.pricePerToken = m.pricePerToken();
        record.height = d.height;
        inf.addModel(record);
    }

    private static void registerKey(Draft d, InferenceDraft inf, String sender, InferenceTx.RegisterApiKey k) {
        String keyHash = Hashes.hex(k.keyHash());
        if (inf.key(keyHash) != null) throw new Rejection(Rejection.ALREADY_REGISTERED, "API key " + keyHash + " is already registered");
        ApiKey key = new ApiKey();
        key.keyHash = keyHash;
        key.account = sender;
        key.samplePpm = k.samplePpm();
        key.height = d.height;
        inf.addKey(key);
    }

    private static void settle(Draft d, InferenceDraft inf, String sender, Account account, InferenceTx.SettleInference s) {
        Model model = inf.model(Hashes.hex(s.modelId()));
        if (!model.owner.equals(sender)) throw new Rejection(Rejection.NOT_MODEL_OWNER, "model " + model.id + " is served by " + model.owner);
        if (account.stake < d.params.minProviderStake()) {
            throw new Rejection(Rejection.INSUFFICIENT_STAKE, "stake " + account.stake + " below minProviderStake");
        }
        for (int i = 0; i < s.served().size(); i++) {
            InferenceTx.Served r = s.served().get(i);
            String keyHash = Hashes.hex(r.keyHash());
            ApiKey key = inf.key(keyHash);
            if (key == null) throw new Rejection(Rejection.UNKNOWN_KEY, "served[" + i + "]: API key " + keyHash + " is not registered");
            String requestHash = Hashes.hex(r.requestHash());
            if (inf.hold(requestHash) != null) {
                throw new Rejection(Rejection.DUPLICATE_REQUEST, "served[" + i + "]: request " + requestHash + " is already on hold");
            }
            long amount = Math.multiplyExact((long) r.promptTokens() + r.completionTokens(), model.pricePerToken);
            long escrow = inf.escrow(key.account);
            if (amount > escrow) {
                throw new Rejection(Rejection.INSUFFICIENT_ESCROW, "served[" + i + "]: " + amount + " units but the escrow of "
                        + key.account + " holds " + escrow);
            }
            inf.setEscrow(key.account, escrow - amount);
            Hold h = new Hold();
            h.requestHash = requestHash;
            h.modelId = model.id;
            h.provider = sender;
            h.account = key.account;
            h.keyHash = keyHash;
            h.responseRoot = r.responseRoot().clone();
            h.promptTokens = r.promptTokens();
            h.completionTokens = r.completionTokens();
            h.amount = amount;
            h.height = d.height;
            h.status = Hold.HELD;
            inf.addHold(h);
        }
    }

    private static void challenge(Draft d, InferenceDraft inf, String sender, Account account, InferenceTx.ChallengeInference c) {
        if (account.stake < d.params.minVerifierStake()) {
            throw new Rejection(Rejection.INSUFFICIENT_STAKE, "stake " + account.stake + " below minVerifierStake "
                    + d.params.minVerifierStake());
        }
        InferenceRequest request = InferenceRequest.decode(c.request()); // malformed: INVALID
        String requestHash = Hashes.hex(request.hash());
        Hold hold = inf.hold(requestHash);
        if (hold == null) throw new Rejection(Rejection.UNKNOWN_HOLD, "no held request " + requestHash);
        if (hold.provider.equals(sender)) throw new Rejection(Rejection.SELF_VERIFY, "the provider cannot challenge its own response");
        if (hold.status != Hold.HELD) throw new Rejection(Rejection.DISPUTE_OPEN, "request " + requestHash + " is already disputed");
        if (d.height > hold.height + d.params.challengeWindowBlocks()) {
            throw new Rejection(Rejection.WINDOW_CLOSED, "the challenge window of request " + requestHash + " closed at "
                    + (hold.height + d.params.challengeWindowBlocks()));
        }
        Model model = inf.model(hold.modelId);
        long locked = Math.addExact(d.params.challengeBond(), d.params.challengeFee());
        AccountRules.debit(account, locked, "challenge bond and fee");
        int traceLength = InferenceLayout.of(llama(model), d.params.maxRefereeBytes()).traceLength();
        // The claimed root may equal the settled one: the challenger then disputes the bill (prompt + completion tokens).
        InferenceGame game = InferenceGame.open(hold.responseRoot, c.claimedRoot(), hold.promptTokens, hold.completionTokens,
                traceLength, d.params.fanout(), d.params.moveBlocks(), d.height, request.isEmbedding());
        Dispute dispute = inf.newDispute();
        dispute.requestHash = requestHash;
        dispute.modelId = model.id;
        dispute.provider = hold.provider;
        dispute.challenger = sender;
        dispute.bond = d.params.challengeBond();
        dispute.fee = d.params.challengeFee();
        dispute.request = request.encode();
        dispute.game = game.encode();
        dispute.height = d.height;
        hold.status = Hold.DISPUTED;
        hold.disputeId = dispute.id;
    }

    private static void move(Draft d, InferenceDraft inf, String sender, InferenceTx.InferenceMove m) {
        Dispute dispute = inf.dispute(m.disputeId());
        if (!dispute.open()) throw new Rejection("SETTLED", "inference dispute " + dispute.id + " is settled");
        InferenceGame.Party mover;
        if (sender.equals(dispute.provider)) mover = InferenceGame.Party.PROVIDER;
        else if (sender.equals(dispute.challenger)) mover = InferenceGame.Party.CHALLENGER;
        else throw new Rejection(Rejection.NOT_PARTY, sender + " is not a party to inference dispute " + dispute.id);
        Model model = inf.model(dispute.modelId);
        LlamaModel llama = llama(model);
        InferenceGame.Context ctx = new InferenceGame.Context(InferenceRequest.decode(dispute.request),
                t -> Decoder.positionProgram(llama, t), llama.kvWidth(), model.weightsRoot,
                InferenceLayout.of(llama, d.params.maxRefereeBytes()));
        InferenceGame next;
        try {
            next = dispute.game().play(mover, InferenceMove.parse(m.move()), ctx, d.height);
        } catch (GameException e) {
            throw new Rejection(e.reason(), e.getMessage());
        }
        dispute.game = next.encode();
        if (next.phase() == InferenceGame.Phase.SETTLED) settleDispute(d, inf, dispute, next, REFEREE);
    }

    private static LlamaModel llama(Model model) {
        return new LlamaModel(LlamaConfig.fromJson(model.config));
    }

    /** At a block: pays holds past their window, then settles inference games past their deadline. */
    static void onBlock(Draft d) {
        InferenceState base = d.base.inference;
        if (base.holds.isEmpty() && base.disputes.isEmpty()) return;
        InferenceDraft inf = d.inference();
        List<String> due = new ArrayList<>();
        for (Hold h : base.holds.values()) {
            if (h.status == Hold.HELD && d.height > h.height + d.params.challengeWindowBlocks()) due.add(h.requestHash);
        }
        for (String requestHash : due) pay(d, inf, inf.hold(requestHash));
        for (Dispute existing : base.disputes.values()) {
            if (!existing.open() || d.height <= existing.game().deadline()) continue;
            Dispute dispute = inf.dispute(existing.id);
            InferenceGame settled = dispute.game().timeout(d.height);
            dispute.game = settled.encode();
            settleDispute(d, inf, dispute, settled, TIMEOUT);
        }
    }

    private static void pay(Draft d, InferenceDraft inf, Hold h) {
        Account provider = d.account(h.provider);
        provider.balance = Math.addExact(provider.balance, h.amount);
        inf.paidOut = Math.addExact(inf.paidOut, h.amount);
        inf.release(h.requestHash);
    }

    /**
     * Spec §4 for one request: the money as for every dispute ({@link DisputeRules#moveMoney}); when the provider
     * lost, the hold goes back to the buyer's escrow, else it resumes (paid at the next block if its window passed).
     */
    static void settleDispute(Draft d, InferenceDraft inf, Dispute dispute, InferenceGame game, String reason) {
        Verdict verdict = game.verdict();
        Hold hold = inf.hold(dispute.requestHash);
        String why = verdict.name() + " by " + reason + " in inference dispute " + dispute.id + " on request "
                + dispute.requestHash + (game.operator() >= 0 ? ", position " + game.position() + " operator " + game.operator()
                        : game.pooled() ? ", at the pooling" : "");
        DisputeRules.Stakes stakes = DisputeRules.moveMoney(d, dispute.provider, dispute.challenger, dispute.id, 0,
                dispute.bond, dispute.fee, verdict, why);
        if (verdict != Verdict.PROVIDER_WINS) {
            if (hold != null) {
                inf.setEscrow(hold.account, Math.addExact(inf.escrow(hold.account), hold.amount));
                inf.release(hold.requestHash);
            }
        } else if (hold != null) {
            hold.status = Hold.HELD;
        }
        dispute.outcome = verdict.name() + " by " + reason;
        dispute.slashed = stakes.slashed();
        dispute.toChallenger = stakes.toChallenger();
        dispute.toProvider = stakes.toProvider();
        dispute.burned = stakes.burned();
    }

    /** The sampling seed of a held request: H(hash of block (settle height + sampleDelayBlocks) ‖ request hash), or null before that block. */
    static byte[] sampleSeed(LedgerState s, String requestHash) {
        Hold h = s.inference.holds.get(requestHash);
        if (h == null) return null;
        BlockView block = s.block(h.height + s.params().sampleDelayBlocks());
        if (block == null) return null;
        return Hashes.sha256(Hashes.unhex(block.hash()), Hashes.unhex(requestHash));
    }
}
