package io.verigrid.ledger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * One ledger peer: a Ratis server over gRPC running {@link LedgerStateMachine}, a {@link LedgerClient} to
 * the group and, when configured, the leader's block timer. Starting on an existing data directory resumes
 * from the latest snapshot and replays the log after it.
 */
public final class LedgerPeer implements AutoCloseable {
    private static final long SNAPSHOT_EVERY_ENTRIES = 10_000;
    /** appendEntries calls the leader keeps in flight to each follower (see {@link #properties}). */
    static final int LEADER_APPENDS_IN_FLIGHT = 8;

    private final PeerConfig config;
    private final RaftServer server;
    private final RaftGroup group;
    private final LedgerStateMachine stateMachine;
    private final LedgerClient client;
    private final BlockProducer blocks;
    private final SignatureChecks signatures;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LedgerPeer(PeerConfig config, RaftServer server, RaftGroup group, LedgerStateMachine stateMachine,
                       LedgerClient client, SignatureChecks signatures) {
        this.config = config;
        this.signatures = signatures;
        this.server = server;
        this.group = group;
        this.stateMachine = stateMachine;
        this.client = client;
        this.blocks = config.blockIntervalMillis() > 0
                ? new BlockProducer(config.id(), config.blockIntervalMillis(), this::isLeader, this::produceBlock) : null;
        // A diverged peer stops serving at once; its owner sees haltReason() and exits.
        stateMachine.onHalt(reason -> {
            Thread stopper = new Thread(this::close, "verigrid-halt-" + config.id());
            stopper.setDaemon(true);
            stopper.start();
        });
    }

    public static LedgerPeer start(PeerConfig cfg) {
        try {
            RaftGroup group = RaftGroup.valueOf(groupId(cfg.genesis().chainId()), groupPeers(cfg));
            if (group.getPeer(RaftPeerId.valueOf(cfg.id())) == null) {
                throw new IllegalArgumentException("peers must include this peer's id " + cfg.id());
            }
            Path raftDir = cfg.dataDir().resolve("raft");
            Files.createDirectories(raftDir);
            boolean existing = Files.isDirectory(raftDir.resolve(group.getGroupId().getUuid().toString()));

            RaftProperties props = properties(cfg, raftDir);
            SignatureChecks signatures = SignatureChecks.perProcessor();
            LedgerStateMachine stateMachine = new LedgerStateMachine(cfg.genesis(), signatures);
            RaftServer server = RaftServer.newBuilder()
                    .setServerId(RaftPeerId.valueOf(cfg.id()))
                    .setGroup(group)
                    .setStateMachine(stateMachine)
                    .setProperties(props)
                    .setOption(existing ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
                    .build();
            server.start();
            RaftClient raft = RaftClient.newBuilder().setProperties(props).setRaftGroup(group).build();
            TxBatcher.PreCheck preCheck = new TxBatcher.PreCheck(cfg.genesis().chainId(),
                    cfg.genesis().params().maxTxBytes(), signatures);
            return new LedgerPeer(cfg, server, group, stateMachine, new LedgerClient(cfg.id(), raft, preCheck), signatures);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start ledger peer " + cfg.id() + " in " + cfg.dataDir(), e);
        }
    }

    private static RaftProperties properties(PeerConfig cfg, Path raftDir) {
        RaftProperties props = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(props, List.of(raftDir.toFile()));
        GrpcConfigKeys.Server.setHost(props, cfg.host());
        GrpcConfigKeys.Server.setPort(props, cfg.port());
        // Dispute evidence can carry a few MiB of tensors in one entry.
        long entryRoom = Math.max(cfg.genesis().params().maxTxBytes() * 2L, 8L << 20);
        GrpcConfigKeys.setMessageSizeMax(props, SizeInBytes.valueOf(entryRoom + (4L << 20)));
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(props, SizeInBytes.valueOf(entryRoom));
        // Each appendEntries in flight to a follower holds up to entryRoom of direct memory, which the JVM caps at the
        // heap size (1 GiB for a ledger peer). Ratis's default of 128 in flight per follower (128 × 8 MiB) could exhaust
        // it under a burst: the leader then blocks forever in its allocator. 8 keeps the worst case at 64 MiB a follower.
        GrpcConfigKeys.Server.setLeaderOutstandingAppendsMax(props, LEADER_APPENDS_IN_FLIGHT);
        RaftServerConfigKeys.Log.setWriteBufferSize(props, SizeInBytes.valueOf(entryRoom + (1L << 20)));
        // Send each new entry to the followers at once: Ratis otherwise waits up to 10 ms between appendEntries
        // calls to gather more, and our batcher already groups transactions into one entry per round.
        RaftServerConfigKeys.Log.Appender.setWaitTimeMin(props, TimeDuration.ZERO);
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(props, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(props, SNAPSHOT_EVERY_ENTRIES);
        RaftServerConfigKeys.Snapshot.setCreationGap(props, 1);
        // Restarts replay the log after the latest snapshot rather than snapshotting on the way down.
        RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(props, false);
        return props;
    }

    /** The Raft group id follows from the chain id, so every peer of one chain agrees on it. */
    static RaftGroupId groupId(String chainId) {
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("verigrid/" + chainId).getBytes(StandardCharsets.UTF_8)));
    }

    private static List<RaftPeer> groupPeers(PeerConfig cfg) {
        if (cfg.peers().isEmpty()) {
            return List.of(RaftPeer.newBuilder().setId(cfg.id()).setAddress(cfg.host() + ":" + cfg.port()).build());
        }
        return parsePeers(cfg.peers());
    }

    /** The group from {@code id=host:port} entries. */
    static List<RaftPeer> parsePeers(List<String> entries) {
        if (entries == null || entries.isEmpty()) throw new IllegalArgumentException("peers must not be empty");
        List<RaftPeer> peers = new ArrayList<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || entry.lastIndexOf(':') < eq) {
                throw new IllegalArgumentException("peers entry must be id=host:port, got " + entry);
            }
            peers.add(RaftPeer.newBuilder().setId(entry.substring(0, eq)).setAddress(entry.substring(eq + 1)).build());
        }
        return peers;
    }

    public String id() {
        return config.id();
    }

    public LedgerClient client() {
        return client;
    }

    /** This peer's own state (not through the leader): what it has applied so far. */
    public ChainStatus localStatus() {
        return stateMachine.localStatus();
    }

    /** This peer's own block header at {@code height}, or null until it has applied that block. */
    public BlockView localBlock(long height) {
        return stateMachine.localBlock(height);
    }

    public boolean isLeader() {
        try {
            return server.getDivision(group.getGroupId()).getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    /** Submits one block entry now (besides the timer) and returns the header it produced. */
    public BlockView produceBlock() {
        return client.submitBlock(stateMachine.nextBlockEntry());
    }

    /** This peer's state machine, for tests that corrupt one peer on purpose. */
    LedgerStateMachine stateMachine() {
        return stateMachine;
    }

    /** Why this peer halted (its state root differed from the leader's), or null while it runs. */
    public String haltReason() {
        return stateMachine.haltReason();
    }

    /** The address other peers reach this one at, {@code host:port}. */
    public String address() {
        return config.host() + ":" + config.port();
    }

    /** Asks this peer to write a snapshot of its state now; returns the log index it covers. */
    public long takeSnapshot() {
        try (RaftClient admin = RaftClient.newBuilder().setProperties(new RaftProperties()).setRaftGroup(group).build()) {
            RaftClientReply reply = admin.getSnapshotManagementApi(RaftPeerId.valueOf(config.id())).create(30_000);
            if (!reply.isSuccess()) throw new IOException("snapshot failed: " + reply.getException(), reply.getException());
            return reply.getLogIndex();
        } catch (IOException e) {
            throw new UncheckedIOException("snapshot of peer " + config.id() + " failed", e);
        }
    }

    /** Stops the block timer, the client and the server; later calls do nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        try {
            if (blocks != null) blocks.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.close();
        signatures.close();
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing ledger peer " + config.id() + " failed", e);
        }
    }
}
