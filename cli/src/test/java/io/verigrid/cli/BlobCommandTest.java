package io.verigrid.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.ledger.Keys;
import io.verigrid.node.blob.BlobNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BlobCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    /** Runs {@code verigrid blob ARGS} with the launcher's error handling: a message, exit code 1. */
    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine blob = new CommandLine(new BlobCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        blob.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("verigrid: " + Main.messageOf(e));
            return 1;
        });
        int exit = blob.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static BlobNode node(Path dir, String name, int seed) {
        byte[] s = new byte[32];
        s[0] = (byte) seed;
        return new BlobNode(BlobNode.Config.defaults(name, Keys.fromSeed(s), dir.resolve(name)));
    }

    @Test
    void aDirectoryPutOnANodeWithAReplicaComesBackFromTheReplica() throws Exception {
        Path tree = dir.resolve("model");
        Files.createDirectories(tree.resolve("weights"));
        byte[] weights = new byte[3 << 20];
        new Random(1).nextBytes(weights);
        Files.write(tree.resolve("weights/layer0.bin"), weights);
        Files.writeString(tree.resolve("config.json"), "{\"dim\": 64}");
        try (BlobNode primary = node(dir, "primary", 1); BlobNode replica = node(dir, "replica", 2)) {
            Run put = run("put", tree.toString(), "--node", primary.url(), "--replica", replica.url(), "--pin");
            assertEquals(0, put.exit(), put.err());
            String hash = put.out().strip();
            assertTrue(hash.matches("[0-9a-f]{64}"), put.out());
            assertTrue(replica.store().pinned(hash));

            primary.close();
            Path out = dir.resolve("restored");
            Run get = run("get", hash, "-o", out.toString(), "--node", replica.url(), "--cache", dir.resolve("cache").toString());
            assertEquals(0, get.exit(), get.err());
            assertArrayEquals(weights, Files.readAllBytes(out.resolve("weights/layer0.bin")));
            assertEquals("{\"dim\": 64}", Files.readString(out.resolve("config.json")));
        }
    }

    @Test
    void aMalformedOrUnknownHashIsAClearError() {
        try (BlobNode node = node(dir, "n", 3)) {
            Run malformed = run("get", "XYZ", "--node", node.url(), "--cache", dir.resolve("c").toString());
            assertEquals(1, malformed.exit());
            assertTrue(malformed.err().contains("'XYZ' is not a blob hash"), malformed.err());
            Run unknown = run("get", "a".repeat(64), "--node", node.url(), "--cache", dir.resolve("c").toString());
            assertEquals(1, unknown.exit());
            assertTrue(unknown.err().contains("not found"), unknown.err());
        }
    }
}
