package io.verigrid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.generate.TinyLlama;
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
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code verigrid node --role miner|validator}: bad options are refused with messages that name what is wrong. */
@Timeout(120)
class NodeSubnetRolesTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    private Run run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            var cli = Main.commandLine();
            cli.setErr(new PrintWriter(err, true));
            int exit = cli.execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(original);
        }
    }

    private void refused(String expected, String... args) {
        Run r = run(args);
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
    }

    @Test
    void minerAndValidatorRolesRefuseAnUnknownSubnetAMissingModelAndAnUnregisteredKey() throws Exception {
        String home = dir.resolve("home").toString();
        String alice = Json.MAPPER.readTree(run("keys", "new", "alice", "--home", home, "--json").out().strip()).path("address").asText();
        Genesis genesis = new Genesis("cli-subnet-roles", List.of(new GenesisAccount(HexFormat.of().parseHex(alice), 10_000 * Params.UNITS_PER_TOKEN)),
                Params.defaults());
        TinyLlama.write(dir.resolve("tiny"), 11, 64);
        try (LedgerNode node = LedgerNode.start(PeerConfig.single(dir.resolve("chain"), LedgerNode.freePort(), genesis, 50), 0)) {
            String url = node.url();
            refused("--subnet 7: no such subnet", "node", "--role", "miner", "--subnet", "7", "--key", "alice", "--model", dir.resolve("tiny").toString(),
                    "--home", home, "--ledger", url);
            refused("--role miner needs --model DIR", "node", "--role", "miner", "--subnet", "1", "--key", "alice", "--home", home, "--ledger", url);
            refused("--role validator needs --subnet ID", "node", "--role", "validator", "--key", "alice", "--home", home, "--ledger", url);
            refused("--key bob: no such key", "node", "--role", "validator", "--subnet", "1", "--key", "bob", "--home", home, "--ledger", url);

            assertEquals(0, run("subnet", "create", "--from", "alice", "--name", "generic", "--home", home, "--node", url).exit());
            assertEquals(0, run("subnet", "create", "--from", "alice", "--name", "lm", "--lm-quality", "--home", home, "--node", url).exit());
            refused("runs the generic task", "node", "--role", "validator", "--subnet", "1", "--key", "alice", "--home", home, "--ledger", url);
            refused("is not registered on subnet 2", "node", "--role", "validator", "--subnet", "2", "--key", "alice", "--home", home, "--ledger", url);
            refused("needs config.json and model.safetensors", "node", "--role", "miner", "--subnet", "2", "--key", "alice",
                    "--model", dir.toString(), "--home", home, "--ledger", url);
        }
    }
}
