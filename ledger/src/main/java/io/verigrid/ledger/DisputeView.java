package io.verigrid.ledger;

import io.verigrid.verify.DisputeGame;
import io.verigrid.verify.Hashes;
import java.util.List;

/**
 * A dispute as queries show it: the parties and locked amounts, the game's fields (hashes in hex; see
 * {@link DisputeGame} for their meaning), whose turn it is ({@code turnAddress}), and the outcome once
 * settled. {@code game} is the hex of {@link DisputeGame#encode()}: a party decodes it with {@link #decodeGame()}
 * to compute its next move with verify's {@code GameMoves}.
 */
public record DisputeView(long id, long jobId, int unit, String provider, String challenger, long bond, long fee,
                          long openedHeight, String phase, String turn, String turnAddress, long deadline,
                          long stepLo, long stepHi, long[] stepPoints, String rootLo, String providerRootHi,
                          String challengerUnitRoot, List<String> postedRoots, String providerTraceRoot,
                          int traceLength, int nodeLevel, int nodePosition, int childLevel, int childStart,
                          int childCount, List<String> postedNodes, int operator, String challengerOutputRoot,
                          String providerOutputRoot, int rounds, int moves, String verdict, DisputeOutcome outcome,
                          String game) {

    public DisputeGame decodeGame() {
        return DisputeGame.decode(Hashes.unhex(game));
    }

    /** The game of a preprocessing dispute ({@code PreprocessGame.isEncoding}); its fields above are filled as far as they apply. */
    public io.verigrid.verify.PreprocessGame decodePreprocessGame() {
        return io.verigrid.verify.PreprocessGame.decode(Hashes.unhex(game));
    }

    static DisputeView of(Dispute d) {
        if (io.verigrid.verify.PreprocessGame.isEncoding(d.game)) return PreprocessRules.disputeView(d);
        DisputeGame g = d.game();
        boolean settled = g.phase() == DisputeGame.Phase.SETTLED;
        String turnAddress = settled ? null : g.turn() == DisputeGame.Party.PROVIDER ? d.provider : d.challenger;
        return new DisputeView(d.id, d.jobId, d.unit, d.provider, d.challenger, d.bond, d.fee, d.openedHeight,
                g.phase().name(), settled ? null : g.turn().name(), turnAddress, g.deadline(), g.stepLo(), g.stepHi(),
                settled ? new long[0] : g.stepPoints(), Hashes.hex(g.rootLo()), Hashes.hex(g.providerRootHi()),
                Hashes.hex(g.challengerUnitRoot()), hexAll(g.postedRoots()), hexOrNull(g.providerTraceRoot()),
                g.traceLength(), g.nodeLevel(), g.nodePosition(), g.childLevel(), g.childStart(), g.childCount(),
                hexAll(g.postedNodes()), g.operator(), hexOrNull(g.challengerOutputRoot()),
                hexOrNull(g.providerOutputRoot()), g.rounds(), g.moves(),
                g.verdict() == null ? null : g.verdict().name(), d.outcome, Hashes.hex(d.game));
    }

    private static List<String> hexAll(List<byte[]> hashes) {
        return hashes.stream().map(Hashes::hex).toList();
    }

    private static String hexOrNull(byte[] hash) {
        return hash == null ? null : Hashes.hex(hash);
    }
}
