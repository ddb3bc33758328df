package io.verigrid.ledger;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenesisTest {
    @TempDir
    Path dir;

    @Test
    void aWrittenGenesisReadsBackWithTheSameChainAccountsAndParams() {
        Params params = new Params(5, 6, 7, 8, 9, 10, 11, 4, 12, 13, 250_000, 750_000, 8192, 950_000, 14);
        Genesis genesis = TestChain.genesis(3, params);
        Path file = dir.resolve("nested/genesis.json");
        genesis.write(file);
        Genesis back = Genesis.read(file);
        assertEquals(genesis.chainId(), back.chainId());
        assertEquals(params, back.params());
        assertEquals(3, back.accounts().size());
        assertArrayEquals(genesis.accounts().get(2).publicKey(), back.accounts().get(2).publicKey());
        assertEquals(genesis.supply(), back.supply());
        assertArrayEquals(LedgerState.fromGenesis(genesis).stateRoot(), LedgerState.fromGenesis(back).stateRoot());
    }

    @Test
    void missingParamsTakeTheDefaultsAndKeysAreHex() throws IOException {
        Path file = dir.resolve("g.json");
        Files.writeString(file, "{\"chainId\":\"c1\",\"accounts\":[{\"publicKey\":\"" + TestChain.keys(1).address()
                + "\",\"balance\":5}],\"params\":{\"fanout\":4}}");
        Genesis g = Genesis.read(file);
        assertEquals(4, g.params().fanout());
        assertEquals(Params.defaults().txFee(), g.params().txFee());
        assertEquals(Params.DEFAULT_MAX_REFEREE_BYTES, g.params().maxRefereeBytes(), "a genesis written before the field");
        assertEquals(4L << 20, Params.DEFAULT_MAX_REFEREE_BYTES);
        assertEquals(5, g.supply());
    }

    @Test
    void maxRefereeBytesTravelsInGenesisJsonAndTheSnapshotAndIsValidated() throws IOException {
        Path file = dir.resolve("g.json");
        Files.writeString(file, "{\"chainId\":\"c1\",\"accounts\":[],\"params\":{\"maxRefereeBytes\":393216}}");
        Genesis g = Genesis.read(file);
        assertEquals(393_216, g.params().maxRefereeBytes());
        Path again = dir.resolve("again.json");
        g.write(again);
        assertTrue(Files.readString(again).contains("\"maxRefereeBytes\" : 393216"));
        assertEquals(g.params(), Genesis.read(again).params());

        LedgerState state = LedgerState.fromGenesis(TestChain.genesis(2, Params.defaults().withMaxRefereeBytes(1 << 20)));
        LedgerState back = LedgerState.decode(state.encode());
        assertEquals(1 << 20, back.params().maxRefereeBytes());
        assertArrayEquals(state.stateRoot(), back.stateRoot());
        assertFalse(java.util.Arrays.equals(state.stateRoot(), LedgerState.fromGenesis(TestChain.genesis(2, Params.defaults())).stateRoot()),
                "the bound is part of the state root: every peer referees under the same one");

        Files.writeString(file, "{\"chainId\":\"c1\",\"accounts\":[],\"params\":{\"maxRefereeBytes\":65536}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Genesis.read(file));
        assertTrue(e.getMessage().contains("maxRefereeBytes must be at least 131072"), e.getMessage());
    }

    @Test
    void aVersionOneSnapshotWithoutTheBoundOrMarketParamsLoadsWithTheDefaults() {
        LedgerState state = LedgerState.fromGenesis(TestChain.genesis(2, Params.defaults()));
        byte[] v3 = state.encode();
        // Version 1 is version 3 without the params' trailing i64 maxRefereeBytes and without the market params
        // after them: u8 version, u16 + chain id, five i64 globals, then params of 10 i64 and 5 i32 fields.
        int paramsEnd = 1 + 2 + TestChain.CHAIN.length() + 5 * 8 + 10 * 8 + 5 * 4;
        int dropped = 8 + MARKET_PARAMS_BYTES;
        // … and without the i32 index of the oldest kept transaction list, before the (empty) pending and results.
        int tail = 4 + 4 + 4;
        byte[] v1 = new byte[v3.length - dropped - 4];
        System.arraycopy(v3, 0, v1, 0, paramsEnd);
        System.arraycopy(v3, paramsEnd + dropped, v1, paramsEnd, v3.length - tail - paramsEnd - dropped);
        System.arraycopy(v3, v3.length - tail + 4, v1, v1.length - tail + 4, tail - 4);
        v1[0] = 1;
        LedgerState old = LedgerState.decode(v1);
        assertEquals(Params.DEFAULT_MAX_REFEREE_BYTES, old.params().maxRefereeBytes());
        assertArrayEquals(state.stateRoot(), old.stateRoot());
    }

    /** Five i64 and seven i32 fields. */
    private static final int MARKET_PARAMS_BYTES = 5 * 8 + 7 * 4;

    @Test
    void marketParamsTravelInGenesisJsonAndTheSnapshotAndAreValidated() throws IOException {
        MarketParams fast = MarketParams.forBlockMillis(50);
        assertEquals(100, fast.heartbeatBlocks(), "5 s of heartbeat at 50 ms blocks, as at one block a second");
        assertEquals(400, fast.deadlineGraceBlocks());
        assertEquals(50, fast.nominalBlockMillis());
        Genesis genesis = TestChain.genesis(2, Params.defaults()).withMarket(fast);
        Path file = dir.resolve("market.json");
        genesis.write(file);
        Genesis back = Genesis.read(file);
        assertEquals(fast, back.market());
        LedgerState state = LedgerState.fromGenesis(back);
        assertArrayEquals(state.stateRoot(), LedgerState.decode(state.encode()).stateRoot());
        assertFalse(java.util.Arrays.equals(state.stateRoot(), LedgerState.fromGenesis(TestChain.genesis(2, Params.defaults())).stateRoot()),
                "the market rules are part of the state root");

        Files.writeString(file, "{\"chainId\":\"c1\",\"accounts\":[],\"market\":{\"heartbeatBlocks\":40}}");
        Genesis partial = Genesis.read(file);
        assertEquals(40, partial.market().heartbeatBlocks());
        assertEquals(MarketParams.defaults().missedHeartbeats(), partial.market().missedHeartbeats(), "missing fields take the defaults");

        Files.writeString(file, "{\"chainId\":\"c1\",\"accounts\":[],\"market\":{\"heartbeatBlocks\":0}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Genesis.read(file));
        assertTrue(e.getMessage().contains("heartbeatBlocks: must be positive"), e.getMessage());
        Files.writeString(file, "{\"chainId\":\"c1\",\"accounts\":[],\"market\":7}");
        e = assertThrows(IllegalArgumentException.class, () -> Genesis.read(file));
        assertTrue(e.getMessage().contains("must be JSON objects"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MarketParams.forBlockMillis(0));
    }

    @Test
    void duplicateAccountsAndBadParamsAreRefusedByName() {
        GenesisAccount a = new GenesisAccount(TestChain.keys(1).publicKey(), 1);
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> new Genesis("c", List.of(a, a), Params.defaults()));
        assertTrue(dup.getMessage().contains("duplicate"));
        IllegalArgumentException ppm = assertThrows(IllegalArgumentException.class,
                () -> new Params(0, 0, 0, 0, 1, 1, 1, 16, 0, 0, 1_000_001, 0, 4096));
        assertTrue(ppm.getMessage().contains("slashPpm"));
        assertThrows(IllegalArgumentException.class, () -> new Genesis("bad chain", List.of(), Params.defaults()));
    }

    @Test
    void ppmArithmeticFloorsWithoutOverflow() {
        assertEquals(Long.MAX_VALUE / 2, Params.ppmOf(Long.MAX_VALUE, 500_000));
        assertEquals(Long.MAX_VALUE, Params.ppmOf(Long.MAX_VALUE, 1_000_000));
        assertEquals(0, Params.ppmOf(1, 999_999));
    }

    @Test
    void theDefaultsMakeCheatingOneUnitLoseAtThreeQuartersOfAPercentSampling() {
        Params d = Params.defaults();
        assertEquals(7_500, d.samplePpm(), "p = 0.75 %: verification within 1 % of the compute");
        assertEquals(50 * TestChain.TOKEN, d.minSlash());
        // p·(S + R) = 0.0075 · (50 + 0.25) tokens = 0.376875 > C = 0.25 token
        assertTrue(d.samplePpm() * (d.minSlash() + d.securedUnitPrice()) > d.securedUnitPrice() * Params.PPM);
        d.checkCheatingLoses();
    }

    @Test
    void aGenesisUnderWhichCheatingPaysIsRefusedWithTheRateItWouldNeed() {
        Params d = Params.defaults();
        Params cheap = new Params(d.txFee(), 10 * TestChain.TOKEN, d.minVerifierStake(), d.unbondingBlocks(),
                d.challengeWindowBlocks(), d.sampleDelayBlocks(), d.moveBlocks(), d.fanout(), d.challengeBond(),
                d.challengeFee(), d.slashPpm(), d.winnerSharePpm(), d.maxTxBytes(), d.samplePpm(), TestChain.TOKEN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Genesis("c", List.of(), cheap));
        // S = 5 tokens, C = R = 1 token: the least p with p·6 > 1 is 166 667 ppm
        assertTrue(e.getMessage().contains("cheating pay") && e.getMessage().contains("samplePpm must be at least 166667"),
                e.getMessage());
        Params noSlash = new Params(d.txFee(), d.minProviderStake(), d.minVerifierStake(), d.unbondingBlocks(),
                d.challengeWindowBlocks(), d.sampleDelayBlocks(), d.moveBlocks(), d.fanout(), d.challengeBond(),
                d.challengeFee(), 0, d.winnerSharePpm(), d.maxTxBytes());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Genesis("c", List.of(), noSlash))
                .getMessage().contains("no sampling rate helps"));
    }

    @Test
    void aGenesisFileThatLowersSamplingBelowTheSecureRateIsRefused() throws IOException {
        Path file = dir.resolve("g.json");
        Files.writeString(file, "{\"chainId\":\"c1\",\"accounts\":[],\"params\":{\"samplePpm\":1000}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Genesis.read(file));
        assertTrue(e.getMessage().contains("samplePpm must be at least 4976"), e.getMessage());
    }
}
