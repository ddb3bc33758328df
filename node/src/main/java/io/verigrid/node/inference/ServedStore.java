package io.verigrid.node.inference;

import io.verigrid.verify.CanonicalReader;
import io.verigrid.verify.CanonicalWriter;
import io.verigrid.verify.Hashes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The provider's durable memory of what it settled, so that a restart inside a challenge window can still defend:
 * one file per settlement batch in its directory, written and forced to disk before the {@code SettleInference}
 * carrying the batch is sent (so no hold on the ledger lacks its record), rewritten with the heights the holds landed
 * at, loaded on start and dropped once the ledger no longer holds any of its requests (paid, or refunded after a lost
 * dispute).
 *
 * <p>File {@code batch-<seq>.served}: "VGSV" ‖ u8 version 2 ‖ u32 count ‖ {@link ServedRecord}… ‖ SHA-256 of all the
 * bytes before it. Version 2 adds embedding records (a pooled root after the leaves); version 1 files, which cannot
 * hold any, still load. A file that fails its checksum or does not decode is reported and skipped, never deleted: the rest
 * loads. Thread-safe.
 */
public final class ServedStore {
    private static final byte[] MAGIC = "VGSV".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 2;
    private static final Pattern NAME = Pattern.compile("batch-(\\d{1,18})\\.served");
    /** Prune passes a record of unknown outcome may go without a hold before it is dropped (its transaction may still land). */
    static final int UNKNOWN_PASSES = 3;

    private final Path dir;
    private final Consumer<String> log;
    private final Map<String, Entry> byHash = new ConcurrentHashMap<>();
    private final Map<Long, Set<String>> batches = new TreeMap<>();
    private long nextBatch;

    private static final class Entry {
        volatile ServedRecord record;
        final long batch;
        int misses;

        Entry(ServedRecord record, long batch) {
            this.record = record;
            this.batch = batch;
        }
    }

    private ServedStore(Path dir, Consumer<String> log) {
        this.dir = dir;
        this.log = log;
    }

    /** Opens (creating it if needed) the store in {@code dir} and loads every readable batch file. */
    public static ServedStore open(Path dir, Consumer<String> log) {
        ServedStore store = new ServedStore(dir, log);
        try {
            Files.createDirectories(dir);
            List<Path> files;
            try (Stream<Path> list = Files.list(dir)) {
                files = list.sorted().toList();
            }
            for (Path file : files) store.load(file);
        } catch (IOException e) {
            throw new UncheckedIOException("served store: cannot read " + dir, e);
        }
        return store;
    }

    private synchronized void load(Path file) throws IOException {
        String name = file.getFileName().toString();
        if (name.endsWith(".tmp")) {
            // A write cut short: its settlement was never sent (the send waits for the rename).
            Files.delete(file);
            log.accept("served store: removed the unfinished write " + file);
            return;
        }
        Matcher m = NAME.matcher(name);
        if (!m.matches()) return;
        long batch = Long.parseLong(m.group(1));
        nextBatch = Math.max(nextBatch, batch + 1);
        List<ServedRecord> records;
        try {
            records = decode(Files.readAllBytes(file));
        } catch (IOException | RuntimeException e) {
            log.accept("served store: skipping " + file + ": " + e.getMessage()
                    + "; its requests cannot be defended after this restart (the file is kept for inspection)");
            return;
        }
        for (ServedRecord r : records) put(r, batch);
    }

    private void put(ServedRecord record, long batch) {
        String hash = record.requestHashHex();
        byHash.put(hash, new Entry(record, batch));
        batches.computeIfAbsent(batch, b -> new HashSet<>()).add(hash);
    }

    /**
     * Writes {@code records} durably as a new batch (heights unknown) and returns its number; call before sending the
     * settlement that carries them. A failure to write throws and the settlement must not be sent.
     */
    public synchronized long stage(List<ServedRecord> records) {
        long batch = nextBatch++;
        write(batch, records);
        for (ServedRecord r : records) put(r, batch);
        return batch;
    }

    /**
     * The settlement of {@code batch} has an outcome: {@code heights} maps the request hash (hex) of each accepted
     * record to the height its hold landed at; the batch's other records were refused and are forgotten.
     */
    public synchronized void settled(long batch, Map<String, Long> heights) {
        Set<String> hashes = batches.getOrDefault(batch, Set.of());
        List<ServedRecord> kept = new ArrayList<>();
        for (String hash : hashes) {
            Entry entry = byHash.get(hash);
            Long height = heights.get(hash);
            if (entry != null && height != null) kept.add(entry.record.atHeight(height));
        }
        // The file first: what memory says is settled is then always on disk as settled too.
        if (kept.isEmpty()) delete(batch);
        else write(batch, kept);
        for (String hash : new ArrayList<>(hashes)) {
            Long height = heights.get(hash);
            Entry entry = byHash.get(hash);
            if (height == null || entry == null) forget(hash, batch);
            else entry.record = entry.record.atHeight(height);
        }
    }

    /** The record of a settled (or being settled) request, or null. */
    public ServedRecord get(String requestHashHex) {
        Entry entry = byHash.get(requestHashHex);
        return entry == null ? null : entry.record;
    }

    /** Every record held, in no particular order. */
    public List<ServedRecord> records() {
        return byHash.values().stream().map(e -> e.record).toList();
    }

    public int size() {
        return byHash.size();
    }

    /**
     * Drops what no dispute can need any more, given the ledger's holds of this provider ({@code held}: request hash →
     * hold height): a record whose hold is gone, or, for a record of unknown outcome, whose hold is still absent after
     * {@value #UNKNOWN_PASSES} passes. A batch file goes once all its records have. Returns the records of unknown
     * outcome this pass found on the ledger (now with their heights).
     */
    public synchronized List<ServedRecord> prune(Map<String, Long> held) {
        List<ServedRecord> confirmed = new ArrayList<>();
        for (Map.Entry<String, Entry> e : new ArrayList<>(byHash.entrySet())) {
            Entry entry = e.getValue();
            Long height = held.get(e.getKey());
            if (height != null) {
                if (entry.record.height() < 0) {
                    entry.record = entry.record.atHeight(height);
                    confirmed.add(entry.record);
                }
                continue;
            }
            if (entry.record.height() < 0 && ++entry.misses < UNKNOWN_PASSES) continue;
            forget(e.getKey(), entry.batch);
        }
        return confirmed;
    }

    private void forget(String hash, long batch) {
        byHash.remove(hash);
        Set<String> hashes = batches.get(batch);
        if (hashes == null) return;
        hashes.remove(hash);
        if (hashes.isEmpty()) delete(batch);
    }

    private void delete(long batch) {
        batches.remove(batch);
        try {
            Files.deleteIfExists(file(batch));
        } catch (IOException e) {
            log.accept("served store: cannot remove " + file(batch) + ": " + e.getMessage());
        }
    }

    private Path file(long batch) {
        return dir.resolve("batch-" + batch + ".served");
    }

    /** Writes to a temporary file, forces it, renames it over the batch file and forces the directory. */
    private void write(long batch, List<ServedRecord> records) {
        Path target = file(batch);
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(encode(records));
                while (buffer.hasRemaining()) ch.write(buffer);
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            forceDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException("served store: cannot write " + target, e);
        }
    }

    private void forceDirectory() {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory; the rename is then as durable as the file system makes it.
        }
    }

    static byte[] encode(List<ServedRecord> records) {
        CanonicalWriter out = new CanonicalWriter().raw(MAGIC).u8(VERSION).u32(records.size());
        for (ServedRecord r : records) r.write(out);
        byte[] body = out.toByteArray();
        return new CanonicalWriter().raw(body).raw(Hashes.sha256(body)).toByteArray();
    }

    static List<ServedRecord> decode(byte[] data) {
        if (data.length < MAGIC.length + 1 + 4 + 32) throw new IllegalArgumentException("truncated: " + data.length + " bytes");
        byte[] body = Arrays.copyOf(data, data.length - 32);
        if (!Arrays.equals(Hashes.sha256(body), Arrays.copyOfRange(data, data.length - 32, data.length))) {
            throw new IllegalArgumentException("checksum mismatch (truncated or corrupted)");
        }
        CanonicalReader in = new CanonicalReader(body);
        if (!Arrays.equals(in.raw(MAGIC.length), MAGIC)) throw new IllegalArgumentException("not a served-requests file");
        int version = in.u8();
        if (version != VERSION && version != 1) throw new IllegalArgumentException("unknown version " + version);
        int count = in.u32();
        List<ServedRecord> records = new ArrayList<>(Math.min(count, 4096));
        for (int i = 0; i < count; i++) records.add(ServedRecord.read(in));
        in.expectEnd();
        return records;
    }
}
