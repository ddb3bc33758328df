package io.verigrid.node.blob;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Content-addressed, chunked storage on a node's disk. A blob is a {@link Manifest} of chunk hashes and its id is
 * the manifest's hash; chunks are stored once each by their own hash and shared between blobs. A blob is
 * <em>held</em> once its manifest is stored, and a manifest is stored only after every chunk it names, so a held
 * blob is always complete. Writes go to a temporary file and are renamed into place; reads re-check every hash.
 *
 * <p>Pins are the blobs this node promised to keep; {@link #gc} deletes what no pin needs once it is older than a
 * grace period, measured on the injected clock. A blob may be private to a job: it is then served only to callers
 * the node's access policy allows for that job.
 */
public final class BlobStore {
    public static final int DEFAULT_CHUNK_SIZE = 1 << 20;
    private final Path dir;
    private final int chunkSize;
    private final Clock clock;

    /** A store at {@code dir} with 1 MiB chunks on the system clock. */
    public BlobStore(Path dir) {
        this(dir, DEFAULT_CHUNK_SIZE, Clock.systemUTC());
    }

    public BlobStore(Path dir, int chunkSize, Clock clock) {
        if (chunkSize < 1 || chunkSize > Manifest.MAX_CHUNK_SIZE) {
            throw new IllegalArgumentException("chunkSize must be in 1.." + Manifest.MAX_CHUNK_SIZE + ", got " + chunkSize);
        }
        if (clock == null) throw new IllegalArgumentException("clock must not be null");
        this.dir = dir;
        this.chunkSize = chunkSize;
        this.clock = clock;
        for (String sub : List.of("chunks", "manifests", "pins", "private", "incoming")) createDirectories(dir.resolve(sub));
    }

    public int chunkSize() {
        return chunkSize;
    }

    /** Stores the bytes as a FILE blob and returns its id. Storing the same bytes twice is a no-op. */
    public String put(byte[] bytes) {
        try {
            return put(new ByteArrayInputStream(bytes), Manifest.Kind.FILE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store a blob of " + bytes.length + " bytes", e);
        }
    }

    /** Chunks a stream into the store and returns the blob id; memory use is one chunk. */
    public String put(InputStream in, Manifest.Kind kind) throws IOException {
        List<String> hashes = new ArrayList<>();
        long size = 0;
        while (true) {
            byte[] chunk = in.readNBytes(chunkSize);
            if (chunk.length == 0) break;
            hashes.add(putChunk(chunk));
            size += chunk.length;
            if (chunk.length < chunkSize) break;
        }
        Manifest manifest = new Manifest(kind, chunkSize, size, hashes);
        putManifest(manifest);
        return manifest.id();
    }

    /** Stores a file, or a directory as its canonical {@link DirArchive}, and returns the blob id. */
    public String putPath(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            try (InputStream in = Files.newInputStream(path)) {
                return put(in, Manifest.Kind.FILE);
            }
        }
        Path archive = Files.createTempFile(dir.resolve("incoming"), "dir-", ".archive");
        try {
            try (OutputStream out = Files.newOutputStream(archive)) {
                DirArchive.write(path, out);
            }
            try (InputStream in = Files.newInputStream(archive)) {
                return put(in, Manifest.Kind.DIRECTORY);
            }
        } finally {
            Files.deleteIfExists(archive);
        }
    }

    /** The blob's bytes, or empty when this node does not hold it whole and undamaged. */
    public Optional<byte[]> get(String id) {
        Optional<Manifest> manifest = manifest(id);
        if (manifest.isEmpty()) return Optional.empty();
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(manifest.get().size(), Integer.MAX_VALUE - 8));
        for (String hash : manifest.get().chunkHashes()) {
            Optional<byte[]> chunk = chunk(hash);
            if (chunk.isEmpty()) return Optional.empty();
            out.writeBytes(chunk.get());
        }
        return Optional.of(out.toByteArray());
    }

    /** Streams the blob chunk by chunk; a chunk that is missing or damaged when its turn comes fails the read. */
    public InputStream open(String id) {
        Manifest manifest = manifest(id).orElseThrow(() -> new IllegalArgumentException("blob " + id + " is not held here"));
        return new SequenceInputStream(new ChunkEnumeration(manifest.chunkHashes()));
    }

    /** True when the manifest is held (and so, by construction, every chunk). */
    public boolean has(String id) {
        return isHash(id) && Files.exists(manifestPath(id));
    }

    public Optional<Manifest> manifest(String id) {
        if (!isHash(id)) return Optional.empty();
        try {
            byte[] bytes = Files.readAllBytes(manifestPath(id));
            return sha256Hex(bytes).equals(id) ? Optional.of(Manifest.decode(bytes)) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read manifest " + id, e);
        }
    }

    public boolean hasChunk(String hash) {
        return isHash(hash) && Files.exists(chunkPath(hash));
    }

    /** The chunk's bytes; empty when absent, and a copy whose hash no longer matches is deleted and reported absent. */
    public Optional<byte[]> chunk(String hash) {
        if (!isHash(hash)) return Optional.empty();
        Path path = chunkPath(hash);
        try {
            byte[] bytes = Files.readAllBytes(path);
            if (sha256Hex(bytes).equals(hash)) return Optional.of(bytes);
            Files.deleteIfExists(path);
            return Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read chunk " + hash, e);
        }
    }

    /** Stores one chunk and returns its hash; an existing chunk only has its age reset. */
    public String putChunk(byte[] bytes) {
        if (bytes.length > Manifest.MAX_CHUNK_SIZE) throw new IllegalArgumentException("a chunk holds at most " + Manifest.MAX_CHUNK_SIZE + " bytes, got " + bytes.length);
        String hash = sha256Hex(bytes);
        writeOnce(chunkPath(hash), bytes);
        return hash;
    }

    /** Stores a manifest, which makes its blob held; refuses one whose chunks are not all here yet. */
    public synchronized void putManifest(Manifest manifest) {
        List<Integer> missing = missingChunks(manifest);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("blob " + manifest.id() + " still misses " + missing.size() + " of " + manifest.chunkCount()
                    + " chunks (first: index " + missing.get(0) + ")");
        }
        writeOnce(manifestPath(manifest.id()), manifest.encode());
    }

    /** Indices of the manifest's chunks this store does not hold. */
    public List<Integer> missingChunks(Manifest manifest) {
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < manifest.chunkCount(); i++) if (!hasChunk(manifest.chunkHash(i))) missing.add(i);
        return missing;
    }

    public void pin(String id) {
        requireHeld(id);
        write(dir.resolve("pins").resolve(id), new byte[0]);
    }

    public void unpin(String id) {
        requireHash(id);
        delete(dir.resolve("pins").resolve(id));
    }

    public boolean pinned(String id) {
        return isHash(id) && Files.exists(dir.resolve("pins").resolve(id));
    }

    /** Marks a held blob as the data of job {@code jobId}; the first marking stays (it cannot be moved to another job). */
    public void markPrivate(String id, long jobId) {
        requireHeld(id);
        if (jobId <= 0) throw new IllegalArgumentException("jobId must be positive, got " + jobId);
        OptionalLong existing = privateJob(id);
        if (existing.isPresent() && existing.getAsLong() != jobId) {
            throw new IllegalArgumentException("blob " + id + " is already private to job " + existing.getAsLong());
        }
        write(dir.resolve("private").resolve(id), Long.toString(jobId).getBytes(StandardCharsets.US_ASCII));
    }

    /** The job a blob is private to, or empty for a public blob. */
    public OptionalLong privateJob(String id) {
        if (!isHash(id)) return OptionalLong.empty();
        try {
            return OptionalLong.of(Long.parseLong(Files.readString(dir.resolve("private").resolve(id)).trim()));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the privacy mark of blob " + id, e);
        }
    }

    /** What one garbage collection removed. */
    public record GcReport(int blobsDeleted, int chunksDeleted, long bytesFreed) {}

    /**
     * Deletes every blob that is neither pinned nor younger than {@code grace}, then every chunk that no remaining
     * blob names and that is itself older than {@code grace} (a recent chunk may belong to a download in progress).
     */
    public synchronized GcReport gc(Duration grace) {
        if (grace == null || grace.isNegative()) throw new IllegalArgumentException("grace must not be negative, got " + grace);
        FileTime cutoff = FileTime.fromMillis(clock.millis() - grace.toMillis());
        Set<String> keptChunks = new HashSet<>();
        int blobsDeleted = 0;
        for (Path path : files(dir.resolve("manifests"))) {
            String id = path.getFileName().toString();
            Optional<Manifest> manifest = manifest(id);
            if (manifest.isPresent() && (pinned(id) || modified(path).compareTo(cutoff) > 0)) {
                keptChunks.addAll(manifest.get().chunkHashes());
                continue;
            }
            delete(path);
            delete(dir.resolve("private").resolve(id));
            delete(dir.resolve("pins").resolve(id));
            blobsDeleted++;
        }
        int chunksDeleted = 0;
        long bytesFreed = 0;
        for (Path path : files(dir.resolve("chunks"))) {
            if (keptChunks.contains(path.getFileName().toString()) || modified(path).compareTo(cutoff) > 0) continue;
            bytesFreed += size(path);
            delete(path);
            chunksDeleted++;
        }
        return new GcReport(blobsDeleted, chunksDeleted, bytesFreed);
    }

    public static boolean isHash(String s) {
        return s != null && s.length() == 64 && s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }

    public static void requireHash(String s) {
        if (!isHash(s)) throw new IllegalArgumentException("'" + s + "' is not a blob hash: expected 64 lowercase hex characters");
    }

    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private void requireHeld(String id) {
        requireHash(id);
        if (!has(id)) throw new IllegalArgumentException("blob " + id + " is not held here");
    }

    private Path chunkPath(String hash) {
        return dir.resolve("chunks").resolve(hash.substring(0, 2)).resolve(hash);
    }

    private Path manifestPath(String id) {
        return dir.resolve("manifests").resolve(id.substring(0, 2)).resolve(id);
    }

    /** Content-addressed: if the file exists it already holds these bytes, so only its age (for GC) is refreshed. */
    private void writeOnce(Path target, byte[] bytes) {
        try {
            if (Files.exists(target)) {
                Files.setLastModifiedTime(target, FileTime.fromMillis(clock.millis()));
                return;
            }
            write(target, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store " + target.getFileName(), e);
        }
    }

    private void write(Path target, byte[] bytes) {
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(dir.resolve("incoming"), "part-", ".tmp");
            Files.write(tmp, bytes);
            Files.setLastModifiedTime(tmp, FileTime.fromMillis(clock.millis()));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    private static List<Path> files(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
    }

    private static FileTime modified(Path path) {
        try {
            return Files.getLastModifiedTime(path);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static long size(Path path) {
        try {
            return Files.size(path);
        } catch (IOException e) {
            return 0;
        }
    }

    private static void delete(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + path, e);
        }
    }

    private static void createDirectories(Path path) {
        try {
            Files.createDirectories(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create blob directory " + path, e);
        }
    }

    /** Reads the next chunk only when the stream reaches it, checking its hash as it goes. */
    private final class ChunkEnumeration implements java.util.Enumeration<InputStream> {
        private final List<String> hashes;
        private int next;

        ChunkEnumeration(List<String> hashes) {
            this.hashes = hashes;
        }

        @Override
        public boolean hasMoreElements() {
            return next < hashes.size();
        }

        @Override
        public InputStream nextElement() {
            String hash = hashes.get(next++);
            byte[] bytes = chunk(hash).orElseThrow(() -> new UncheckedIOException(new IOException("chunk " + hash + " is missing or damaged")));
            return new ByteArrayInputStream(bytes);
        }
    }
}
