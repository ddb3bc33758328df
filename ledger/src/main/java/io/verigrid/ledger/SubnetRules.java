package io.verigrid.ledger;

import io.verigrid.ledger.tx.SubnetTx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.ledger.yuma.SparseRow;
import io.verigrid.ledger.yuma.WeightRows;
import io.verigrid.verify.Hashes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Subnet rules: creation and hyperparameters, UID registration and replacement, delegated stake, weights
 * with commit-reveal, the model-quality subnet's score reports and challenges, and per block the issuance
 * and the epochs that are due.
 */
final class SubnetRules {
    /** Pending commits one hotkey may hold on one subnet. */
    static final int MAX_PENDING_COMMITS = 16;

    private SubnetRules() {}

    static void apply(Draft d, String sender, Account account, TxBody.SubnetBody body) {
        SubnetDraft sd = d.subnets();
        if (body instanceof SubnetTx.CreateSubnet c) {
            debitAndBurn(d, account, sd.issuance().subnetCost(), "subnet creation");
            sd.create(c.name(), c.task(), sender, d.height);
        } else if (body instanceof SubnetTx.SetHyperparams h) {
            Subnet s = sd.subnet(h.netuid());
            if (!s.owner.equals(sender)) throw new Rejection(Rejection.NOT_SUBNET_OWNER, "only the owner of subnet " + s.id + " sets its hyperparameters");
            if (h.hyperparams().maxUids() < s.neurons.size()) {
                throw new Rejection(Rejection.INVALID, "maxUids " + h.hyperparams().maxUids() + " is below the " + s.neurons.size() + " registered UIDs");
            }
            s.hyper = h.hyperparams();
        } else if (body instanceof SubnetTx.Register r) {
            register(d, sd.subnet(r.netuid()), sender, account);
        } else if (body instanceof SubnetTx.AddStake a) {
            Subnet s = sd.subnet(a.netuid());
            String hotkey = Hashes.hex(a.hotkey());
            if (s.uidOf(hotkey) < 0) throw new Rejection(Rejection.NOT_REGISTERED, "hotkey " + hotkey + " has no UID on subnet " + s.id);
            AccountRules.debit(account, a.amount(), "stake");
            s.delegations.merge(Subnet.delegationKey(hotkey, sender), a.amount(), Math::addExact);
        } else if (body instanceof SubnetTx.RemoveStake r) {
            Subnet s = sd.subnet(r.netuid());
            String key = Subnet.delegationKey(Hashes.hex(r.hotkey()), sender);
            long have = s.delegations.getOrDefault(key, 0L);
            if (r.amount() > have) throw new Rejection(Rejection.INSUFFICIENT_STAKE, "remove of " + r.amount() + " exceeds the " + have + " delegated");
            if (have == r.amount()) s.delegations.remove(key);
            else s.delegations.put(key, have - r.amount());
            account.balance = Math.addExact(account.balance, r.amount());
        } else if (body instanceof SubnetTx.SetWeights w) {
            Subnet s = sd.subnet(w.netuid());
            if (s.hyper.commitReveal()) {
                throw new Rejection(Rejection.COMMIT_REVEAL_ON, "subnet " + s.id + " uses commit-reveal: commit a hash, then reveal");
            }
            setWeights(d, s, sender, w.uids(), w.values());
        } else if (body instanceof SubnetTx.CommitWeights c) {
            commit(d, sd.subnet(c.netuid()), sender, c.hash());
        } else if (body instanceof SubnetTx.RevealWeights r) {
            reveal(d, sd.subnet(r.netuid()), sender, r);
        } else if (body instanceof SubnetTx.ServeAxon a) {
            Subnet s = sd.subnet(a.netuid());
            s.neurons.get(uid(s, sender)).axon = a.url();
        } else if (body instanceof SubnetTx.PublishModel m) {
            Subnet s = modelSubnet(sd, m.netuid());
            int uid = uid(s, sender);
            if (m.weights().length != ModelQuality.MODEL_SIZE || !ModelQuality.finite(m.weights())) {
                throw new Rejection(Rejection.BAD_MODEL, "a model is " + ModelQuality.MODEL_SIZE + " finite float32 weights, got "
                        + m.weights().length + " values");
            }
            s.neurons.get(uid).model = m.weights();
        } else if (body instanceof SubnetTx.PublishScores p) {
            ScoreChallenges.publish(d, scoredSubnet(sd, p.netuid()), sender, account, p);
        } else if (body instanceof SubnetTx.ChallengeScores c) {
            ScoreChallenges.challenge(d, modelSubnet(sd, c.netuid()), sender, account, c.reportId());
        } else if (body instanceof SubnetTx.CommitModel m) {
            Subnet s = lmSubnet(sd, m.netuid());
            s.neurons.get(uid(s, sender)).modelCommitment = m.commitment();
        } else if (body instanceof SubnetTx.ChallengeModelScore c) {
            ScoreChallenges.challengeModel(d, lmSubnet(sd, c.netuid()), sender, account, c);
        } else {
            throw new IllegalStateException("no subnet rule for body " + body.getClass().getSimpleName());
        }
    }

    /** At a block: mint the block's emission into the subnets, run the epochs that are due, expire old commits. */
    static void onBlock(Draft d) {
        SubnetDraft sd = d.subnets();
        if (sd.count() == 0) return;
        long share = sd.issuance().perBlock(d.height) / sd.count();
        for (int id : sd.ids()) {
            Subnet s = sd.subnet(id);
            s.pending = Math.addExact(s.pending, share);
            sd.minted = Math.addExact(sd.minted, share);
            if (d.height > s.createdAt && (d.height - s.createdAt) % s.hyper.tempo() == 0) SubnetEpoch.run(d, s);
            s.commits.removeIf(c -> c.block() + s.hyper.commitRevealWindow() < d.height);
        }
    }

    private static void register(Draft d, Subnet s, String hotkey, Account account) {
        if (s.uidOf(hotkey) >= 0) throw new Rejection(Rejection.ALREADY_REGISTERED, hotkey + " already has UID " + s.uidOf(hotkey) + " on subnet " + s.id);
        int uid = s.neurons.size();
        if (uid >= s.hyper.maxUids()) {
            uid = pruneCandidate(s, d.height);
            if (uid < 0) throw new Rejection(Rejection.SUBNET_FULL, "subnet " + s.id + " is full and every UID is inside its immunity period");
        }
        debitAndBurn(d, account, d.subnets().issuance().registrationCost(), "registration");
        if (uid == s.neurons.size()) {
            s.neurons.add(new Neuron(hotkey, d.height));
        } else {
            replace(s, uid, hotkey, d.height);
        }
    }

    /** The UID with the lowest last emission among those past their immunity period (older, then lower UID, on ties); -1 if none. */
    static int pruneCandidate(Subnet s, long height) {
        int best = -1;
        for (int uid = 0; uid < s.neurons.size(); uid++) {
            Neuron n = s.neurons.get(uid);
            if (height - n.registeredAt < s.hyper.immunityPeriod()) continue;
            if (best < 0) {
                best = uid;
                continue;
            }
            Neuron b = s.neurons.get(best);
            if (n.emission < b.emission || (n.emission == b.emission && n.registeredAt < b.registeredAt)) best = uid;
        }
        return best;
    }

    /** The chain's deregistration side effects (spec §10), then the new hotkey in the freed UID. */
    private static void replace(Subnet s, int uid, String hotkey, long height) {
        String old = s.neurons.get(uid).hotkey;
        s.commits.removeIf(c -> c.hotkey().equals(old));
        s.neurons.set(uid, new Neuron(hotkey, height));
        for (Neuron n : s.neurons) {
            int k = Arrays.binarySearch(n.weights.columns(), uid);
            if (k < 0) continue;
            long[] values = n.weights.values().clone();
            values[k] = 0;   // weights pointing at the freed UID become 0, entries kept
            n.weights = new SparseRow(n.weights.columns(), values);
        }
    }

    private static void setWeights(Draft d, Subnet s, String sender, int[] uids, int[] values) {
        int uid = uid(s, sender);
        if (uids.length != values.length) {
            throw new Rejection(Rejection.WEIGHTS_LENGTH, uids.length + " uids but " + values.length + " values");
        }
        int n = s.neurons.size();
        boolean[] seen = new boolean[n];
        for (int k = 0; k < uids.length; k++) {
            if (uids[k] < 0 || uids[k] >= n) throw new Rejection(Rejection.UNKNOWN_UID, "uids[" + k + "] = " + uids[k] + " is not a UID of subnet " + s.id + " (n=" + n + ")");
            if (seen[uids[k]]) throw new Rejection(Rejection.DUPLICATE_UID, "uid " + uids[k] + " appears twice");
            seen[uids[k]] = true;
            if (values[k] < 0 || values[k] > 65535) throw new Rejection(Rejection.BAD_WEIGHT, "values[" + k + "] = " + values[k] + " is not a u16");
        }
        Neuron self = s.neurons.get(uid);
        boolean selfOnly = uids.length == 1 && uids[0] == uid;
        if (!self.permit && !selfOnly) {
            throw new Rejection(Rejection.NO_VALIDATOR_PERMIT, "UID " + uid + " has no validator permit on subnet " + s.id + " (only a self-weight is allowed)");
        }
        int[] order = sortedIndex(uids);
        int[] columns = new int[uids.length];
        int[] sortedValues = new int[uids.length];
        for (int k = 0; k < order.length; k++) {
            columns[k] = uids[order[k]];
            sortedValues[k] = values[order[k]];
        }
        int[] stored = WeightRows.maxUpscale(sortedValues);
        long[] row = new long[stored.length];
        for (int k = 0; k < stored.length; k++) row[k] = stored[k];
        self.weights = new SparseRow(columns, row);
        self.lastUpdate = d.height;
    }

    private static void commit(Draft d, Subnet s, String sender, byte[] hash) {
        uid(s, sender);
        if (!s.hyper.commitReveal()) throw new Rejection(Rejection.COMMIT_REVEAL_OFF, "subnet " + s.id + " takes weights directly (SetWeights)");
        long pending = s.commits.stream().filter(c -> c.hotkey().equals(sender)).count();
        if (pending >= MAX_PENDING_COMMITS) throw new Rejection(Rejection.TOO_MANY_COMMITS, pending + " commits already pending");
        s.commits.add(new Subnet.Commit(sender, hash.clone(), d.height));
    }

    private static void reveal(Draft d, Subnet s, String sender, SubnetTx.RevealWeights r) {
        uid(s, sender);
        if (!s.hyper.commitReveal()) throw new Rejection(Rejection.COMMIT_REVEAL_OFF, "subnet " + s.id + " takes weights directly (SetWeights)");
        List<Subnet.Commit> mine = new ArrayList<>();
        for (Subnet.Commit c : s.commits) if (c.hotkey().equals(sender)) mine.add(c);
        if (mine.isEmpty()) throw new Rejection(Rejection.NO_COMMIT, "no pending weight commit from " + sender + " on subnet " + s.id);
        byte[] hash = SubnetTx.commitHash(s.id, Hashes.unhex(sender), r.uids(), r.values(), r.salt());
        Subnet.Commit match = null;
        for (Subnet.Commit c : mine) if (Arrays.equals(c.hash(), hash)) match = c;
        if (match == null) throw new Rejection(Rejection.COMMIT_MISMATCH, "the revealed weights and salt do not hash to any pending commit");
        if (match.block() >= d.height) throw new Rejection(Rejection.REVEAL_TOO_EARLY, "reveal in a later block than the commit (" + match.block() + ")");
        s.commits.remove(match);
        setWeights(d, s, sender, r.uids(), r.values());
    }

    static int uid(Subnet s, String hotkey) {
        int uid = s.uidOf(hotkey);
        if (uid < 0) throw new Rejection(Rejection.NOT_REGISTERED, hotkey + " has no UID on subnet " + s.id);
        return uid;
    }

    private static Subnet modelSubnet(SubnetDraft sd, int netuid) {
        Subnet s = sd.subnet(netuid);
        if (s.task != Subnet.TASK_MODEL_QUALITY) throw new Rejection(Rejection.NOT_MODEL_SUBNET, "subnet " + netuid + " is not a model-quality subnet");
        return s;
    }

    private static Subnet lmSubnet(SubnetDraft sd, int netuid) {
        Subnet s = sd.subnet(netuid);
        if (s.task != Subnet.TASK_LM_QUALITY) throw new Rejection(Rejection.NOT_MODEL_SUBNET, "subnet " + netuid + " is not an LM-quality subnet");
        return s;
    }

    /** A subnet whose validators publish score reports: model quality or LM quality. */
    private static Subnet scoredSubnet(SubnetDraft sd, int netuid) {
        Subnet s = sd.subnet(netuid);
        if (s.task != Subnet.TASK_MODEL_QUALITY && s.task != Subnet.TASK_LM_QUALITY) {
            throw new Rejection(Rejection.NOT_MODEL_SUBNET, "subnet " + netuid + " has no scored task");
        }
        return s;
    }

    private static void debitAndBurn(Draft d, Account account, long amount, String what) {
        AccountRules.debit(account, amount, what);
        d.burn(amount);
    }

    private static int[] sortedIndex(int[] keys) {
        Integer[] idx = new Integer[keys.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, (a, b) -> Integer.compare(keys[a], keys[b]));
        int[] out = new int[idx.length];
        for (int i = 0; i < out.length; i++) out[i] = idx[i];
        return out;
    }
}
