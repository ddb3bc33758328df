package io.verigrid.node.ledger;

import io.verigrid.ledger.LedgerPeer;
import io.verigrid.ledger.PeerConfig;
import io.verigrid.node.http.NodeServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** A ledger peer process: the Ratis peer plus its HTTP API for the other roles. */
public final class LedgerNode implements AutoCloseable {
    private final LedgerPeer peer;
    private final NodeServer server;

    private LedgerNode(LedgerPeer peer, NodeServer server) {
        this.peer = peer;
        this.server = server;
    }

    /** A peer with its HTTP API on loopback ({@code httpPort} 0 picks a free port). */
    public static LedgerNode start(PeerConfig config, int httpPort) {
        return start(config, "127.0.0.1", httpPort);
    }

    /** A peer with its HTTP API bound to {@code httpHost:httpPort}. */
    public static LedgerNode start(PeerConfig config, String httpHost, int httpPort) {
        LedgerPeer peer = LedgerPeer.start(config);
        try {
            return new LedgerNode(peer, NodeServer.start("ledger " + config.id(), httpHost, httpPort, app -> LedgerApi.routes(app, peer)));
        } catch (RuntimeException e) {
            peer.close();
            throw e;
        }
    }

    /** The HTTP API's port. */
    public int port() {
        return server.port();
    }

    public String url() {
        return server.url();
    }

    public LedgerPeer peer() {
        return peer;
    }

    /** A port that was free a moment ago, for a peer's gRPC endpoint on loopback. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on loopback", e);
        }
    }

    @Override
    public void close() {
        server.close();
        peer.close();
    }
}
