package io.verigrid.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.Decoder;
import io.verigrid.engine.HfCheckpoint;
import io.verigrid.engine.generate.LogitAdjustments;
import io.verigrid.engine.generate.SamplingParams;
import io.verigrid.engine.generate.TinyLlama;
import io.verigrid.verify.InferenceCommitments.ResponseLeaf;
import io.verigrid.verify.InferenceGame.Party;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inference dispute game played out in memory between an honest party and a cheating one, moves round-tripped
 * through their canonical encodings as the ledger would carry them: the cheater loses every time.
 */
class InferenceGameTest {
    static InferenceTrace.Replica honest;
    static InferenceTrace.Replica otherModel;
    static final InferenceRequest REQUEST = new InferenceRequest("chatcmpl-test", new int[] {1, 40, 41, 42, 43, 44}, 2, 5,
            new SamplingParams(0.9f, 0, 1f, 1234), new int[] {2});

    @BeforeAll
    static void models(@TempDir Path dir) {
        TinyLlama.write(dir.resolve("a"), 5, 64);
        TinyLlama.write(dir.resolve("b"), 6, 64);
        HfCheckpoint a = HfCheckpoint.llama(dir.resolve("a"));
        honest = new InferenceTrace.Replica(a.model(), a.weights(), null);
        otherModel = InferenceCheats.otherWeights(a.model(), HfCheckpoint.llama(dir.resolve("b")).weights());
    }

    record Outcome(InferenceGame game, int refused) {}

    static Outcome play(InferenceTrace.Replica providerSide, InferenceTrace.Replica challengerSide) {
        return play(REQUEST, REQUEST, providerSide, challengerSide);
    }

    /** A game over {@code request} whose provider sampled as {@code sampledAs} asks (the same request unless it cheats). */
    static Outcome play(InferenceRequest request, InferenceRequest sampledAs, InferenceTrace.Replica providerSide,
            InferenceTrace.Replica challengerSide) {
        int[] lengths = {5, 3};
        List<ResponseLeaf> served = InferenceTrace.responseLeaves(providerSide, sampledAs, lengths);
        List<ResponseLeaf> checked = InferenceTrace.responseLeaves(challengerSide, request, lengths);
        byte[] providerRoot = InferenceCommitments.responseRoot(served);
        byte[] challengerRoot = InferenceCommitments.responseRoot(checked);
        InferenceGame.Context ctx = new InferenceGame.Context(request, t -> Decoder.positionProgram(honest.model(), t),
                honest.kvWidth(), InferenceCommitments.weightsRoot(honest.weights()));
        int programLength = Decoder.positionProgram(honest.model(), 0).size();
        InferenceGame game = InferenceGame.open(providerRoot, challengerRoot, request.prompt().length, served.size(),
                programLength, 16, 5, 0);
        InferencePlayer provider = new InferencePlayer(Party.PROVIDER, request, providerSide, served);
        InferencePlayer challenger = new InferencePlayer(Party.CHALLENGER, request, challengerSide, null);
        long height = 1;
        int refused = 0;
        while (game.phase() != InferenceGame.Phase.SETTLED) {
            InferencePlayer mover = game.turn() == Party.PROVIDER ? provider : challenger;
            InferenceMove move = mover.next(game);
            if (move != null) {
                InferenceMove carried = InferenceMove.decode(move.encode());
                try {
                    game = InferenceGame.decode(game.play(game.turn(), carried, ctx, height).encode());
                    height++;
                    continue;
                } catch (GameException e) {
                    refused++;
                }
            }
            game = game.timeout(game.deadline() + 1); // the party to move cannot: it loses on the deadline
        }
        return new Outcome(game, refused);
    }

    @Test
    void aProviderServingOtherWeightsLosesAtTheReferee() {
        Outcome outcome = play(otherModel, honest);
        assertEquals(Verdict.CHALLENGER_WINS, outcome.game().verdict());
        assertEquals(InferenceGame.Phase.SETTLED, outcome.game().phase());
        assertTrue(outcome.game().operator() >= 0, "settled by re-executing one operator: " + outcome.game());
    }

    @Test
    void aProviderIgnoringTheLogitBiasOrPenaltiesLosesWhenTheRefereeReDrawsTheToken() {
        LogitAdjustments bias = new LogitAdjustments(new int[] {7}, new float[] {100f}, 0f, 0f);
        LogitAdjustments penalty = new LogitAdjustments(new int[0], new float[0], -2f, -2f); // repeat what was said
        for (LogitAdjustments adjustments : List.of(bias, penalty)) {
            InferenceRequest adjusted = new InferenceRequest("chatcmpl-adjusted", REQUEST.prompt(), 2, 5,
                    new SamplingParams(0f, 0, 1f, 9, adjustments), new int[0]);
            InferenceRequest ignored = new InferenceRequest("chatcmpl-adjusted", REQUEST.prompt(), 2, 5,
                    new SamplingParams(0f, 0, 1f, 9), new int[0]);
            assertEquals(4, adjusted.encode()[0], "the adjustments are part of the request");
            assertEquals(adjusted, InferenceRequest.decode(adjusted.encode()));
            assertTrue(!java.util.Arrays.equals(InferenceCommitments.responseRoot(InferenceTrace.responseLeaves(honest, adjusted, new int[] {5, 3})),
                    InferenceCommitments.responseRoot(InferenceTrace.responseLeaves(honest, ignored, new int[] {5, 3}))),
                    "the adjustments change what is drawn");
            Outcome cheated = play(adjusted, ignored, honest, honest);
            assertEquals(Verdict.CHALLENGER_WINS, cheated.game().verdict(), adjustments.toString());
            assertEquals(-1, cheated.game().operator(), "settled on the draw, not an operator: " + cheated.game());
            Outcome kept = play(adjusted, adjusted, honest, honest);
            assertEquals(Verdict.PROVIDER_WINS, kept.game().verdict(), "an honest provider with agreed roots is not convicted");
        }
    }

    @Test
    void aProviderRunningAShorterProgramCannotDefendItsTrace() {
        Outcome outcome = play(InferenceCheats.fewerLayers(honest), honest);
        assertEquals(Verdict.CHALLENGER_WINS, outcome.game().verdict());
        assertTrue(outcome.refused() > 0, "its transcript does not fit the registered program");
    }

    @Test
    void aProviderSkippingTheLastLayerLosesAtItsFirstResidualAddition() {
        InferenceTrace.Replica skipping = InferenceCheats.skipLastLayer(honest);
        assertArrayEquals(InferenceCommitments.responseRoot(InferenceTrace.responseLeaves(InferenceCheats.fewerLayers(honest), REQUEST,
                new int[] {5, 3})), InferenceCommitments.responseRoot(InferenceTrace.responseLeaves(skipping, REQUEST, new int[] {5, 3})),
                "the trace keeps the registered shape yet serves exactly the shorter model's logits");
        Outcome outcome = play(skipping, honest);
        assertEquals(Verdict.CHALLENGER_WINS, outcome.game().verdict());
        assertEquals(0, outcome.refused());
        assertEquals("add", io.verigrid.engine.Decoder.positionProgram(honest.model(), 0).get(outcome.game().operator()).kind());
    }

    @Test
    void aProviderRoundingLogitsToBf16LosesOnTheLmHead() {
        Outcome outcome = play(InferenceCheats.bf16Logits(honest), honest);
        assertEquals(Verdict.CHALLENGER_WINS, outcome.game().verdict());
        assertEquals(outcome.game().traceLength() - 1, outcome.game().operator(), "the LM head is the disputed operator");
        assertEquals(0, outcome.refused());
    }

    @Test
    void anHonestProviderWinsAgainstAChallengerWithOtherWeights() {
        Outcome outcome = play(honest, otherModel);
        assertEquals(Verdict.PROVIDER_WINS, outcome.game().verdict());
        assertEquals(0, outcome.refused());
    }

    @Test
    void anHonestProviderWinsAgainstABf16Challenger() {
        assertEquals(Verdict.PROVIDER_WINS, play(honest, InferenceCheats.bf16Logits(honest)).game().verdict());
    }

    @Test
    void roundsStayWithinTheSpecBound() {
        InferenceGame game = play(otherModel, honest).game();
        int positions = REQUEST.prompt().length + 4;
        int bound = 1 + ceilLog16(positions) + ceilLog16(game.traceLength()) + 1;
        assertTrue(game.rounds() <= bound, game.rounds() + " rounds > bound " + bound);
    }

    @Test
    void leavesThatGoOnPastAnEndTokenLoseWhenOpened() {
        List<ResponseLeaf> leaves = new ArrayList<>(InferenceTrace.responseLeaves(honest, REQUEST, new int[] {2, 1}));
        ResponseLeaf first = leaves.get(0);
        leaves.set(0, new ResponseLeaf(0, 0, 2, first.logitsRoot())); // end token, then position 1 follows
        InferenceGame game = InferenceGame.open(InferenceCommitments.responseRoot(leaves), new byte[32],
                REQUEST.prompt().length, leaves.size(), 10, 16, 5, 0);
        InferenceGame settled = game.openResponse(REQUEST, leaves, 1);
        assertEquals(Verdict.CHALLENGER_WINS, settled.verdict());
    }

    @Test
    void aBillLargerThanTheCommittedResponseLosesWhenOpenedEvenWithAnAgreedRoot() {
        List<ResponseLeaf> leaves = InferenceTrace.responseLeaves(honest, REQUEST, new int[] {2, 1});
        byte[] root = InferenceCommitments.responseRoot(leaves);
        InferenceGame overbilled = InferenceGame.open(root, root, REQUEST.prompt().length, 30, 10, 16, 5, 0);
        assertEquals(Verdict.CHALLENGER_WINS, overbilled.openResponse(REQUEST, leaves, 1).verdict());
        InferenceGame fair = InferenceGame.open(root, root, REQUEST.prompt().length, 3, 10, 16, 5, 0);
        InferenceGame opened = fair.openResponse(REQUEST, leaves, 1);
        assertEquals(InferenceGame.Phase.PICK, opened.phase(), "a fair bill with an agreed root leaves nothing to pick");
        assertEquals(Verdict.PROVIDER_WINS, opened.timeout(opened.deadline() + 1).verdict());
    }

    @Test
    void movesOutOfTurnOrWithWrongLeavesChangeNothing() {
        List<ResponseLeaf> leaves = InferenceTrace.responseLeaves(honest, REQUEST, new int[] {2, 1});
        InferenceGame game = InferenceGame.open(InferenceCommitments.responseRoot(leaves), new byte[32],
                REQUEST.prompt().length, leaves.size(), 10, 16, 5, 0);
        byte[] before = game.encode();
        InferenceGame.Context ctx = new InferenceGame.Context(REQUEST, t -> Decoder.positionProgram(honest.model(), t),
                honest.kvWidth(), InferenceCommitments.weightsRoot(honest.weights()));
        assertEquals("WRONG_PHASE", assertThrows(GameException.class, () -> game.play(Party.CHALLENGER,
                new InferenceMove.PickLeaf(0, 0, false), ctx, 1)).reason());
        assertEquals("NOT_YOUR_TURN", assertThrows(GameException.class, () -> game.play(Party.PROVIDER,
                new InferenceMove.PickLeaf(0, 0, false), ctx, 1)).reason());
        assertEquals("BAD_PROOF", assertThrows(GameException.class,
                () -> game.openResponse(REQUEST, leaves.subList(0, 2), 1)).reason());
        assertEquals("DEADLINE_PASSED", assertThrows(GameException.class, () -> game.openResponse(REQUEST, leaves, 6)).reason());
        assertArrayEquals(before, game.encode());
        assertEquals("MALFORMED", assertThrows(GameException.class, () -> InferenceMove.parse(new byte[] {9})).reason());
    }

    @Test
    void leavesThatGoOnPastACompletedStopSequenceLoseWhenOpenedEvenWithTheRightTokens() {
        int[] lengths = {5, 3};
        List<ResponseLeaf> honestLeaves = InferenceTrace.responseLeaves(honest, REQUEST, lengths);
        // The client's stop string is the two tokens choice 0 generates at positions 1 and 2: it must end at position 2.
        int[][] stop = {{honestLeaves.get(1).token(), honestLeaves.get(2).token()}};
        InferenceRequest stopped = new InferenceRequest(REQUEST.id(), REQUEST.prompt(), 2, 5, REQUEST.sampling(),
                REQUEST.stopTokens(), stop);
        List<ResponseLeaf> overrun = InferenceTrace.responseLeaves(honest, stopped, lengths);
        assertArrayEquals(InferenceCommitments.responseRoot(honestLeaves), InferenceCommitments.responseRoot(overrun),
                "the stop sequences change no token, only where a choice must end");
        assertEquals("choice 0 goes on past a stop sequence ending at position 2", InferenceGame.brokenRule(stopped, overrun));
        assertEquals(null, InferenceGame.brokenRule(REQUEST, overrun), "without the stop sequence the same leaves are fine");
        byte[] root = InferenceCommitments.responseRoot(overrun);
        // A verifier that re-executed the same tokens challenges with the same root: the bill is what it disputes.
        InferenceGame game = InferenceGame.open(root, root, stopped.prompt().length, overrun.size(), 10, 16, 5, 0);
        assertEquals(Verdict.CHALLENGER_WINS, game.openResponse(stopped, overrun, 1).verdict());
        List<ResponseLeaf> honestStop = InferenceTrace.responseLeaves(honest, stopped, new int[] {3, 3});
        assertEquals(null, InferenceGame.brokenRule(stopped, honestStop), "ending on the stop sequence keeps the rule");
        InferenceGame fair = InferenceGame.open(InferenceCommitments.responseRoot(honestStop), InferenceCommitments.responseRoot(honestStop),
                stopped.prompt().length, honestStop.size(), 10, 16, 5, 0);
        assertEquals(InferenceGame.Phase.PICK, fair.openResponse(stopped, honestStop, 1).phase());
    }

    @Test
    void stopSequencesEncodeCanonicallyAndLeaveRequestsWithoutThemAtVersionOne() {
        assertEquals(1, REQUEST.encode()[0], "no stop sequences: the version-1 bytes and hash of before");
        InferenceRequest a = new InferenceRequest("r", new int[] {1, 2}, 1, 8, REQUEST.sampling(), new int[] {2},
                new int[][] {{9, 4}, {3}, {9, 4}});
        InferenceRequest b = new InferenceRequest("r", new int[] {1, 2}, 1, 8, REQUEST.sampling(), new int[] {2},
                new int[][] {{3}, {9, 4}});
        assertEquals(3, a.encode()[0]);
        assertArrayEquals(a.encode(), b.encode(), "duplicates dropped, sequences in lexicographic order");
        assertArrayEquals(new int[][] {{3}, {9, 4}}, a.stopSequences());
        assertEquals(a, InferenceRequest.decode(a.encode()));
        assertArrayEquals(a.hash(), InferenceRequest.decode(a.encode()).hash());
        assertTrue(a.completesStopSequence(new int[] {5, 9, 4}, 2));
        assertTrue(a.completesStopSequence(new int[] {3}, 0));
        assertTrue(!a.completesStopSequence(new int[] {4, 9}, 1));
        // Version 3 without sequences, an empty or oversize one, more than four, trailing bytes: refused.
        byte[] bytes = a.encode();
        byte[] none = java.util.Arrays.copyOf(bytes, bytes.length - 4 * 5);
        java.nio.ByteBuffer.wrap(none).putInt(none.length - 4, 0);
        assertThrows(IllegalArgumentException.class, () -> InferenceRequest.decode(none));
        assertThrows(IllegalArgumentException.class, () -> InferenceRequest.decode(java.util.Arrays.copyOf(bytes, bytes.length + 1)));
        assertThrows(IllegalArgumentException.class, () -> new InferenceRequest("r", new int[] {1}, 1, 8, REQUEST.sampling(),
                new int[0], new int[][] {{}}));
        assertThrows(IllegalArgumentException.class, () -> new InferenceRequest("r", new int[] {1}, 1, 8, REQUEST.sampling(),
                new int[0], new int[][] {new int[InferenceRequest.MAX_STOP_SEQUENCE_TOKENS + 1]}));
        assertThrows(IllegalArgumentException.class, () -> new InferenceRequest("r", new int[] {1}, 1, 8, REQUEST.sampling(),
                new int[0], new int[][] {{1}, {2}, {3}, {4}, {5}}));
        assertEquals(0, InferenceRequest.embedding("e", new int[] {1}).stopSequences().length);
    }

    @Test
    void theRequestEncodingIsCanonical() {
        byte[] bytes = REQUEST.encode();
        assertEquals(REQUEST, InferenceRequest.decode(bytes));
        byte[] trailing = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        assertThrows(IllegalArgumentException.class, () -> InferenceRequest.decode(trailing));
        assertNotNull(REQUEST.hash());
    }

    private static int ceilLog16(int n) {
        int rounds = 0;
        for (long span = 1; span < n; span *= 16) rounds++;
        return rounds;
    }
}
