package io.verigrid.ledger;

import static io.verigrid.ledger.SubnetChain.TOKEN;
import static io.verigrid.ledger.SubnetChain.address;
import static io.verigrid.ledger.SubnetChain.publicKey;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.verigrid.ledger.tx.SubnetTx;
import io.verigrid.ledger.yuma.YumaInput;
import io.verigrid.ledger.yuma.YumaJson;
import io.verigrid.ledger.yuma.YumaMain;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Subnet epochs run by the ledger itself, driven by real transactions over several epochs. */
class SubnetEpochsTest {
    static final Issuance ISSUANCE = new Issuance(TOKEN, 0, 100 * TOKEN, TOKEN);
    /** tempo 10, κ default, max 2 validators, immunity 5, 4 UIDs, no commit-reveal, owner cut 18 %. */
    static final SubnetHyperparams SMALL = new SubnetHyperparams(10, 32767, 900_000, 65535, 13_889, 2, 5, 4, false, 20, 180_000, false, false);

    @TempDir
    Path tmp;

    /** Keys: 1 owner, 2 and 3 validators (UIDs 0, 1), 4 and 5 miners (UIDs 2, 3), 6 a newcomer. */
    static SubnetChain subnetWithFourUids() {
        SubnetChain c = new SubnetChain(6, ISSUANCE);
        c.ok(1, new SubnetTx.CreateSubnet("text", 0));          // lands in block 1: epochs at 11, 21, …
        c.ok(1, new SubnetTx.SetHyperparams(1, SMALL));
        for (int key = 2; key <= 5; key++) c.ok(key, new SubnetTx.Register(1));
        c.ok(2, new SubnetTx.AddStake(1, publicKey(2), 50 * TOKEN));
        c.ok(3, new SubnetTx.AddStake(1, publicKey(3), 100 * TOKEN));
        return c;
    }

    @Test
    void registrationWeightsEpochsDeregistrationAndReRegistration() {
        SubnetChain c = subnetWithFourUids();
        long burned = 100 * TOKEN + 4 * TOKEN;
        assertTrue(c.state.burned() >= burned, "subnet and registration costs are burned");
        c.blocksUntil(1);
        c.rejected(Rejection.NO_VALIDATOR_PERMIT, 2, new SubnetTx.SetWeights(1, new int[] {2}, new int[] {1}));

        c.blocksUntil(11);   // first epoch: permits from top-2 stake, no weights yet → emission to stake
        assertTrue(c.neuron(1, 0).validatorPermit() && c.neuron(1, 1).validatorPermit());
        assertFalse(c.neuron(1, 2).validatorPermit() || c.neuron(1, 3).validatorPermit());
        assertEquals(0, c.neuron(1, 2).emission(), "no weights: miners get nothing");

        c.ok(2, new SubnetTx.SetWeights(1, new int[] {3, 2}, new int[] {100, 200}));
        c.ok(3, new SubnetTx.SetWeights(1, new int[] {2}, new int[] {7}));
        assertEquals(List.of(2L, 65535L), List.of(c.neuron(1, 0).weights().get(0)[0], c.neuron(1, 0).weights().get(0)[1]),
                "rows are stored sorted and max-upscaled");
        assertEquals(32768, c.neuron(1, 0).weights().get(1)[1], "100/200 of 65535, rounded");

        long miner4 = c.balance(4), owner = c.balance(1);
        c.blocksUntil(21);
        NeuronView m = c.neuron(1, 2);
        assertEquals(65535, m.incentive(), "both validators weight UID 2 most: all incentive");
        assertEquals(0, c.neuron(1, 3).incentive(), "UID 3 is weighted by one third of the stake only: clipped to 0");
        assertTrue(m.consensus() > 0);
        assertEquals(miner4 + m.emission(), c.balance(4), "the miner is paid its incentive");
        long subnetEmission = 10 * TOKEN;
        long cut = subnetEmission * 18 / 100;
        assertTrue(c.balance(1) - owner >= cut, "the owner receives its cut");
        long paid = 0;
        for (NeuronView n : c.state.metagraph(1)) paid += n.emission();
        assertTrue(Math.abs(paid - (subnetEmission - cut)) < 100, "all but rounding (carried to the next epoch) is paid: " + paid);

        // Subnet full: the newcomer replaces the lowest-emission UID outside immunity (UID 3, no emission).
        c.ok(6, new SubnetTx.Register(1));
        assertEquals(address(6), c.neuron(1, 3).hotkey());
        assertEquals(c.state.height() + 1, c.neuron(1, 3).registeredAt());
        assertEquals(0, c.neuron(1, 0).weights().get(0)[1] == 3 ? c.neuron(1, 0).weights().get(0)[1] : weightAt(c.neuron(1, 0), 3),
                "weights pointing at the replaced UID become 0");
        assertTrue(c.neuron(1, 0).weights().stream().anyMatch(p -> p[0] == 3), "the entry is kept");

        // Re-registration: once UID 3's immunity has passed, the old miner takes it back.
        c.blocksUntil(31);
        c.ok(5, new SubnetTx.Register(1));
        assertEquals(address(5), c.neuron(1, 3).hotkey());
        c.rejected(Rejection.ALREADY_REGISTERED, 5, new SubnetTx.Register(1));
        c.blocksUntil(41);
        assertEquals(65535, c.neuron(1, 2).incentive());
        assertEquals(c.state.genesisSupply() + c.state.minted() - c.state.burned(), c.state.totalSupply());
        assertEquals(41 * TOKEN, c.state.minted(), "one token per block from block 1, the one the subnet was created in");
    }

    private static long weightAt(NeuronView n, int uid) {
        for (long[] p : n.weights()) if (p[0] == uid) return p[1];
        return -1;
    }

    @Test
    void ledgerEpochEqualsTheConformanceCommandOnTheSameInput() throws Exception {
        SubnetChain c = subnetWithFourUids();
        c.blocksUntil(11);
        c.ok(2, new SubnetTx.SetWeights(1, new int[] {2, 3}, new int[] {65535, 1000}));
        c.ok(3, new SubnetTx.SetWeights(1, new int[] {2, 3}, new int[] {30000, 65535}));
        c.blocksUntil(20);
        long pending = c.state.subnet(1).pending() + ISSUANCE.perBlock(21);
        long rao = pending - Params.ppmOf(pending, SMALL.ownerCutPpm());
        YumaInput input = c.state.subnetEpochInput(1, 21, rao);
        Path file = tmp.resolve("epoch.json");
        Files.writeString(file, YumaJson.writeInput(input));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = YumaMain.run(new String[] {"--input", file.toString()}, InputStream.nullInputStream(),
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, status);
        JsonNode expected = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));

        c.blocksUntil(21);
        List<NeuronView> graph = c.state.metagraph(1);
        for (int uid = 0; uid < graph.size(); uid++) {
            NeuronView n = graph.get(uid);
            assertEquals(expected.get("combined_emission").get(uid).asLong(), n.emission(), "emission of UID " + uid);
            assertEquals(expected.get("incentive_u16").get(uid).asInt(), n.incentive());
            assertEquals(expected.get("dividends_u16").get(uid).asInt(), n.dividends());
            assertEquals(expected.get("consensus_u16").get(uid).asInt(), n.consensus());
            assertEquals(expected.get("validator_trust_u16").get(uid).asInt(), n.trust());
            assertEquals(expected.get("new_validator_permits").get(uid).asBoolean(), n.validatorPermit());
            JsonNode bonds = expected.get("bonds_u16").get(uid);
            assertEquals(bonds.size(), n.bonds().size());
            for (int k = 0; k < bonds.size(); k++) {
                assertArrayEquals(new long[] {bonds.get(k).get(0).asLong(), bonds.get(k).get(1).asLong()}, n.bonds().get(k));
            }
        }
        assertTrue(graph.get(2).emission() > 0 && graph.get(3).emission() >= 0);
    }

    @Test
    void snapshotKeepsSubnetsAndTheRoot() {
        SubnetChain c = subnetWithFourUids();
        c.blocksUntil(11);
        c.ok(2, new SubnetTx.SetWeights(1, new int[] {2}, new int[] {1}));
        c.blocksUntil(23);
        LedgerState copy = LedgerState.decode(c.state.encode());
        assertArrayEquals(c.state.encode(), copy.encode());
        assertArrayEquals(c.state.stateRoot(), copy.stateRoot());
        copy.applyBlock();
        c.state.applyBlock();
        assertArrayEquals(c.state.stateRoot(), copy.stateRoot(), "the decoded state keeps minting and running epochs the same");
    }
}
