package io.verigrid.ledger;

import static io.verigrid.ledger.TestChain.keys;
import static io.verigrid.ledger.TestChain.tx;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.verigrid.ledger.tx.TxBody;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever sequence of transfers, stakes, unstakes and blocks arrives, supply = genesis − burned. */
class SupplyInvariantTest {
    record Op(int kind, int from, int to, long amount, boolean validNonce) {}

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> op = Combinators.combine(
                Arbitraries.integers().between(0, 3), Arbitraries.integers().between(1, 4),
                Arbitraries.integers().between(1, 4), Arbitraries.longs().between(1, 2 * TestChain.FUNDS),
                Arbitraries.of(true, true, true, false)).as(Op::new);
        return op.list().ofMaxSize(60);
    }

    @Property(tries = 60)
    void supplyIsGenesisMinusBurnedAfterAnySequence(@ForAll("ops") List<Op> ops) {
        Params params = new Params(1_000, 0, 0, 3, 10, 2, 5, 16, 10, 1, 500_000, 500_000, 1 << 20);
        LedgerState state = LedgerState.fromGenesis(TestChain.genesis(4, params));
        for (Op op : ops) {
            Keys from = keys(op.from());
            long nonce = state.account(from.publicKey()).nonce() + (op.validNonce() ? 1 : 2);
            TxBody body = switch (op.kind()) {
                case 0 -> new TxBody.Transfer(keys(op.to()).publicKey(), op.amount());
                case 1 -> new TxBody.Stake(op.amount());
                case 2 -> new TxBody.Unstake(op.amount() / 4 + 1);
                default -> null;
            };
            if (body == null) {
                state.applyBlock();
            } else {
                io.verigrid.ledger.tx.SignedTx signed = io.verigrid.ledger.tx.SignedTx.sign(
                        new io.verigrid.ledger.tx.Tx(TestChain.CHAIN, from.publicKey(), nonce, 1_000, body), from);
                state.apply(signed);
            }
            assertEquals(state.genesisSupply() - state.burned(), state.totalSupply());
        }
    }
}
