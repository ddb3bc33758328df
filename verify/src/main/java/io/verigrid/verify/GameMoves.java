package io.verigrid.verify;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.OpSpec;
import io.verigrid.engine.StepTrace;
import io.verigrid.engine.TrainingJob;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The moves an honest party makes, computed from its own {@link LocalRun}. A node uses the pieces (step roots,
 * picks, trace nodes, evidence) to build its move transactions; {@link #provider} and {@link #challenger} apply the
 * whole move to a game directly, for in-process play and tests.
 */
public final class GameMoves {
    private GameMoves() {}

    /** A challenger's trace move: dispute the assembly, or pick posted node {@code k} (with its output root at a leaf). */
    public record TracePick(boolean assembly, int k, byte[] outputRoot) {}

    /** The provider's state roots at the game's step points. */
    public static List<byte[]> stepRoots(DisputeGame game, LocalRun run) {
        List<byte[]> roots = new ArrayList<>();
        for (long point : game.stepPoints()) roots.add(run.stateRoot(point));
        return roots;
    }

    /** The first sub-range whose end root differs from this run's (the last one when only the end differs). */
    public static int stepPick(DisputeGame game, LocalRun run) {
        long[] points = game.stepPoints();
        List<byte[]> posted = game.postedRoots();
        for (int k = 0; k < points.length; k++) {
            if (!Arrays.equals(posted.get(k), run.stateRoot(points[k]))) return k;
        }
        return points.length;
    }

    /** This run's trace leaves of the step under dispute. */
    public static List<byte[]> traceLeaves(DisputeGame game, LocalRun run) {
        return Commitments.traceLeaves(run.trace(game.stepHi()));
    }

    /** The nodes the provider posts this trace round, from its own trace tree. */
    public static List<byte[]> traceNodes(DisputeGame game, LocalRun run) {
        List<byte[]> level = Merkle.levels(traceLeaves(game, run)).get(game.childLevel());
        return new ArrayList<>(level.subList(game.childStart(), game.childStart() + game.childCount()));
    }

    /**
     * The leftmost posted node that differs from this run's tree; the assembly when all agree at the root, or when the
     * provider's trace has another length than this run's.
     */
    public static TracePick tracePick(DisputeGame game, LocalRun run) {
        StepTrace trace = run.trace(game.stepHi());
        boolean atRoot = game.nodeLevel() == Merkle.height(game.traceLength());
        if (atRoot && game.traceLength() != trace.ops().size()) {
            // A trace of another length (tiles let it differ from the program's) has no leaf-by-leaf counterpart:
            // the step's assembly is disputed instead, refereed by re-running the step.
            return new TracePick(true, -1, null);
        }
        List<byte[]> own = Merkle.levels(Commitments.traceLeaves(trace)).get(game.childLevel());
        List<byte[]> posted = game.postedNodes();
        for (int k = 0; k < posted.size(); k++) {
            int position = game.childStart() + k;
            if (!Arrays.equals(posted.get(k), own.get(position))) {
                byte[] claim = game.childLevel() == 0 ? Commitments.outputRoot(trace.ops().get(position).output()) : null;
                return new TracePick(false, k, claim);
            }
        }
        if (game.nodeLevel() == Merkle.height(game.traceLength())) return new TracePick(true, -1, null);
        throw new IllegalStateException("no posted node differs below a disputed node: the nodes hash to it, so one must");
    }

    /**
     * The provider's evidence for the disputed leaf, exactly one of: a tile's {@link TileEvidence}, a tiled matmul's
     * assembly leaf's {@link TiledOutputEvidence}, or a whole operator's inputs (with the agreed leaf before it when
     * tiles make the trace longer than the program); and its output root of the leaf.
     */
    public record Settlement(TileEvidence tile, TiledOutputEvidence tiledOutput, List<InputEvidence> inputs,
                             PrecedingLeaf previous, byte[] outputRoot) {}

    /** The honest provider's {@link Settlement} of the game's disputed leaf, from its own run. */
    public static Settlement settlement(DisputeGame game, LocalRun run) {
        return settlement(run.job(), run.trace(game.stepHi()), game.operator(), run.state(game.stepLo()), run.dataset());
    }

    /** The {@link Settlement} of entry {@code j} of {@code trace}, whose step starts from {@code stateLo}. */
    public static Settlement settlement(TrainingJob job, StepTrace trace, int j, ModelState stateLo, Dataset dataset) {
        List<OpSpec> program = job.program(trace.step());
        byte[] outputRoot = Commitments.outputRoot(trace.ops().get(j).output());
        if (trace.ops().get(j).isTile()) {
            return new Settlement(TileEvidence.forTile(program, trace, j, stateLo, dataset), null, List.of(), null, outputRoot);
        }
        if (TiledOutputEvidence.isAssembly(trace, j)) {
            return new Settlement(null, TiledOutputEvidence.forAssembly(program, trace, j, stateLo, dataset), List.of(), null,
                    outputRoot);
        }
        PrecedingLeaf previous = trace.ops().size() > program.size() ? PrecedingLeaf.before(trace, j) : null;
        return new Settlement(null, null, InputEvidence.forOperator(job, stateLo, dataset, trace, j), previous, outputRoot);
    }

    /** Settles the game with {@code s} under {@code maxRefereeBytes}, the move its evidence calls for. */
    public static DisputeGame settle(DisputeGame game, TrainingJob job, byte[] datasetRoot, long maxRefereeBytes, Settlement s,
                                     long height) {
        if (s.tile() != null) return game.settleTile(job, datasetRoot, maxRefereeBytes, s.tile(), s.outputRoot(), height);
        if (s.tiledOutput() != null) {
            return game.settleTiledOutput(job, datasetRoot, maxRefereeBytes, s.tiledOutput(), s.outputRoot(), height);
        }
        return game.settleOperator(job, datasetRoot, s.inputs(), s.previous(), s.outputRoot(), maxRefereeBytes, height);
    }

    /** Applies the honest provider's move for the game's current state. */
    public static DisputeGame provider(DisputeGame game, LocalRun run, long height) {
        return switch (game.phase()) {
            case STEPS -> game.postStepRoots(stepRoots(game, run), height);
            case TRACE -> {
                if (game.providerTraceRoot() == null) {
                    StepTrace trace = run.trace(game.stepHi());
                    int programLength = run.job().program(game.stepHi()).size();
                    yield game.postTraceRoot(Commitments.traceRoot(trace), trace.ops().size(), programLength,
                            run.maxRefereeBytes(), height);
                }
                yield game.postTraceNodes(traceNodes(game, run), height);
            }
            case OPERATOR -> {
                // In-process play proves data against the root of the run's own dataset (a node uses the job's).
                byte[] datasetRoot = Commitments.datasetRoot(run.dataset());
                if (game.assemblyDisputed()) {
                    yield game.settleAssembly(run.job(), run.dataset(), datasetRoot, run.state(game.stepLo()), height);
                }
                yield settle(game, run.job(), datasetRoot, run.maxRefereeBytes(), settlement(game, run), height);
            }
            case SETTLED -> throw new IllegalStateException("the game is settled");
        };
    }

    /** Applies the honest challenger's move for the game's current state. */
    public static DisputeGame challenger(DisputeGame game, LocalRun run, long height) {
        return switch (game.phase()) {
            case STEPS -> game.pickStepRange(stepPick(game, run), height);
            case TRACE -> {
                TracePick pick = tracePick(game, run);
                yield pick.assembly() ? game.disputeAssembly(height) : game.pickTraceNode(pick.k(), pick.outputRoot(), height);
            }
            case OPERATOR, SETTLED -> throw new IllegalStateException("the challenger has no move in " + game.phase());
        };
    }
}
