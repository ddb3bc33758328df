package io.verigrid.node.blob;

import io.verigrid.ledger.Keys;
import io.verigrid.node.http.HttpJsonClient;
import io.verigrid.node.http.NodeServer;
import io.verigrid.node.http.RequestAuth;
import io.verigrid.node.http.RequestSigner;
import io.verigrid.node.metrics.NodeMetrics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * A storage node: a {@link BlobStore} served by {@link BlobApi} over signed HTTP, with its own key for the requests
 * it makes to peers (replication). Providers and verifiers mount the same API on their own servers.
 */
public final class BlobNode implements AutoCloseable {
    /**
     * @param chunkSize  chunk size of the blobs this node chunks itself
     * @param authWindow how far a request's timestamp may be from {@code clock}
     * @param policy     who may read blobs private to a job
     */
    public record Config(String name, Keys keys, Path dataDir, int port, int chunkSize, BlobApi.Limits limits, Clock clock,
                         Duration authWindow, BlobAccessPolicy policy) {
        public static Config defaults(String name, Keys keys, Path dataDir) {
            return new Config(name, keys, dataDir, 0, BlobStore.DEFAULT_CHUNK_SIZE, BlobApi.Limits.defaults(), Clock.systemUTC(),
                    Duration.ofSeconds(30), BlobAccessPolicy.nobody());
        }
    }

    private final BlobStore store;
    private final HttpJsonClient peers;
    private final NodeServer server;

    public BlobNode(Config config) {
        this.store = new BlobStore(config.dataDir().resolve("blobs"), config.chunkSize(), config.clock());
        this.peers = new HttpJsonClient(Duration.ofSeconds(30), new RequestSigner(config.keys(), config.clock()));
        NodeMetrics metrics = new NodeMetrics();
        BlobApi api = new BlobApi(store, new BlobFetcher(store, peers, metrics, config.limits().maxBlobBytes()), config.policy(), metrics, config.limits());
        RequestAuth auth = new RequestAuth(config.clock(), config.authWindow());
        this.server = NodeServer.start(config.name(), "127.0.0.1", config.port(), metrics, app -> api.routes(app, auth));
    }

    public String url() {
        return server.url();
    }

    public BlobStore store() {
        return store;
    }

    public NodeMetrics metrics() {
        return server.metrics();
    }

    @Override
    public void close() {
        server.close();
    }
}
