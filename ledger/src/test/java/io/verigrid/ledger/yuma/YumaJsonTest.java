package io.verigrid.ledger.yuma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the §9 input (and rejecting bad input with a message that names the key), writing the output. */
class YumaJsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** An input as §9 JSON (the inverse of {@link YumaJson#readInput}). */
    static String toJson(YumaInput in) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("n", in.n());
        o.put("current_block", in.currentBlock());
        o.put("tempo", in.tempo());
        o.put("activity_cutoff", in.activityCutoff());
        o.put("last_mechanism_step_block", in.lastMechanismStepBlock());
        ArrayNode stake = o.putArray("stake");
        for (long s : in.stake()) stake.add(s);
        o.put("stake_threshold", in.stakeThreshold());
        if (in.ownerUid() == YumaInput.NO_OWNER) o.putNull("owner_uid");
        else o.put("owner_uid", in.ownerUid());
        ArrayNode permits = o.putArray("validator_permits");
        for (boolean p : in.validatorPermits()) permits.add(p);
        o.put("max_allowed_validators", in.maxAllowedValidators());
        ArrayNode lastUpdate = o.putArray("last_update");
        for (long v : in.lastUpdate()) lastUpdate.add(v);
        ArrayNode registered = o.putArray("block_at_registration");
        for (long v : in.blockAtRegistration()) registered.add(v);
        rows(o.putArray("weights"), in.weights());
        rows(o.putArray("bonds"), in.bonds());
        o.put("kappa", in.kappa());
        o.put("bonds_penalty", in.bondsPenalty());
        o.put("bonds_moving_average", in.bondsMovingAverage());
        o.put("rao_emission", in.raoEmission());
        o.put("yuma3", in.yuma3());
        o.put("liquid_alpha", in.liquidAlpha());
        o.put("alpha_low", in.alphaLow());
        o.put("alpha_high", in.alphaHigh());
        o.put("alpha_sigmoid_steepness", in.alphaSigmoidSteepness());
        if (in.commitBlocks() != null) {
            ArrayNode commits = o.putArray("commit_blocks");
            for (long c : in.commitBlocks()) {
                if (c == YumaInput.NO_COMMIT) commits.addNull();
                else commits.add(c);
            }
        }
        return o.toString();
    }

    private static void rows(ArrayNode target, List<SparseRow> rows) {
        for (SparseRow row : rows) {
            ArrayNode r = target.addArray();
            for (int k = 0; k < row.size(); k++) r.addArray().add(row.columns()[k]).add(row.values()[k]);
        }
    }

    private static String edited(Consumer<ObjectNode> edit) throws Exception {
        ObjectNode o = (ObjectNode) MAPPER.readTree(YumaConformanceExampleTest.EXAMPLE);
        edit.accept(o);
        return o.toString();
    }

    private static void assertRejected(String expectedFragment, Consumer<ObjectNode> edit) throws Exception {
        String json = edited(edit);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> YumaJson.readInput(json));
        assertTrue(e.getMessage().contains(expectedFragment), "message '" + e.getMessage() + "' should mention " + expectedFragment);
    }

    @Test
    void badInputIsRejectedWithAMessageNamingTheKey() throws Exception {
        assertRejected("kappa: missing key", o -> o.remove("kappa"));
        assertRejected("stake: expected 5 entries", o -> ((ArrayNode) o.get("stake")).remove(0));
        assertRejected("weights[0]: column 5 is not a UID below n=5", o -> ((ArrayNode) o.get("weights").get(0)).addArray().add(5).add(1));
        assertRejected("stake[1]: must be non-negative", o -> ((ArrayNode) o.get("stake")).set(1, -3));
        assertRejected("bonds[2]", o -> ((ArrayNode) o.get("bonds").get(2)).addArray().add(1).add(70000));
        assertRejected("weights[0]: column 3 appears twice", o -> ((ArrayNode) o.get("weights").get(0)).addArray().add(3).add(1));
        assertRejected("validator_permits[0]", o -> ((ArrayNode) o.get("validator_permits")).set(0, 1));
        assertRejected("owner_uid", o -> o.put("owner_uid", 7));
        assertRejected("current_block: expected an integer", o -> o.put("current_block", 1.5));
        assertRejected("yuma_3: unknown key", o -> o.put("yuma_3", true));
        assertRejected("commit_blocks: expected 5 entries", o -> o.putArray("commit_blocks").add(1));
        assertThrows(IllegalArgumentException.class, () -> YumaJson.readInput("[1, 2]"));
        assertThrows(IllegalArgumentException.class, () -> YumaJson.readInput("{\"n\": "));
    }

    @Test
    void unsortedRowsAreAcceptedAndSortedByColumn() throws Exception {
        String json = edited(o -> {
            ArrayNode row = ((ArrayNode) o.get("weights")).insertArray(0);
            ((ArrayNode) o.get("weights")).remove(1);
            row.addArray().add(4).add(0);
            row.addArray().add(3).add(65535);
        });
        YumaInput in = YumaJson.readInput(json);
        assertEquals(SparseRow.of(3, 65535, 4, 0), in.weights().get(0));
        assertEquals(YumaJson.writeOutput(YumaEpoch.run(YumaJson.readInput(YumaConformanceExampleTest.EXAMPLE))),
                YumaJson.writeOutput(YumaEpoch.run(in)));
    }

    @Test
    void optionalKeysDefaultToTheChainDefaults() {
        YumaInput in = YumaJson.readInput(YumaConformanceExampleTest.EXAMPLE);
        assertEquals(false, in.yuma3());
        assertEquals(false, in.liquidAlpha());
        assertEquals(45875, in.alphaLow());
        assertEquals(58982, in.alphaHigh());
        assertEquals(1000, in.alphaSigmoidSteepness());
        assertEquals(null, in.commitBlocks());
    }

    @Test
    void mainExitsWithStatusOneAndAMessageOnBadInput(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, edited(o -> o.remove("bonds")));
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int status = YumaMain.run(new String[] {"--input", file.toString()}, new ByteArrayInputStream(new byte[0]),
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8));
        assertEquals(1, status);
        assertEquals("", stdout.toString(StandardCharsets.UTF_8));
        assertTrue(stderr.toString(StandardCharsets.UTF_8).contains("bonds: missing key"));

        status = YumaMain.run(new String[] {"--input", dir.resolve("missing.json").toString()}, new ByteArrayInputStream(new byte[0]),
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8));
        assertEquals(1, status);
        status = YumaMain.run(new String[0], new ByteArrayInputStream(new byte[0]),
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8));
        assertEquals(1, status);
    }

    @Test
    void mainReadsAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("epoch.json");
        Files.writeString(file, YumaConformanceExampleTest.EXAMPLE);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int status = YumaMain.run(new String[] {"--input", file.toString()}, new ByteArrayInputStream(new byte[0]),
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(0, status);
        assertEquals("[250000000,0,250000000,500000000,0]",
                MAPPER.readTree(stdout.toString(StandardCharsets.UTF_8)).get("combined_emission").toString());
    }
}
