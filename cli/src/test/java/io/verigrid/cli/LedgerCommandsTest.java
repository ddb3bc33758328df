package io.verigrid.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.verigrid.ledger.Genesis;
import io.verigrid.ledger.GenesisAccount;
import io.verigrid.ledger.Params;
import io.verigrid.ledger.PeerConfig;
import io.verigrid.node.http.Json;
import io.verigrid.node.ledger.LedgerNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The ledger commands against a real one-peer ledger node, as a user runs them. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LedgerCommandsTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            String[] lines = out.strip().split("\n");
            return Json.MAPPER.readTree(lines[lines.length - 1]);
        }
    }

    private Run run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            CommandLine cli = Main.commandLine();
            cli.setErr(new PrintWriter(err, true));
            int exit = cli.execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void keysAreCreatedOwnerOnlyAndListed() throws Exception {
        String home = dir.resolve("home").toString();
        Run created = run("keys", "new", "alice", "--home", home, "--json");
        assertEquals(0, created.exit(), created.err());
        String address = created.json().path("address").asText();
        assertEquals(64, address.length());
        Path file = dir.resolve("home/keys/alice.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(1, run("keys", "new", "alice", "--home", home).exit(), "a name is never overwritten");
        JsonNode list = run("keys", "list", "--home", home, "--json").json();
        assertEquals(address, list.get(0).path("address").asText());
    }

    @Test
    void genesisScalesTheMarketWindowsToTheBlockIntervalAndRefusesABadOne() throws Exception {
        String home = dir.resolve("home").toString();
        run("keys", "new", "alice", "--home", home);
        Path fast = dir.resolve("fast.json");
        Run wrote = run("ledger", "genesis", "--home", home, "--out", fast.toString(), "--fund", "alice=10", "--block-ms", "100");
        assertEquals(0, wrote.exit(), wrote.err());
        Genesis genesis = Genesis.read(fast);
        assertEquals(50, genesis.market().heartbeatBlocks(), "5 s of heartbeat at 100 ms blocks");
        assertEquals(100, genesis.market().nominalBlockMillis());
        Run bad = run("ledger", "genesis", "--home", home, "--out", dir.resolve("bad.json").toString(), "--fund", "alice=10",
                "--block-ms", "0");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("blockMillis: must be in 1..1000"), bad.err());
        assertFalse(bad.err().contains("Exception"), bad.err());
        assertFalse(Files.exists(dir.resolve("bad.json")));
    }

    @Test
    void transfersStakeAndReadsGoThroughTheNodeWithClearErrors() throws Exception {
        String home = dir.resolve("home").toString();
        String alice = run("keys", "new", "alice", "--home", home, "--json").json().path("address").asText();
        String bob = run("keys", "new", "bob", "--home", home, "--json").json().path("address").asText();
        Genesis genesis = new Genesis("cli-test", List.of(new GenesisAccount(HexFormat.of().parseHex(alice), 100 * Params.UNITS_PER_TOKEN)),
                Params.defaults());
        try (LedgerNode node = LedgerNode.start(PeerConfig.single(dir.resolve("chain"), LedgerNode.freePort(), genesis, 50), 0)) {
            String url = node.url();
            Run transfer = run("tx", "transfer", "--from", "alice", "--to", "bob", "--amount", "2.5", "--home", home, "--node", url, "--json");
            assertEquals(0, transfer.exit(), transfer.err());
            assertTrue(transfer.json().path("accepted").asBoolean());
            String hash = transfer.json().path("txHash").asText();

            assertEquals(2_500_000_000L, run("account", "show", bob, "--node", url, "--json").json().path("balance").asLong());
            assertEquals(0, run("tx", "stake", "--from", "alice", "--amount", "10", "--home", home, "--node", url).exit());
            assertEquals(10 * Params.UNITS_PER_TOKEN, run("account", "show", "alice", "--home", home, "--node", url, "--json").json().path("stake").asLong());
            assertTrue(run("tx", "show", hash, "--node", url, "--json").json().path("accepted").asBoolean());

            Run tooMuch = run("tx", "transfer", "--from", "bob", "--to", alice, "--amount", "1000", "--home", home, "--node", url);
            assertEquals(1, tooMuch.exit());
            assertTrue(tooMuch.out().contains("rejected INSUFFICIENT_BALANCE"), tooMuch.out());

            JsonNode status = run("chain", "status", "--node", url, "--json").json();
            assertEquals("cli-test", status.path("chain").path("chainId").asText());
            assertTrue(status.path("peer").path("leader").asBoolean());
            assertEquals(Params.defaults().txFee(), run("chain", "params", "--node", url, "--json").json().path("txFee").asLong());
            assertEquals(0, run("chain", "block", "0", "--node", url, "--json").json().path("height").asLong());
            JsonNode newest = run("chain", "blocks", "--limit", "3", "--node", url, "--json").json();
            assertTrue(newest.isArray() && newest.size() >= 1 && newest.size() <= 3, newest.toString());
            long head = newest.get(0).path("height").asLong();
            for (int i = 1; i < newest.size(); i++) assertEquals(head - i, newest.get(i).path("height").asLong(), "newest first");
            Run table = run("chain", "blocks", "--node", url);
            assertEquals(0, table.exit(), table.err());
            List<String> rows = table.out().strip().lines().toList();
            assertTrue(rows.get(0).startsWith("height") && rows.size() >= 2 && rows.size() <= 11, table.out());
            assertTrue(rows.get(1).matches("\\d+ +[0-9a-f]{64} \\d+"), rows.get(1));
            Run tooMany = run("chain", "blocks", "--limit", "101", "--node", url);
            assertEquals(1, tooMany.exit());
            assertTrue(tooMany.err().contains("--limit must be 1 to 100, got 101"), tooMany.err());

            Run wrongChain = run("chain", "status", "--node", url, "--chain-id", "mainnet");
            assertEquals(1, wrongChain.exit());
            assertTrue(wrongChain.err().contains("serves chain cli-test, expected mainnet"), wrongChain.err());
        }
        Run unreachable = run("chain", "status", "--node", "http://127.0.0.1:" + LedgerNode.freePort());
        assertEquals(1, unreachable.exit());
        assertTrue(unreachable.err().contains("cannot reach the ledger node"), unreachable.err());
        Run badAmount = run("tx", "stake", "--from", "alice", "--amount", "0.0000000001", "--home", home);
        assertTrue(badAmount.err().contains("--amount must be a token amount with at most 9 decimals"), badAmount.err());
    }

    @Test
    void aShortFuzzRunPasses() throws Exception {
        Run fuzz = run("ledger", "fuzz", "--count", "2000", "--json");
        assertEquals(0, fuzz.exit(), fuzz.out());
        assertEquals(0, fuzz.json().path("failures").asLong());
    }
}
