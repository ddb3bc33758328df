package io.verigrid.ledger;

import static io.verigrid.ledger.TestChain.keys;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.verigrid.engine.MlpJob;
import io.verigrid.ledger.tx.SignedTx;
import io.verigrid.ledger.tx.Tx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.Hashes;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Whatever sequence of transfers, stakes, unstakes, jobs, commitments, attestations and blocks arrives
 * (valid or not), supply = genesis − burned, and a snapshot decodes to the same state.
 */
class SupplyInvariantTest {
    /** A tiny job (4 units) so that posting it costs nothing. */
    private static final MlpJob TINY = new MlpJob(3, 2, 2, 2, 4, 2, 0.1f, 0.5f, 4, 1);

    record Op(int kind, int from, int to, long amount, boolean validNonce) {}

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> op = Combinators.combine(
                Arbitraries.integers().between(0, 8), Arbitraries.integers().between(1, 4),
                Arbitraries.integers().between(1, 4), Arbitraries.longs().between(1, 2 * TestChain.FUNDS),
                Arbitraries.of(true, true, true, false)).as(Op::new);
        return op.list().ofMaxSize(80);
    }

    @Property(tries = 60)
    void supplyIsGenesisMinusBurnedAfterAnySequence(@ForAll("ops") List<Op> ops) {
        Params params = new Params(1_000, 0, 0, 3, 4, 1, 5, 16, 10, 1, 500_000, 500_000, 1 << 20,
            Params.DEFAULT_SAMPLE_PPM, 0);
        LedgerState state = LedgerState.fromGenesis(TestChain.genesis(4, params));
        for (Op op : ops) {
            if (op.kind() == 3) {
                state.applyBlock();
            } else {
                Keys from = keys(op.from());
                long nonce = state.account(from.publicKey()).nonce() + (op.validNonce() ? 1 : 2);
                TxBody body = body(state, op);
                TxResult r = state.apply(SignedTx.sign(new Tx(TestChain.CHAIN, from.publicKey(), nonce, 1_000, body), from));
                Statistics.collect(body.getClass().getSimpleName(), r.accepted() ? "accepted" : r.code());
            }
            assertEquals(state.genesisSupply() - state.burned(), state.totalSupply());
        }
        assertArrayEquals(state.encode(), LedgerState.decode(state.encode()).encode());
    }

    private static TxBody body(LedgerState state, Op op) {
        long jobId = op.to() % 2 + 1;
        JobView job = state.job(jobId);
        int unit = job == null ? 1 : job.nextUnit();
        byte[] root = Hashes.sha256(new byte[] {(byte) unit});
        return switch (op.kind()) {
            case 0 -> new TxBody.Transfer(keys(op.to()).publicKey(), op.amount());
            case 1 -> new TxBody.Stake(op.amount());
            case 2 -> new TxBody.Unstake(op.amount() / 1000 + 1);
            case 4 -> new TxBody.PostJob(TINY.encode(), op.amount() / 1000 + 4, 0);
            case 5 -> new TxBody.AcceptJob(jobId);
            case 6, 8 -> new TxBody.CommitUnit(jobId, unit, root);
            default -> new TxBody.Attest(jobId, Math.max(1, unit - 1), Hashes.sha256(new byte[] {(byte) Math.max(1, unit - 1)}));
        };
    }
}
