package io.verigrid.ledger;

import java.nio.file.Path;
import java.util.List;

/**
 * How to start one ledger peer.
 *
 * @param id                  this peer's id (letters, digits, '-', '_')
 * @param dataDir             where the Raft log and snapshots live; created if missing, resumed if present
 * @param host                address the peer binds and advertises (loopback for an embedded peer)
 * @param port                gRPC port of the peer
 * @param peers               the whole group as {@code id=host:port} entries, this peer included; empty means a
 *                            single embedded peer
 * @param genesis             the chain this peer replicates
 * @param blockIntervalMillis how often the leader cuts a block; 0 or less disables the timer (blocks then come
 *                            only from {@link LedgerPeer#produceBlock()})
 */
public record PeerConfig(String id, Path dataDir, String host, int port, List<String> peers, Genesis genesis,
                         long blockIntervalMillis) {
    public PeerConfig {
        if (id == null || !id.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("id must be 1..64 letters, digits, '-' or '_', got " + id);
        }
        if (dataDir == null) throw new IllegalArgumentException("dataDir must not be null");
        if (host == null || host.isBlank()) throw new IllegalArgumentException("host must not be blank");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port must be in 1..65535, got " + port);
        peers = peers == null ? List.of() : List.copyOf(peers);
        if (genesis == null) throw new IllegalArgumentException("genesis must not be null");
    }

    /** A single embedded peer on loopback. */
    public static PeerConfig single(Path dataDir, int port, Genesis genesis, long blockIntervalMillis) {
        return new PeerConfig("p1", dataDir, "127.0.0.1", port, List.of(), genesis, blockIntervalMillis);
    }
}
