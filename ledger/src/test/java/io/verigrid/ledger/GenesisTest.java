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
        assertEquals(5, g.supply());
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
