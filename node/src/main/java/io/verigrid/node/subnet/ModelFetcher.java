package io.verigrid.node.subnet;

import io.verigrid.ledger.LmQuality;
import io.verigrid.node.http.HttpJsonClient;
import io.verigrid.verify.Hashes;
import java.time.Duration;
import java.util.Arrays;

/** Fetches a miner's model files from its announced node URL and accepts them only if they match a commitment. */
public final class ModelFetcher {
    private final HttpJsonClient http = new HttpJsonClient(Duration.ofSeconds(30));

    /**
     * The files served at {@code axon} that hash to {@code commitmentHex}; IllegalStateException naming the miner
     * when they cannot be fetched, are too large for the referee, or do not match.
     */
    public ModelFiles fetch(String axon, String commitmentHex) {
        if (axon == null || axon.isEmpty()) throw new IllegalStateException("the miner announced no URL");
        ModelFiles files = new ModelFiles(http.getBytes(axon + "/subnet/model/" + ModelFiles.CONFIG),
                http.getBytes(axon + "/subnet/model/" + ModelFiles.WEIGHTS));
        if (files.size() > LmQuality.MAX_MODEL_BYTES) {
            throw new IllegalStateException("the model at " + axon + " has " + files.size() + " bytes, more than " + LmQuality.MAX_MODEL_BYTES);
        }
        if (!Arrays.equals(files.commitment(), Hashes.unhex(commitmentHex))) {
            throw new IllegalStateException("the model at " + axon + " hashes to " + files.commitmentHex() + ", not the committed " + commitmentHex);
        }
        return files;
    }
}
