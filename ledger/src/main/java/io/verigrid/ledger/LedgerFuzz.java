package io.verigrid.ledger;

import io.verigrid.engine.MlpJob;
import io.verigrid.ledger.tx.MalformedTxException;
import io.verigrid.ledger.tx.SignedTx;
import io.verigrid.ledger.tx.Tx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.Hashes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Decoder fuzzing. Feeds random byte strings and mutations of valid signed transactions (bit flips, byte
 * overwrites, truncations, insertions, splices) through {@link SignedTx#decode} and through the state
 * machine's log-entry path (single and batch envelopes). The contract it checks, per input: the decoder either
 * returns a transaction whose re-encoding is the input byte for byte, or throws {@link MalformedTxException};
 * the state machine answers with a result and never throws; and a rejected input leaves the state root as it
 * was. Seeded, so a failure can be replayed.
 */
public final class LedgerFuzz {
    private static final String CHAIN = "verigrid-fuzz";
    private static final int MAX_TX_BYTES = 2048;
    private static final int FRESH_STATE_EVERY = 20_000;

    /**
     * What one run saw: {@code inputs} fed, {@code decoded} accepted by the decoder, {@code accepted} applied by
     * the state (a mutation that is still a valid signed transaction), {@code failures} contract breaks with
     * the first few described.
     */
    public record Report(long inputs, long decoded, long accepted, long failures, List<String> firstFailures) {
        public boolean passed() {
            return failures == 0;
        }
    }

    private LedgerFuzz() {}

    public static Report run(long count, long seed) {
        if (count < 0) throw new IllegalArgumentException("count must not be negative, got " + count);
        SplittableRandom random = new SplittableRandom(seed);
        List<Keys> keys = new ArrayList<>();
        List<GenesisAccount> funded = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            byte[] s = new byte[32];
            s[0] = (byte) (i + 1);
            keys.add(Keys.fromSeed(s));
            funded.add(new GenesisAccount(keys.get(i).publicKey(), 1_000 * Params.UNITS_PER_TOKEN));
        }
        Params d = Params.defaults();
        Params params = new Params(d.txFee(), d.minProviderStake(), d.minVerifierStake(), d.unbondingBlocks(),
                d.challengeWindowBlocks(), d.sampleDelayBlocks(), d.moveBlocks(), d.fanout(), d.challengeBond(),
                d.challengeFee(), d.slashPpm(), d.winnerSharePpm(), MAX_TX_BYTES);
        Genesis genesis = new Genesis(CHAIN, funded, params);
        List<byte[]> corpus = corpus(keys, params.txFee());

        long decoded = 0, accepted = 0, failures = 0;
        List<String> first = new ArrayList<>();
        LedgerStateMachine machine = null;
        byte[] root = null;
        for (long i = 0; i < count; i++) {
            if (i % FRESH_STATE_EVERY == 0) {
                // The state records every result by hash; a fresh one keeps a long run's memory flat.
                machine = new LedgerStateMachine(genesis);
                root = machine.unsafeState().stateRoot();
            }
            byte[] input = random.nextInt(4) == 0 ? randomBytes(random) : mutate(random, corpus);
            String failure = null;
            try {
                SignedTx tx = SignedTx.decode(input, MAX_TX_BYTES);
                decoded++;
                if (!Arrays.equals(tx.encode(), input)) failure = "decoded but re-encodes differently";
            } catch (MalformedTxException expected) {
                // the decoder refused it, as it should refuse anything not canonical
            } catch (RuntimeException e) {
                failure = "decoder threw " + e;
            }
            try {
                byte[] entry = random.nextBoolean() ? Entries.tx(input) : Entries.batch(List.of(input));
                Object reply = machine.applyEntry(entry, 1, i + 1);
                TxResult result = reply instanceof TxResult r ? r : ((List<?>) reply).isEmpty() ? null : (TxResult) ((List<?>) reply).get(0);
                if (result == null) {
                    failure = "no result for the entry";
                } else if (result.accepted()) {
                    accepted++;
                    root = machine.unsafeState().stateRoot();
                } else if (!Arrays.equals(root, machine.unsafeState().stateRoot())) {
                    failure = "rejected (" + result.code() + ") but the state root changed";
                }
            } catch (RuntimeException e) {
                failure = "state machine threw " + e;
            }
            if (failure != null) {
                failures++;
                if (first.size() < 5) first.add("input " + i + " (" + abbreviated(Hashes.hex(input)) + "): " + failure);
            }
        }
        return new Report(count, decoded, accepted, failures, first);
    }

    private static String abbreviated(String hex) {
        return hex.length() <= 400 ? hex : hex.substring(0, 400) + "…(" + hex.length() / 2 + " bytes)";
    }

    /** One valid signed transaction per body kind, for the mutations to start from. */
    private static List<byte[]> corpus(List<Keys> keys, long fee) {
        byte[] h = Hashes.sha256(new byte[] {1});
        MlpJob tiny = new MlpJob(3, 2, 2, 2, 4, 2, 0.1f, 0.5f, 4, 1);
        List<TxBody> bodies = List.of(
                new TxBody.Transfer(keys.get(1).publicKey(), 5), new TxBody.Stake(7), new TxBody.Unstake(3),
                new TxBody.PostJob(tiny.encode(), 1_000, 250_000), new TxBody.AcceptJob(1),
                new TxBody.CommitUnit(1, 1, h), new TxBody.Attest(1, 1, h), new TxBody.Challenge(1, 1, h),
                new TxBody.PostStepRoots(1, List.of(h, h)), new TxBody.PickStepRange(1, 0),
                new TxBody.PostTraceRoot(1, h, 9), new TxBody.PostTraceNodes(1, List.of(h)),
                new TxBody.PickTraceNode(1, 1, h), new TxBody.PickTraceNode(1, 1, null), new TxBody.DisputeAssembly(1),
                new TxBody.SettleOperator(1, List.of(), h), new TxBody.SettleAssembly(1, tiny.initialState()),
                new io.verigrid.ledger.tx.InferenceTx.RegisterApiKey(h, 50_000), new io.verigrid.ledger.tx.InferenceTx.DepositInference(9),
                new io.verigrid.ledger.tx.InferenceTx.SettleInference(h, List.of(new io.verigrid.ledger.tx.InferenceTx.Served(h, h, h, 3, 2))),
                new io.verigrid.ledger.tx.InferenceTx.ChallengeInference(new byte[] {1, 0, 1, 120}, h),
                new io.verigrid.ledger.tx.InferenceTx.InferenceMove(1, new byte[] {2, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            Keys k = keys.get(i % keys.size());
            out.add(SignedTx.sign(new Tx(CHAIN, k.publicKey(), 1 + i / keys.size(), fee, bodies.get(i)), k).encode());
        }
        return out;
    }

    private static byte[] randomBytes(SplittableRandom random) {
        byte[] b = new byte[random.nextInt(random.nextInt(8) == 0 ? MAX_TX_BYTES + 64 : 200)];
        random.nextBytes(b);
        if (b.length > 0 && random.nextBoolean()) b[0] = 1; // a plausible version byte reaches deeper
        return b;
    }

    private static byte[] mutate(SplittableRandom random, List<byte[]> corpus) {
        byte[] b = corpus.get(random.nextInt(corpus.size())).clone();
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(6)) {
                case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> b[at] = (byte) random.nextInt(256);
                case 2 -> b = Arrays.copyOf(b, at);
                case 3 -> {
                    byte[] extra = new byte[1 + random.nextInt(8)];
                    random.nextBytes(extra);
                    byte[] grown = new byte[b.length + extra.length];
                    System.arraycopy(b, 0, grown, 0, at);
                    System.arraycopy(extra, 0, grown, at, extra.length);
                    System.arraycopy(b, at, grown, at + extra.length, b.length - at);
                    b = grown;
                }
                case 4 -> {
                    byte[] other = corpus.get(random.nextInt(corpus.size()));
                    int from = random.nextInt(other.length);
                    byte[] spliced = Arrays.copyOf(b, at + other.length - from);
                    System.arraycopy(other, from, spliced, at, other.length - from);
                    b = spliced;
                }
                default -> {
                    // a length or count field set to an extreme value
                    int v = random.nextBoolean() ? -1 : Integer.MAX_VALUE;
                    for (int k = 0; k < 4 && at + k < b.length; k++) b[at + k] = (byte) (v >>> (8 * k));
                }
            }
        }
        return b;
    }
}
