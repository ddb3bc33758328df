package io.verigrid.node.subnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.generate.TinyLlama;
import io.verigrid.ledger.AccountView;
import io.verigrid.ledger.Genesis;
import io.verigrid.ledger.GenesisAccount;
import io.verigrid.ledger.Issuance;
import io.verigrid.ledger.Keys;
import io.verigrid.ledger.LmQuality;
import io.verigrid.ledger.NeuronView;
import io.verigrid.ledger.Params;
import io.verigrid.ledger.PeerConfig;
import io.verigrid.ledger.ScoreReportView;
import io.verigrid.ledger.SubnetHyperparams;
import io.verigrid.ledger.TxResult;
import io.verigrid.ledger.tx.SubnetTx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.LedgerNode;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.verify.Hashes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LM-quality subnet on a real one-peer ledger with two miners serving different tiny Llama models through
 * real gateways: the honest validator's weights make the better model earn more incentive; a validator that
 * inflates a score is challenged by the honest one's audit and slashed; a challenge of the honest report is
 * upheld and costs the honest validator nothing.
 */
@Timeout(180)
class SubnetRolesTest {
    private static final long TOKEN = Params.UNITS_PER_TOKEN;
    @TempDir
    Path dir;

    private static Keys key(String name) {
        return Keys.fromSeed(Hashes.sha256(("verigrid-subnet-roles-test/" + name).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void anHonestValidatorRewardsTheBetterModelAndALyingOneIsChallengedAndSlashed() throws Exception {
        Keys owner = key("owner"), minerA = key("minerA"), minerB = key("minerB"), honestKey = key("honest"), liarKey = key("liar");
        Genesis genesis = new Genesis("verigrid-subnet-roles", List.of(new GenesisAccount(owner.publicKey(), 1_000 * TOKEN),
                new GenesisAccount(minerA.publicKey(), 100 * TOKEN), new GenesisAccount(minerB.publicKey(), 100 * TOKEN),
                new GenesisAccount(honestKey.publicKey(), 1_000 * TOKEN), new GenesisAccount(liarKey.publicKey(), 1_000 * TOKEN)),
                Params.defaults(), new Issuance(TOKEN, 0, 10 * TOKEN, TOKEN));
        TinyLlama.write(dir.resolve("model-a"), 11, 64);
        TinyLlama.write(dir.resolve("model-b"), 12, 64);
        List<String> log = new CopyOnWriteArrayList<>();
        try (LedgerNode ledgerNode = LedgerNode.start(PeerConfig.single(dir.resolve("ledger"), LedgerNode.freePort(), genesis, 50), 0)) {
            LedgerHttp ledger = new LedgerHttp(ledgerNode.url());
            Wallet ownerWallet = new Wallet("owner", owner, ledger);
            ownerWallet.submitOrThrow(new SubnetTx.CreateSubnet("lm", 2));
            SubnetHyperparams d = SubnetHyperparams.defaults();
            ownerWallet.submitOrThrow(new SubnetTx.SetHyperparams(1, new SubnetHyperparams(10, d.kappa(), d.bondsMovingAverage(), d.bondsPenalty(),
                    d.activityCutoffFactorMilli(), d.maxValidators(), d.immunityPeriod(), d.maxUids(), false, d.commitRevealWindow(),
                    d.ownerCutPpm(), d.yuma3(), d.liquidAlpha())));
            Wallet honestWallet = new Wallet("honest", honestKey, ledger), liarWallet = new Wallet("liar", liarKey, ledger);
            assertThrows(IllegalArgumentException.class, () -> new ValidatorNode(new ValidatorNode.Config("honest", honestKey, ledgerNode.url(), 1, 1), log::add),
                    "a validator must be registered on the subnet first");
            for (Wallet v : List.of(honestWallet, liarWallet)) {
                v.submitOrThrow(new SubnetTx.Register(1));
                v.submitOrThrow(new TxBody.Stake(Params.defaults().minVerifierStake()));
            }
            honestWallet.submitOrThrow(new SubnetTx.AddStake(1, honestKey.publicKey(), 300 * TOKEN));
            liarWallet.submitOrThrow(new SubnetTx.AddStake(1, liarKey.publicKey(), 100 * TOKEN));

            try (MinerNode a = new MinerNode(new MinerNode.Config("minerA", minerA, ledgerNode.url(), 1, dir.resolve("model-a"), "127.0.0.1", 0, 1), log::add);
                 MinerNode b = new MinerNode(new MinerNode.Config("minerB", minerB, ledgerNode.url(), 1, dir.resolve("model-b"), "127.0.0.1", 0, 1), log::add);
                 ValidatorNode honest = new ValidatorNode(new ValidatorNode.Config("honest", honestKey, ledgerNode.url(), 1, 1), log::add)) {
                assertEquals(a.files().commitmentHex(), ledger.metagraph(1).get(a.uid()).modelCommitment(), "the miner's commitment is on the ledger");
                assertEquals(a.url(), ledger.metagraph(1).get(a.uid()).axon());
                HttpResponse<String> models = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(a.gatewayUrl() + "/models"))
                        .header("Authorization", "Bearer " + a.apiKey()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertTrue(models.body().contains("model-a"), "the miner's gateway serves its model: " + models.body());

                awaitPermits(ledger, honestKey.address(), liarKey.address());
                ValidatorNode.Round round = honest.round();
                int better = round.scores()[a.uid()] > round.scores()[b.uid()] ? a.uid() : b.uid();
                int worse = better == a.uid() ? b.uid() : a.uid();
                assertNotEquals(round.scores()[better], round.scores()[worse], "two different models score differently: " + log);
                assertTrue(round.scores()[worse] > 0 && round.scores()[better] <= LmQuality.MAX_SCORE);

                int[] inflated = round.scores().clone();
                inflated[worse] = round.scores()[better] + 1;
                liarWallet.submitOrThrow(new SubnetTx.PublishScores(1, round.evalBlock(), inflated));
                liarWallet.submitOrThrow(new SubnetTx.SetWeights(1, new int[] {worse}, new int[] {65535}));
                long liarReport = ledger.scoreReports(1).stream().filter(r -> r.validator().equals(liarKey.address())).findFirst().orElseThrow().id();
                long honestReport = ledger.scoreReports(1).stream().filter(r -> r.validator().equals(honestKey.address())).findFirst().orElseThrow().id();

                ValidatorNode.Round audit = honest.round();
                assertEquals(List.of(liarReport), audit.challenged(), "the honest validator's audit challenges the inflated report: " + log);
                assertEquals("OVERTURNED", report(ledger, liarReport).status());
                AccountView liar = ledger.account(liarKey.address());
                long stake = Params.defaults().minVerifierStake();
                assertEquals(stake - Params.ppmOf(stake, Params.defaults().slashPpm()), liar.stake(), "the lying validator is slashed");
                assertEquals("scores", liar.penalties().get(0).kind());

                ModelFiles betterFiles = (better == a.uid() ? a : b).files();
                TxResult upheld = ownerWallet.submit(new SubnetTx.ChallengeModelScore(1, honestReport, better, betterFiles.configJson(), betterFiles.safetensors()));
                assertTrue(upheld.accepted(), upheld.message());
                assertEquals("UPHELD", report(ledger, honestReport).status());
                assertEquals(stake, ledger.account(honestKey.address()).stake(), "the honest validator keeps its stake");
                TxResult forged = ownerWallet.submit(new SubnetTx.ChallengeModelScore(1, liarReport + 1, better, betterFiles.configJson(), new byte[16]));
                assertEquals("MODEL_FILES_MISMATCH", forged.code(), "files that do not match the commitment are refused");

                long epochAfter = ledger.subnet(1).lastEpoch();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (ledger.subnet(1).lastEpoch() <= epochAfter && System.nanoTime() < deadline) Thread.sleep(50);
                // each round draws a new evaluation set, so the honest weights on the chain follow the last round's scores
                int best = audit.scores()[a.uid()] > audit.scores()[b.uid()] ? a.uid() : b.uid();
                int other = best == a.uid() ? b.uid() : a.uid();
                List<NeuronView> metagraph = ledger.metagraph(1);
                assertTrue(metagraph.get(best).incentive() > metagraph.get(other).incentive(),
                        "the better model earns more incentive: " + metagraph.get(best).incentive() + " vs " + metagraph.get(other).incentive());
            }
        }
    }

    private static ScoreReportView report(LedgerHttp ledger, long id) {
        return ledger.scoreReports(1).stream().filter(r -> r.id() == id).findFirst().orElseThrow();
    }

    /** Validator permits are assigned by an epoch (every tempo = 10 blocks here): wait for the first one. */
    private static void awaitPermits(LedgerHttp ledger, String... hotkeys) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            List<io.verigrid.ledger.NeuronView> metagraph = ledger.metagraph(1);
            boolean all = java.util.Arrays.stream(hotkeys).allMatch(h -> metagraph.stream().anyMatch(n -> n.hotkey().equals(h) && n.validatorPermit()));
            if (all) return;
            assertTrue(System.nanoTime() < deadline, "validator permits after an epoch: " + metagraph);
            Thread.sleep(50);
        }
    }
}
