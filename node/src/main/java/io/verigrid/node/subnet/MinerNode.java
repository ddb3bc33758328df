package io.verigrid.node.subnet;

import io.verigrid.ledger.Keys;
import io.verigrid.ledger.LmQuality;
import io.verigrid.ledger.NeuronView;
import io.verigrid.ledger.SubnetView;
import io.verigrid.ledger.tx.SubnetTx;
import io.verigrid.node.gateway.GatewayServer;
import io.verigrid.node.gateway.InMemoryMetering;
import io.verigrid.node.gateway.ServedModel;
import io.verigrid.node.http.NodeServer;
import io.verigrid.node.ledger.LedgerHttp;
import io.verigrid.node.ledger.Wallet;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A miner of the LM-quality subnet. On start it registers its key on the subnet if needed, serves its model
 * through the OpenAI-compatible {@link GatewayServer} and, on its own node URL, the model's files
 * ({@code /subnet/model/config.json}, {@code /subnet/model/model.safetensors}) with their commitment
 * ({@code /subnet/model}); then it announces the node URL (ServeAxon) and commits to the model (CommitModel).
 * Validators and challengers fetch the files and accept them only if they hash to the on-chain commitment.
 */
public final class MinerNode implements AutoCloseable {
    public record Config(String name, Keys keys, String ledgerUrl, int netuid, Path modelDir, String host, int port, int threads) {
        public Config {
            if (netuid < 0) throw new IllegalArgumentException("netuid must be non-negative, got " + netuid);
            if (modelDir == null) throw new IllegalArgumentException("a miner needs --model DIR (a Hugging Face Llama directory)");
            if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
    }

    private final Wallet wallet;
    private final GatewayServer gateway;
    private final NodeServer server;
    private final ModelFiles files;
    private final int uid;
    private final String apiKey;

    public MinerNode(Config config, Consumer<String> log) {
        LedgerHttp ledger = new LedgerHttp(config.ledgerUrl());
        SubnetView subnet = SubnetLookup.lmSubnet(ledger, config.netuid());
        files = ModelFiles.read(config.modelDir());
        if (files.size() > LmQuality.MAX_MODEL_BYTES) {
            throw new IllegalArgumentException("model " + config.modelDir() + " has " + files.size() + " bytes; subnet " + subnet.netuid()
                    + " scores models of at most " + LmQuality.MAX_MODEL_BYTES + " bytes (config plus weights)");
        }
        wallet = new Wallet(config.name(), config.keys(), ledger);
        if (SubnetLookup.uidOf(ledger, config.netuid(), wallet.address()) < 0) {
            wallet.submitOrThrow(new SubnetTx.Register(config.netuid()));
            log.accept("miner " + config.name() + " registered on subnet " + config.netuid());
        }
        uid = SubnetLookup.uidOf(ledger, config.netuid(), wallet.address());
        InMemoryMetering metering = InMemoryMetering.withSystemClock();
        apiKey = metering.createKey(Long.MAX_VALUE, 600);
        gateway = GatewayServer.start(ServedModel.load(config.modelDir()), metering, "127.0.0.1", 0, config.threads(), 8);
        server = NodeServer.start("miner-" + config.name(), config.host(), config.port(), app -> {
            app.get("/subnet/model", ctx -> ctx.json(Map.of("gateway", gateway.baseUrl(), "commitment", files.commitmentHex(),
                    "files", java.util.List.of(ModelFiles.CONFIG, ModelFiles.WEIGHTS))));
            app.get("/subnet/model/" + ModelFiles.CONFIG, ctx -> ctx.contentType("application/json").result(files.configJson()));
            app.get("/subnet/model/" + ModelFiles.WEIGHTS, ctx -> ctx.contentType("application/octet-stream").result(files.safetensors()));
        });
        wallet.submitOrThrow(new SubnetTx.ServeAxon(config.netuid(), server.url()));
        wallet.submitOrThrow(new SubnetTx.CommitModel(config.netuid(), files.commitment()));
        log.accept("miner " + config.name() + " UID " + uid + " on subnet " + config.netuid() + ": gateway " + gateway.baseUrl()
                + " (API key " + apiKey + "), model files at " + server.url() + "/subnet/model, commitment " + files.commitmentHex());
    }

    /** The gateway's API key (Authorization: Bearer …) for the miner's own clients. */
    public String apiKey() {
        return apiKey;
    }

    public String url() {
        return server.url();
    }

    public String gatewayUrl() {
        return gateway.baseUrl();
    }

    public int uid() {
        return uid;
    }

    public Wallet wallet() {
        return wallet;
    }

    public ModelFiles files() {
        return files;
    }

    @Override
    public void close() {
        server.close();
        gateway.close();
    }

    /** The metagraph row of this miner, as the ledger sees it now. */
    public NeuronView neuron(LedgerHttp ledger, int netuid) {
        return ledger.metagraph(netuid).get(uid);
    }
}
