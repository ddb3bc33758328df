package io.verigrid.cli;

import io.verigrid.ledger.Keys;
import io.verigrid.node.blob.BlobFetcher;
import io.verigrid.node.blob.BlobStore;
import io.verigrid.node.blob.BlobUploader;
import io.verigrid.node.blob.DirArchive;
import io.verigrid.node.blob.Manifest;
import io.verigrid.node.http.HttpJsonClient;
import io.verigrid.node.http.RequestSigner;
import io.verigrid.node.metrics.NodeMetrics;
import io.verigrid.node.process.KeyFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code verigrid blob put|get}: moves files and directories in and out of nodes' content-addressed blob stores.
 * Requests are signed with the account key of {@code --key-file} (or a throwaway key, enough for public blobs).
 */
@Command(name = "blob", mixinStandardHelpOptions = true, description = "Store and fetch content-addressed blobs on Verigrid nodes.",
        subcommands = {BlobCommand.Put.class, BlobCommand.Get.class})
final class BlobCommand {
    static final String DEFAULT_NODE = "http://127.0.0.1:8600";

    static HttpJsonClient client(Path keyFile) {
        Keys keys = keyFile != null ? KeyFile.read(keyFile) : Keys.generate(new SecureRandom());
        return new HttpJsonClient(Duration.ofSeconds(60), new RequestSigner(keys, Clock.systemUTC()));
    }

    static String defaultNode() {
        String env = System.getenv("VERIGRID_BLOB_NODE");
        return env == null || env.isBlank() ? DEFAULT_NODE : env;
    }

    @Command(name = "put", mixinStandardHelpOptions = true,
            description = {"Upload a file, or a directory as one canonical archive, and print its blob hash (last line).",
                "Only chunks the node lacks are sent, so a broken upload resumes. Each --replica then pulls the blob."})
    static final class Put implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE|DIR", description = "What to upload.")
        Path path;

        @Option(names = "--node", description = "Node to upload to. Default: $VERIGRID_BLOB_NODE or " + DEFAULT_NODE + ".")
        String node;

        @Option(names = "--replica", paramLabel = "URL", description = "Another node that pulls and pins the blob (repeatable).")
        List<String> replicas = new ArrayList<>();

        @Option(names = "--job", description = "Mark the blob private to this job: served only to its buyer, provider and staked verifiers.")
        Long job;

        @Option(names = "--pin", description = "Ask the nodes to keep the blob (it is not garbage-collected).")
        boolean pin;

        @Option(names = "--key-file", description = "Account key file (JSON with \"seed\") that signs the requests.")
        Path keyFile;

        @Option(names = "--chunk-size", defaultValue = "1048576", description = "Chunk size in bytes. Default: ${DEFAULT-VALUE}.")
        int chunkSize;

        @Override
        public Integer call() throws IOException {
            if (!Files.exists(path)) throw new IllegalArgumentException("FILE|DIR " + path + " does not exist");
            if (job != null && job <= 0) throw new IllegalArgumentException("--job must be a positive job id, got " + job);
            String target = node != null ? node : defaultNode();
            OptionalLong privateTo = job == null ? OptionalLong.empty() : OptionalLong.of(job);
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Path staging = Files.createTempDirectory("verigrid-blob-put");
            try {
                BlobStore local = new BlobStore(staging, chunkSize, Clock.systemUTC());
                String id = local.putPath(path);
                Manifest manifest = local.manifest(id).orElseThrow();
                HttpJsonClient http = client(keyFile);
                BlobUploader uploader = new BlobUploader(local, http);
                BlobUploader.Report sent = uploader.upload(id, target, privateTo, pin);
                err.printf("%s %s: %d bytes in %d chunks; sent %d to %s (%d already there)%n", manifest.kind().name().toLowerCase(), path,
                        manifest.size(), manifest.chunkCount(), sent.chunksSent(), target, sent.chunksPresent());
                List<String> sources = new ArrayList<>(List.of(target));
                for (String replica : replicas) {
                    BlobFetcher.Report pulled = uploader.replicate(id, replica, sources, privateTo, pin);
                    err.printf("replica %s pulled %d chunks (%d already held)%n", replica, pulled.chunksFetched(), pulled.chunksHeld());
                    sources.add(replica);
                }
                out.println(id);
                out.flush();
                err.flush();
                return 0;
            } finally {
                deleteRecursively(staging);
            }
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = {"Download a blob, checking every chunk against its manifest, and write it to PATH",
                "(a directory blob is extracted there). Chunks land in --cache first, so a broken download resumes."})
    static final class Get implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "HASH", description = "The blob hash (64 lowercase hex characters).")
        String hash;

        @Option(names = {"-o", "--output"}, description = "Where to write it. Default: ./HASH.")
        Path output;

        @Option(names = "--node", paramLabel = "URL", description = "Node(s) to fetch from, tried in order (repeatable). Default: $VERIGRID_BLOB_NODE or " + DEFAULT_NODE + ".")
        List<String> nodes = new ArrayList<>();

        @Option(names = "--key-file", description = "Account key file (JSON with \"seed\"); needed for blobs private to a job.")
        Path keyFile;

        @Option(names = "--cache", description = "Local chunk store that makes downloads resumable. Default: ~/.verigrid/blobs.")
        Path cache;

        @Override
        public Integer call() throws IOException {
            BlobStore.requireHash(hash);
            List<String> sources = nodes.isEmpty() ? List.of(defaultNode()) : nodes;
            Path cacheDir = cache != null ? cache : Path.of(System.getProperty("user.home"), ".verigrid", "blobs");
            BlobStore local = new BlobStore(cacheDir);
            BlobFetcher.Report report = new BlobFetcher(local, client(keyFile), new NodeMetrics(), Long.MAX_VALUE).fetch(hash, sources);
            Manifest manifest = local.manifest(hash).orElseThrow();
            Path target = output != null ? output : Path.of(hash);
            try (InputStream in = local.open(hash)) {
                if (manifest.kind() == Manifest.Kind.DIRECTORY) {
                    DirArchive.extract(in, target);
                } else {
                    if (target.getParent() != null) Files.createDirectories(target.getParent());
                    Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            spec.commandLine().getErr().printf("%s: %d bytes, %d chunks fetched and verified, %d already cached%n", hash,
                    manifest.size(), report.chunksFetched(), report.chunksHeld());
            spec.commandLine().getOut().println(target.toAbsolutePath());
            return 0;
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
