package io.verigrid.node.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.MlpJob;
import io.verigrid.ledger.Genesis;
import io.verigrid.ledger.GenesisAccount;
import io.verigrid.ledger.JobView;
import io.verigrid.ledger.Keys;
import io.verigrid.ledger.Params;
import io.verigrid.ledger.PeerConfig;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.node.blob.CheckpointCodec;
import io.verigrid.node.http.ApiException;
import io.verigrid.node.http.HttpJsonClient;
import io.verigrid.node.http.RequestSigner;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.LedgerNode;
import io.verigrid.node.ledger.Wallet;
import io.verigrid.node.verifier.VerifierNode;
import io.verigrid.verify.Commitments;
import io.verigrid.verify.Hashes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider and a verifier on a real one-peer ledger, over real HTTP: a fully audited job runs to DONE, checkpoints
 * travel as signed requests and are refused to outsiders, and both nodes' /metrics show what happened.
 */
@Timeout(120)
class ProviderVerifierFlowTest {
    private static final long TOKEN = Params.UNITS_PER_TOKEN;
    @TempDir
    Path dir;

    private static Keys key(String name) {
        return Keys.fromSeed(Hashes.sha256(("verigrid-flow-test/" + name).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aVerifiedJobShowsInBothNodesMetricsAndItsCheckpointsGoOnlyToAllowedCallers() throws Exception {
        Keys buyerKey = key("buyer"), providerKey = key("provider"), verifierKey = key("verifier"), outsiderKey = key("outsider");
        Params d = Params.defaults();
        Params params = new Params(d.txFee(), 100 * TOKEN, 10 * TOKEN, 50, 20, 2, 60, 4, 10 * TOKEN, TOKEN, d.slashPpm(), d.winnerSharePpm(), d.maxTxBytes());
        Genesis genesis = new Genesis("verigrid-flow", List.of(new GenesisAccount(buyerKey.publicKey(), 1_000 * TOKEN),
                new GenesisAccount(providerKey.publicKey(), 500 * TOKEN), new GenesisAccount(verifierKey.publicKey(), 200 * TOKEN),
                new GenesisAccount(outsiderKey.publicKey(), 200 * TOKEN)), params);
        List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (LedgerNode ledgerNode = LedgerNode.start(PeerConfig.single(dir.resolve("ledger"), LedgerNode.freePort(), genesis, 50), 0);
             ProviderNode provider = new ProviderNode(new ProviderNode.Config("provider", providerKey, ledgerNode.url(), dir.resolve("provider"), 1, null, false), log::add);
             VerifierNode verifier = new VerifierNode(new VerifierNode.Config("verifier", verifierKey, ledgerNode.url(), 1,
                     Map.of(provider.address(), provider.url()), dir.resolve("verifier"), "127.0.0.1", 0), log::add)) {
            LedgerHttp ledger = new LedgerHttp(ledgerNode.url());
            provider.wallet().submitOrThrow(new TxBody.Stake(150 * TOKEN));
            verifier.wallet().submitOrThrow(new TxBody.Stake(20 * TOKEN));
            new Wallet("buyer", buyerKey, ledger).submitOrThrow(new TxBody.PostJob(MlpJob.demo().encode(), 40 * TOKEN, 1_000_000));

            JobView done = awaitDone(ledger, 1);
            assertEquals(done.units(), done.verifiedUnits());

            String providerMetrics = scrape(provider.url());
            assertEquals(1.0, metric(providerMetrics, "verigrid_jobs_leased_total"));
            assertEquals(done.units(), metric(providerMetrics, "verigrid_units_committed_total"));
            assertTrue(metric(providerMetrics, "verigrid_blob_bytes_out_total") > 0, "checkpoints were served");
            assertTrue(providerMetrics.contains("route=\"/jobs/{id}/checkpoints/{unit}\""), "HTTP requests are counted by route");
            String verifierMetrics = scrape(verifier.url());
            assertEquals(done.units(), metric(verifierMetrics, "verigrid_units_verified_total"));
            assertEquals(0.0, metric(verifierMetrics, "verigrid_units_challenged_total"));
            assertTrue(metric(verifierMetrics, "verigrid_blob_bytes_in_total") > 0);

            String checkpoint = provider.url() + "/jobs/1/checkpoints/1";
            byte[] asBuyer = new HttpJsonClient(Duration.ofSeconds(10), new RequestSigner(buyerKey, Clock.systemUTC())).getBytes(checkpoint);
            assertEquals(done.commits().get(0).root(), HexFormat.of().formatHex(Commitments.stateRoot(CheckpointCodec.decode(asBuyer))));
            ApiException outsider = assertThrows(ApiException.class,
                    () -> new HttpJsonClient(Duration.ofSeconds(10), new RequestSigner(outsiderKey, Clock.systemUTC())).getBytes(checkpoint));
            assertEquals(403, outsider.status(), "an unstaked stranger is neither buyer, provider nor verifier");
            HttpResponse<String> unsigned = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(checkpoint)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, unsigned.statusCode());
            assertTrue(unsigned.body().contains("UNSIGNED"), unsigned.body());
        }
    }

    private static JobView awaitDone(LedgerHttp ledger, long jobId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            JobView job = ledger.job(jobId);
            if ("DONE".equals(job.status())) return job;
            Thread.sleep(50);
        }
        throw new AssertionError("job " + jobId + " did not finish: " + ledger.job(jobId));
    }

    private static String scrape(String nodeUrl) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(nodeUrl + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static double metric(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
        if (!m.find()) throw new AssertionError(name + " is not in\n" + text);
        return Double.parseDouble(m.group(2));
    }
}
