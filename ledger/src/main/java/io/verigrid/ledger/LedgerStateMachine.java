package io.verigrid.ledger;

import io.verigrid.ledger.tx.ByteReader;
import io.verigrid.ledger.tx.MalformedTxException;
import io.verigrid.ledger.tx.SignedTx;
import io.verigrid.verify.Hashes;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger as a Ratis state machine. Contract: log entries are applied one at a time in log order, each
 * through {@link LedgerState} (pure and deterministic), so every peer holds the same state at every index.
 * A transaction entry replies with its {@link TxResult} as JSON, a batch entry with the list of its
 * transactions' results, a block entry with its {@link BlockView}; a rejected transaction is a normal reply,
 * not an error. Signatures of a batch are checked in parallel before the serial apply (see
 * {@link SignatureChecks}). Snapshots are the state's canonical encoding in one file; a snapshot is recorded
 * only after its file and checksum are fully written.
 *
 * <p>Divergence is fatal: a block entry carries the proposer's state root at an earlier height, and a peer
 * whose own root differs halts — it logs the mismatch, applies nothing more, takes no snapshot, answers no
 * query, and tells its owner through the halt listener (the peer then stops its server).
 */
public final class LedgerStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerStateMachine.class);

    private final Genesis genesis;
    private final SignatureChecks signatures;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final Object lock = new Object();
    private LedgerState state;
    private volatile String haltReason;
    private volatile Consumer<String> haltListener = reason -> {};

    public LedgerStateMachine(Genesis genesis) {
        this(genesis, new SignatureChecks(1));
    }

    /** A state machine checking signatures with {@code signatures} (shared with this peer's submit path). */
    public LedgerStateMachine(Genesis genesis, SignatureChecks signatures) {
        if (genesis == null) throw new IllegalArgumentException("genesis must not be null");
        if (signatures == null) throw new IllegalArgumentException("signatures must not be null");
        this.genesis = genesis;
        this.signatures = signatures;
        this.state = LedgerState.fromGenesis(genesis);
    }

    /** Called once, with the reason, when this peer halts on a state-root mismatch. */
    public void onHalt(Consumer<String> listener) {
        this.haltListener = listener == null ? reason -> {} : listener;
    }

    /** Why this peer halted, or null while it runs. */
    public String haltReason() {
        return haltReason;
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
        if (haltReason != null) throw new IOException("no snapshot of a halted ledger peer: " + haltReason);
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
        try {
            byte[] reply = LedgerQuery.toJson(applyEntry(data, entry.getTerm(), entry.getIndex()));
            return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(reply)));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Applies one log entry (at Raft position term/index) and returns what its submitter gets back. */
    Object applyEntry(byte[] data, long term, long index) {
        if (haltReason != null) throw new IllegalStateException("ledger peer halted: " + haltReason);
        byte type = data.length == 0 ? 0 : data[0];
        if (type == Entries.BATCH) {
            List<byte[]> txs;
            try {
                txs = Entries.readBatch(data);
            } catch (MalformedTxException e) {
                txs = List.of(data); // recorded as one MALFORMED transaction, so the log stays replayable
            }
            Prepared prepared = prepare(txs);
            synchronized (lock) {
                List<TxResult> results = new ArrayList<>(txs.size());
                for (int i = 0; i < txs.size(); i++) results.add(prepared.apply(state, i));
                updateLastAppliedTermIndex(term, index);
                return results;
            }
        }
        if (type == Entries.BLOCK) {
            synchronized (lock) {
                checkProposerRoot(data);
                BlockView block = state.applyBlock();
                updateLastAppliedTermIndex(term, index);
                return block;
            }
        }
        // A single transaction; anything else is refused like a malformed transaction.
        byte[] tx = type == Entries.TX ? Entries.payload(data) : data;
        Prepared prepared = prepare(List.of(tx));
        synchronized (lock) {
            TxResult result = prepared.apply(state, 0);
            updateLastAppliedTermIndex(term, index);
            return result;
        }
    }

    /** Decoded transactions with their signature checks, computed outside the lock (they need no state). */
    private record Prepared(List<byte[]> bytes, List<SignedTx> decoded, boolean[] valid) {
        TxResult apply(LedgerState state, int i) {
            SignedTx tx = decoded.get(i);
            return tx == null ? state.applyEncoded(bytes.get(i)) : state.apply(tx, bytes.get(i), valid[i]);
        }
    }

    private Prepared prepare(List<byte[]> txs) {
        int max = genesis.params().maxTxBytes();
        List<SignedTx> decoded = new ArrayList<>(txs.size());
        List<byte[]> hashes = new ArrayList<>(txs.size());
        for (byte[] bytes : txs) {
            SignedTx tx = null;
            try {
                if (bytes.length <= max) tx = SignedTx.decode(bytes, max);
            } catch (MalformedTxException e) {
                // left null: the state records it as MALFORMED in order
            }
            decoded.add(tx);
            hashes.add(tx == null ? null : Hashes.sha256(bytes));
        }
        return new Prepared(txs, decoded, signatures.verify(decoded, hashes));
    }

    /** Halts this peer unless the proposer's root at the entry's height equals ours. */
    private void checkProposerRoot(byte[] data) {
        if (data.length != Entries.BLOCK_BYTES) {
            throw new IllegalArgumentException("block entry must be " + Entries.BLOCK_BYTES + " bytes, got " + data.length);
        }
        ByteReader in = new ByteReader(data);
        in.u8("entry type");
        long height = in.i64("height");
        String proposed = Hashes.hex(in.raw(32, "stateRoot"));
        BlockView mine = state.block(height);
        if (mine == null || !mine.stateRoot().equals(proposed)) {
            halt("state root mismatch at height " + height + ": the leader has " + proposed + ", this peer has "
                    + (mine == null ? "no such block" : mine.stateRoot()));
        }
    }

    private void halt(String reason) {
        haltReason = reason;
        LOG.error("LEDGER PEER HALTED, its state diverged from the group: {}", reason);
        haltListener.accept(reason);
        throw new IllegalStateException("ledger peer halted: " + reason);
    }

    /** The block entry this peer proposes next: it vouches for this peer's root at its latest height. */
    byte[] nextBlockEntry() {
        synchronized (lock) {
            BlockView last = state.block(state.height());
            return Entries.block(last.height(), Hashes.unhex(last.stateRoot()));
        }
    }

    /** The live state, for tests that corrupt one peer on purpose. */
    LedgerState unsafeState() {
        return state;
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
        if (haltReason != null) {
            return CompletableFuture.failedFuture(new IllegalStateException("ledger peer halted: " + haltReason));
        }
        byte[] reply;
        synchronized (lock) {
            reply = LedgerQuery.answer(state, request.getContent().toByteArray());
        }
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(reply)));
    }
}
