package io.verigrid.node.subnet;

import io.verigrid.ledger.ChainStatus;
import io.verigrid.ledger.Keys;
import io.verigrid.ledger.LmQuality;
import io.verigrid.ledger.NeuronView;
import io.verigrid.ledger.ScoreReportView;
import io.verigrid.ledger.SubnetView;
import io.verigrid.ledger.TxResult;
import io.verigrid.ledger.tx.SubnetTx;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.verify.Hashes;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A validator of the LM-quality subnet. Every {@code everyBlocks} blocks it runs one {@link #round()}: it takes
 * the last block's hash as the evaluation seed, fetches every miner's committed model files, scores them with
 * {@link LmQuality#score} (the referee's own definition), publishes the scores and sets its weights from them
 * (commit then reveal on a commit-reveal subnet). In the same round it audits the other validators' open
 * reports by the same recomputation and challenges any score that differs, carrying the miner's files so the
 * ledger can replay it.
 */
public final class ValidatorNode implements AutoCloseable {
    public record Config(String name, Keys keys, String ledgerUrl, int netuid, int everyBlocks) {
        public Config {
            if (netuid < 0) throw new IllegalArgumentException("netuid must be non-negative, got " + netuid);
            if (everyBlocks < 1) throw new IllegalArgumentException("everyBlocks must be at least 1, got " + everyBlocks);
        }
    }

    /** What one round did: the evaluation block, the published scores and the reports it challenged. */
    public record Round(long evalBlock, int[] scores, List<Long> challenged) {}

    private final Config config;
    private final LedgerHttp ledger;
    private final Wallet wallet;
    private final ModelFetcher fetcher = new ModelFetcher();
    private final Consumer<String> log;
    private final Map<Long, Boolean> audited = new HashMap<>();
    private final SecureRandom saltSource = new SecureRandom();
    private SubnetTx.RevealWeights pendingReveal;
    private final Thread loop;
    private volatile boolean running = true;

    public ValidatorNode(Config config, Consumer<String> log) {
        this.config = config;
        this.log = log;
        ledger = new LedgerHttp(config.ledgerUrl());
        SubnetLookup.lmSubnet(ledger, config.netuid());
        wallet = new Wallet(config.name(), config.keys(), ledger);
        if (SubnetLookup.uidOf(ledger, config.netuid(), wallet.address()) < 0) {
            throw new IllegalArgumentException("key " + config.name() + " (" + wallet.address() + ") is not registered on subnet " + config.netuid()
                    + "; register it first (`verigrid subnet register --netuid " + config.netuid() + " --from " + config.name() + "`)");
        }
        loop = new Thread(this::runLoop, "validator-" + config.name());
        loop.setDaemon(true);
    }

    /** Starts the round loop; {@link #round()} may also be driven directly. */
    public ValidatorNode start() {
        loop.start();
        return this;
    }

    public Wallet wallet() {
        return wallet;
    }

    /** One round: score, publish, set weights, audit the others. */
    public synchronized Round round() {
        ChainStatus status = ledger.status();
        long evalBlock = status.height() - 1;
        if (evalBlock < 1) throw new IllegalStateException("the chain has no past block to seed an evaluation yet (height " + status.height() + ")");
        byte[] seed = LmQuality.evalSeed(config.netuid(), Hashes.unhex(ledger.block(evalBlock).hash()));
        List<NeuronView> metagraph = ledger.metagraph(config.netuid());
        int[] scores = new int[metagraph.size()];
        for (NeuronView n : metagraph) {
            if (n.modelCommitment().isEmpty()) continue;
            ModelFiles files = fetcher.fetch(n.axon(), n.modelCommitment());
            scores[n.uid()] = LmQuality.score(seed, files.configJson(), files.safetensors());
        }
        wallet.submitOrThrow(new SubnetTx.PublishScores(config.netuid(), evalBlock, scores));
        setWeights(scores);
        log.accept("validator " + config.name() + " scored " + scores.length + " UIDs on block " + evalBlock + ": " + java.util.Arrays.toString(scores));
        return new Round(evalBlock, scores, audit(metagraph));
    }

    /**
     * Weights from the scores of the scored UIDs, min-max scaled to u16: the best model gets 65535, the worst 0
     * (all equal: 65535 each; none scored: no weights this round). Relative scaling keeps the weight gap as
     * wide as the quality gap, so Yuma's consensus clipping cuts a minority's weight on the worse model to 0.
     */
    private void setWeights(int[] scores) {
        long max = 0, min = Long.MAX_VALUE;
        for (int s : scores) {
            if (s == 0) continue;
            max = Math.max(max, s);
            min = Math.min(min, s);
        }
        if (max == 0) return;
        List<Integer> uids = new ArrayList<>();
        List<Integer> values = new ArrayList<>();
        for (int uid = 0; uid < scores.length; uid++) {
            if (scores[uid] == 0) continue;
            int value = max == min ? 65535 : (int) ((scores[uid] - min) * 65535L / (max - min));
            if (value == 0) continue;
            uids.add(uid);
            values.add(value);
        }
        int[] u = uids.stream().mapToInt(Integer::intValue).toArray();
        int[] v = values.stream().mapToInt(Integer::intValue).toArray();
        // Permits come from the last epoch: a validator that has none yet publishes scores but sets no weights.
        boolean permitted = ledger.metagraph(config.netuid()).stream()
                .anyMatch(n -> n.hotkey().equals(wallet.address()) && n.validatorPermit());
        if (!permitted) {
            log.accept("validator " + config.name() + ": no validator permit yet (it comes with the next epoch); weights wait");
            return;
        }
        SubnetView subnet = ledger.subnet(config.netuid());
        if (!subnet.hyperparams().commitReveal()) {
            wallet.submitOrThrow(new SubnetTx.SetWeights(config.netuid(), u, v));
            return;
        }
        if (pendingReveal != null) {
            TxResult revealed = wallet.submit(pendingReveal);
            if (!revealed.accepted()) log.accept("validator " + config.name() + ": reveal not accepted: " + revealed.code() + " " + revealed.message());
        }
        byte[] salt = new byte[16];
        saltSource.nextBytes(salt);
        wallet.submitOrThrow(new SubnetTx.CommitWeights(config.netuid(), SubnetTx.commitHash(config.netuid(), wallet.keys().publicKey(), u, v, salt)));
        pendingReveal = new SubnetTx.RevealWeights(config.netuid(), u, v, salt);
    }

    /** Recomputes every other validator's open report once and challenges the first wrong score in each. */
    private List<Long> audit(List<NeuronView> metagraph) {
        List<Long> challenged = new ArrayList<>();
        for (ScoreReportView r : ledger.scoreReports(config.netuid())) {
            if (r.validator().equals(wallet.address()) || !"OPEN".equals(r.status()) || audited.containsKey(r.id())) continue;
            audited.put(r.id(), true);
            byte[] seed = LmQuality.evalSeed(config.netuid(), Hashes.unhex(ledger.block(r.evalBlock()).hash()));
            for (int uid = 0; uid < r.scores().size(); uid++) {
                String commitment = r.commitments().get(uid);
                ModelFiles files = commitment.isEmpty() ? new ModelFiles(new byte[0], new byte[0])
                        : fetcher.fetch(metagraph.get(uid).axon(), commitment);
                int expected = commitment.isEmpty() ? 0 : LmQuality.score(seed, files.configJson(), files.safetensors());
                if (expected == r.scores().get(uid)) continue;
                TxResult result = wallet.submit(new SubnetTx.ChallengeModelScore(config.netuid(), r.id(), uid, files.configJson(), files.safetensors()));
                log.accept("validator " + config.name() + " challenged report " + r.id() + " of " + r.validator() + " at UID " + uid
                        + " (published " + r.scores().get(uid) + ", recomputed " + expected + "): " + result.code());
                if (result.accepted()) challenged.add(r.id());
                break;
            }
        }
        return challenged;
    }

    private void runLoop() {
        long last = -1;
        while (running) {
            try {
                long height = ledger.status().height();
                if (last < 0 || height >= last + config.everyBlocks()) {
                    round();
                    last = height;
                }
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.accept("validator " + config.name() + ": round failed: " + e.getMessage());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        loop.interrupt();
    }
}
