package io.verigrid.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.Decoder;
import io.verigrid.engine.LlamaConfig;
import io.verigrid.engine.LlamaModel;
import io.verigrid.engine.MatmulTiles;
import io.verigrid.engine.OpSet;
import io.verigrid.engine.OpSpec;
import io.verigrid.engine.Tensor;
import io.verigrid.engine.generate.SamplingParams;
import io.verigrid.verify.InferenceCommitments.ResponseLeaf;
import io.verigrid.verify.InferenceGame.Party;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Inference disputes on a model whose embedding table and LM head are too large for the referee: width 64, vocabulary
 * 4 096 (two 1 MiB tables) under a 384 KiB bound. The LM head is traced as four tiles and an assembly leaf, the
 * embedding settles from the chunks of one row, and every settling move stays within the bound. Bad evidence loses
 * for the provider, who had to supply it.
 */
class TiledInferenceTest {
    static final long BOUND = 384 * 1024;
    static final int VOCAB = 4096;
    static final InferenceRequest REQUEST = new InferenceRequest("chatcmpl-tiled", new int[] {1, 40, 41}, 1, 3,
            new SamplingParams(0.9f, 0, 1f, 77), new int[] {2});
    static LlamaModel model;
    static InferenceTrace.Replica honest;
    static InferenceTrace.Replica lmHeadCheat;
    static InferenceTrace.Replica embeddingCheat;
    static InferenceLayout layout;
    static final int CHEATED_COLUMN = 2 * 1024 + 5;

    @BeforeAll
    static void models() {
        model = new LlamaModel(new LlamaConfig(64, 128, 2, 4, 2, VOCAB, 32, 1e-5f, 10000f, false));
        SortedMap<String, Tensor> weights = model.initialParameters(21);
        honest = new InferenceTrace.Replica(model, weights, null);
        lmHeadCheat = new InferenceTrace.Replica(model, bumped(weights, "lm_head.weight", CHEATED_COLUMN * 64 + 3), null);
        embeddingCheat = new InferenceTrace.Replica(model, bumped(weights, "model.embed_tokens.weight",
                REQUEST.prompt()[0] * 64 + 7), null);
        layout = InferenceLayout.of(model, BOUND);
    }

    /** The weights with one element of {@code name} moved up by one ulp-ish step. */
    static SortedMap<String, Tensor> bumped(SortedMap<String, Tensor> weights, String name, int element) {
        SortedMap<String, Tensor> copy = new TreeMap<>(weights);
        float[] data = weights.get(name).data().clone();
        data[element] += 0.25f;
        copy.put(name, Tensor.of(weights.get(name).shape(), data));
        return copy;
    }

    static InferenceGame.Context context() {
        return new InferenceGame.Context(REQUEST, t -> Decoder.positionProgram(model, t), model.kvWidth(),
                InferenceCommitments.weightsRoot(honest.weights()), layout);
    }

    /** The game played by the two replicas' players up to (not including) the provider's settling move. */
    record AtOperator(InferenceGame game, InferencePlayer provider, long height) {}

    static AtOperator untilOperator(InferenceTrace.Replica providerSide, InferenceTrace.Replica challengerSide) {
        int[] lengths = {3};
        List<ResponseLeaf> served = InferenceTrace.responseLeaves(providerSide, REQUEST, lengths);
        byte[] challengerRoot = InferenceCommitments.responseRoot(InferenceTrace.responseLeaves(challengerSide, REQUEST, lengths));
        InferenceGame game = InferenceGame.open(InferenceCommitments.responseRoot(served), challengerRoot, REQUEST.prompt().length,
                served.size(), layout.traceLength(), 16, 5, 0);
        InferencePlayer provider = new InferencePlayer(Party.PROVIDER, REQUEST, providerSide, served, BOUND);
        InferencePlayer challenger = new InferencePlayer(Party.CHALLENGER, REQUEST, challengerSide, null, BOUND);
        long height = 1;
        while (game.phase() != InferenceGame.Phase.OPERATOR) {
            InferenceMove move = (game.turn() == Party.PROVIDER ? provider : challenger).next(game);
            game = game.play(game.turn(), InferenceMove.decode(move.encode()), context(), height++);
        }
        return new AtOperator(game, provider, height);
    }

    static InferenceGame settle(AtOperator at, InferenceMove move) {
        return at.game().play(Party.PROVIDER, InferenceMove.decode(move.encode()), context(), at.height());
    }

    /** An honest settling move fits the bound plus its proofs. */
    static InferenceMove honestMove(AtOperator at) {
        InferenceMove move = at.provider().next(at.game());
        assertTrue(move.encode().length < BOUND + 16 * 1024, "the move carries " + move.encode().length + " bytes");
        return move;
    }

    @Test
    void theLmHeadIsTracedAsTilesAndAnAssemblyWhoseLeafIsStillTheLogits() {
        int ops = Decoder.positionProgram(model, 0).size();
        List<MatmulTiles.Tile> head = layout.plan(ops - 1);
        assertEquals(4, head.size(), "four 1 024-column tiles");
        assertEquals(ops + 4, layout.traceLength());
        assertEquals(InferenceLayout.Kind.ASSEMBLY, layout.entry(layout.traceLength() - 1).kind());
        for (int p = 0; p < ops - 1; p++) assertNull(layout.plan(p), "only the LM head is over the bound: op " + p);
        assertEquals(ops, InferenceLayout.of(model, MatmulTiles.DEFAULT_MAX_REFEREE_BYTES).traceLength(),
                "under 4 MiB nothing is tiled and the trace is the untiled one");
        int[] prompt = REQUEST.prompt();
        int last = prompt.length - 1;
        InferenceTrace tiled = InferenceTrace.run(honest, prompt, BOUND);
        InferenceTrace whole = InferenceTrace.run(honest, prompt, MatmulTiles.UNLIMITED);
        ResponseLeaf first = InferenceTrace.responseLeaves(honest, REQUEST, new int[] {1}).get(0);
        byte[] logits = tiled.outputRoot(last, layout.traceLength() - 1);
        assertArrayEquals(whole.outputRoot(last, ops - 1), logits, "the assembly leaf holds the untiled logits root");
        assertArrayEquals(Commitments.traceLeaf(ops - 1, "matmul", OpSet.VERSION, first.logitsRoot()),
                tiled.traceLeaves(last).get(layout.traceLength() - 1), "the response's logits root is the trace's last leaf");
        assertArrayEquals(whole.traceLeaves(0).subList(0, ops - 1).toArray(), tiled.traceLeaves(0).subList(0, ops - 1).toArray());
    }

    @Test
    void aProviderWithOneWrongLmHeadWeightLosesAtTheTileHoldingItsColumn() {
        AtOperator at = untilOperator(lmHeadCheat, honest);
        InferenceLayout.Entry entry = layout.entry(at.game().operator());
        assertEquals(InferenceLayout.Kind.TILE, entry.kind());
        assertEquals(2, entry.tileIndex(), "column " + CHEATED_COLUMN + " is in the third tile");
        InferenceMove move = honestMove(at);
        InferenceMove.SettleTile tile = assertInstanceOf(InferenceMove.SettleTile.class, move);
        assertTrue(tile.evidence().inputBytes() <= BOUND, "the referee reads " + tile.evidence().inputBytes() + " bytes");
        assertEquals(Verdict.CHALLENGER_WINS, settle(at, move).verdict());
    }

    @Test
    void anHonestProviderWinsAtTheTileAgainstAChallengerWithAWrongLmHeadWeight() {
        AtOperator at = untilOperator(honest, lmHeadCheat);
        assertEquals(2, layout.entry(at.game().operator()).tileIndex());
        InferenceMove move = honestMove(at);
        assertEquals(Verdict.PROVIDER_WINS, settle(at, move).verdict());
        // The same leaf settled with the wrong kind of evidence, a tampered chunk, a missing chunk or another tile loses.
        InferenceMove.SettleTile good = (InferenceMove.SettleTile) move;
        TileEvidence e = good.evidence();
        assertEquals(Verdict.CHALLENGER_WINS, settle(at, new InferenceMove.SettleOperator(List.of(), good.outputRoot())).verdict());
        List<TileEvidence.Chunk> chunks = new ArrayList<>(e.b().chunks());
        byte[] bent = chunks.get(0).bytes().clone();
        bent[0] ^= 1;
        chunks.set(0, new TileEvidence.Chunk(chunks.get(0).index(), bent, chunks.get(0).proof()));
        assertEquals(Verdict.CHALLENGER_WINS, settle(at, new InferenceMove.SettleTile(withB(e, chunks), good.outputRoot())).verdict());
        assertEquals(Verdict.CHALLENGER_WINS, settle(at, new InferenceMove.SettleTile(withB(e, e.b().chunks().subList(1,
                e.b().chunks().size())), good.outputRoot())).verdict());
        TileEvidence other = new TileEvidence(e.programIndex(), layout.plan(e.programIndex()).get(1), e.a(), e.b(), null, null);
        assertEquals(Verdict.CHALLENGER_WINS, settle(at, new InferenceMove.SettleTile(other, good.outputRoot())).verdict());
    }

    static TileEvidence withB(TileEvidence e, List<TileEvidence.Chunk> chunks) {
        TileEvidence.BlockEvidence b = e.b();
        return new TileEvidence(e.programIndex(), e.tile(), e.a(), new TileEvidence.BlockEvidence(b.shape(), b.tensorRoot(),
                b.sourceProof(), chunks), e.acc(), e.accProof());
    }

    @Test
    void aProviderWithAWrongEmbeddingRowLosesAtTheEmbeddingFromThatRowsChunks() {
        AtOperator at = untilOperator(embeddingCheat, honest);
        assertEquals(0, at.game().position());
        assertEquals(0, at.game().operator());
        InferenceMove move = honestMove(at);
        InferenceMove.SettleRows rows = assertInstanceOf(InferenceMove.SettleRows.class, move);
        assertEquals(1, rows.table().chunks().size(), "one 256-byte row sits in one chunk");
        assertEquals(Verdict.CHALLENGER_WINS, settle(at, move).verdict());
    }

    @Test
    void anHonestProviderWinsAtTheEmbeddingAndBadRowEvidenceLoses() {
        AtOperator at = untilOperator(honest, embeddingCheat);
        assertEquals(0, at.game().operator());
        InferenceMove.SettleRows good = (InferenceMove.SettleRows) honestMove(at);
        assertEquals(Verdict.PROVIDER_WINS, settle(at, good).verdict());
        TileEvidence.BlockEvidence table = good.table();
        Function<List<TileEvidence.Chunk>, InferenceMove> with = chunks -> new InferenceMove.SettleRows(
                new TileEvidence.BlockEvidence(table.shape(), table.tensorRoot(), table.sourceProof(), chunks), good.outputRoot());
        // Missing chunks.
        assertEquals(Verdict.CHALLENGER_WINS, settle(at, with.apply(List.of())).verdict());
        // A proven chunk, but one holding another row.
        Tensor embed = honest.weights().get("model.embed_tokens.weight");
        int otherRowChunk = InferenceReferee.rowChunks(VOCAB - 1, 256).first();
        byte[] bytes = java.util.Arrays.copyOfRange(embed.toBytes(), otherRowChunk * Commitments.CHUNK_BYTES,
                (otherRowChunk + 1) * Commitments.CHUNK_BYTES);
        TileEvidence.Chunk wrong = new TileEvidence.Chunk(otherRowChunk, bytes,
                Commitments.chunkProof("model.embed_tokens.weight", embed, otherRowChunk));
        assertEquals(Verdict.CHALLENGER_WINS, settle(at, with.apply(List.of(wrong))).verdict());
        // The right chunk index with a proof for another chunk.
        TileEvidence.Chunk right = table.chunks().get(0);
        assertEquals(Verdict.CHALLENGER_WINS, settle(at, with.apply(List.of(new TileEvidence.Chunk(right.index(), right.bytes(),
                wrong.proof())))).verdict());
        // A tampered chunk.
        byte[] bent = right.bytes().clone();
        bent[5] ^= 4;
        assertEquals(Verdict.CHALLENGER_WINS, settle(at, with.apply(List.of(new TileEvidence.Chunk(right.index(), bent,
                right.proof())))).verdict());
        // The table proven as another weight, and more chunks than the referee reads.
        Tensor head = honest.weights().get("lm_head.weight");
        assertEquals(Verdict.CHALLENGER_WINS, settle(at, new InferenceMove.SettleRows(new TileEvidence.BlockEvidence(table.shape(),
                Commitments.tensorRoot("lm_head.weight", head), InferenceCommitments.weightProof(honest.weights(), "lm_head.weight"),
                table.chunks()), good.outputRoot())).verdict());
        List<TileEvidence.Chunk> all = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            all.add(new TileEvidence.Chunk(i, java.util.Arrays.copyOfRange(embed.toBytes(), i * Commitments.CHUNK_BYTES,
                    (i + 1) * Commitments.CHUNK_BYTES), Commitments.chunkProof("model.embed_tokens.weight", embed, i)));
        }
        assertEquals(Verdict.CHALLENGER_WINS, settle(at, with.apply(all)).verdict(), "7 chunks are over the 384 KiB bound");
        // Whole-operator evidence of the embedding is still sound when it fits.
        InferenceTrace trace = InferenceTrace.run(honest, new int[] {REQUEST.prompt()[0]}, BOUND);
        assertEquals(Verdict.PROVIDER_WINS, settle(at, new InferenceMove.SettleOperator(trace.evidence(0, 0), good.outputRoot()))
                .verdict());
    }

    @Test
    void anAssemblyIsSettledFromItsOutputAndTheProofsOfItsTiles() {
        int[] fed = {1, 40};
        InferenceTrace trace = InferenceTrace.run(honest, fed, BOUND);
        int last = layout.traceLength() - 1;
        int p = layout.programLength() - 1;
        InferenceMove.SettleAssembly move = assertInstanceOf(InferenceMove.SettleAssembly.class, trace.settlement(1, last));
        InferenceMove.SettleAssembly carried = (InferenceMove.SettleAssembly) InferenceMove.decode(move.encode());
        byte[] other = Hashes.sha256(new byte[] {9});
        byte[] root = trace.traceRoot(1);
        assertEquals(Verdict.PROVIDER_WINS, InferenceReferee.decideAssembly(layout, p, carried.output(), carried.tiles(), root,
                carried.outputRoot(), other));
        float[] bent = carried.output().data().clone();
        bent[3000] = Math.nextUp(bent[3000]);
        assertEquals(Verdict.CHALLENGER_WINS, InferenceReferee.decideAssembly(layout, p, Tensor.of(carried.output().shape(), bent),
                carried.tiles(), root, Commitments.outputRoot(Tensor.of(carried.output().shape(), bent)), other),
                "an output its agreed tiles do not give");
        assertEquals(Verdict.CHALLENGER_WINS, InferenceReferee.decideAssembly(layout, p, carried.output(),
                carried.tiles().subList(0, 3), root, carried.outputRoot(), other), "a missing tile proof");
        List<LeafProof> swapped = new ArrayList<>(carried.tiles());
        swapped.set(0, carried.tiles().get(1));
        assertEquals(Verdict.CHALLENGER_WINS, InferenceReferee.decideAssembly(layout, p, carried.output(), swapped, root,
                carried.outputRoot(), other), "a proof of another tile");
        assertEquals(Verdict.CHALLENGER_WINS, InferenceReferee.decideAssembly(layout, p, carried.output(), carried.tiles(),
                trace.traceRoot(0), carried.outputRoot(), other), "tiles of another position");
    }

    @Test
    void theWholeOperatorsAfterATiledOneProveTheirInputsAtTheLayoutsLeaves() {
        int[] fed = {1, 40, 41};
        InferenceTrace trace = InferenceTrace.run(honest, fed, BOUND);
        byte[] weightsRoot = InferenceCommitments.weightsRoot(honest.weights());
        byte[] other = Hashes.sha256(new byte[] {7});
        for (int t : new int[] {0, 2}) {
            List<OpSpec> program = Decoder.positionProgram(model, t);
            for (int j = 0; j < layout.traceLength(); j++) {
                InferenceLayout.Entry e = layout.entry(j);
                InferenceMove move = trace.settlement(t, j);
                if (move instanceof InferenceMove.SettleOperator m) {
                    assertEquals(Verdict.PROVIDER_WINS, InferenceReferee.decide(program, layout, e.programIndex(), m.inputs(),
                            weightsRoot, model.kvWidth(), t, fed[t], trace.traceRoot(t), t > 0 ? trace.traceRoot(t - 1) : null,
                            m.outputRoot(), other), "position " + t + " leaf " + j);
                }
                assertTrue(move.encode().length < BOUND + 64 * 1024, "leaf " + j + " settles in " + move.encode().length + " bytes");
            }
        }
    }

    @Test
    void roundsStayWithinTheSpecBoundWithTheTiledTraceLength() {
        AtOperator at = untilOperator(lmHeadCheat, honest);
        InferenceGame settled = settle(at, honestMove(at));
        int bound = 1 + ceilLog16(REQUEST.prompt().length) + ceilLog16(settled.traceLength()) + 1;
        assertTrue(settled.rounds() <= bound, settled.rounds() + " rounds > " + bound);
        assertEquals(layout.traceLength(), settled.traceLength());
    }

    @Test
    void malformedSettlingMovesAreRefusedAsMalformed() {
        AtOperator at = untilOperator(honest, embeddingCheat);
        byte[] good = honestMove(at).encode();
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 1);
        assertEquals("MALFORMED", assertThrows(GameException.class, () -> InferenceMove.parse(truncated)).reason());
        byte[] trailing = java.util.Arrays.copyOf(good, good.length + 1);
        assertEquals("MALFORMED", assertThrows(GameException.class, () -> InferenceMove.parse(trailing)).reason());
        byte[] hugeCount = new InferenceMove.SettleAssembly(Tensor.zeros(1, 1), List.of(), new byte[32]).encode();
        hugeCount[1 + 4 + 8 + 4 + 4 + 3] = 0x7f; // the tile count's top byte
        assertEquals("MALFORMED", assertThrows(GameException.class, () -> InferenceMove.parse(hugeCount)).reason());
    }

    /**
     * A matmul too long along K for one block: a one-layer model with a 32 768-wide MLP under 300 KiB, whose
     * down_proj (1 × 32 768 · 32 768 × 64) is 64 column tiles of two K-blocks each. A weight changed in the second
     * half of K leaves the first K-block agreed, so the dispute lands on a chained tile settled from the carried
     * accumulator (proven as the leaf before it).
     */
    @Test
    void aChainedKBlockTileIsSettledFromItsCarriedAccumulator() {
        long bound = 300 * 1024;
        LlamaModel wide = new LlamaModel(new LlamaConfig(64, 32_768, 1, 4, 2, 512, 16, 1e-5f, 10000f, false));
        SortedMap<String, Tensor> weights = wide.initialParameters(8);
        String down = "model.layers.0.mlp.down_proj.weight";
        InferenceLayout wideLayout = InferenceLayout.of(wide, bound);
        List<OpSpec> program = Decoder.positionProgram(wide, 0);
        int downOp = -1;
        for (int p = 0; p < program.size(); p++) {
            if (program.get(p).inputs().contains(io.verigrid.engine.InputRef.state(down))) downOp = p;
        }
        List<MatmulTiles.Tile> plan = wideLayout.plan(downOp);
        assertEquals(128, plan.size(), "64 columns × 2 K-blocks");
        assertEquals(16_384, plan.get(1).k0());
        int column = 10;
        InferenceTrace.Replica honestWide = new InferenceTrace.Replica(wide, weights, null);
        InferenceTrace.Replica lying = new InferenceTrace.Replica(wide, bumped(weights, down, column * 32_768 + 20_000), null);
        int[] fed = {1, 40};
        InferenceTrace mine = InferenceTrace.run(honestWide, fed, bound);
        InferenceTrace theirs = InferenceTrace.run(lying, fed, bound);
        int first = -1;
        for (int j = 0; j < wideLayout.traceLength() && first < 0; j++) {
            if (!java.util.Arrays.equals(mine.traceLeaves(0).get(j), theirs.traceLeaves(0).get(j))) first = j;
        }
        InferenceLayout.Entry entry = wideLayout.entry(first);
        assertEquals(InferenceLayout.Kind.TILE, entry.kind());
        assertEquals(new MatmulTiles.Tile(0, 1, column, 1, 16_384, 16_384), entry.tile(), "the chained K-block of column 10");
        byte[] weightsRoot = InferenceCommitments.weightsRoot(weights);
        for (InferenceTrace side : List.of(mine, theirs)) {
            InferenceMove.SettleTile move = assertInstanceOf(InferenceMove.SettleTile.class, side.settlement(0, first));
            InferenceMove.SettleTile carried = (InferenceMove.SettleTile) InferenceMove.decode(move.encode());
            assertTrue(carried.evidence().acc() != null && carried.evidence().inputBytes() <= bound,
                    "reads " + carried.evidence().inputBytes() + " bytes with the accumulator");
            Verdict verdict = TileReferee.decide(program, first, side.traceLeaves(0).get(first), carried.evidence(), weightsRoot,
                    side.traceRoot(0), wideLayout.traceLength(), new byte[32], bound, carried.outputRoot(),
                    (side == mine ? theirs : mine).outputRoot(0, first));
            assertEquals(side == mine ? Verdict.PROVIDER_WINS : Verdict.CHALLENGER_WINS, verdict);
        }
    }

    private static int ceilLog16(int n) {
        int rounds = 0;
        for (long span = 1; span < n; span *= 16) rounds++;
        return rounds;
    }
}
