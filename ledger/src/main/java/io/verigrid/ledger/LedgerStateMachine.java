package io.verigrid.ledger;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.MD5FileUtil;

/**
 * The ledger as a Ratis state machine. Contract: log entries are applied one at a time in log order, each
 * through {@link LedgerState} (pure and deterministic), so every peer holds the same state at every index.
 * A transaction entry replies with its {@link TxResult} as JSON, a block entry with its {@link BlockView};
 * a rejected transaction is a normal reply, not an error. Snapshots are the state's canonical encoding in
 * one file; a snapshot is recorded only after its file and checksum are fully written.
 */
public final class LedgerStateMachine extends BaseStateMachine {
    private final Genesis genesis;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final Object lock = new Object();
    private LedgerState state;

    public LedgerStateMachine(Genesis genesis) {
        if (genesis == null) throw new IllegalArgumentException("genesis must not be null");
        this.genesis = genesis;
        this.state = LedgerState.fromGenesis(genesis);
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        load(storage.loadLatestSnapshot());
    }

    @Override
    public void reinitialize() throws IOException {
        load(storage.loadLatestSnapshot());
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    private void load(SingleFileSnapshotInfo snapshot) throws IOException {
        synchronized (lock) {
            if (snapshot == null) {
                state = LedgerState.fromGenesis(genesis);
                return;
            }
            Path file = snapshot.getFile().getPath();
            MD5Hash expected = snapshot.getFile().getFileDigest();
            if (expected != null && !expected.equals(MD5FileUtil.computeMd5ForFile(file.toFile()))) {
                throw new IOException("snapshot " + file + " does not match its MD5 checksum");
            }
            LedgerState loaded = LedgerState.decode(Files.readAllBytes(file));
            if (!loaded.chainId().equals(genesis.chainId())) {
                throw new IOException("snapshot " + file + " belongs to chain " + loaded.chainId()
                        + ", this peer runs " + genesis.chainId());
            }
            state = loaded;
            setLastAppliedTermIndex(snapshot.getTermIndex());
        }
    }

    @Override
    public long takeSnapshot() throws IOException {
        byte[] bytes;
        TermIndex last;
        synchronized (lock) {
            last = getLastAppliedTermIndex();
            if (last == null || last.getIndex() < 0) return RaftLog.INVALID_LOG_INDEX;
            bytes = state.encode();
        }
        File target = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        Path tmp = target.toPath().resolveSibling(target.getName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        }
        Files.move(tmp, target.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        MD5Hash md5 = MD5FileUtil.computeMd5ForFile(target);
        MD5FileUtil.saveMD5File(target, md5);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(target.toPath(), md5), last));
        return last.getIndex();
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        byte[] data = entry.getStateMachineLogEntry().getLogData().toByteArray();
        byte[] reply;
        synchronized (lock) {
            reply = LedgerQuery.toJson(applyEntry(data));
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        }
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(reply)));
    }

    private Object applyEntry(byte[] data) {
        if (data.length == 1 && data[0] == Entries.BLOCK) return state.applyBlock();
        if (data.length > 0 && data[0] == Entries.TX) return state.applyEncoded(Entries.payload(data));
        // Not a transaction envelope: refused like any malformed transaction so the log stays replayable.
        return state.applyEncoded(data);
    }

    /** This peer's own view, read locally without Ratis (e.g. to compare peers); may lag the leader. */
    public ChainStatus localStatus() {
        synchronized (lock) {
            return state.status();
        }
    }

    /** This peer's own header at {@code height}, or null if this peer has not applied that block yet. */
    public BlockView localBlock(long height) {
        synchronized (lock) {
            return state.block(height);
        }
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        byte[] reply;
        synchronized (lock) {
            reply = LedgerQuery.answer(state, request.getContent().toByteArray());
        }
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(reply)));
    }
}
