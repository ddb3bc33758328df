package io.verigrid.ledger.yuma;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The worked example of spec §9, through the JSON reader, the epoch and the JSON writer. */
class YumaConformanceExampleTest {
    static final String EXAMPLE = """
            {"n":5,"current_block":1,"tempo":10,"activity_cutoff":138,"last_mechanism_step_block":0,
             "stake":[1000000000,1000000000,1000000000,0,0],"stake_threshold":0,"owner_uid":null,
             "validator_permits":[true,true,true,false,false],"max_allowed_validators":100,
             "last_update":[1,1,1,1,1],"block_at_registration":[0,0,0,0,0],
             "weights":[[[3,65535],[4,0]],[[3,0],[4,65535]],[[3,65535],[4,0]],[],[]],
             "bonds":[[],[],[],[],[]],"kappa":32767,"bonds_penalty":65535,"bonds_moving_average":900000,
             "rao_emission":1000000000}
            """;

    @Test
    void theSpecExampleGivesTheQuotedNumbers() throws Exception {
        YumaOutput out = YumaEpoch.run(YumaJson.readInput(EXAMPLE));
        JsonNode json = new ObjectMapper().readTree(YumaJson.writeOutput(out));
        assertEquals("[0,0,0,1,0]", json.get("consensus").toString());
        assertEquals("[32767,0,32767,0,0]", json.get("dividends_u16").toString());
        assertEquals("[21844,21844,21844,0,0]", json.get("stake_weight_u16").toString());
        assertEquals("[250000000,0,250000000,500000000,0]", json.get("combined_emission").toString());
        // epoch_logs.rs test_validators_weight_two_distinct_servers asserts these intermediate values too
        assertArrayEquals(new long[] {I32F32.ONE, 0, I32F32.ONE, 0, 0}, out.validatorTrust());
        assertArrayEquals(new long[] {I32F32.ONE / 2, 0, I32F32.ONE / 2, 0, 0}, out.dividends());
        assertArrayEquals(new long[] {I32F32.ONE / 4, 0, I32F32.ONE / 4, I32F32.ONE / 2, 0}, out.normalizedCombinedEmission());
    }

    @Test
    void theMainEntryPrintsOneJsonObjectWithEveryOutputKey() throws Exception {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int status = YumaMain.run(new String[] {"--input", "-"}, new ByteArrayInputStream(EXAMPLE.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8));
        assertEquals(0, status, stderr.toString(StandardCharsets.UTF_8));
        JsonNode json = new ObjectMapper().readTree(stdout.toString(StandardCharsets.UTF_8));
        String[] keys = {"active", "new_validator_permits", "stake_normalized", "active_stake", "consensus", "validator_trust",
                "incentive", "dividends", "ema_bonds", "normalized_server_emission", "normalized_validator_emission",
                "normalized_combined_emission", "stake_weight_u16", "consensus_u16", "validator_trust_u16", "incentive_u16",
                "dividends_u16", "bonds_u16", "server_emission", "validator_emission", "combined_emission"};
        for (String key : keys) assertTrue(json.has(key), key);
        assertEquals(keys.length, json.size());
        assertEquals(0.3333333332557231, json.get("stake_normalized").get(0).doubleValue());
        assertEquals("[[[3,0.5]],[],[[3,0.5]],[],[]]", json.get("ema_bonds").toString());
        assertEquals("[[[3,65535]],[],[[3,65535]],[],[]]", json.get("bonds_u16").toString());
    }
}
