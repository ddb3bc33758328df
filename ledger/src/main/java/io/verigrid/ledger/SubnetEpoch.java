package io.verigrid.ledger;

import io.verigrid.ledger.yuma.SparseRow;
import io.verigrid.ledger.yuma.YumaEpoch;
import io.verigrid.ledger.yuma.YumaInput;
import io.verigrid.ledger.yuma.YumaOutput;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A subnet's epoch inside the state machine: builds the {@link YumaInput} from ledger state, runs
 * {@link YumaEpoch#run} (the code behind {@code verigrid yuma epoch}), pays the owner's cut, miners'
 * incentive and validators' dividends, and stores bonds, permits and the metagraph.
 */
final class SubnetEpoch {
    private SubnetEpoch() {}

    /** The epoch input of {@code s} at block {@code height} distributing {@code raoEmission}. */
    static YumaInput input(Subnet s, long height, long raoEmission) {
        int n = s.neurons.size();
        SubnetHyperparams h = s.hyper;
        Map<String, Long> stakes = s.stakeByHotkey();
        YumaInput.Builder b = YumaInput.builder(n).currentBlock(height).tempo(h.tempo()).activityCutoff(h.activityCutoff())
                .lastMechanismStepBlock(s.lastEpoch).maxAllowedValidators(h.maxValidators()).kappa(h.kappa())
                .bondsPenalty(h.bondsPenalty()).bondsMovingAverage(h.bondsMovingAverage()).raoEmission(raoEmission)
                .yuma3(h.yuma3()).liquidAlpha(h.liquidAlpha()).ownerUid(ownerUid(s));
        List<SparseRow> weights = new ArrayList<>(n), bonds = new ArrayList<>(n);
        long[] commitBlocks = h.commitReveal() ? new long[n] : null;
        for (int uid = 0; uid < n; uid++) {
            Neuron nr = s.neurons.get(uid);
            b.stakeOf(uid, stakes.getOrDefault(nr.hotkey, 0L)).validatorPermitOf(uid, nr.permit)
                    .lastUpdateOf(uid, nr.lastUpdate).blockAtRegistrationOf(uid, nr.registeredAt);
            weights.add(nr.weights);
            bonds.add(nr.bonds);
            if (commitBlocks != null) {
                commitBlocks[uid] = YumaInput.NO_COMMIT;
                for (Subnet.Commit c : s.commits) if (c.hotkey().equals(nr.hotkey)) commitBlocks[uid] = Math.min(commitBlocks[uid], c.block());
            }
        }
        return b.weights(weights).bonds(bonds).commitBlocks(commitBlocks).build();
    }

    static int ownerUid(Subnet s) {
        int uid = s.uidOf(s.owner);
        return uid < 0 ? YumaInput.NO_OWNER : uid;
    }

    /** Runs the epoch due at {@code d.height}: owner cut, Yuma, payouts; what truncation leaves stays pending. */
    static void run(Draft d, Subnet s) {
        s.lastEpoch = d.height;
        if (s.neurons.isEmpty()) return;   // nobody to pay: the emission waits for the first UIDs
        long cut = Params.ppmOf(s.pending, s.hyper.ownerCutPpm());
        credit(d, s.owner, cut);
        long rao = s.pending - cut;
        YumaOutput out = YumaEpoch.run(input(s, d.height, rao));
        long paid = 0;
        for (int uid = 0; uid < s.neurons.size(); uid++) {
            Neuron nr = s.neurons.get(uid);
            credit(d, nr.hotkey, out.serverEmission()[uid]);
            payDividends(d, s, nr.hotkey, out.validatorEmission()[uid]);
            paid = Math.addExact(paid, Math.addExact(out.serverEmission()[uid], out.validatorEmission()[uid]));
            nr.bonds = out.bondsU16().get(uid);
            nr.permit = out.newValidatorPermits()[uid];
            nr.active = out.active()[uid];
            nr.consensus = out.consensusU16()[uid];
            nr.trust = out.validatorTrustU16()[uid];
            nr.incentive = out.incentiveU16()[uid];
            nr.dividends = out.dividendsU16()[uid];
            nr.emission = out.combinedEmission()[uid];
        }
        s.pending = rao - paid;
    }

    /** A validator's dividends go to its delegators in proportion to their stake; the rounding remainder to the hotkey. */
    private static void payDividends(Draft d, Subnet s, String hotkey, long amount) {
        if (amount == 0) return;
        String prefix = hotkey + "/";
        Map<String, Long> mine = s.delegations.subMap(prefix, prefix + Character.MAX_VALUE);
        long total = 0;
        for (long v : mine.values()) total = Math.addExact(total, v);
        long given = 0;
        if (total > 0) {
            for (Map.Entry<String, Long> e : mine.entrySet()) {
                long share = BigInteger.valueOf(amount).multiply(BigInteger.valueOf(e.getValue())).divide(BigInteger.valueOf(total)).longValueExact();
                credit(d, e.getKey().substring(prefix.length()), share);
                given += share;
            }
        }
        credit(d, hotkey, amount - given);
    }

    private static void credit(Draft d, String address, long amount) {
        if (amount == 0) return;
        Account a = d.account(address);
        a.balance = Math.addExact(a.balance, amount);
    }
}
