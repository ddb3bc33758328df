package io.verigrid.ledger;

import io.verigrid.ledger.tx.ByteReader;
import io.verigrid.ledger.tx.ByteWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** One subnet's mutable ledger entry. Rules work on copies ({@link SubnetDraft}) and commit them whole. */
final class Subnet {
    static final int TASK_GENERIC = 0;
    /** The built-in verified-model-quality task ({@link ModelQuality}). */
    static final int TASK_MODEL_QUALITY = 1;
    /** The built-in language-model quality task ({@link LmQuality}): miners commit to served Llama models. */
    static final int TASK_LM_QUALITY = 2;

    static String taskName(int task) {
        return switch (task) {
            case TASK_MODEL_QUALITY -> "model-quality";
            case TASK_LM_QUALITY -> "lm-quality";
            default -> "generic";
        };
    }

    record Commit(String hotkey, byte[] hash, long block) {}

    /**
     * A validator's published scores and the models they were computed on (so a challenge recomputes the same):
     * the classifiers themselves on the model-quality subnet, the miners' model commitments on the LM subnet.
     */
    record ScoreReport(long id, String validator, long evalBlock, byte[] evalSeed, int[] scores, List<float[]> models,
                       List<byte[]> commitments, long height, String status) {
        static final String OPEN = "OPEN", UPHELD = "UPHELD", OVERTURNED = "OVERTURNED";

        ScoreReport withStatus(String s) {
            return new ScoreReport(id, validator, evalBlock, evalSeed, scores, models, commitments, height, s);
        }
    }

    final int id;
    final String name;
    final int task;
    final String owner;
    final long createdAt;
    SubnetHyperparams hyper;
    long lastEpoch;
    long pending;                 // minted for this subnet, paid out at its next epoch
    final List<Neuron> neurons = new ArrayList<>();
    final TreeMap<String, Long> delegations = new TreeMap<>();   // key: hotkey + "/" + delegator
    final List<Commit> commits = new ArrayList<>();
    final TreeMap<Long, ScoreReport> reports = new TreeMap<>();
    long nextReportId = 1;

    Subnet(int id, String name, int task, String owner, long createdAt, SubnetHyperparams hyper) {
        this.id = id;
        this.name = name;
        this.task = task;
        this.owner = owner;
        this.createdAt = createdAt;
        this.hyper = hyper;
    }

    Subnet copy() {
        Subnet c = new Subnet(id, name, task, owner, createdAt, hyper);
        c.lastEpoch = lastEpoch;
        c.pending = pending;
        for (Neuron n : neurons) c.neurons.add(n.copy());
        c.delegations.putAll(delegations);
        c.commits.addAll(commits);
        c.reports.putAll(reports);
        c.nextReportId = nextReportId;
        return c;
    }

    /** The UID of {@code hotkey}, or -1. */
    int uidOf(String hotkey) {
        for (int uid = 0; uid < neurons.size(); uid++) if (neurons.get(uid).hotkey.equals(hotkey)) return uid;
        return -1;
    }

    static String delegationKey(String hotkey, String delegator) {
        return hotkey + "/" + delegator;
    }

    /** Σ stake delegated to each hotkey. */
    Map<String, Long> stakeByHotkey() {
        Map<String, Long> sums = new TreeMap<>();
        delegations.forEach((key, amount) -> sums.merge(key.substring(0, key.indexOf('/')), amount, Math::addExact));
        return sums;
    }

    /** Units this subnet holds for others: delegated stake, pending emission and nothing else. */
    long locked() {
        long total = pending;
        for (long v : delegations.values()) total = Math.addExact(total, v);
        return total;
    }

    void write(ByteWriter out) {
        out.i32(id).string(name).u8(task).string(owner).i64(createdAt);
        hyper.write(out);
        out.i64(lastEpoch).i64(pending).i32(neurons.size());
        for (Neuron n : neurons) n.write(out);
        out.i32(delegations.size());
        delegations.forEach((k, v) -> out.string(k).i64(v));
        out.i32(commits.size());
        for (Commit c : commits) out.string(c.hotkey()).raw(c.hash()).i64(c.block());
        out.i32(reports.size());
        for (ScoreReport r : reports.values()) {
            out.i64(r.id()).string(r.validator()).i64(r.evalBlock()).raw(r.evalSeed()).i32(r.scores().length);
            for (int s : r.scores()) out.i32(s);
            out.i32(r.models().size());
            for (float[] m : r.models()) {
                out.i32(m.length);
                for (float f : m) out.i32(Float.floatToRawIntBits(f));
            }
            out.byteList(r.commitments());
            out.i64(r.height()).string(r.status());
        }
        out.i64(nextReportId);
    }

    static Subnet read(ByteReader in) {
        Subnet s = new Subnet(in.i32("netuid"), in.string("name"), in.u8("task"), in.string("owner"), in.i64("createdAt"),
                SubnetHyperparams.read(in));
        s.lastEpoch = in.i64("lastEpoch");
        s.pending = in.i64("pending");
        for (int i = in.count("neurons", 8); i > 0; i--) s.neurons.add(Neuron.read(in));
        for (int i = in.count("delegations", 12); i > 0; i--) s.delegations.put(in.string("delegation"), in.i64("amount"));
        for (int i = in.count("commits", 44); i > 0; i--) s.commits.add(new Commit(in.string("hotkey"), in.raw(32, "hash"), in.i64("block")));
        for (int i = in.count("reports", 40); i > 0; i--) {
            long id = in.i64("reportId");
            String validator = in.string("validator");
            long evalBlock = in.i64("evalBlock");
            byte[] seed = in.raw(32, "evalSeed");
            int[] scores = new int[in.count("scores", 4)];
            for (int k = 0; k < scores.length; k++) scores[k] = in.i32("score");
            List<float[]> models = new ArrayList<>();
            for (int m = in.count("models", 4); m > 0; m--) {
                float[] w = new float[in.count("model", 4)];
                for (int k = 0; k < w.length; k++) w[k] = Float.intBitsToFloat(in.i32("model value"));
                models.add(w);
            }
            List<byte[]> commitments = in.byteList("commitments");
            s.reports.put(id, new ScoreReport(id, validator, evalBlock, seed, scores, List.copyOf(models), List.copyOf(commitments), in.i64("height"),
                    in.string("status")));
        }
        s.nextReportId = in.i64("nextReportId");
        return s;
    }
}
