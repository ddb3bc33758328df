package io.verigrid.node.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import io.verigrid.ledger.InferenceViews;
import io.verigrid.ledger.AccountView;
import io.verigrid.ledger.BlockView;
import io.verigrid.ledger.ChainStatus;
import io.verigrid.ledger.DisputeView;
import io.verigrid.ledger.JobView;
import io.verigrid.ledger.MarketParams;
import io.verigrid.ledger.MarketViews.BidView;
import io.verigrid.ledger.MarketViews.LeaseView;
import io.verigrid.ledger.MarketViews.OrderView;
import io.verigrid.ledger.MarketViews.ProviderView;
import io.verigrid.ledger.Params;
import io.verigrid.ledger.TxResult;
import io.verigrid.ledger.tx.SignedTx;
import io.verigrid.node.http.HttpJsonClient;
import io.verigrid.node.http.Json;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** A role's view of the ledger: the ledger node's HTTP API ({@link LedgerApi}), nothing shared in memory. */
public final class LedgerHttp {
    private final String base;
    private final HttpJsonClient http = new HttpJsonClient(Duration.ofSeconds(30));

    public LedgerHttp(String baseUrl) {
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    public String url() {
        return base;
    }

    public TxResult submit(SignedTx tx) {
        return http.post(base + "/ledger/tx", Map.of("tx", HexFormat.of().formatHex(tx.encode())), TxResult.class);
    }

    public ChainStatus status() {
        return http.get(base + "/ledger/status", ChainStatus.class);
    }

    public Params params() {
        return http.get(base + "/ledger/params", Params.class);
    }

    public AccountView account(String address) {
        return http.get(base + "/ledger/accounts/" + address, AccountView.class);
    }

    public JobView job(long id) {
        return http.get(base + "/ledger/jobs/" + id, JobView.class);
    }

    public List<JobView> jobs() {
        return http.get(base + "/ledger/jobs", Json.MAPPER.getTypeFactory().constructCollectionType(List.class, JobView.class));
    }

    /** A preprocessing job's input, pipeline and declared plan; {@code ApiException} 404 for any other job. */
    public io.verigrid.ledger.PreprocessJobView preprocessJob(long id) {
        return http.get(base + "/ledger/jobs/" + id + "/preprocess", io.verigrid.ledger.PreprocessJobView.class);
    }

    public DisputeView dispute(long id) {
        return http.get(base + "/ledger/disputes/" + id, DisputeView.class);
    }

    /** The newest disputes (up to the node's list limit), newest first. */
    public List<DisputeView> disputes() {
        return http.get(base + "/ledger/disputes", Json.MAPPER.getTypeFactory().constructCollectionType(List.class, DisputeView.class));
    }

    /** The newest {@code limit} blocks the node retains (1..100), newest first. */
    public List<BlockView> blocks(int limit) {
        return http.get(base + "/ledger/blocks?limit=" + limit, Json.MAPPER.getTypeFactory().constructCollectionType(List.class, BlockView.class));
    }

    public BlockView block(long height) {
        return http.get(base + "/ledger/blocks/" + height, BlockView.class);
    }

    public TxResult tx(String hashHex) {
        return http.get(base + "/ledger/txs/" + hashHex, TxResult.class);
    }

    // ---- verified inference ----

    /** The value of an inference query ({@code GET /ledger/inference/{what}}), or null. */
    public <T> T inference(String what, Class<T> type) {
        JsonNode value = http.getJson(base + "/ledger/inference/" + what).path("value");
        if (value.isMissingNode() || value.isNull()) return null;
        try {
            return Json.MAPPER.treeToValue(value, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("unreadable inference answer for " + what, e);
        }
    }

    public <T> List<T> inferenceList(String what, Class<T> element) {
        JsonNode value = http.getJson(base + "/ledger/inference/" + what).path("value");
        return Json.MAPPER.convertValue(value, Json.MAPPER.getTypeFactory().constructCollectionType(List.class, element));
    }

    public InferenceViews.KeyView inferenceKey(String keyHashHex) {
        return inference("key:" + keyHashHex, InferenceViews.KeyView.class);
    }

    public InferenceViews.HoldView inferenceHold(String requestHashHex) {
        return inference("hold:" + requestHashHex, InferenceViews.HoldView.class);
    }

    public InferenceViews.DisputeView inferenceDispute(long id) {
        return inference("dispute:" + id, InferenceViews.DisputeView.class);
    }

    public List<InferenceViews.DisputeView> inferenceDisputes() {
        return inferenceList("disputes", InferenceViews.DisputeView.class);
    }

    /** The sampling seed of a held request (hex), or null before its seed block. */
    public String inferenceSeed(String requestHashHex) {
        JsonNode value = http.getJson(base + "/ledger/inference/seed:" + requestHashHex).path("value");
        String seed = value.path("seed").asText("");
        return seed.isEmpty() ? null : seed;
    }

    // ---- compute market ----

    public MarketParams marketParams() {
        return http.get(base + "/market/params", MarketParams.class);
    }

    public List<OrderView> marketOrders() {
        return http.get(base + "/market/orders", listOf(OrderView.class));
    }

    public OrderView marketOrder(long id) {
        return http.get(base + "/market/orders/" + id, OrderView.class);
    }

    /** Every bid, or one order's when {@code orderId > 0}. */
    public List<BidView> marketBids(long orderId) {
        return http.get(base + (orderId > 0 ? "/market/orders/" + orderId + "/bids" : "/market/bids"), listOf(BidView.class));
    }

    public List<LeaseView> marketLeases() {
        return http.get(base + "/market/leases", listOf(LeaseView.class));
    }

    public List<ProviderView> marketProviders() {
        return http.get(base + "/market/providers", listOf(ProviderView.class));
    }

    /** The registered provider, or null when the address never registered. */
    public ProviderView marketProvider(String address) {
        try {
            return http.get(base + "/market/providers/" + address, ProviderView.class);
        } catch (io.verigrid.node.http.ApiException e) {
            if (e.status() == 404) return null;
            throw e;
        }
    }

    private static com.fasterxml.jackson.databind.JavaType listOf(Class<?> element) {
        return Json.MAPPER.getTypeFactory().constructCollectionType(List.class, element);
    }

    public List<io.verigrid.ledger.SubnetView> subnets() {
        return http.get(base + "/ledger/subnets", Json.MAPPER.getTypeFactory().constructCollectionType(List.class, io.verigrid.ledger.SubnetView.class));
    }

    public io.verigrid.ledger.SubnetView subnet(int netuid) {
        return http.get(base + "/ledger/subnets/" + netuid, io.verigrid.ledger.SubnetView.class);
    }

    public List<io.verigrid.ledger.NeuronView> metagraph(int netuid) {
        return http.get(base + "/ledger/subnets/" + netuid + "/metagraph",
                Json.MAPPER.getTypeFactory().constructCollectionType(List.class, io.verigrid.ledger.NeuronView.class));
    }

    /** The scored subnet's reports (score challenges act on these). */
    public List<io.verigrid.ledger.ScoreReportView> scoreReports(int netuid) {
        return http.get(base + "/ledger/subnets/" + netuid + "/scores",
                Json.MAPPER.getTypeFactory().constructCollectionType(List.class, io.verigrid.ledger.ScoreReportView.class));
    }

    /** Asks the answering peer to write a snapshot now; returns the log index it covers. */
    public long snapshot() {
        return http.postJson(base + "/ledger/snapshot", Map.of()).path("index").asLong();
    }

    /** The answering peer's own view: id, leadership, halt state, local chain head. */
    public PeerView peer() {
        return http.get(base + "/ledger/peer", PeerView.class);
    }

    /** The seed that decides unit {@code unit}'s verification sample, or null until its block exists. */
    public byte[] sampleSeed(long jobId, int unit) {
        JsonNode seed = http.getJson(base + "/ledger/jobs/" + jobId + "/units/" + unit + "/sample-seed").path("seed");
        return seed.isTextual() ? HexFormat.of().parseHex(seed.asText()) : null;
    }
}
