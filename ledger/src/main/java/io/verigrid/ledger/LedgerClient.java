package io.verigrid.ledger;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import io.verigrid.ledger.tx.SignedTx;
import io.verigrid.verify.Hashes;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits transactions to the ledger group and reads its state. Writes return once the entry is committed
 * and applied, with its result; concurrent submissions share batch entries ({@link TxBatcher}). Reads go
 * through Ratis to the leader, so every peer's client sees the same answers. Transport failures surface as
 * {@link UncheckedIOException}.
 */
public final class LedgerClient implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerClient.class);
    private final RaftClient raft;
    private final TxBatcher batcher;
    /**
     * Where entries go once Ratis's ordered async API has failed for good: one non-I/O failure there (a connection
     * reset racing a send) closes its sliding window, and every later async send fails unsent. From then on this
     * client writes through the blocking API on this one thread (the batcher keeps one round in flight, so the order
     * holds); the async API stays the normal path because it reuses one stream instead of opening one per entry.
     */
    private final ExecutorService writer;
    private volatile boolean asyncBroken;

    LedgerClient(String name, RaftClient raft, TxBatcher.PreCheck preCheck) {
        this.raft = raft;
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "verigrid-ledger-writer-" + name);
            t.setDaemon(true);
            return t;
        });
        this.batcher = new TxBatcher(name, this::writeAsync, preCheck);
    }

    /**
     * A client of a running ledger group from outside it (no peer in this process): {@code peers} lists the
     * group as {@code id=host:port} entries, {@code chainId} names the chain (it fixes the Raft group id).
     */
    public static LedgerClient connect(String chainId, List<String> peers) {
        RaftGroup group = RaftGroup.valueOf(LedgerPeer.groupId(chainId), LedgerPeer.parsePeers(peers));
        RaftProperties props = new RaftProperties();
        GrpcConfigKeys.setMessageSizeMax(props, SizeInBytes.valueOf(16L << 20));
        return new LedgerClient("external", RaftClient.newBuilder().setProperties(props).setRaftGroup(group).build(), null);
    }

    /** Submits a signed transaction and returns its result: accepted, or the rejection code and message. */
    public TxResult submit(SignedTx tx) {
        return submitEncoded(tx.encode());
    }

    /**
     * Submits an already encoded signed transaction (e.g. received over HTTP); undecodable bytes come back MALFORMED.
     * A transaction not committed within {@link #SUBMIT_TIMEOUT} (no leader, or a majority of the peers down) fails
     * with an error instead of waiting forever; it may still land later, which its hash tells.
     */
    public TxResult submitEncoded(byte[] encodedSignedTx) {
        try {
            return submitEncodedAsync(encodedSignedTx).get(SUBMIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException io) throw io;
            throw new UncheckedIOException("ledger write failed", new IOException(e.getCause()));
        } catch (TimeoutException e) {
            throw new UncheckedIOException(new IOException("the ledger did not commit the transaction within "
                    + SUBMIT_TIMEOUT.toSeconds() + " s: no leader, or a majority of its peers is down"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while waiting for the ledger"));
        }
    }

    /** Queues a transaction for the next batch entry; completes with its result once committed and applied. */
    public CompletableFuture<TxResult> submitAsync(SignedTx tx) {
        return submitEncodedAsync(tx.encode());
    }

    /**
     * As {@link #submitEncoded}, asynchronously and without a timeout of its own (a timer per transaction would
     * cost a busy ledger more than the transaction): callers bound their own waits.
     */
    public CompletableFuture<TxResult> submitEncodedAsync(byte[] encodedSignedTx) {
        return batcher.submit(encodedSignedTx);
    }

    /** How long a submit waits for its commitment. */
    public static final Duration SUBMIT_TIMEOUT = Duration.ofMinutes(2);

    BlockView submitBlock(byte[] blockEntry) {
        return parse(write(blockEntry), BlockView.class);
    }

    public AccountView account(byte[] publicKey) {
        return query("account", Hashes.hex(publicKey), AccountView.class);
    }

    public BlockView block(long height) {
        return query("block", Long.toString(height), BlockView.class);
    }

    /** The newest {@code limit} retained blocks, newest first. */
    public List<BlockView> blocks(int limit) {
        return queryList("blocks", Integer.toString(limit), BlockView.class);
    }

    public ChainStatus status() {
        return query("status", null, ChainStatus.class);
    }

    public Params params() {
        return query("params", null, Params.class);
    }

    /** The job, or null if there is none with this id. */
    public JobView job(long id) {
        return query("job", Long.toString(id), JobView.class);
    }

    public List<JobView> jobs() {
        return queryList("jobs", null, JobView.class);
    }

    /** The dispute, or null if there is none with this id. */
    public DisputeView dispute(long id) {
        return query("dispute", Long.toString(id), DisputeView.class);
    }

    /** The newest {@code limit} disputes, newest first. */
    public List<DisputeView> disputes(int limit) {
        return queryList("disputes", Integer.toString(limit), DisputeView.class);
    }

    /** A preprocessing job's input, pipeline and declared plan, or null for any other job. */
    public PreprocessJobView preprocessJob(long id) {
        return query("preprocess", Long.toString(id), PreprocessJobView.class);
    }

    /** The sampling seed of a committed unit (a block hash), or null until that block exists. */
    public byte[] sampleSeed(long jobId, int unit) {
        String hex = query("sampleSeed", jobId + ":" + unit, String.class);
        return hex == null ? null : Hashes.unhex(hex);
    }

    /** The result recorded for a transaction hash, or null if the ledger has not seen it. */
    public TxResult tx(String hashHex) {
        return query("tx", hashHex, TxResult.class);
    }

    public List<SubnetView> subnets() {
        return queryList("subnets", null, SubnetView.class);
    }

    /** The subnet, or null if there is none with this id. */
    public SubnetView subnet(int netuid) {
        return query("subnet", Integer.toString(netuid), SubnetView.class);
    }

    /** The subnet's metagraph, or null if there is no such subnet. */
    public List<NeuronView> metagraph(int netuid) {
        return queryList("metagraph", Integer.toString(netuid), NeuronView.class);
    }

    /** The model-quality subnet's score reports, or null if there is no such subnet. */
    public List<ScoreReportView> scoreReports(int netuid) {
        return queryList("scoreReports", Integer.toString(netuid), ScoreReportView.class);
    }

    // ---- compute market ----

    public List<MarketViews.OrderView> marketOrders() {
        return queryList("market", "orders", MarketViews.OrderView.class);
    }

    /** The order, or null if there is none with this id. */
    public MarketViews.OrderView marketOrder(long id) {
        return query("market", "order:" + id, MarketViews.OrderView.class);
    }

    /** Every bid, or those of one order when {@code orderId > 0}. */
    public List<MarketViews.BidView> marketBids(long orderId) {
        return queryList("market", orderId > 0 ? "bids:" + orderId : "bids", MarketViews.BidView.class);
    }

    public MarketParams marketParams() {
        return query("market", "params", MarketParams.class);
    }

    public List<MarketViews.LeaseView> marketLeases() {
        return queryList("market", "leases", MarketViews.LeaseView.class);
    }

    public List<MarketViews.ProviderView> marketProviders() {
        return queryList("market", "providers", MarketViews.ProviderView.class);
    }

    /** The registered provider, or null. */
    public MarketViews.ProviderView marketProvider(String address) {
        return query("market", "provider:" + address, MarketViews.ProviderView.class);
    }

    // ---- verified inference ----

    /** An inference query ({@code InferenceQuery}: models, model:ID, key:HASH, hold:HASH, seed:HASH, dispute:ID, …) as JSON. */
    public com.fasterxml.jackson.databind.JsonNode inference(String what) {
        return query("inference", what, com.fasterxml.jackson.databind.JsonNode.class);
    }

    private CompletableFuture<byte[]> writeAsync(byte[] entry) {
        Message message = Message.valueOf(ByteString.copyFrom(entry));
        CompletableFuture<RaftClientReply> reply = asyncBroken ? sendBlocking(message)
                : raft.async().send(message).exceptionallyCompose(failure -> {
                    if (!neverSent(failure) || writer.isShutdown()) return CompletableFuture.failedFuture(failure);
                    if (!asyncBroken) LOG.warn("ledger client's ordered async stream failed ({}); writing through the blocking API from now on", failure.toString());
                    asyncBroken = true;
                    return sendBlocking(message);
                });
        return reply.thenApply(r -> {
            try {
                return content(r);
            } catch (IOException e) {
                throw new UncheckedIOException("ledger write failed", e);
            }
        });
    }

    private CompletableFuture<RaftClientReply> sendBlocking(Message message) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return raft.io().send(message);
            } catch (IOException e) {
                throw new UncheckedIOException("ledger write failed", e);
            }
        }, writer);
    }

    /**
     * Whether an async write failed before it reached any server, so sending it again cannot apply it twice: the
     * sliding window refused it as closed, or the send broke on a non-I/O error before writing (Ratis retries I/O
     * errors itself).
     */
    static boolean neverSent(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) cause = cause.getCause();
        return cause instanceof AlreadyClosedException || !(cause instanceof IOException);
    }

    private byte[] write(byte[] entry) {
        try {
            return content(raft.io().send(Message.valueOf(ByteString.copyFrom(entry))));
        } catch (IOException e) {
            throw new UncheckedIOException("ledger write failed", e);
        }
    }

    <T> T query(String kind, String arg, Class<T> type) {
        return query(kind, arg, LedgerQuery.JSON.getTypeFactory().constructType(type));
    }

    <T> List<T> queryList(String kind, String arg, Class<T> element) {
        return query(kind, arg, LedgerQuery.JSON.getTypeFactory().constructCollectionType(List.class, element));
    }

    private <T> T query(String kind, String arg, JavaType type) {
        try {
            RaftClientReply reply = raft.io().sendReadOnly(Message.valueOf(ByteString.copyFrom(LedgerQuery.request(kind, arg))));
            JsonNode envelope = LedgerQuery.JSON.readTree(content(reply));
            if (envelope.has("error")) throw new IllegalArgumentException("query " + kind + ": " + envelope.get("error").asText());
            JsonNode value = envelope.get("value");
            return value == null || value.isNull() ? null : LedgerQuery.JSON.treeToValue(value, type);
        } catch (IOException e) {
            throw new UncheckedIOException("ledger query " + kind + " failed", e);
        }
    }

    private static byte[] content(RaftClientReply reply) throws IOException {
        if (!reply.isSuccess()) {
            throw new IOException("ledger request failed: " + reply.getException(), reply.getException());
        }
        return reply.getMessage().getContent().toByteArray();
    }

    private <T> T parse(byte[] json, Class<T> type) {
        try {
            return LedgerQuery.JSON.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable ledger reply", e);
        }
    }

    @Override
    public void close() {
        batcher.close();
        writer.shutdown();
        try {
            raft.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing the ledger client failed", e);
        }
    }
}
