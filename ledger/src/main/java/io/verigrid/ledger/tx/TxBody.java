package io.verigrid.ledger.tx;

import io.verigrid.engine.Dataset;
import io.verigrid.engine.ModelState;
import io.verigrid.engine.Tensor;
import io.verigrid.verify.InputEvidence;
import io.verigrid.verify.PrecedingLeaf;
import io.verigrid.verify.TileEvidence;
import io.verigrid.verify.TiledOutputEvidence;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a transaction does. Each body has a one-byte tag in the canonical encoding ({@code docs/protocol.md},
 * "Transactions"); constructors reject values no transaction may carry, so a decoded body is always in range.
 * Whether it is allowed in the current ledger state is the ledger's decision, not the codec's. The dispute
 * moves (tags 9..16) map one to one onto {@code io.verigrid.verify.DisputeGame}'s moves.
 */
public sealed interface TxBody {

    int tag();

    void write(ByteWriter out);

    /** The subnet transactions (tags 60..79), declared in {@link SubnetTx}; rules in {@code SubnetRules}. */
    non-sealed interface SubnetBody extends TxBody {}

    /** The preprocessing transactions (tags 20..29), declared in {@link PreprocessTx}; rules in {@code PreprocessRules}. */
    non-sealed interface PreprocessBody extends TxBody {}

    /** The verified-inference transactions (tags 80..99), declared in {@link InferenceTx}; rules in {@code InferenceRules}. */
    non-sealed interface InferenceBody extends TxBody {}

    /** Moves {@code amount} units from the sender's balance to {@code to}. */
    record Transfer(byte[] to, long amount) implements TxBody {
        public static final int TAG = 1;

        public Transfer {
            to = Fields.key(to, "to");
            Fields.positive(amount, "amount");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.raw(to).i64(amount); }
    }

    /** Locks {@code amount} units of the sender's balance as stake (providers and verifiers need it). */
    record Stake(long amount) implements TxBody {
        public static final int TAG = 2;

        public Stake { Fields.positive(amount, "amount"); }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(amount); }
    }

    /** Starts unbonding {@code amount} units of stake; they return to the balance after the unbonding period. */
    record Unstake(long amount) implements TxBody {
        public static final int TAG = 3;

        public Unstake { Fields.positive(amount, "amount"); }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(amount); }
    }

    /** A buyer's training job: {@code jobSpec} is {@code MlpJob.encode()}, {@code price} is escrowed. */
    record PostJob(byte[] jobSpec, long price, int samplePpm) implements TxBody {
        public static final int TAG = 4;

        public PostJob {
            if (jobSpec == null || jobSpec.length == 0) throw new IllegalArgumentException("jobSpec must not be empty");
            jobSpec = jobSpec.clone();
            Fields.positive(price, "price");
            if (samplePpm < 0 || samplePpm > 1_000_000) {
                throw new IllegalArgumentException("samplePpm must be in 0..1000000, got " + samplePpm);
            }
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.bytes(jobSpec).i64(price).i32(samplePpm); }
    }

    /** A staked provider leases an open job. */
    record AcceptJob(long jobId) implements TxBody {
        public static final int TAG = 5;

        public AcceptJob { Fields.positive(jobId, "jobId"); }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(jobId); }
    }

    /** The lessee commits R_unit, the state root after checkpoint unit {@code unit}. */
    record CommitUnit(long jobId, int unit, byte[] stateRoot) implements TxBody {
        public static final int TAG = 6;

        public CommitUnit {
            Fields.positive(jobId, "jobId");
            Fields.positive(unit, "unit");
            stateRoot = Fields.hash(stateRoot, "stateRoot");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(jobId).i32(unit).raw(stateRoot); }
    }

    /** A staked verifier re-executed {@code unit} and got the same root. */
    record Attest(long jobId, int unit, byte[] stateRoot) implements TxBody {
        public static final int TAG = 7;

        public Attest {
            Fields.positive(jobId, "jobId");
            Fields.positive(unit, "unit");
            stateRoot = Fields.hash(stateRoot, "stateRoot");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(jobId).i32(unit).raw(stateRoot); }
    }

    /** A staked verifier re-executed {@code unit}, got {@code claimedRoot} and opens a dispute. */
    record Challenge(long jobId, int unit, byte[] claimedRoot) implements TxBody {
        public static final int TAG = 8;

        public Challenge {
            Fields.positive(jobId, "jobId");
            Fields.positive(unit, "unit");
            claimedRoot = Fields.hash(claimedRoot, "claimedRoot");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(jobId).i32(unit).raw(claimedRoot); }
    }

    /** Provider: its state roots at the game's step points ({@code DisputeGame.stepPoints()}), in order. */
    record PostStepRoots(long disputeId, List<byte[]> roots) implements TxBody {
        public static final int TAG = 9;

        public PostStepRoots {
            Fields.positive(disputeId, "disputeId");
            roots = Fields.hashes(roots, "roots");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(disputeId).byteList(roots); }
    }

    /** Challenger: the first step sub-range (0..points) whose end it disputes. */
    record PickStepRange(long disputeId, int k) implements TxBody {
        public static final int TAG = 10;

        public PickStepRange { Fields.positive(disputeId, "disputeId"); }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(disputeId).i32(k); }
    }

    /** Provider: its trace root of the disputed step and the trace's length in operators. */
    record PostTraceRoot(long disputeId, byte[] traceRoot, int traceLength) implements TxBody {
        public static final int TAG = 11;

        public PostTraceRoot {
            Fields.positive(disputeId, "disputeId");
            traceRoot = Fields.hash(traceRoot, "traceRoot");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(disputeId).raw(traceRoot).i32(traceLength); }
    }

    /** Provider: the trace-tree nodes under the disputed node ({@code DisputeGame.childCount()} of them). */
    record PostTraceNodes(long disputeId, List<byte[]> nodes) implements TxBody {
        public static final int TAG = 12;

        public PostTraceNodes {
            Fields.positive(disputeId, "disputeId");
            nodes = Fields.hashes(nodes, "nodes");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(disputeId).byteList(nodes); }
    }

    /**
     * Challenger: the leftmost posted trace node it disputes; {@code outputRoot} (its own output root of the
     * operator) is required when the pick reaches a leaf and must be null otherwise.
     */
    record PickTraceNode(long disputeId, int k, byte[] outputRoot) implements TxBody {
        public static final int TAG = 13;

        public PickTraceNode {
            Fields.positive(disputeId, "disputeId");
            outputRoot = outputRoot == null ? null : Fields.hash(outputRoot, "outputRoot");
        }

        @Override
        public byte[] outputRoot() { return outputRoot == null ? null : outputRoot.clone(); }

        public int tag() { return TAG; }

        public void write(ByteWriter out) {
            out.i64(disputeId).i32(k).bool(outputRoot != null);
            if (outputRoot != null) out.raw(outputRoot);
        }
    }

    /** Challenger: every operator of the step agrees, the state root after it does not. */
    record DisputeAssembly(long disputeId) implements TxBody {
        public static final int TAG = 14;

        public DisputeAssembly { Fields.positive(disputeId, "disputeId"); }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(disputeId); }
    }

    /**
     * Provider: the disputed operator's proven inputs and its own output root; the ledger's referee decides. When tiles
     * make the trace longer than the program (spec §2), {@code previous} opens the agreed leaf before a whole leaf, so
     * the referee checks where it sits. When the disputed leaf is one tile of a large matmul, {@code tile} carries the
     * tile's proven input chunks and carried accumulator instead; when it is a tiled matmul's assembly leaf,
     * {@code tiledOutput} carries the assembled output and its final tiles' proofs; {@code inputs} is then empty.
     */
    record SettleOperator(long disputeId, List<InputEvidence> inputs, byte[] providerOutputRoot, TileEvidence tile,
                          PrecedingLeaf previous, TiledOutputEvidence tiledOutput) implements TxBody {
        public static final int TAG = 15;
        // The evidence form byte: 0 and 1 are the encodings from before tiled outputs, byte for byte.
        private static final int WHOLE = 0, TILE = 1, WHOLE_AFTER = 2, TILED_OUTPUT = 3;

        public SettleOperator {
            Fields.positive(disputeId, "disputeId");
            if (inputs == null || inputs.size() > InputEvidence.MAX_INPUTS) {
                throw new IllegalArgumentException("inputs must be a list of at most " + InputEvidence.MAX_INPUTS);
            }
            if ((tile != null ? 1 : 0) + (previous != null ? 1 : 0) + (tiledOutput != null ? 1 : 0) > 1) {
                throw new IllegalArgumentException("tile, previous, tiledOutput: at most one of them");
            }
            if ((tile != null || tiledOutput != null) && !inputs.isEmpty()) {
                throw new IllegalArgumentException("inputs must be empty when the tile or tiled output evidence is given");
            }
            inputs = List.copyOf(inputs);
            providerOutputRoot = Fields.hash(providerOutputRoot, "providerOutputRoot");
        }

        /** A whole operator's settlement. */
        public SettleOperator(long disputeId, List<InputEvidence> inputs, byte[] providerOutputRoot) {
            this(disputeId, inputs, providerOutputRoot, null, null, null);
        }

        /** A whole operator's settlement in a trace longer than its program: {@code previous} is the agreed leaf before it. */
        public SettleOperator(long disputeId, List<InputEvidence> inputs, PrecedingLeaf previous, byte[] providerOutputRoot) {
            this(disputeId, inputs, providerOutputRoot, null, previous, null);
        }

        /** A tile's settlement. */
        public SettleOperator(long disputeId, TileEvidence tile, byte[] providerOutputRoot) {
            this(disputeId, List.of(), providerOutputRoot, Objects.requireNonNull(tile, "tile"), null, null);
        }

        /** A tiled matmul's assembly leaf's settlement. */
        public SettleOperator(long disputeId, TiledOutputEvidence tiledOutput, byte[] providerOutputRoot) {
            this(disputeId, List.of(), providerOutputRoot, null, null, Objects.requireNonNull(tiledOutput, "tiledOutput"));
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) {
            out.i64(disputeId).bytes(InputEvidence.encodeAll(inputs)).raw(providerOutputRoot);
            if (tile != null) {
                out.u8(TILE).bytes(tile.encode());
            } else if (previous != null) {
                out.u8(WHOLE_AFTER).bytes(previous.encode());
            } else if (tiledOutput != null) {
                out.u8(TILED_OUTPUT).bytes(tiledOutput.encode());
            } else {
                out.u8(WHOLE);
            }
        }

        static SettleOperator read(ByteReader in) {
            long disputeId = in.i64("disputeId");
            List<InputEvidence> inputs = InputEvidence.decodeAll(in.bytes("inputs"));
            byte[] root = in.raw(32, "providerOutputRoot");
            int form = in.u8("evidence form");
            return switch (form) {
                case WHOLE -> new SettleOperator(disputeId, inputs, root);
                case TILE -> new SettleOperator(disputeId, inputs, root, TileEvidence.decode(in.bytes("tile")), null, null);
                case WHOLE_AFTER -> new SettleOperator(disputeId, inputs, PrecedingLeaf.decode(in.bytes("previous")), root);
                case TILED_OUTPUT -> new SettleOperator(disputeId, inputs, root, null, null,
                        TiledOutputEvidence.decode(in.bytes("tiledOutput")));
                default -> throw new MalformedTxException("evidence form " + form + " (0 whole, 1 tile, 2 whole after a leaf,"
                        + " 3 tiled output)");
            };
        }
    }

    /** Provider, after {@link DisputeAssembly}: the full state before the disputed step. */
    record SettleAssembly(long disputeId, ModelState stateLo, Dataset dataset) implements TxBody {
        public static final int TAG = 16;

        /** {@code dataset}: null for a job whose data follows from its seed; the dataset itself for a dataset-blob job. */
        public SettleAssembly {
            Fields.positive(disputeId, "disputeId");
            if (stateLo == null) throw new IllegalArgumentException("stateLo must not be null");
        }

        public SettleAssembly(long disputeId, ModelState stateLo) {
            this(disputeId, stateLo, null);
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) {
            out.i64(disputeId).i64(stateLo.step());
            writeTensors(out, stateLo.tensors());
            out.bool(dataset != null);
            if (dataset != null) writeTensors(out, dataset.tensors());
        }

        static SettleAssembly read(ByteReader in) {
            long disputeId = in.i64("disputeId");
            long step = in.i64("step");
            ModelState state = new ModelState(readTensors(in, 11), step);
            Dataset dataset = in.bool("has dataset") ? new Dataset(readTensors(in, 4)) : null;
            return new SettleAssembly(disputeId, state, dataset);
        }

        private static void writeTensors(ByteWriter out, SortedMap<String, Tensor> tensors) {
            out.i32(tensors.size());
            tensors.forEach((name, tensor) -> {
                out.string(name).i32(tensor.shape().length);
                for (int d : tensor.shape()) out.i32(d);
                out.bytes(tensor.toBytes());
            });
        }

        private static SortedMap<String, Tensor> readTensors(ByteReader in, int maxCount) {
            SortedMap<String, Tensor> tensors = new TreeMap<>();
            for (int i = in.count("tensors", maxCount); i > 0; i--) {
                String name = in.string("tensor name");
                // Canonical means one encoding per state: names strictly ascending, as they are written.
                if (!tensors.isEmpty() && tensors.lastKey().compareTo(name) >= 0) {
                    throw new MalformedTxException("tensor " + name + " is not after " + tensors.lastKey() + " (names must ascend)");
                }
                int rank = in.count("rank", 4);
                if (rank > 8) throw new MalformedTxException("tensor " + name + " rank " + rank + " > 8");
                int[] shape = new int[rank];
                for (int d = 0; d < rank; d++) shape[d] = in.i32("dim");
                tensors.put(name, Tensor.fromBytes(shape, in.bytes("tensor " + name)));
            }
            return tensors;
        }
    }

    // ---- compute market (tags 40..59; rules in io.verigrid.ledger.MarketRules) ----------------------------

    /**
     * A staked provider announces its node URL and its measured capability: engine throughput in MFLOP/s,
     * memory and free disk in bytes. Sent again, it replaces the URL and the capability.
     */
    record RegisterProvider(String url, long mflops, long memoryBytes, long diskBytes) implements TxBody {
        public static final int TAG = 40;

        public RegisterProvider {
            if (url == null || url.isBlank() || url.length() > 200) {
                throw new IllegalArgumentException("url must be 1..200 characters, got " + url);
            }
            Fields.positive(mflops, "mflops");
            Fields.positive(memoryBytes, "memoryBytes");
            Fields.nonNegative(diskBytes, "diskBytes");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.string(url).i64(mflops).i64(memoryBytes).i64(diskBytes); }
    }

    /** A registered provider's periodic re-measurement of its capability. */
    record UpdateCapability(long mflops, long memoryBytes, long diskBytes) implements TxBody {
        public static final int TAG = 41;

        public UpdateCapability {
            Fields.positive(mflops, "mflops");
            Fields.positive(memoryBytes, "memoryBytes");
            Fields.nonNegative(diskBytes, "diskBytes");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(mflops).i64(memoryBytes).i64(diskBytes); }
    }

    /**
     * A buyer's order: {@code kind} names the job codec ({@code MarketRules.KIND_MLP}), {@code spec} its bytes;
     * {@code maxUnitPrice × units} is escrowed. The reverse auction runs {@code auctionBlocks} blocks; an order
     * not leased {@code deadlineBlocks} after posting expires and is refunded.
     *
     * <p>{@code dataset} is null for a job whose data the spec's seed generates; otherwise the job trains on the
     * tensors of a blob held by the named replica nodes, and {@code datasetRoot} is their
     * {@code Commitments.datasetRoot}, which providers and verifiers check the fetched tensors against. It is
     * encoded last, after a presence flag.
     */
    record PostOrder(int kind, byte[] spec, byte[] datasetRoot, long maxUnitPrice, int samplePpm, long minMemoryBytes,
                     long minMflops, int auctionBlocks, int deadlineBlocks, DatasetBlob dataset) implements TxBody {
        public static final int TAG = 42;

        /** An order whose dataset the spec's seed generates. */
        public PostOrder(int kind, byte[] spec, byte[] datasetRoot, long maxUnitPrice, int samplePpm, long minMemoryBytes,
                         long minMflops, int auctionBlocks, int deadlineBlocks) {
            this(kind, spec, datasetRoot, maxUnitPrice, samplePpm, minMemoryBytes, minMflops, auctionBlocks, deadlineBlocks, null);
        }

        public PostOrder {
            if (spec == null || spec.length == 0) throw new IllegalArgumentException("spec must not be empty");
            spec = spec.clone();
            datasetRoot = Fields.hash(datasetRoot, "datasetRoot");
            Fields.positive(maxUnitPrice, "maxUnitPrice");
            if (samplePpm < 0 || samplePpm > 1_000_000) {
                throw new IllegalArgumentException("samplePpm must be in 0..1000000, got " + samplePpm);
            }
            Fields.nonNegative(minMemoryBytes, "minMemoryBytes");
            Fields.nonNegative(minMflops, "minMflops");
            Fields.positive(auctionBlocks, "auctionBlocks");
            Fields.positive(deadlineBlocks, "deadlineBlocks");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) {
            out.i32(kind).bytes(spec).raw(datasetRoot).i64(maxUnitPrice).i32(samplePpm).i64(minMemoryBytes)
                    .i64(minMflops).i32(auctionBlocks).i32(deadlineBlocks);
            out.bool(dataset != null);
            if (dataset != null) dataset.write(out);
        }
    }

    /**
     * A dataset held as a blob: {@code blob} is its id (64 lowercase hex), {@code replicas} the base URLs of the
     * nodes that hold it, at most {@link #MAX_REPLICAS}, each named once.
     */
    record DatasetBlob(String blob, java.util.List<String> replicas) {
        public static final int MAX_REPLICAS = 16;
        public static final int MAX_URL_CHARS = 256;

        public DatasetBlob {
            if (blob == null || !blob.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("dataset blob must be 64 lowercase hex digits, got " + blob);
            }
            if (replicas == null || replicas.isEmpty() || replicas.size() > MAX_REPLICAS) {
                throw new IllegalArgumentException("dataset replicas must name 1.." + MAX_REPLICAS + " nodes, got "
                        + (replicas == null ? "none" : replicas.size()));
            }
            replicas = java.util.List.copyOf(replicas);
            if (new java.util.HashSet<>(replicas).size() != replicas.size()) {
                throw new IllegalArgumentException("dataset replicas must be distinct, got " + replicas);
            }
            for (String url : replicas) {
                if (url.isBlank() || url.length() > MAX_URL_CHARS) {
                    throw new IllegalArgumentException("dataset replica URL must be 1.." + MAX_URL_CHARS + " characters, got '" + url + "'");
                }
            }
        }

        void write(ByteWriter out) {
            out.string(blob).i32(replicas.size());
            replicas.forEach(out::string);
        }

        static DatasetBlob read(ByteReader in) {
            String blob = in.string("dataset blob");
            int n = in.count("dataset replicas", 4);
            java.util.List<String> replicas = new java.util.ArrayList<>(n);
            for (int i = 0; i < n; i++) replicas.add(in.string("dataset replica"));
            return new DatasetBlob(blob, replicas);
        }
    }

    /** A binding bid: the provider will run the order at {@code unitPrice} per verified unit; locks a deposit. */
    record PlaceBid(long orderId, long unitPrice) implements TxBody {
        public static final int TAG = 43;

        public PlaceBid {
            Fields.positive(orderId, "orderId");
            Fields.positive(unitPrice, "unitPrice");
        }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(orderId).i64(unitPrice); }
    }

    /** The buyer cancels its order; unspent escrow comes back, verified units stay paid. */
    record CancelOrder(long orderId) implements TxBody {
        public static final int TAG = 44;

        public CancelOrder { Fields.positive(orderId, "orderId"); }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(orderId); }
    }

    /** The lessee is alive and working on lease {@code leaseId}. */
    record Heartbeat(long leaseId) implements TxBody {
        public static final int TAG = 45;

        public Heartbeat { Fields.positive(leaseId, "leaseId"); }

        public int tag() { return TAG; }

        public void write(ByteWriter out) { out.i64(leaseId); }
    }

    /** Reads one body (tag byte first); the caller checks that nothing trails it. */
    static TxBody read(ByteReader in) {
        int tag = in.u8("body tag");
        if (tag >= 60 && tag <= 79) return SubnetTx.read(tag, in);
        if (tag >= 20 && tag <= 29) return PreprocessTx.read(tag, in);
        if (tag >= 80 && tag <= 99) return InferenceTx.read(tag, in);
        return switch (tag) {
            case Transfer.TAG -> new Transfer(in.raw(32, "to"), in.i64("amount"));
            case Stake.TAG -> new Stake(in.i64("amount"));
            case Unstake.TAG -> new Unstake(in.i64("amount"));
            case PostJob.TAG -> new PostJob(in.bytes("jobSpec"), in.i64("price"), in.i32("samplePpm"));
            case AcceptJob.TAG -> new AcceptJob(in.i64("jobId"));
            case CommitUnit.TAG -> new CommitUnit(in.i64("jobId"), in.i32("unit"), in.raw(32, "stateRoot"));
            case Attest.TAG -> new Attest(in.i64("jobId"), in.i32("unit"), in.raw(32, "stateRoot"));
            case Challenge.TAG -> new Challenge(in.i64("jobId"), in.i32("unit"), in.raw(32, "claimedRoot"));
            case PostStepRoots.TAG -> new PostStepRoots(in.i64("disputeId"), in.byteList("roots"));
            case PickStepRange.TAG -> new PickStepRange(in.i64("disputeId"), in.i32("k"));
            case PostTraceRoot.TAG -> new PostTraceRoot(in.i64("disputeId"), in.raw(32, "traceRoot"), in.i32("traceLength"));
            case PostTraceNodes.TAG -> new PostTraceNodes(in.i64("disputeId"), in.byteList("nodes"));
            case PickTraceNode.TAG -> new PickTraceNode(in.i64("disputeId"), in.i32("k"),
                    in.bool("outputRoot present") ? in.raw(32, "outputRoot") : null);
            case DisputeAssembly.TAG -> new DisputeAssembly(in.i64("disputeId"));
            case SettleOperator.TAG -> SettleOperator.read(in);
            case SettleAssembly.TAG -> SettleAssembly.read(in);
            case RegisterProvider.TAG -> new RegisterProvider(in.string("url"), in.i64("mflops"), in.i64("memoryBytes"), in.i64("diskBytes"));
            case UpdateCapability.TAG -> new UpdateCapability(in.i64("mflops"), in.i64("memoryBytes"), in.i64("diskBytes"));
            case PostOrder.TAG -> new PostOrder(in.i32("kind"), in.bytes("spec"), in.raw(32, "datasetRoot"), in.i64("maxUnitPrice"),
                    in.i32("samplePpm"), in.i64("minMemoryBytes"), in.i64("minMflops"), in.i32("auctionBlocks"), in.i32("deadlineBlocks"),
                    in.bool("dataset blob present") ? DatasetBlob.read(in) : null);
            case PlaceBid.TAG -> new PlaceBid(in.i64("orderId"), in.i64("unitPrice"));
            case CancelOrder.TAG -> new CancelOrder(in.i64("orderId"));
            case Heartbeat.TAG -> new Heartbeat(in.i64("leaseId"));
            default -> throw new MalformedTxException("unknown body tag " + tag);
        };
    }
}
