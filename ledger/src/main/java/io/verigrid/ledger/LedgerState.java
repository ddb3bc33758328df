package io.verigrid.ledger;

import io.verigrid.ledger.tx.ByteReader;
import io.verigrid.ledger.tx.ByteWriter;
import io.verigrid.ledger.tx.MalformedTxException;
import io.verigrid.ledger.tx.SignedTx;
import io.verigrid.ledger.tx.Tx;
import io.verigrid.ledger.tx.TxBody;
import io.verigrid.verify.GameException;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.Merkle;
import io.verigrid.verify.UpdatableMerkle;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.TreeMap;

/**
 * The ledger's replicated state and its rules: pure, deterministic code with no clocks and no I/O. Time is
 * the block height, advanced only by {@link #applyBlock()}.
 *
 * <p>Contract: {@link #apply} either applies a transaction whole or rejects it with a stable reason code and
 * changes nothing (no fee is taken). Given the same genesis and the same sequence of entries, every peer
 * reaches the same {@link #stateRoot()} at every height. Any other exception out of {@code apply} or
 * {@link #applyBlock()} is a bug in the rules and stops the peer loudly rather than diverge. Not thread-safe:
 * the state machine applies entries one at a time.
 */
public final class LedgerState {
    private static final byte[] ZERO_HASH = new byte[32];
    private static final int MAX_MESSAGE_CHARS = 500;
    /** Tests set {@code verigrid.ledger.checkRoots}: every block then also recomputes its state root from nothing. */
    private static final boolean CHECK_ROOTS = Boolean.getBoolean("verigrid.ledger.checkRoots");
    /**
     * Block headers kept, newest last: about a day at one block a second, far longer than any window a rule reads
     * a block hash in (sampling seeds, score evaluation blocks). The same on every peer, since rules read them.
     */
    static final int RETAINED_BLOCKS = 100_000;
    /**
     * Transaction results, and the blocks' lists of transaction hashes, kept for the newest this many
     * transactions: a ledger at full load must not grow without bound. Older results are forgotten (a resent
     * old transaction is still refused by its nonce).
     */
    static final int RETAINED_RESULTS = 250_000;
    /** Pruning drops headers in chunks of up to this many, so it is not a list shift per block. */
    private static final int PRUNE_CHUNK = 4_096;
    private int retainedBlocks = RETAINED_BLOCKS;
    private int retainedResults = RETAINED_RESULTS;

    private final String chainId;
    private final Params params;
    private final long genesisSupply;
    long height;
    long burned;
    long nextJobId = 1;
    long nextDisputeId = 1;
    final TreeMap<String, Account> accounts = new TreeMap<>();
    final TreeMap<Long, Job> jobs = new TreeMap<>();
    final TreeMap<Long, Dispute> disputes = new TreeMap<>();
    /** Accounts with unbonding entries: what a block has to look at to release stake (derived, not in the root). */
    final java.util.TreeSet<String> unbondingAccounts = new java.util.TreeSet<>();
    /** Jobs with a commitment not yet verified, and open disputes: what a block's window and deadline rules visit. */
    final java.util.TreeSet<Long> unverifiedJobs = new java.util.TreeSet<>();
    final java.util.TreeSet<Long> openDisputes = new java.util.TreeSet<>();
    /** Accounts in the order they were created: the order of their leaves in the state root. */
    private final List<String> accountOrder = new ArrayList<>();
    private final HashMap<String, Integer> accountIndex = new HashMap<>();
    /**
     * The account, job and dispute sections of the state root, kept up to date leaf by leaf: a block costs the
     * leaves it changed, not the whole ledger. Jobs and disputes are leaves id − 1 (ids run from 1, never reused).
     */
    private final UpdatableMerkle accountTree = new UpdatableMerkle();
    private final UpdatableMerkle jobTree = new UpdatableMerkle();
    private final UpdatableMerkle disputeTree = new UpdatableMerkle();
    /** Leaves changed since the last root. */
    private final BitSet changedAccounts = new BitSet();
    private final BitSet changedJobs = new BitSet();
    private final BitSet changedDisputes = new BitSet();
    MarketState market = new MarketState(MarketParams.defaults());
    SubnetState subnets = new SubnetState(Issuance.defaults());
    InferenceState inference = new InferenceState();
    /** Retained headers; {@code blocks.get(i)} is the block at height {@code firstBlock + i}. */
    private final List<BlockView> blocks = new ArrayList<>();
    private long firstBlock;
    /** Index in {@link #blocks} of the oldest block whose transaction list is still kept. */
    private int firstTxList;
    private long retainedTxHashes;
    private final List<byte[]> pendingTxHashes = new ArrayList<>();
    /** Results in the order they were recorded (so by height), the oldest pruned first. */
    private final LinkedHashMap<String, TxResult> results = new LinkedHashMap<>();

    private LedgerState(String chainId, Params params, long genesisSupply) {
        this.chainId = chainId;
        this.params = params;
        this.genesisSupply = genesisSupply;
    }

    /** The state at height 0: genesis balances and a genesis block header. */
    public static LedgerState fromGenesis(Genesis genesis) {
        LedgerState s = new LedgerState(genesis.chainId(), genesis.params(), genesis.supply());
        s.subnets = new SubnetState(genesis.issuance());
        s.market = new MarketState(genesis.market());
        for (GenesisAccount g : genesis.accounts()) {
            Account a = new Account();
            a.balance = g.balance();
            s.putAccount(Hashes.hex(g.publicKey()), a);
        }
        s.recordBlock();
        return s;
    }

    public String chainId() {
        return chainId;
    }

    public Params params() {
        return params;
    }

    /** The height of the last block; transactions applied now land in block {@code height() + 1}. */
    public long height() {
        return height;
    }

    /** Decodes and applies a raw transaction; undecodable bytes are rejected as MALFORMED or TOO_LARGE. */
    public TxResult applyEncoded(byte[] bytes) {
        return applyEncoded(bytes, null);
    }

    /**
     * As {@link #applyEncoded(byte[])}, with the signature's validity when the caller already knows it
     * ({@code null}: check it here). Ed25519 verification is a pure function of the bytes, so a result
     * computed elsewhere (in parallel, or before ordering) is the same on every peer.
     */
    public TxResult applyEncoded(byte[] bytes, Boolean signatureValid) {
        long landing = height + 1;
        if (bytes.length > params.maxTxBytes()) {
            return record(TxResult.rejected(Hashes.hex(Hashes.sha256(bytes)), Rejection.TOO_LARGE,
                    "tx of " + bytes.length + " bytes exceeds maxTxBytes " + params.maxTxBytes(), landing));
        }
        SignedTx tx;
        try {
            tx = SignedTx.decode(bytes, params.maxTxBytes());
        } catch (MalformedTxException e) {
            return record(TxResult.rejected(Hashes.hex(Hashes.sha256(bytes)), Rejection.MALFORMED, e.getMessage(), landing));
        }
        return apply(tx, bytes, signatureValid);
    }

    /** Applies one signed transaction at the current height, or rejects it changing nothing. */
    public TxResult apply(SignedTx signed) {
        return apply(signed, signed.encode(), null);
    }

    /**
     * Applies {@code signed}, whose canonical encoding is {@code encoded}; {@code signatureValid} is its
     * signature check when already done ({@code null}: verify here).
     */
    TxResult apply(SignedTx signed, byte[] encoded, Boolean signatureValid) {
        byte[] hash = Hashes.sha256(encoded);
        String hashHex = Hashes.hex(hash);
        long landing = height + 1;
        TxResult earlier = results.get(hashHex);
        if (earlier != null && earlier.accepted()) {
            // An exact resubmission (a client retrying after a leader change): refused, never applied twice.
            return TxResult.rejected(hashHex, Rejection.DUPLICATE, "already applied in block " + earlier.height(), landing);
        }
        try {
            check(signed, encoded.length, signatureValid);
            Draft draft = new Draft(this, landing);
            Tx tx = signed.tx();
            String sender = Hashes.hex(tx.sender());
            Account account = draft.account(sender);
            if (tx.nonce() != account.nonce + 1) {
                throw new Rejection(Rejection.BAD_NONCE, "nonce " + tx.nonce() + " but account expects " + (account.nonce + 1));
            }
            if (tx.fee() < params.txFee()) {
                throw new Rejection(Rejection.FEE_TOO_LOW, "fee " + tx.fee() + " below txFee " + params.txFee());
            }
            AccountRules.debit(account, tx.fee(), "fee");
            draft.burn(tx.fee());
            account.nonce++;
            dispatch(draft, sender, account, tx.body());
            draft.commit();
            pendingTxHashes.add(hash);
            return record(TxResult.ok(hashHex, landing));
        } catch (Rejection r) {
            return record(TxResult.rejected(hashHex, r.code(), r.getMessage(), landing));
        } catch (GameException e) {
            return record(TxResult.rejected(hashHex, e.reason(), e.getMessage(), landing));
        } catch (ArithmeticException e) {
            return record(TxResult.rejected(hashHex, Rejection.OVERFLOW, "amount overflows: " + e.getMessage(), landing));
        } catch (IllegalArgumentException e) {
            // Engine or verify code refusing a value the transaction carried: deterministic, so a rejection.
            return record(TxResult.rejected(hashHex, Rejection.INVALID, e.getMessage(), landing));
        }
    }

    private void check(SignedTx signed, int size, Boolean signatureValid) {
        if (size > params.maxTxBytes()) {
            throw new Rejection(Rejection.TOO_LARGE, "tx of " + size + " bytes exceeds maxTxBytes " + params.maxTxBytes());
        }
        if (!chainId.equals(signed.tx().chainId())) {
            throw new Rejection(Rejection.WRONG_CHAIN, "tx is for chain " + signed.tx().chainId() + ", this is " + chainId);
        }
        boolean valid = signatureValid != null ? signatureValid : signed.signatureValid();
        if (!valid) {
            throw new Rejection(Rejection.BAD_SIGNATURE, "signature does not verify for sender " + Hashes.hex(signed.tx().sender()));
        }
    }

    private void dispatch(Draft d, String sender, Account account, TxBody body) {
        if (body instanceof TxBody.Transfer t) {
            AccountRules.transfer(d, account, t);
        } else if (body instanceof TxBody.Stake s) {
            AccountRules.stake(account, s);
        } else if (body instanceof TxBody.Unstake u) {
            AccountRules.unstake(d, sender, account, u);
        } else if (body instanceof TxBody.PostJob p) {
            JobRules.post(d, sender, account, p);
        } else if (body instanceof TxBody.AcceptJob a) {
            JobRules.accept(d, sender, account, a);
        } else if (body instanceof TxBody.CommitUnit c) {
            JobRules.commit(d, sender, c);
        } else if (body instanceof TxBody.Attest a) {
            JobRules.attest(d, sender, account, a);
        } else if (body instanceof TxBody.Challenge c) {
            JobRules.challenge(d, sender, account, c);
        } else if (body instanceof TxBody.SubnetBody sb) {
            SubnetRules.apply(d, sender, account, sb);
        } else if (body instanceof TxBody.PreprocessBody pb) {
            PreprocessRules.dispatch(d, sender, account, pb);
        } else if (body instanceof TxBody.InferenceBody ib) {
            InferenceRules.apply(d, sender, account, ib);
        } else if (body.tag() >= 40 && body.tag() < 60) {
            MarketRules.dispatch(d, sender, account, body);
        } else if (DisputeRules.isMove(body)) {
            DisputeRules.move(d, sender, body);
        } else {
            throw new IllegalStateException("no rule for body " + body.getClass().getSimpleName());
        }
    }

    /** Why {@code address} may not unstake now, or null when it may. */
    String stakeLock(String address) {
        for (Dispute d : disputes.values()) {
            if (d.open() && d.provider.equals(address)) return "provider in open dispute " + d.id;
        }
        for (Job j : jobs.values()) {
            if (j.status == Job.Status.LEASED && address.equals(j.lessee)) return "lessee of job " + j.id;
        }
        return inference.stakeLock(address);
    }

    /**
     * Closes the next block: releases unbonded stake, verifies and pays units whose challenge window passed,
     * settles games past their deadline, then records the block header over the transactions applied since the
     * previous block.
     */
    public BlockView applyBlock() {
        Draft draft = new Draft(this, height + 1);
        AccountRules.releaseUnbonded(draft);
        JobRules.autoVerify(draft);
        DisputeRules.applyTimeouts(draft);
        PreprocessRules.applyTimeouts(draft);
        MarketRules.onBlock(draft);
        SubnetRules.onBlock(draft);
        InferenceRules.onBlock(draft);
        draft.commit();
        height++;
        return recordBlock();
    }

    private BlockView recordBlock() {
        byte[] prev = blocks.isEmpty() ? ZERO_HASH : Hashes.unhex(blocks.get(blocks.size() - 1).hash());
        byte[] txRoot = Merkle.root(pendingTxHashes);
        byte[] stateRoot = stateRoot();
        if (CHECK_ROOTS && !java.util.Arrays.equals(stateRoot, stateRootFromScratch())) {
            throw new IllegalStateException("the kept state-root sections disagree with a full recomputation at height " + height);
        }
        byte[] hash = Hashes.sha256(prev, new ByteWriter().i64(height).toBytes(), txRoot, stateRoot);
        BlockView block = new BlockView(height, Hashes.hex(hash), Hashes.hex(prev), Hashes.hex(txRoot),
                Hashes.hex(stateRoot), pendingTxHashes.stream().map(Hashes::hex).toList());
        blocks.add(block);
        retainedTxHashes += pendingTxHashes.size();
        pendingTxHashes.clear();
        prune();
        return block;
    }

    /** Forgets the oldest results, transaction lists and headers beyond what is retained. */
    private void prune() {
        var oldest = results.values().iterator();
        while (results.size() > retainedResults) {
            oldest.next();
            oldest.remove();
        }
        while (retainedTxHashes > retainedResults && firstTxList < blocks.size() - 1) {
            BlockView b = blocks.get(firstTxList);
            retainedTxHashes -= b.txHashes().size();
            blocks.set(firstTxList++, new BlockView(b.height(), b.hash(), b.prevHash(), b.txRoot(), b.stateRoot(), List.of()));
        }
        if (blocks.size() >= retainedBlocks + Math.min(PRUNE_CHUNK, retainedBlocks)) {
            int drop = blocks.size() - retainedBlocks;
            for (BlockView b : blocks.subList(0, drop)) retainedTxHashes -= b.txHashes().size();
            blocks.subList(0, drop).clear();
            firstBlock += drop;
            firstTxList = Math.max(0, firstTxList - drop);
        }
    }

    private TxResult record(TxResult result) {
        String message = result.message() == null ? "" : result.message();
        if (message.length() > MAX_MESSAGE_CHARS) message = message.substring(0, MAX_MESSAGE_CHARS);
        TxResult stored = new TxResult(result.txHash(), result.accepted(), result.code(), message, result.height());
        TxResult previous = results.get(stored.txHash());
        // A replayed copy of an accepted tx is refused (stale nonce) but must not hide that it was applied.
        if (previous == null || !previous.accepted()) {
            results.remove(stored.txHash()); // re-inserted at the end: the map stays in height order
            results.put(stored.txHash(), stored);
        }
        return stored;
    }

    // ---- state root and supply -------------------------------------------------------------------

    /** Stores a committed account, giving a new one the next place in the account section. */
    void putAccount(String address, Account account) {
        accounts.put(address, account);
        if (account.unbonding.isEmpty()) unbondingAccounts.remove(address);
        else unbondingAccounts.add(address);
        Integer index = accountIndex.get(address);
        if (index == null) {
            index = accountOrder.size();
            accountOrder.add(address);
            accountIndex.put(address, index);
        }
        changedAccounts.set(index);
    }

    void putJob(Job job) {
        jobs.put(job.id, job);
        if (job.commits.stream().anyMatch(c -> !c.verified())) unverifiedJobs.add(job.id);
        else unverifiedJobs.remove(job.id);
        changedJobs.set(Math.toIntExact(job.id - 1));
    }

    void putDispute(Dispute dispute) {
        disputes.put(dispute.id, dispute);
        if (dispute.open()) openDisputes.add(dispute.id);
        else openDisputes.remove(dispute.id);
        changedDisputes.set(Math.toIntExact(dispute.id - 1));
    }

    private static byte[] accountLeaf(String address, Account a) {
        ByteWriter w = new ByteWriter().u8(0x11).string(address);
        a.write(w);
        return Hashes.sha256(w.toBytes());
    }

    private static byte[] jobLeaf(Job j) {
        ByteWriter w = new ByteWriter().u8(0x12);
        j.write(w);
        return Hashes.sha256(w.toBytes());
    }

    private static byte[] disputeLeaf(Dispute d) {
        ByteWriter w = new ByteWriter().u8(0x13);
        d.write(w);
        return Hashes.sha256(w.toBytes());
    }

    /**
     * Merkle root over the state: the globals leaf, the roots of the account section (accounts in creation order),
     * the job and dispute sections (by id), then the market, subnet and inference leaves.
     */
    public byte[] stateRoot() {
        for (int i = changedAccounts.nextSetBit(0); i >= 0; i = changedAccounts.nextSetBit(i + 1)) {
            String address = accountOrder.get(i);
            accountTree.set(i, accountLeaf(address, accounts.get(address)));
        }
        for (int i = changedJobs.nextSetBit(0); i >= 0; i = changedJobs.nextSetBit(i + 1)) jobTree.set(i, jobLeaf(jobs.get(i + 1L)));
        for (int i = changedDisputes.nextSetBit(0); i >= 0; i = changedDisputes.nextSetBit(i + 1)) {
            disputeTree.set(i, disputeLeaf(disputes.get(i + 1L)));
        }
        changedAccounts.clear();
        changedJobs.clear();
        changedDisputes.clear();
        return root(accountTree.root(), jobTree.root(), disputeTree.root());
    }

    /** {@link #stateRoot()} computed from nothing, every leaf hashed again: what the kept sections must equal. */
    byte[] stateRootFromScratch() {
        List<byte[]> accountLeaves = new ArrayList<>();
        for (String address : accountOrder) accountLeaves.add(accountLeaf(address, accounts.get(address)));
        return root(Merkle.root(accountLeaves), Merkle.root(jobs.values().stream().map(LedgerState::jobLeaf).toList()),
                Merkle.root(disputes.values().stream().map(LedgerState::disputeLeaf).toList()));
    }

    private byte[] root(byte[] accountsRoot, byte[] jobsRoot, byte[] disputesRoot) {
        List<byte[]> leaves = new ArrayList<>();
        ByteWriter globals = new ByteWriter().u8(0x10).string(chainId).i64(genesisSupply).i64(height).i64(burned)
                .i64(nextJobId).i64(nextDisputeId);
        params.write(globals);
        leaves.add(Hashes.sha256(globals.toBytes()));
        leaves.add(accountsRoot);
        leaves.add(jobsRoot);
        leaves.add(disputesRoot);
        market.addLeaves(leaves);
        subnets.addLeaves(leaves);   // the subnet section comes after the market section
        if (!inference.isEmpty()) inference.addLeaves(leaves); // then the inference section, once it has anything
        return Merkle.root(leaves);
    }

    /** Σ balances + stakes + unbonding + job escrows + dispute bonds. */
    public long totalSupply() {
        long total = 0;
        for (Account a : accounts.values()) {
            total = Math.addExact(total, Math.addExact(a.balance, Math.addExact(a.stake, a.unbondingTotal())));
        }
        for (Job j : jobs.values()) total = Math.addExact(total, j.escrow);
        for (Dispute d : disputes.values()) total = Math.addExact(total, d.locked());
        total = Math.addExact(total, market.locked());
        total = Math.addExact(total, subnets.locked());
        total = Math.addExact(total, inference.locked());
        return total;
    }

    public long burned() {
        return burned;
    }

    public long genesisSupply() {
        return genesisSupply;
    }

    /** Units the issuance schedule has minted into subnet epochs so far. */
    public long minted() {
        return subnets.minted;
    }

    // ---- queries ---------------------------------------------------------------------------------

    public AccountView account(byte[] publicKey) {
        if (publicKey == null) throw new IllegalArgumentException("publicKey must not be null");
        return account(Hashes.hex(publicKey));
    }

    /** The account at a 64-hex-digit address (an account never used shows zeros). */
    public AccountView account(String address) {
        if (address == null || Hashes.unhex(address).length != Keys.PUBLIC_KEY_BYTES) {
            throw new IllegalArgumentException("address must be 64 hex digits (a 32-byte public key), got " + address);
        }
        address = address.toLowerCase(java.util.Locale.ROOT);
        Account a = accounts.getOrDefault(address, new Account());
        String key = address;
        List<Long> banned = jobs.values().stream().filter(j -> j.banned.contains(key)).map(j -> j.id).toList();
        return new AccountView(address, a.balance, a.nonce, a.stake, a.unbondingTotal(), List.copyOf(a.unbonding),
                List.copyOf(a.penalties), banned);
    }

    /** The job, or null if there is none with this id. */
    public JobView job(long id) {
        Job j = jobs.get(id);
        return j == null ? null : view(j);
    }

    public List<JobView> jobs() {
        return jobs.values().stream().map(LedgerState::view).toList();
    }

    private static JobView view(Job j) {
        List<UnitView> units = new ArrayList<>();
        for (int u = 1; u <= j.commits.size(); u++) {
            Job.Commit c = j.commits.get(u - 1);
            units.add(new UnitView(u, Hashes.hex(c.root()), c.height(), c.provider(), c.verified(), c.paid(),
                    c.verifiedHeight(), c.verifiedBy()));
        }
        return new JobView(j.id, j.status.name(), j.buyer, j.lessee, j.units, j.interval, j.price, j.pricePerUnit(),
                j.samplePpm, j.escrow, j.paid, j.commits.size() + 1, j.verifiedUnits(), units, Hashes.hex(j.r0),
                Hashes.hex(j.datasetRoot), Hashes.hex(j.spec), List.copyOf(j.banned), j.openDispute, j.postedHeight,
                JobRules.kindName(j.kind));
    }

    /** A preprocessing job's order-side facts (input, declared plan and manifest), or null for any other job. */
    public PreprocessJobView preprocessJob(long jobId) {
        return PreprocessRules.view(this, jobId);
    }

    /** The dispute, or null if there is none with this id. */
    public DisputeView dispute(long id) {
        Dispute d = disputes.get(id);
        return d == null ? null : DisputeView.of(d);
    }

    /** The newest {@code limit} disputes, newest first (a dashboard's list; one dispute is {@link #dispute}). */
    public List<DisputeView> disputes(int limit) {
        return disputes.descendingMap().values().stream().limit(limit).map(DisputeView::of).toList();
    }

    /**
     * The sampling seed of a committed unit: the hash of the block {@code sampleDelayBlocks} after the one its
     * commitment landed in, so the provider could not know it when committing. Null until that block exists
     * (or if the unit is not committed).
     */
    public byte[] sampleSeed(long jobId, int unit) {
        Job j = jobs.get(jobId);
        if (j == null || unit < 1 || unit > j.commits.size()) return null;
        BlockView b = block(j.commits.get(unit - 1).height() + params.sampleDelayBlocks());
        return b == null ? null : Hashes.unhex(b.hash());
    }

    /**
     * The block at {@code height}, or null if it does not exist yet or is older than the retained
     * {@link #RETAINED_BLOCKS}; an old block's transaction list may be empty though it had transactions
     * (only the newest {@link #RETAINED_RESULTS} transactions' hashes are kept — its txRoot still commits to them).
     */
    public BlockView block(long height) {
        long index = height - firstBlock;
        return index < 0 || index >= blocks.size() ? null : blocks.get((int) index);
    }

    /** The newest {@code limit} retained blocks, newest first. */
    public List<BlockView> recentBlocks(int limit) {
        List<BlockView> newest = new ArrayList<>(Math.max(0, Math.min(limit, blocks.size())));
        for (int i = blocks.size() - 1; i >= 0 && newest.size() < limit; i--) newest.add(blocks.get(i));
        return newest;
    }

    /** Smaller retention, for tests that watch pruning; every peer of a chain must use the same. */
    LedgerState retain(int blocks, int results) {
        if (blocks < 1 || results < 1) throw new IllegalArgumentException("retain: blocks and results must be positive");
        retainedBlocks = blocks;
        retainedResults = results;
        return this;
    }

    /** The oldest height {@link #block} still answers. */
    public long firstRetainedBlock() {
        return firstBlock;
    }

    public ChainStatus status() {
        return new ChainStatus(chainId, height, blocks.get(blocks.size() - 1).hash(), Hashes.hex(stateRoot()),
                totalSupply(), burned, genesisSupply, subnets.minted);
    }

    // ---- subnets ----

    public List<SubnetView> subnets() {
        return subnets.subnets.values().stream().map(sn -> SubnetView.of(sn, height)).toList();
    }

    /** The subnet, or null if there is none with this id. */
    public SubnetView subnet(int netuid) {
        Subnet sn = subnets.subnets.get(netuid);
        return sn == null ? null : SubnetView.of(sn, height);
    }

    /** The subnet's metagraph (one row per UID), or null if there is no such subnet. */
    public List<NeuronView> metagraph(int netuid) {
        Subnet sn = subnets.subnets.get(netuid);
        return sn == null ? null : NeuronView.metagraph(sn);
    }

    /** The model-quality subnet's score reports, or null if there is no such subnet. */
    public List<ScoreReportView> scoreReports(int netuid) {
        Subnet sn = subnets.subnets.get(netuid);
        return sn == null ? null : sn.reports.values().stream().map(r -> ScoreReportView.of(netuid, r)).toList();
    }

    /**
     * The Yuma input the subnet's epoch would build from the current state at block {@code atHeight}
     * distributing {@code raoEmission}: what {@code verigrid yuma epoch} can check outside the ledger.
     */
    public io.verigrid.ledger.yuma.YumaInput subnetEpochInput(int netuid, long atHeight, long raoEmission) {
        Subnet sn = subnets.subnets.get(netuid);
        if (sn == null) throw new IllegalArgumentException("netuid: no subnet " + netuid);
        return SubnetEpoch.input(sn, atHeight, raoEmission);
    }

    /** The recorded result of a transaction by hash, or null if this ledger never saw it. */
    public TxResult tx(String hashHex) {
        return results.get(hashHex.toLowerCase(java.util.Locale.ROOT));
    }

    // ---- snapshot encoding -----------------------------------------------------------------------

    /**
     * 2: the params carry maxRefereeBytes; 3: the market params follow the params, the blocks are the retained
     * ones and the index of the oldest kept transaction list follows them. Older snapshots still load, with the
     * default bound and market params.
     */
    private static final int SNAPSHOT_VERSION = 3;

    /** The whole state, canonically: what a snapshot file holds. */
    public byte[] encode() {
        ByteWriter out = new ByteWriter().u8(SNAPSHOT_VERSION).string(chainId).i64(genesisSupply).i64(height).i64(burned)
                .i64(nextJobId).i64(nextDisputeId);
        params.write(out);
        market.params.write(out);
        out.i32(accounts.size());
        accountOrder.forEach(address -> {
            Account a = accounts.get(address);
            out.string(address);
            a.write(out);
        });
        out.i32(jobs.size());
        jobs.values().forEach(j -> j.write(out));
        out.i32(disputes.size());
        disputes.values().forEach(d -> d.write(out));
        market.write(out);
        subnets.write(out);   // the subnet section, after the market section
        inference.write(out); // the inference section, after the subnet section
        out.i32(blocks.size());
        for (BlockView b : blocks) {
            out.i64(b.height()).string(b.hash()).string(b.prevHash()).string(b.txRoot()).string(b.stateRoot());
            out.i32(b.txHashes().size());
            b.txHashes().forEach(out::string);
        }
        out.i32(firstTxList);
        out.byteList(pendingTxHashes);
        out.i32(results.size());
        for (TxResult r : results.values()) { // in the order they were recorded, which pruning follows
            out.string(r.txHash()).bool(r.accepted()).string(r.code()).string(r.message()).i64(r.height());
        }
        return out.toBytes();
    }

    public static LedgerState decode(byte[] bytes) {
        ByteReader in = new ByteReader(bytes);
        int version = in.u8("snapshot version");
        if (version < 1 || version > SNAPSHOT_VERSION) throw new IllegalArgumentException("unsupported snapshot version " + version);
        String chainId = in.string("chainId");
        long genesisSupply = in.i64("genesisSupply");
        long height = in.i64("height");
        long burned = in.i64("burned");
        long nextJobId = in.i64("nextJobId");
        long nextDisputeId = in.i64("nextDisputeId");
        LedgerState s = new LedgerState(chainId, Params.read(in, version >= 2), genesisSupply);
        MarketParams marketParams = version >= 3 ? MarketParams.read(in) : MarketParams.defaults();
        s.height = height;
        s.burned = burned;
        s.nextJobId = nextJobId;
        s.nextDisputeId = nextDisputeId;
        // In creation order (version 3); older snapshots wrote address order, which then becomes the order.
        for (int i = in.count("accounts", 1); i > 0; i--) {
            String address = in.string("address");
            if (s.accounts.containsKey(address)) throw new IllegalArgumentException("snapshot: account " + address + " twice");
            s.putAccount(address, Account.read(in));
        }
        for (int i = in.count("jobs", 1); i > 0; i--) {
            Job j = Job.read(in);
            if (j.id != s.jobs.size() + 1) throw new IllegalArgumentException("snapshot: job " + j.id + " out of sequence");
            s.putJob(j);
        }
        for (int i = in.count("disputes", 1); i > 0; i--) {
            Dispute d = Dispute.read(in);
            if (d.id != s.disputes.size() + 1) throw new IllegalArgumentException("snapshot: dispute " + d.id + " out of sequence");
            s.putDispute(d);
        }
        s.market = MarketState.read(in, marketParams);
        s.subnets = SubnetState.read(in);
        s.inference = InferenceState.read(in);
        for (int i = in.count("blocks", 1); i > 0; i--) {
            long h = in.i64("height");
            String hash = in.string("hash"), prev = in.string("prevHash"), txRoot = in.string("txRoot"), root = in.string("stateRoot");
            List<String> txs = new ArrayList<>();
            for (int j = in.count("txHashes", 2); j > 0; j--) txs.add(in.string("txHash"));
            if (s.blocks.isEmpty()) s.firstBlock = h;
            else if (h != s.firstBlock + s.blocks.size()) throw new IllegalArgumentException("snapshot: block " + h + " out of sequence");
            s.blocks.add(new BlockView(h, hash, prev, txRoot, root, List.copyOf(txs)));
            s.retainedTxHashes += txs.size();
        }
        if (version >= 3) {
            s.firstTxList = in.i32("firstTxList");
            if (s.firstTxList < 0 || s.firstTxList > s.blocks.size()) throw new IllegalArgumentException("snapshot: firstTxList " + s.firstTxList);
        }
        s.pendingTxHashes.addAll(in.byteList("pending"));
        List<TxResult> results = new ArrayList<>();
        for (int i = in.count("results", 1); i > 0; i--) {
            results.add(new TxResult(in.string("txHash"), in.bool("accepted"), in.string("code"), in.string("message"), in.i64("height")));
        }
        if (version < 3) results.sort(java.util.Comparator.comparingLong(TxResult::height)); // older snapshots sorted by hash
        for (TxResult r : results) s.results.put(r.txHash(), r);
        in.expectEnd("snapshot");
        return s;
    }
}
