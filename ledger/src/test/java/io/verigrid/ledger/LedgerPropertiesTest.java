package io.verigrid.ledger;

import static io.verigrid.ledger.TestChain.keys;
import static org.junit.jupiter.api.Assertions.*;

import io.verigrid.ledger.tx.SignedTx;
import io.verigrid.ledger.tx.Tx;
import io.verigrid.ledger.tx.TxBody;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties over random sequences of transfers, stakes, unstakes and blocks, signed with nonces that are
 * right, replayed, stale or ahead: no balance or stake ever goes negative, supply moves only by the burn rule,
 * every wrong nonce is refused without a trace, and a snapshot restores the very same state root and keeps
 * agreeing with the original as the chain goes on.
 */
class LedgerPropertiesTest {
    private static final Params PARAMS = new Params(1_000, 0, 0, 3, 4, 1, 5, 16, 10, 1, 500_000, 500_000, 1 << 20,
            Params.DEFAULT_SAMPLE_PPM, 0);

    /** kind: 0 transfer, 1 stake, 2 unstake, 3 block; nonceShift: 0 right, -1 stale, +1/+2 ahead, 9 exact replay. */
    record Step(int kind, int from, int to, long amount, int nonceShift) {}

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = Combinators.combine(
                Arbitraries.integers().between(0, 3), Arbitraries.integers().between(1, 4),
                Arbitraries.integers().between(1, 4), Arbitraries.longs().between(1, 3 * TestChain.FUNDS),
                Arbitraries.of(0, 0, 0, 0, -1, 1, 2, 9)).as(Step::new);
        return step.list().ofMaxSize(60);
    }

    @Property(tries = 80)
    void balancesStayNonNegativeSupplyFollowsTheBurnAndWrongNoncesChangeNothing(@ForAll("steps") List<Step> steps) {
        LedgerState state = LedgerState.fromGenesis(TestChain.genesis(4, PARAMS));
        List<SignedTx> accepted = new ArrayList<>();
        for (Step s : steps) {
            if (s.kind() == 3) {
                state.applyBlock();
            } else if (s.nonceShift() == 9 && !accepted.isEmpty()) {
                SignedTx replay = accepted.get((int) (s.amount() % accepted.size()));
                assertRefusedUnchanged(state, replay, Rejection.DUPLICATE);
            } else {
                Keys from = keys(s.from());
                long expected = state.account(from.publicKey()).nonce() + 1;
                long nonce = Math.max(1, expected + (s.nonceShift() == 9 ? 0 : s.nonceShift()));
                SignedTx tx = sign(from, nonce, body(s));
                if (nonce != expected) {
                    // Signing is deterministic: a stale nonce with the same body is byte-identical to a tx already in.
                    boolean sameBytesApplied = accepted.stream().anyMatch(a -> java.util.Arrays.equals(a.encode(), tx.encode()));
                    assertRefusedUnchanged(state, tx, sameBytesApplied ? Rejection.DUPLICATE : Rejection.BAD_NONCE);
                } else {
                    long burnedBefore = state.burned();
                    TxResult r = state.apply(tx);
                    if (r.accepted()) {
                        accepted.add(tx);
                        assertEquals(burnedBefore + PARAMS.txFee(), state.burned(), "only the fee is burned");
                        assertEquals(expected, state.account(from.publicKey()).nonce());
                    }
                }
            }
            for (int k = 1; k <= 4; k++) {
                AccountView a = state.account(keys(k).publicKey());
                assertTrue(a.balance() >= 0 && a.stake() >= 0 && a.unbondingTotal() >= 0, a.toString());
            }
            assertEquals(state.genesisSupply() - state.burned(), state.totalSupply());
        }
    }

    @Property(tries = 40)
    void aSnapshotRestoresTheSameRootAndStaysInStepWithTheOriginal(@ForAll("steps") List<Step> steps) {
        LedgerState original = LedgerState.fromGenesis(TestChain.genesis(4, PARAMS));
        int half = steps.size() / 2;
        steps.subList(0, half).forEach(s -> applyRightNonce(original, s));
        LedgerState restored = LedgerState.decode(original.encode());
        assertArrayEquals(original.stateRoot(), restored.stateRoot());
        assertEquals(original.status(), restored.status());
        for (Step s : steps.subList(half, steps.size())) {
            Object a = applyRightNonce(original, s), b = applyRightNonce(restored, s);
            assertEquals(a, b);
            assertArrayEquals(original.stateRoot(), restored.stateRoot());
        }
        assertEquals(original.block(original.height()), restored.block(restored.height()));
    }

    @Property(tries = 30)
    void aBatchCheckedInParallelGivesTheSameResultsAsOneByOne(@ForAll("steps") List<Step> steps) {
        LedgerState serial = LedgerState.fromGenesis(TestChain.genesis(4, PARAMS));
        long[] nonces = new long[5];
        List<byte[]> batch = new ArrayList<>();
        for (Step s : steps) {
            if (s.kind() == 3) continue;
            Keys from = keys(s.from());
            byte[] bytes = sign(from, ++nonces[s.from()], body(s)).encode();
            if (s.nonceShift() == -1) bytes[bytes.length - 1] ^= 0x40; // a forged signature now and then
            batch.add(bytes);
        }
        List<TxResult> expected = new ArrayList<>();
        for (byte[] bytes : batch) expected.add(serial.applyEncoded(bytes));
        try (SignatureChecks checks = new SignatureChecks(4)) {
            LedgerStateMachine machine = new LedgerStateMachine(TestChain.genesis(4, PARAMS), checks);
            assertEquals(expected, machine.applyEntry(Entries.batch(batch), 1, 1));
            assertArrayEquals(serial.stateRoot(), machine.unsafeState().stateRoot());
        }
    }

    private static Object applyRightNonce(LedgerState state, Step s) {
        if (s.kind() == 3) return state.applyBlock();
        Keys from = keys(s.from());
        return state.apply(sign(from, state.account(from.publicKey()).nonce() + 1, body(s)));
    }

    private static void assertRefusedUnchanged(LedgerState state, SignedTx tx, String code) {
        byte[] root = state.stateRoot();
        long burned = state.burned();
        TxResult r = state.apply(tx);
        assertFalse(r.accepted());
        assertEquals(code, r.code(), r.message());
        assertArrayEquals(root, state.stateRoot(), "a refused transaction must change nothing");
        assertEquals(burned, state.burned());
    }

    private static TxBody body(Step s) {
        return switch (s.kind()) {
            case 0 -> new TxBody.Transfer(keys(s.to()).publicKey(), s.amount());
            case 1 -> new TxBody.Stake(s.amount());
            default -> new TxBody.Unstake(s.amount() / 4 + 1);
        };
    }

    private static SignedTx sign(Keys from, long nonce, TxBody body) {
        return SignedTx.sign(new Tx(TestChain.CHAIN, from.publicKey(), nonce, PARAMS.txFee(), body), from);
    }
}
