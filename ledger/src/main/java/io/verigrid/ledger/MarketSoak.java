package io.verigrid.ledger;

import io.verigrid.engine.MlpJob;
import io.verigrid.ledger.tx.SignedTx;
import io.verigrid.ledger.tx.Tx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.Commitments;
import io.verigrid.verify.Hashes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A property check of the market rules: many buyers and providers act in random interleavings (orders, bids at
 * random prices, commits, attestations, heartbeats, cancels, blocks) and after every step the state must hold
 * its invariants: at most one active lease per order and it is the job's lessee, no escrow below zero or above
 * what the order escrowed, a job's payments equal its paid units, supply conserved, and a rejected transaction
 * leaves the state root as it was. Seeded, so a failure can be replayed.
 */
public final class MarketSoak {
    private static final String CHAIN = "verigrid-market-soak";
    private static final long TOKEN = Params.UNITS_PER_TOKEN;

    /**
     * What a run saw: {@code steps} taken, {@code accepted} transactions, {@code leases} won and {@code failedLeases}
     * among them, {@code completedOrders}, and the contract breaks.
     */
    public record Report(long tries, long steps, long accepted, long leases, long failedLeases, long completedOrders,
                         long failures, List<String> firstFailures) {
        public boolean passed() {
            return failures == 0;
        }
    }

    private MarketSoak() {}

    public static Report run(int tries, int stepsPerTry, long seed) {
        if (tries < 0 || stepsPerTry < 0) throw new IllegalArgumentException("tries and stepsPerTry must not be negative");
        SplittableRandom random = new SplittableRandom(seed);
        MlpJob spec = new MlpJob(3, 4, 8, 2, 64, 16, 0.05f, 0.9f, 20, 10);
        byte[] dataset = Commitments.datasetRoot(spec.dataset());
        long steps = 0, accepted = 0, failures = 0, leases = 0, failedLeases = 0, completed = 0;
        List<String> first = new ArrayList<>();
        for (int t = 0; t < tries; t++) {
            Run run = new Run(random.split(), spec, dataset);
            for (int s = 0; s < stepsPerTry; s++) {
                steps++;
                String broken;
                try {
                    if (run.step()) accepted++;
                    broken = run.invariantBroken();
                } catch (RuntimeException e) {
                    broken = "rules threw " + e;
                }
                if (broken != null) {
                    failures++;
                    if (first.size() < 5) first.add("try " + t + " step " + s + ": " + broken);
                    break;
                }
            }
            leases += run.state.market.leases.size();
            failedLeases += run.state.market.leases.values().stream().filter(l -> l.status == Lease.Status.FAILED).count();
            completed += run.state.market.orders.values().stream().filter(o -> o.status == Order.Status.DONE).count();
        }
        return new Report(tries, steps, accepted, leases, failedLeases, completed, failures, List.copyOf(first));
    }

    /** One chain with 3 buyers and 5 staked, registered providers. */
    private static final class Run {
        final SplittableRandom random;
        final MlpJob spec;
        final byte[] dataset;
        final List<Keys> buyers = new ArrayList<>();
        final List<Keys> providers = new ArrayList<>();
        final LedgerState state;
        String lastRejectedRootBreak;

        Run(SplittableRandom random, MlpJob spec, byte[] dataset) {
            this.random = random;
            this.spec = spec;
            this.dataset = dataset;
            List<GenesisAccount> funded = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                byte[] seed = new byte[32];
                seed[0] = (byte) (i + 1);
                seed[1] = 0x33;
                Keys k = Keys.fromSeed(seed);
                (i < 3 ? buyers : providers).add(k);
                funded.add(new GenesisAccount(k.publicKey(), 10_000 * TOKEN));
            }
            state = LedgerState.fromGenesis(new Genesis(CHAIN, funded, Params.defaults()));
            for (Keys p : providers) {
                send(p, new TxBody.Stake(Params.defaults().minProviderStake() + random.nextLong(5) * TOKEN));
                send(p, new TxBody.RegisterProvider("http://127.0.0.1:1", 500 + random.nextLong(2_000), 1L << 33, 1L << 35));
            }
        }

        boolean send(Keys k, TxBody body) {
            SignedTx tx = SignedTx.sign(new Tx(CHAIN, k.publicKey(), state.account(k.publicKey()).nonce() + 1,
                    Params.defaults().txFee(), body), k);
            byte[] before = state.stateRoot();
            TxResult r = state.apply(tx);
            if (!r.accepted() && !Arrays.equals(before, state.stateRoot())) {
                lastRejectedRootBreak = "rejected " + body.getClass().getSimpleName() + " (" + r.code() + ") changed the state root";
            }
            return r.accepted();
        }

        <T> T pick(List<T> list) {
            return list.get(random.nextInt(list.size()));
        }

        long someOrder() {
            long n = state.market.nextOrderId - 1;
            return n == 0 ? 1 : 1 + random.nextLong(n + 1); // sometimes one past the last: an unknown order
        }

        boolean step() {
            int op = random.nextInt(100);
            if (op < 8) {
                long max = 1 + random.nextLong(5 * TOKEN);
                return send(pick(buyers), new TxBody.PostOrder(MarketRules.KIND_MLP, spec.encode(), dataset, max, 0,
                        random.nextLong(1L << 34), random.nextLong(3_000), 1 + random.nextInt(4), 4 + random.nextInt(40)));
            }
            if (op < 28) return send(pick(providers), new TxBody.PlaceBid(someOrder(), 1 + random.nextLong(6 * TOKEN)));
            if (op < 48) {
                // The lessee (or an impostor) commits the next unit, with a root an attester can reproduce.
                Order o = state.market.orders.get(someOrder());
                if (o == null) return false;
                Job j = state.jobs.get(o.jobId);
                Keys who = random.nextInt(4) == 0 ? pick(providers) : byAddress(j.lessee);
                int unit = j.commits.size() + 1;
                return who != null && send(who, new TxBody.CommitUnit(j.id, unit, root(j.id, unit)));
            }
            if (op < 62) {
                Order o = state.market.orders.get(someOrder());
                if (o == null) return false;
                Job j = state.jobs.get(o.jobId);
                if (j.commits.isEmpty()) return false;
                int unit = 1 + random.nextInt(j.commits.size());
                return send(pick(providers), new TxBody.Attest(j.id, unit, root(j.id, unit)));
            }
            if (op < 85) {
                List<Lease> active = state.market.leases.values().stream().filter(l -> l.status == Lease.Status.ACTIVE).toList();
                if (active.isEmpty()) return false;
                Lease l = pick(active);
                return send(random.nextInt(5) == 0 ? pick(providers) : byAddress(l.provider), new TxBody.Heartbeat(l.id));
            }
            if (op < 88) return send(pick(buyers), new TxBody.CancelOrder(someOrder()));
            int blocks = 1 + random.nextInt(3);
            for (int i = 0; i < blocks; i++) state.applyBlock();
            return false;
        }

        Keys byAddress(String address) {
            if (address == null) return null;
            for (Keys k : providers) if (k.address().equals(address)) return k;
            return null;
        }

        static byte[] root(long job, int unit) {
            return Hashes.sha256(new byte[] {(byte) job, (byte) unit});
        }

        String invariantBroken() {
            if (lastRejectedRootBreak != null) return lastRejectedRootBreak;
            if (state.genesisSupply() + state.minted() != state.totalSupply() + state.burned()) {
                return "supply not conserved: " + state.totalSupply() + " + burned " + state.burned() + " != " + state.genesisSupply();
            }
            for (Account a : state.accounts.values()) {
                if (a.balance < 0 || a.stake < 0) return "negative balance or stake";
            }
            for (Bid b : state.market.bids.values()) {
                boolean holds = b.status == Bid.Status.OPEN || b.status == Bid.Status.WON;
                if (b.deposit < 0 || (!holds && b.deposit != 0)) return "bid " + b.id + " " + b.status + " holds deposit " + b.deposit;
                Lease won = b.status == Bid.Status.WON ? state.market.leases.values().stream().filter(l -> l.bidId == b.id).findFirst().orElse(null) : null;
                if (won != null && won.status != Lease.Status.ACTIVE && b.deposit != 0) return "bid " + b.id + " keeps its deposit after lease " + won.id + " ended";
            }
            for (Order o : state.market.orders.values()) {
                Job j = state.jobs.get(o.jobId);
                List<Lease> active = state.market.leases.values().stream()
                        .filter(l -> l.orderId == o.id && l.status == Lease.Status.ACTIVE).toList();
                if (active.size() > 1) return "order " + o.id + " has " + active.size() + " active leases";
                if (o.status == Order.Status.LEASED) {
                    if (active.size() != 1 || active.get(0).id != o.leaseId) return "leased order " + o.id + " without its one active lease";
                    // A job whose last unit was just verified is DONE; its lease completes at the next block.
                    boolean running = j.status == Job.Status.LEASED || j.status == Job.Status.DONE;
                    if (!running || !active.get(0).provider.equals(j.lessee)) {
                        return "order " + o.id + "'s job " + j.id + " is " + j.status + " leased by " + j.lessee + ", not the lease's provider";
                    }
                } else if (!active.isEmpty()) {
                    return "order " + o.id + " is " + o.status + " but lease " + active.get(0).id + " is active";
                }
                long paidUnits = 0;
                for (Job.Commit c : j.commits) {
                    if (c.paid() > o.maxUnitPrice) return "job " + j.id + " paid " + c.paid() + " for a unit above the order's maximum";
                    paidUnits += c.paid();
                }
                if (paidUnits != j.paid) return "job " + j.id + " paid " + j.paid + " but its units sum to " + paidUnits;
                if (j.escrow < 0) return "job " + j.id + " escrow overdrawn: " + j.escrow;
                if (j.escrow + j.paid > o.maxUnitPrice * o.units) return "job " + j.id + " holds more than the order escrowed";
            }
            return null;
        }
    }
}
