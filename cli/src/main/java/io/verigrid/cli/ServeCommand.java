package io.verigrid.cli;

import io.verigrid.node.gateway.GatewayServer;
import io.verigrid.node.gateway.InMemoryMetering;
import io.verigrid.node.gateway.ServedModel;
import io.verigrid.node.inference.InferenceNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code verigrid serve --model DIR}: verified inference on one machine — an embedded ledger, a provider serving the
 * model through the OpenAI-compatible gateway, a verifier, and a funded local account whose API key is registered on
 * the ledger — then the two lines an OpenAI client needs.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve a Llama-architecture model through a verified OpenAI-compatible API.",
            "The model is a Hugging Face directory; the API listens on 127.0.0.1 (/v1/models, /v1/chat/completions",
            "with streaming, /v1/completions, /v1/embeddings). Verified:",
            "an embedded one-peer ledger, a provider, a verifier and a funded local account start with it. Each",
            "response is committed (x-verigrid-commitment), charged from the account's inference escrow into a hold",
            "(x-verigrid-request names it on the ledger), and re-executed by the verifier with probability",
            "--sample-ppm / 10^6; a mismatch is disputed down to one operator and the cheat slashed.",
            "When ready it prints exactly two lines, base_url: … and api_key: …, and serves until stopped."})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model directory (config.json, model.safetensors, tokenizer.json).")
    Path model;

    @Option(names = "--port", defaultValue = "0", description = "Gateway port on 127.0.0.1; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--threads", defaultValue = "1", description = "Engine threads (the bits do not depend on it). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--max-batch", defaultValue = "32", description = "Most sequences decoded in one step. Default: ${DEFAULT-VALUE}.")
    int maxBatch;

    @Option(names = "--sample-ppm", defaultValue = "50000",
            description = "Share of requests a verifier re-executes, in parts per million. Default: ${DEFAULT-VALUE} (5%%).")
    int samplePpm;

    @Option(names = "--block-ms", defaultValue = "200", description = "Ledger block interval in milliseconds. Default: ${DEFAULT-VALUE}.")
    long blockMillis;

    @Option(names = "--window-blocks", defaultValue = "300",
            description = "Challenge window of a served request, in blocks (then its hold is paid). Default: ${DEFAULT-VALUE}.")
    long windowBlocks;

    @Option(names = "--move-blocks", defaultValue = "300",
            description = "Blocks each dispute party has per move. Default: ${DEFAULT-VALUE}.")
    long moveBlocks;

    @Option(names = "--data", description = {"Directory for the embedded ledger, the provider's record of what it served and the",
            "network's keys; serve again on it (same options) to resume the chain and defend earlier requests.",
            "Default: a temporary one, removed on exit."})
    Path data;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be in 0..65535, got " + port);
        }
        if (threads < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("--threads and --max-batch must be at least 1");
        }
        if (samplePpm < 0 || samplePpm > 1_000_000) {
            throw new IllegalArgumentException("--sample-ppm must be in 0..1000000, got " + samplePpm);
        }
        if (blockMillis < 10) {
            throw new IllegalArgumentException("--block-ms must be at least 10, got " + blockMillis);
        }
        if (windowBlocks < 3 || moveBlocks < 1) {
            throw new IllegalArgumentException("--window-blocks must be at least 3 and --move-blocks at least 1");
        }
        if (!Files.isDirectory(model)) {
            throw new IllegalArgumentException("--model: " + model + " is not a directory");
        }
        boolean temporary = data == null;
        Path dataDir = temporary ? createTemp() : data;
        InferenceNetwork.Options options = new InferenceNetwork.Options(model, dataDir, "127.0.0.1", port, blockMillis,
                samplePpm, 1_000, 100 * InferenceNetwork.TOKEN, threads, maxBatch, null, null, windowBlocks, moveBlocks);
        InferenceNetwork network = InferenceNetwork.start(options, System.err::println);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            network.close();
            if (temporary) deleteRecursively(dataDir);
            stopped.countDown();
        }, "verigrid-serve-shutdown"));
        System.out.println("base_url: " + network.baseUrl());
        System.out.println("api_key: " + network.apiKey());
        System.out.flush();
        stopped.await();
        return 0;
    }

    /**
     * The gateway alone ({@code verigrid node --role gateway}): in-memory keys, no ledger. Prints {@code base_url:} and
     * {@code api_key:} and serves until the JVM shuts down.
     */
    static void serve(Path model, String host, int port, int threads, int maxBatch, long quota, int requestsPerMinute)
            throws InterruptedException {
        ServedModel served = ServedModel.load(model);
        InMemoryMetering metering = InMemoryMetering.withSystemClock();
        String key = metering.createKey(quota, requestsPerMinute);
        GatewayServer server = GatewayServer.start(served, metering, host, port, threads, maxBatch);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "verigrid-serve-shutdown"));
        System.out.println("base_url: " + server.baseUrl());
        System.out.println("api_key: " + key);
        System.out.flush();
        stopped.await();
    }

    private static Path createTemp() {
        try {
            return Files.createTempDirectory("verigrid-serve-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary data directory", e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not remove " + dir + ": " + e.getMessage());
        }
    }
}
