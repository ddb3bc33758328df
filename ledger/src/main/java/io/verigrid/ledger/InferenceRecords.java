package io.verigrid.ledger;

import io.verigrid.ledger.tx.ByteReader;
import io.verigrid.ledger.tx.ByteWriter;
import io.verigrid.verify.InferenceGame;

/** The mutable records of the ledger's inference section, each with its canonical encoding and a copy. */
final class InferenceRecords {
    private InferenceRecords() {}

    /** A model a provider serves: its config.json text, weights root and price per token. */
    static final class Model {
        String id;
        String owner;
        String name;
        String config;
        byte[] weightsRoot;
        long pricePerToken;
        long height;

        void write(ByteWriter out) {
            out.string(id).string(owner).string(name).bytes(config.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .raw(weightsRoot).i64(pricePerToken).i64(height);
        }

        static Model read(ByteReader in) {
            Model m = new Model();
            m.id = in.string("model id");
            m.owner = in.string("owner");
            m.name = in.string("name");
            m.config = new String(in.bytes("config"), java.nio.charset.StandardCharsets.UTF_8);
            m.weightsRoot = in.raw(32, "weightsRoot");
            m.pricePerToken = in.i64("pricePerToken");
            m.height = in.i64("height");
            return m;
        }
    }

    /** An API key (by its hash) bound to the account that pays for it. */
    static final class ApiKey {
        String keyHash;
        String account;
        int samplePpm;
        long height;

        ApiKey copy() {
            ApiKey k = new ApiKey();
            k.keyHash = keyHash;
            k.account = account;
            k.samplePpm = samplePpm;
            k.height = height;
            return k;
        }

        void write(ByteWriter out) {
            out.string(keyHash).string(account).i32(samplePpm).i64(height);
        }

        static ApiKey read(ByteReader in) {
            ApiKey k = new ApiKey();
            k.keyHash = in.string("keyHash");
            k.account = in.string("account");
            k.samplePpm = in.i32("samplePpm");
            k.height = in.i64("height");
            return k;
        }
    }

    /** A served request's charge, held until the challenge window passes (HELD) or while disputed (DISPUTED). */
    static final class Hold {
        static final int HELD = 0;
        static final int DISPUTED = 1;

        String requestHash;
        String modelId;
        String provider;
        String account;
        String keyHash;
        byte[] responseRoot;
        int promptTokens;
        int completionTokens;
        long amount;
        long height;
        int status;
        long disputeId;

        Hold copy() {
            Hold h = new Hold();
            h.requestHash = requestHash;
            h.modelId = modelId;
            h.provider = provider;
            h.account = account;
            h.keyHash = keyHash;
            h.responseRoot = responseRoot.clone();
            h.promptTokens = promptTokens;
            h.completionTokens = completionTokens;
            h.amount = amount;
            h.height = height;
            h.status = status;
            h.disputeId = disputeId;
            return h;
        }

        void write(ByteWriter out) {
            out.string(requestHash).string(modelId).string(provider).string(account).string(keyHash).raw(responseRoot)
                    .i32(promptTokens).i32(completionTokens).i64(amount).i64(height).u8(status).i64(disputeId);
        }

        static Hold read(ByteReader in) {
            Hold h = new Hold();
            h.requestHash = in.string("requestHash");
            h.modelId = in.string("modelId");
            h.provider = in.string("provider");
            h.account = in.string("account");
            h.keyHash = in.string("keyHash");
            h.responseRoot = in.raw(32, "responseRoot");
            h.promptTokens = in.i32("promptTokens");
            h.completionTokens = in.i32("completionTokens");
            h.amount = in.i64("amount");
            h.height = in.i64("height");
            h.status = in.u8("status");
            h.disputeId = in.i64("disputeId");
            return h;
        }
    }

    /** An inference dispute: the parties, what the challenger locked, the request, the game and, once settled, the outcome. */
    static final class Dispute {
        long id;
        String requestHash;
        String modelId;
        String provider;
        String challenger;
        long bond;
        long fee;
        byte[] request;
        byte[] game;
        long height;
        /** Empty while open; then "VERDICT by REASON" with the amounts (see {@link InferenceViews.DisputeView}). */
        String outcome = "";
        long slashed;
        long toChallenger;
        long toProvider;
        long burned;

        boolean open() {
            return outcome.isEmpty();
        }

        InferenceGame game() {
            return InferenceGame.decode(game);
        }

        long locked() {
            return open() ? Math.addExact(bond, fee) : 0;
        }

        Dispute copy() {
            Dispute d = new Dispute();
            d.id = id;
            d.requestHash = requestHash;
            d.modelId = modelId;
            d.provider = provider;
            d.challenger = challenger;
            d.bond = bond;
            d.fee = fee;
            d.request = request.clone();
            d.game = game.clone();
            d.height = height;
            d.outcome = outcome;
            d.slashed = slashed;
            d.toChallenger = toChallenger;
            d.toProvider = toProvider;
            d.burned = burned;
            return d;
        }

        void write(ByteWriter out) {
            out.i64(id).string(requestHash).string(modelId).string(provider).string(challenger).i64(bond).i64(fee)
                    .bytes(request).bytes(game).i64(height).string(outcome).i64(slashed).i64(toChallenger).i64(toProvider)
                    .i64(burned);
        }

        static Dispute read(ByteReader in) {
            Dispute d = new Dispute();
            d.id = in.i64("dispute id");
            d.requestHash = in.string("requestHash");
            d.modelId = in.string("modelId");
            d.provider = in.string("provider");
            d.challenger = in.string("challenger");
            d.bond = in.i64("bond");
            d.fee = in.i64("fee");
            d.request = in.bytes("request");
            d.game = in.bytes("game");
            d.height = in.i64("height");
            d.outcome = in.string("outcome");
            d.slashed = in.i64("slashed");
            d.toChallenger = in.i64("toChallenger");
            d.toProvider = in.i64("toProvider");
            d.burned = in.i64("burned");
            return d;
        }
    }
}
