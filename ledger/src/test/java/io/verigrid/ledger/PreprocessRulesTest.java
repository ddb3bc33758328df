package io.verigrid.ledger;

import static io.verigrid.ledger.TestChain.TOKEN;
import static io.verigrid.ledger.TestChain.keys;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.data.ExactDedup;
import io.verigrid.engine.data.InputDataset;
import io.verigrid.engine.data.Manifest;
import io.verigrid.engine.data.Normalize;
import io.verigrid.engine.data.PipelinePlan;
import io.verigrid.engine.data.PipelineSpec;
import io.verigrid.engine.data.QualityFilter;
import io.verigrid.engine.data.RecordType;
import io.verigrid.engine.data.Sha256;
import io.verigrid.engine.data.Shard;
import io.verigrid.engine.data.Sharding;
import io.verigrid.engine.data.Shuffle;
import io.verigrid.engine.data.SyntheticCorpus;
import io.verigrid.ledger.tx.PreprocessTx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.PreprocessFault;
import io.verigrid.verify.PreprocessGame;
import io.verigrid.verify.PreprocessRun;
import io.verigrid.verify.ShardCommitments;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Preprocessing orders, shard commitments and shard disputes on the ledger state machine, with the real referee. */
class PreprocessRulesTest {
    static final PipelineSpec SPEC = new PipelineSpec(RecordType.TEXT, List.of(
            new Normalize(true, true, true), new ExactDedup(), new QualityFilter(20, 10_000, 600_000, 300_000), new Shuffle(31L)),
            Sharding.byRecords(12));
    static final InputDataset INPUT = InputDataset.texts(SyntheticCorpus.texts(17L, 64).texts());
    static final byte[] INPUT_ROOT = ShardCommitments.inputRoot(INPUT);
    private static final String BLOB = "ab".repeat(32);
    private static final List<String> REPLICAS = List.of("http://127.0.0.1:9001", "http://127.0.0.1:9002");
    private static final long GIB = 1L << 30;

    /** The faults a trace game catches; a wrong cut is a cut game's ({@link #aWrongCutIsChallengedAtItsShard}). */
    private static final List<PreprocessFault.Kind> TRACE_FAULTS = List.of(PreprocessFault.Kind.ALTER, PreprocessFault.Kind.DROP,
            PreprocessFault.Kind.REORDER, PreprocessFault.Kind.DUPLICATE);

    private final Keys buyer = keys(1), p1 = keys(2), p2 = keys(3), verifier = keys(5), outsider = keys(4);
    private final Params params = Params.defaults();
    private LedgerState state = LedgerState.fromGenesis(TestChain.genesis());

    /** What a provider (honest or with a fault) computes and commits: its plan, shards, manifest and shard runs. */
    record Work(PipelinePlan plan, List<Shard> shards, Manifest manifest, List<PreprocessRun> runs) {
        static Work of(PreprocessFault fault) {
            PipelinePlan plan = PreprocessFault.plan(SPEC, INPUT, fault);
            List<Shard> shards = new ArrayList<>();
            List<PreprocessRun> runs = new ArrayList<>();
            for (int k = 0; k < plan.shardCount(); k++) {
                var trace = PreprocessFault.trace(SPEC, INPUT, plan, k, fault);
                shards.add(trace.shard());
                runs.add(PreprocessRun.of(SPEC, INPUT, plan, trace));
            }
            return new Work(plan, shards, Manifest.of(SPEC, INPUT, plan, shards), runs);
        }

        PreprocessTx.CommitShard commit(long jobId, int shard) {
            return new PreprocessTx.CommitShard(jobId, shard, runs.get(shard - 1).shardRoot(), plan.sha256(),
                    Sha256.of(manifest.toJson().getBytes(StandardCharsets.UTF_8)), plan.shardCount());
        }
    }

    private TxResult send(Keys k, TxBody body) {
        return state.apply(TestChain.tx(k, state.account(k.publicKey()).nonce() + 1, body));
    }

    private void ok(Keys k, TxBody body) {
        TxResult r = send(k, body);
        assertTrue(r.accepted(), r.code() + ": " + r.message());
    }

    private void rejected(String code, Keys k, TxBody body) {
        byte[] root = state.stateRoot();
        long supply = state.totalSupply();
        TxResult r = send(k, body);
        assertEquals(code, r.code(), r.message());
        assertArrayEquals(root, state.stateRoot(), "a rejected tx changes nothing");
        assertEquals(supply, state.totalSupply());
    }

    private void blocks(long n) {
        for (long i = 0; i < n; i++) state.applyBlock();
    }

    /** Nothing minted or lost: every unit slashed, forfeited or paid is either held somewhere or burned. */
    private void assertSupplyHolds() {
        assertEquals(state.genesisSupply() + state.minted(), state.totalSupply() + state.burned());
    }

    static TxBody.PostOrder order(byte[] spec, byte[] inputRoot, TxBody.DatasetBlob blob) {
        return new TxBody.PostOrder(PreprocessRules.KIND_PREPROCESS, spec, inputRoot, 2 * TOKEN, 1_000_000, GIB, 100, 3, 400, blob);
    }

    private void provider(Keys k) {
        ok(k, new TxBody.Stake(params.minProviderStake()));
        ok(k, new TxBody.RegisterProvider("http://127.0.0.1:9100", 1_000, 8 * GIB, 100 * GIB));
    }

    /** Buyer posts, p1 (then p2, when p1 is excluded) is registered, the auction closes: job 1 is leased to p1. */
    private void leased() {
        provider(p1);
        ok(verifier, new TxBody.Stake(params.minVerifierStake()));
        ok(buyer, order(new PreprocessSpec(INPUT.size(), SPEC).encode(), INPUT_ROOT, new TxBody.DatasetBlob(BLOB, REPLICAS)));
        ok(p1, new TxBody.PlaceBid(1, TOKEN));
        blocks(3);
        assertEquals("LEASED", state.job(1).status());
        assertEquals(p1.address(), state.job(1).lessee());
    }

    /** Plays dispute {@code id} with each side's honest moves from its own runs until it settles. */
    private DisputeView play(long id, Keys provider, PreprocessRun providerRun, Keys challenger, PreprocessRun challengerRun) {
        for (int moves = 0; moves < 64; moves++) {
            DisputeView view = state.dispute(id);
            if (view.verdict() != null) return view;
            var game = view.decodePreprocessGame();
            boolean providerTurn = view.turnAddress().equals(provider.address());
            TxBody move = providerTurn ? PreprocessMoves.provider(id, game, providerRun) : PreprocessMoves.challenger(id, game, challengerRun);
            ok(providerTurn ? provider : challenger, move);
            blocks(1);
        }
        throw new AssertionError("dispute " + id + " did not settle");
    }

    @Test
    void anHonestJobIsCommittedShardByShardVerifiedAndPaid() {
        leased();
        Work honest = Work.of(null);
        PreprocessJobView view = state.preprocessJob(1);
        assertEquals(INPUT.size(), view.inputRecords());
        assertEquals(0, view.shardCount(), "nothing declared before the first shard");
        long buyerBefore = state.account(buyer.publicKey()).balance();
        for (int s = 1; s <= honest.plan().shardCount(); s++) {
            ok(p1, honest.commit(1, s));
            ok(verifier, new TxBody.Attest(1, s, honest.runs().get(s - 1).shardRoot()));
        }
        blocks(1);
        assertEquals("DONE", state.job(1).status());
        assertEquals(honest.plan().shardCount(), state.preprocessJob(1).shardCount());
        long refund = (long) (view.maxShards() - honest.plan().shardCount()) * 2 * TOKEN + (long) honest.plan().shardCount() * TOKEN;
        assertEquals(buyerBefore + refund, state.account(buyer.publicKey()).balance(),
                "each shard is paid at the winning price; unused escrow and unproduced shards go back");
    }

    @Test
    void aWrongShardIsPinnedToItsStepTheCheaterIsSlashedBannedAndTheJobReLeased() {
        leased();
        provider(p2);
        Work honest = Work.of(null);
        int origin = honest.plan().shardOrigins(1)[2];
        Work cheat = Work.of(new PreprocessFault(PreprocessFault.Kind.ALTER, 1, origin));
        for (int s = 1; s <= cheat.plan().shardCount(); s++) ok(p1, cheat.commit(1, s));
        ok(verifier, new TxBody.Attest(1, 1, honest.runs().get(0).shardRoot()));
        ok(verifier, new PreprocessTx.ChallengeShard(1, 2, honest.runs().get(1).shardRoot()));
        long stakeBefore = state.account(p1.publicKey()).stake();
        assertArrayEquals(state.stateRoot(), LedgerState.decode(state.encode()).stateRoot(),
                "a snapshot keeps the declared plan and the open shard game");

        DisputeView settled = play(1, p1, cheat.runs().get(1), verifier, honest.runs().get(1));
        assertEquals("CHALLENGER_WINS", settled.verdict());
        assertEquals("records:normalize batch 0", settled.outcome().opKind(), "the normalize step, on the altered record's batch");
        assertEquals(1, settled.outcome().step());
        cheaterSlashedBannedAndJobFinishedByTheNext(stakeBefore, honest);
    }

    /**
     * After p1 lost a dispute on shard 2: it is slashed and banned, the job is re-leased to p2, the shard verified
     * before stands, and p2 and the verifier finish the job honestly with the supply intact.
     */
    private void cheaterSlashedBannedAndJobFinishedByTheNext(long stakeBefore, Work honest) {
        assertTrue(state.account(p1.publicKey()).stake() < stakeBefore, "the cheater is slashed");
        assertTrue(state.job(1).bannedProviders().contains(p1.address()));

        ok(p2, new TxBody.PlaceBid(1, TOKEN));
        blocks(4);
        assertEquals(p2.address(), state.job(1).lessee(), "re-leased to the next provider");
        assertEquals(1, state.job(1).commits().size(), "the shard verified before the dispute stands");
        for (int s = 2; s <= honest.plan().shardCount(); s++) {
            ok(p2, honest.commit(1, s));
            ok(verifier, new TxBody.Attest(1, s, honest.runs().get(s - 1).shardRoot()));
        }
        blocks(1);
        assertEquals("DONE", state.job(1).status());
        assertSupplyHolds();
    }

    @Test
    void aDishonestChallengerLosesItsBondToAnHonestProvider() {
        leased();
        Work honest = Work.of(null);
        Work liar = Work.of(new PreprocessFault(PreprocessFault.Kind.DROP, 2, honest.plan().shardOrigins(0)[0]));
        ok(p1, honest.commit(1, 1));
        long verifierBefore = state.account(verifier.publicKey()).balance();
        ok(verifier, new PreprocessTx.ChallengeShard(1, 1, liar.runs().get(0).shardRoot()));
        DisputeView settled = play(1, p1, honest.runs().get(0), verifier, liar.runs().get(0));
        assertEquals("PROVIDER_WINS", settled.verdict());
        assertTrue(state.account(verifier.publicKey()).balance() <= verifierBefore - params.challengeBond() - params.challengeFee(),
                "the bond and fee are gone");
        assertEquals(params.challengeBond() / 2 + params.challengeFee(), settled.outcome().toProvider(), "half the bond and the fee");
        assertEquals(p1.address(), state.job(1).lessee(), "the honest provider keeps its lease");
        assertSupplyHolds();
    }

    @Test
    void everyRejectionHasItsCodeAndChangesNothing() {
        byte[] spec = new PreprocessSpec(INPUT.size(), SPEC).encode();
        TxBody.DatasetBlob blob = new TxBody.DatasetBlob(BLOB, REPLICAS);
        rejected(MarketRules.UNKNOWN_DATASET, buyer, order(spec, INPUT_ROOT, null));
        rejected(Rejection.BAD_JOB, buyer, order(SPEC.encode(), INPUT_ROOT, blob));
        rejected(MarketRules.BAD_ORDER, buyer, order(spec, INPUT_ROOT, new TxBody.DatasetBlob(BLOB, List.of("http://only-one"))));
        leased();
        Work honest = Work.of(null);
        PreprocessTx.CommitShard first = honest.commit(1, 1);
        rejected(Rejection.NOT_LESSEE, p2, first);
        rejected(Rejection.WRONG_UNIT, p1, honest.commit(1, 2));
        rejected(PreprocessRules.TOO_MANY_SHARDS, p1, new PreprocessTx.CommitShard(1, 1, first.shardRoot(), first.planSha256(),
                first.manifestSha256(), 1000));
        rejected(PreprocessRules.WRONG_KIND, p1, new TxBody.CommitUnit(1, 1, first.shardRoot()));
        ok(p1, first);
        PreprocessTx.CommitShard second = honest.commit(1, 2);
        rejected(PreprocessRules.PLAN_MISMATCH, p1, new PreprocessTx.CommitShard(1, 2, second.shardRoot(), first.shardRoot(),
                second.manifestSha256(), second.shardCount()));
        rejected(PreprocessRules.WRONG_KIND, verifier, new TxBody.Challenge(1, 1, second.shardRoot()));
        rejected(Rejection.SELF_VERIFY, p1, new PreprocessTx.ChallengeShard(1, 1, second.shardRoot()));
        rejected(Rejection.ROOT_MISMATCH, verifier, new PreprocessTx.ChallengeShard(1, 1, first.shardRoot()));
        ok(p1, second);

        ok(verifier, new PreprocessTx.ChallengeShard(1, 1, second.shardRoot()));
        PreprocessRun run = honest.runs().get(0);
        var game = state.dispute(1).decodePreprocessGame();
        rejected(Rejection.NOT_YOUR_TURN, verifier, PreprocessMoves.provider(1, game, run));
        rejected(Rejection.NOT_PARTY, outsider, PreprocessMoves.provider(1, game, run));
        rejected("BAD_PROOF", p1, new PreprocessTx.PostShardTraceRoot(1, first.shardRoot(), 3, List.of()));
        rejected(Rejection.UNKNOWN_DISPUTE, p1, new PreprocessTx.PostShardTraceNodes(9, List.of()));
        ok(p1, PreprocessMoves.provider(1, game, run));
        ok(p1, PreprocessMoves.provider(1, state.dispute(1).decodePreprocessGame(), run));
        blocks(params.moveBlocks() + 2L);
        assertEquals("PROVIDER_WINS", state.dispute(1).verdict(), "the challenger missed its turn");
        rejected("SETTLED", p1, new PreprocessTx.PostShardTraceNodes(1, List.of(first.shardRoot())));

        // Past shard 2's window without the block rule that would pay it: only a frozen shard sits there in practice.
        state.height += params.challengeWindowBlocks() + 1;
        rejected(Rejection.WINDOW_CLOSED, verifier, new PreprocessTx.ChallengeShard(1, 2, first.shardRoot()));
    }

    @Test
    void preprocessingTransactionsRoundTripAndGarbageIsMalformed() {
        Work honest = Work.of(null);
        PreprocessRun run = honest.runs().get(0);
        PreprocessRun.TraceRootMove root = run.traceRoot();
        List<TxBody> bodies = List.of(honest.commit(1, 1), new PreprocessTx.ChallengeShard(1, 1, root.traceRoot()),
                new PreprocessTx.PostShardTraceRoot(2, root.traceRoot(), root.lastCount(), root.lastPath().siblings()),
                new PreprocessTx.PostShardTraceNodes(2, List.of(root.traceRoot())), new PreprocessTx.PickShardTraceNode(2, 3, new byte[] {1, 2}),
                new PreprocessTx.PostShardWitness(2, new byte[0]), new PreprocessTx.ChallengeShardCut(1, 2),
                new PreprocessTx.SettleShardCut(2, run.cutEvidence(io.verigrid.verify.PreprocessGame.openCut(1, 1, 4, root.traceRoot(),
                        honest.plan().sha256(), honest.plan().shardCount(), 5, 1))),
                new PreprocessTx.PostMovePart(2, PreprocessTx.SettleShardCut.TAG, 10, 4, new byte[] {1, 2, 3}));
        for (TxBody body : bodies) {
            var signed = TestChain.tx(p1, 1, body);
            assertArrayEquals(signed.encode(), io.verigrid.ledger.tx.SignedTx.decode(signed.encode(), params.maxTxBytes()).encode(),
                    body.getClass().getSimpleName());
        }
        byte[] garbage = TestChain.tx(p1, 1, new PreprocessTx.PostShardWitness(2, new byte[0])).encode();
        int tag = 1 + 2 + TestChain.CHAIN.length() + 32 + 8 + 8; // version, chain id, sender, nonce, fee
        assertEquals(PreprocessTx.PostShardWitness.TAG, garbage[tag]);
        garbage[tag] = (byte) PreprocessTx.SettleShardStep.TAG; // the witness's empty bytes are no evidence
        assertEquals(Rejection.MALFORMED, state.applyEncoded(garbage).code());
    }

    @Test
    void aWrongCutIsChallengedAtItsShardTheCheaterSlashedBannedAndTheJobReLeased() {
        leased();
        provider(p2);
        Work honest = Work.of(null);
        Work cheat = Work.of(new PreprocessFault(PreprocessFault.Kind.CUT_EARLY, 2, 0));
        for (int s = 1; s <= cheat.plan().shardCount(); s++) ok(p1, cheat.commit(1, s));
        ok(verifier, new TxBody.Attest(1, 1, honest.runs().get(0).shardRoot()));
        rejected(Rejection.SELF_VERIFY, p1, new PreprocessTx.ChallengeShardCut(1, 2));
        rejected(Rejection.ALREADY_VERIFIED, verifier, new PreprocessTx.ChallengeShardCut(1, 1));
        rejected(Rejection.WRONG_UNIT, verifier, new PreprocessTx.ChallengeShardCut(1, cheat.plan().shardCount() + 1));
        ok(verifier, new PreprocessTx.ChallengeShardCut(1, 2));
        rejected(Rejection.DISPUTE_OPEN, verifier, new PreprocessTx.ChallengeShardCut(1, 3));
        var game = state.dispute(1).decodePreprocessGame();
        assertEquals("PREPROCESS_CUT", state.dispute(1).phase());
        rejected(Rejection.NOT_YOUR_TURN, verifier, PreprocessMoves.provider(1, game, cheat.runs().get(1)));
        rejected("WRONG_PHASE", p1, new PreprocessTx.PostShardTraceNodes(1, List.of(new byte[32])));
        assertArrayEquals(state.stateRoot(), LedgerState.decode(state.encode()).stateRoot(), "a snapshot keeps the open cut game");
        long stakeBefore = state.account(p1.publicKey()).stake();

        DisputeView settled = play(1, p1, cheat.runs().get(1), verifier, honest.runs().get(1));
        assertEquals("CHALLENGER_WINS", settled.verdict());
        assertEquals("cut:records shard 2", settled.outcome().opKind());
        assertEquals(2, settled.outcome().unit());
        cheaterSlashedBannedAndJobFinishedByTheNext(stakeBefore, honest);
    }

    @Test
    void aChallengerLyingAboutTheCutLosesAndASilentProviderLoses() {
        leased();
        Work honest = Work.of(null);
        ok(p1, honest.commit(1, 1));
        ok(p1, honest.commit(1, 2));
        ok(verifier, new PreprocessTx.ChallengeShardCut(1, 2));
        DisputeView settled = play(1, p1, honest.runs().get(1), verifier, honest.runs().get(1));
        assertEquals("PROVIDER_WINS", settled.verdict());
        assertEquals(params.challengeBond() / 2 + params.challengeFee(), settled.outcome().toProvider(), "half the bond and the fee");
        assertEquals(p1.address(), state.job(1).lessee(), "the honest provider keeps its lease");

        ok(p1, honest.commit(1, 3));
        ok(verifier, new PreprocessTx.ChallengeShardCut(1, 3));
        blocks(params.moveBlocks() + 2L);
        DisputeView timedOut = state.dispute(2);
        assertEquals("CHALLENGER_WINS", timedOut.verdict(), "a provider that does not answer the cut challenge loses");
        assertEquals("cut:records shard 3", timedOut.outcome().opKind());
        assertSupplyHolds();
    }

    /** Signed bytes of {@code body} from {@code k}, as the ledger measures them against maxTxBytes. */
    private static int signedBytes(Keys k, TxBody body) {
        return TestChain.tx(k, 1, body).encode().length;
    }

    /**
     * Starts a chain whose transactions fit everything but a provider's cut evidence, leases job 1 to p1 who commits
     * shards 1 and 2 of {@code work}, and has the verifier challenge shard 2's cut. Returns the chain's maxTxBytes.
     */
    private int cutChallengedOnASmallTxChain(Work work) {
        TxBody cut = cutEvidence(work);
        int orderBytes = signedBytes(buyer, order(new PreprocessSpec(INPUT.size(), SPEC).encode(), INPUT_ROOT,
                new TxBody.DatasetBlob(BLOB, REPLICAS)));
        int cutBytes = signedBytes(p1, cut);
        assertTrue(cutBytes > orderBytes + 200, "the cut evidence (" + cutBytes + " B) outgrows every other transaction (" + orderBytes + " B)");
        Params d = Params.defaults();
        int maxTx = Math.max(1024, orderBytes + 100);
        state = LedgerState.fromGenesis(TestChain.genesis(5, new Params(d.txFee(), d.minProviderStake(), d.minVerifierStake(),
                d.unbondingBlocks(), d.challengeWindowBlocks(), d.sampleDelayBlocks(), d.moveBlocks(), d.fanout(), d.challengeBond(),
                d.challengeFee(), d.slashPpm(), d.winnerSharePpm(), maxTx)));
        leased();
        ok(p1, work.commit(1, 1));
        ok(p1, work.commit(1, 2));
        ok(verifier, new PreprocessTx.ChallengeShardCut(1, 2));
        assertEquals(Rejection.TOO_LARGE, send(p1, cut).code(), "whole, the evidence does not fit");
        return maxTx;
    }

    /** p1's answer to a challenge of shard 2's cut in dispute 1, from {@code work}'s run. */
    private static TxBody cutEvidence(Work work) {
        return PreprocessMoves.provider(1, io.verigrid.verify.PreprocessGame.openCut(1, 2, SPEC.steps().size(),
                work.runs().get(1).shardRoot(), work.plan().sha256(), work.plan().shardCount(), 5, 1), work.runs().get(1));
    }

    @Test
    void evidenceLargerThanATransactionArrivesInPartsAndIsJudgedWhole() {
        Work honest = Work.of(null);
        int maxTx = cutChallengedOnASmallTxChain(honest);
        TxBody cut = cutEvidence(honest);

        List<TxBody> parts = PreprocessMoves.inParts(1, cut, maxTx);
        assertTrue(parts.size() >= 2, parts.size() + " parts");
        for (TxBody part : parts) assertTrue(signedBytes(p1, part) <= maxTx, "each part fits");
        var first = (PreprocessTx.PostMovePart) parts.get(0);
        var second = (PreprocessTx.PostMovePart) parts.get(1);
        rejected("BAD_PART", p1, second);
        rejected(Rejection.NOT_YOUR_TURN, verifier, first);
        ok(p1, first);
        assertEquals(first.part().length, PreprocessGame.decode(state.disputes.get(1L).game).partedBytes());
        assertEquals(0, state.dispute(1).decodePreprocessGame().partedBytes(), "the view leaves the parts out");
        assertArrayEquals(state.stateRoot(), LedgerState.decode(state.encode()).stateRoot(), "a snapshot keeps the parts");
        rejected("BAD_PART", p1, new PreprocessTx.PostMovePart(1, second.moveTag(), second.total() + 1, second.offset(), second.part()));
        rejected("BAD_PART", p1, first.offset() == second.offset() ? second
                : new PreprocessTx.PostMovePart(1, second.moveTag(), second.total(), second.offset() + 1, second.part()));
        // Garbage of the right length assembles into no move: the last part is refused and the upload stays as it was.
        byte[] noise = new byte[second.total()];
        new Random(5).nextBytes(noise);
        assertEquals(1, PreprocessMoves.inParts(1, new PreprocessTx.PostShardWitness(1, noise), maxTx).size(),
                "only the provider's evidence moves come in parts");
        int size = first.part().length;
        for (int offset = 0; offset < noise.length; offset += size) {
            var part = new PreprocessTx.PostMovePart(1, PreprocessTx.SettleShardCut.TAG, noise.length, offset,
                    Arrays.copyOfRange(noise, offset, Math.min(noise.length, offset + size)));
            if (offset + size < noise.length) ok(p1, part); else rejected(Rejection.MALFORMED, p1, part);
        }
        // Offset 0 starts over: the honest evidence, part by part, settles the game as one move would.
        for (TxBody part : parts) {
            assertEquals("PREPROCESS_CUT", state.dispute(1).phase());
            ok(p1, part);
        }
        DisputeView settled = state.dispute(1);
        assertEquals("PROVIDER_WINS", settled.verdict());
        assertEquals("cut:records shard 2", settled.outcome().opKind());
        rejected("SETTLED", p1, first);
        assertSupplyHolds();
    }

    @Test
    void aWrongCutSentInPartsLosesAsItWouldWhole() {
        Work cheat = Work.of(new PreprocessFault(PreprocessFault.Kind.CUT_EARLY, 2, 0));
        int maxTx = cutChallengedOnASmallTxChain(cheat);
        long stakeBefore = state.account(p1.publicKey()).stake();
        for (TxBody part : PreprocessMoves.inParts(1, cutEvidence(cheat), maxTx)) ok(p1, part);
        DisputeView settled = state.dispute(1);
        assertEquals("CHALLENGER_WINS", settled.verdict());
        assertEquals("cut:records shard 2", settled.outcome().opKind());
        assertTrue(state.account(p1.publicKey()).stake() < stakeBefore, "slashed");
        assertSupplyHolds();
    }

    @Test
    void aMoveAfterItsDeadlineIsRefused() {
        leased();
        Work honest = Work.of(null);
        ok(p1, honest.commit(1, 1));
        ok(verifier, new PreprocessTx.ChallengeShard(1, 1, Work.of(new PreprocessFault(PreprocessFault.Kind.ALTER, 1,
                honest.plan().shardOrigins(0)[0])).runs().get(0).shardRoot()));
        var game = state.dispute(1).decodePreprocessGame();
        // Blocks are closed past the deadline by hand, without the block rule that would settle the game first.
        state.height += params.moveBlocks() + 1;
        rejected("DEADLINE_PASSED", p1, PreprocessMoves.provider(1, game, honest.runs().get(0)));
    }

    /**
     * Seeded random cheats: a random fault (a record altered, dropped or duplicated after a random step, or the data
     * read out of order after the shuffle) in a random shard; the verifier challenges the first shard whose root differs, and the
     * game must end against the cheater at the faulty step. Soak with {@code -Dverigrid.preprocess.cheats=N}.
     */
    @Test
    void randomPreprocessingCheatsAreCaughtAtTheirStep() {
        int cases = Integer.getInteger("verigrid.preprocess.cheats", 10);
        Random random = new Random(Long.getLong("verigrid.preprocess.seed", 20261125L));
        Work honest = Work.of(null);
        int steps = SPEC.steps().size();
        int caught = 0;
        for (int c = 0; c < cases; c++) {
            PreprocessRulesTest t = new PreprocessRulesTest();
            PreprocessFault.Kind kind = TRACE_FAULTS.get(random.nextInt(TRACE_FAULTS.size()));
            int shard = random.nextInt(honest.plan().shardCount());
            int[] origins = honest.plan().shardOrigins(shard);
            int step = kind == PreprocessFault.Kind.REORDER ? steps : 1 + random.nextInt(steps);
            int origin = origins[random.nextInt(kind == PreprocessFault.Kind.REORDER ? origins.length - 1 : origins.length)];
            PreprocessFault fault = new PreprocessFault(kind, step, origin);
            Work cheat = Work.of(fault);
            t.leased();
            for (int s = 1; s <= cheat.plan().shardCount(); s++) t.ok(t.p1, cheat.commit(1, s));
            int disputed = -1;
            for (int s = 1; s <= Math.min(cheat.plan().shardCount(), honest.plan().shardCount()) && disputed < 0; s++) {
                if (!Arrays.equals(cheat.runs().get(s - 1).shardRoot(), honest.runs().get(s - 1).shardRoot())) disputed = s;
            }
            assertTrue(disputed > 0, fault + " changed no shard");
            t.ok(t.verifier, new PreprocessTx.ChallengeShard(1, disputed, honest.runs().get(disputed - 1).shardRoot()));
            DisputeView settled = t.play(1, t.p1, cheat.runs().get(disputed - 1), t.verifier, honest.runs().get(disputed - 1));
            assertEquals("CHALLENGER_WINS", settled.verdict(), fault.toString());
            String where = settled.outcome().opKind();
            assertNotNull(where, fault.toString());
            if (kind == PreprocessFault.Kind.ALTER && where.startsWith("records:")) {
                assertEquals(step, settled.outcome().step(), fault + " pinned at " + where);
            } else {
                // A dropped record or a reordered list is a wrong plan decision: at its step (an altered text may
                // also tip a later dedup or filter decision, which is then the first disagreement).
                assertTrue(where.startsWith("plan:"), fault + " pinned at " + where);
                if (kind != PreprocessFault.Kind.ALTER) assertEquals(step, settled.outcome().step(), fault + " pinned at " + where);
                else assertTrue(settled.outcome().step() >= step, fault + " pinned at " + where);
            }
            assertTrue(t.state.job(1).bannedProviders().contains(t.p1.address()));
            assertNotEquals(0, t.state.account(t.p1.publicKey()).penalties().size());
            t.assertSupplyHolds();
            caught++;
        }
        assertEquals(cases, caught);
    }
}
