package io.verigrid.ledger;

import static io.verigrid.ledger.TestChain.TOKEN;
import static io.verigrid.ledger.TestChain.keys;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.verigrid.engine.HfCheckpoint;
import io.verigrid.engine.generate.SamplingParams;
import io.verigrid.engine.generate.TinyLlama;
import io.verigrid.ledger.tx.InferenceTx;
import io.verigrid.ledger.tx.SignedTx;
import io.verigrid.ledger.tx.Tx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.InferenceCheats;
import io.verigrid.verify.InferenceCommitments;
import io.verigrid.verify.InferenceCommitments.ResponseLeaf;
import io.verigrid.verify.InferenceGame;
import io.verigrid.verify.InferenceMove;
import io.verigrid.verify.InferencePlayer;
import io.verigrid.verify.InferenceRequest;
import io.verigrid.verify.InferenceTrace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An inference dispute played through a three-peer Ratis group, moves sent through different peers: the referee's
 * re-execution of one operator runs on every peer, and every peer reaches the same blocks.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class InferenceClusterTest {
    @TempDir
    Path dir;
    final Map<String, Long> nonces = new HashMap<>();

    TxResult submit(LedgerPeer via, Keys from, TxBody body) {
        long nonce = nonces.getOrDefault(from.address(), 0L) + 1;
        TxResult r = via.client().submit(SignedTx.sign(new Tx(TestChain.CHAIN, from.publicKey(), nonce,
                Params.defaults().txFee(), body), from));
        if (r.accepted()) nonces.put(from.address(), nonce);
        return r;
    }

    @Test
    void threePeersRefereeTheSameInferenceDisputeAndAgreeOnEveryBlock() throws Exception {
        Path model = dir.resolve("tiny");
        TinyLlama.write(model, 5, 32);
        HfCheckpoint checkpoint = HfCheckpoint.llama(model);
        InferenceTrace.Replica honest = new InferenceTrace.Replica(checkpoint.model(), checkpoint.weights(), null);
        InferenceTrace.Replica cheat = InferenceCheats.bf16Logits(honest);
        Params d = Params.defaults();
        Params params = new Params(d.txFee(), d.minProviderStake(), d.minVerifierStake(), d.unbondingBlocks(), 400, 2, 400,
                d.fanout(), d.challengeBond(), d.challengeFee(), d.slashPpm(), d.winnerSharePpm(), d.maxTxBytes());
        Genesis genesis = TestChain.genesis(3, params);
        List<String> group = new ArrayList<>();
        for (int i = 1; i <= 3; i++) group.add("p" + i + "=127.0.0.1:" + LedgerPeerTest.freePort());
        List<LedgerPeer> peers = new ArrayList<>();
        try {
            for (int i = 1; i <= 3; i++) {
                int port = Integer.parseInt(group.get(i - 1).substring(group.get(i - 1).lastIndexOf(':') + 1));
                peers.add(LedgerPeer.start(new PeerConfig("p" + i, dir.resolve("p" + i), "127.0.0.1", port, group, genesis, 50)));
            }
            Keys provider = keys(1), buyer = keys(2), verifier = keys(3);
            byte[] keyHash = Hashes.sha256("vg-cluster".getBytes(StandardCharsets.UTF_8));
            InferenceTx.RegisterModel register = new InferenceTx.RegisterModel("tiny", Files.readAllBytes(model.resolve("config.json")),
                    InferenceCommitments.weightsRoot(honest.weights()), 1_000);
            for (TxResult r : List.of(submit(peers.get(0), provider, new TxBody.Stake(150 * TOKEN)),
                    submit(peers.get(1), provider, register),
                    submit(peers.get(2), verifier, new TxBody.Stake(20 * TOKEN)),
                    submit(peers.get(0), buyer, new InferenceTx.RegisterApiKey(keyHash, 1_000_000)),
                    submit(peers.get(1), buyer, new InferenceTx.DepositInference(10 * TOKEN)))) {
                assertTrue(r.accepted(), r.code() + " " + r.message());
            }
            byte[] modelId = Hashes.unhex(InferenceRules.modelId(provider.address(), register));
            InferenceRequest request = new InferenceRequest("chatcmpl-cluster", new int[] {1, 30, 31}, 1, 3,
                    new SamplingParams(0f, 0, 1f, 1), new int[] {2});
            List<ResponseLeaf> served = InferenceTrace.responseLeaves(cheat, request, new int[] {3});
            assertTrue(submit(peers.get(2), provider, new InferenceTx.SettleInference(modelId, List.of(new InferenceTx.Served(
                    keyHash, request.hash(), InferenceCommitments.responseRoot(served), 3, 3)))).accepted());
            byte[] honestRoot = InferenceCommitments.responseRoot(InferenceTrace.responseLeaves(honest, request, new int[] {3}));
            assertTrue(submit(peers.get(0), verifier, new InferenceTx.ChallengeInference(request.encode(), honestRoot)).accepted());

            InferencePlayer cheater = new InferencePlayer(InferenceGame.Party.PROVIDER, request, cheat, served);
            InferencePlayer checker = new InferencePlayer(InferenceGame.Party.CHALLENGER, request, honest, null);
            JsonNode view = peers.get(0).client().inference("dispute:1");
            for (int move = 0; view.path("outcome").asText().isEmpty(); move++) {
                assertTrue(move < 40, "the dispute did not settle");
                InferenceGame game = InferenceGame.decode(Hashes.unhex(view.path("game").asText()));
                boolean providerTurn = game.turn() == InferenceGame.Party.PROVIDER;
                InferenceMove next = (providerTurn ? cheater : checker).next(game);
                TxResult r = submit(peers.get(move % 3), providerTurn ? provider : verifier, new InferenceTx.InferenceMove(1, next.encode()));
                assertTrue(r.accepted(), r.code() + " " + r.message());
                view = peers.get((move + 1) % 3).client().inference("dispute:1");
            }
            assertEquals("CHALLENGER_WINS by REFEREE", view.path("outcome").asText());
            assertEquals(75 * TOKEN, peers.get(1).client().account(provider.publicKey()).stake());

            long target = peers.get(0).client().status().height() + 2;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (peers.stream().anyMatch(p -> p.localStatus().height() < target)) {
                assertTrue(System.nanoTime() < deadline, "peers did not reach height " + target);
                Thread.sleep(50);
            }
            for (long h = 0; h <= target; h++) {
                BlockView expected = peers.get(0).localBlock(h);
                for (LedgerPeer p : peers) assertEquals(expected, p.localBlock(h), "block " + h + " on " + p.id());
            }
        } finally {
            peers.forEach(LedgerPeer::close);
        }
    }
}
