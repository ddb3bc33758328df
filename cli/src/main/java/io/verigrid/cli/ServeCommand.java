package io.verigrid.cli;

import io.verigrid.node.gateway.GatewayServer;
import io.verigrid.node.gateway.InMemoryMetering;
import io.verigrid.node.gateway.ServedModel;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code verigrid serve --model DIR}: the OpenAI-compatible gateway for one model on loopback. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve a Llama-architecture model (Hugging Face directory) through an OpenAI-compatible API on",
            "127.0.0.1: /v1/models, /v1/chat/completions (streaming too), /v1/completions, /v1/embeddings.",
            "Generation is deterministic: the same request and seed give the same tokens on any machine, and each",
            "response carries its hash commitment (x-verigrid-commitment). For now the gateway runs the model",
            "itself; the embedded ledger, provider and verifier come with the verification work.",
            "When ready it prints two lines, base_url: … and api_key: …, and serves until stopped."})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model directory (config.json, model.safetensors, tokenizer.json).")
    Path model;

    @Option(names = "--port", defaultValue = "0", description = "Port on 127.0.0.1; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--threads", defaultValue = "1", description = "Engine threads (the bits do not depend on it). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--max-batch", defaultValue = "32", description = "Most sequences decoded in one step. Default: ${DEFAULT-VALUE}.")
    int maxBatch;

    @Option(names = "--quota", defaultValue = "100000000", description = "Token quota of the printed API key. Default: ${DEFAULT-VALUE}.")
    long quota;

    @Option(names = "--rpm", defaultValue = "600", description = "Requests per minute of the printed API key. Default: ${DEFAULT-VALUE}.")
    int requestsPerMinute;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be in 0..65535, got " + port);
        }
        if (threads < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("--threads and --max-batch must be at least 1");
        }
        serve(model, "127.0.0.1", port, threads, maxBatch, quota, requestsPerMinute);
        return 0;
    }

    /** Starts the gateway, prints {@code base_url:} and {@code api_key:}, and serves until the JVM shuts down. */
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
}
