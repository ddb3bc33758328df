package io.verigrid.node.blob;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A directory tree as one canonical byte stream, so the same tree always has the same blob id: regular files only,
 * sorted by their '/'-separated relative path (UTF-8 byte order), each as path and content, no timestamps, owners
 * or modes. Empty directories are not represented; symbolic links are refused rather than followed.
 * Format: "VGDIR001" ‖ u32 count ‖ per file: u16 path length ‖ path ‖ u64 size ‖ bytes (little-endian).
 */
public final class DirArchive {
    static final byte[] MAGIC = "VGDIR001".getBytes(StandardCharsets.US_ASCII);

    private DirArchive() {}

    public static void write(Path dir, OutputStream out) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) throw new IllegalArgumentException(dir + " is not a directory");
        List<String> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isSymbolicLink(p)) throw new IllegalArgumentException("symbolic link " + p + " cannot be archived; copy its target instead");
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) paths.add(relative(dir, p));
            }
        }
        paths.sort((a, b) -> compareUtf8(a, b));
        out.write(MAGIC);
        out.write(le(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(paths.size())));
        for (String path : paths) {
            byte[] name = path.getBytes(StandardCharsets.UTF_8);
            Path file = dir.resolve(path);
            long size = Files.size(file);
            if (name.length > 0xFFFF) throw new IllegalArgumentException("path " + path + " is longer than 65535 bytes");
            out.write(le(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) name.length)));
            out.write(name);
            out.write(le(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(size)));
            try (InputStream in = Files.newInputStream(file)) {
                if (in.transferTo(out) != size) throw new IOException(file + " changed size while being archived");
            }
        }
    }

    /** Recreates the archived files under {@code target}; refuses paths that would land outside it. */
    public static void extract(InputStream input, Path target) throws IOException {
        DataInputStream in = new DataInputStream(input);
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) throw new IllegalArgumentException("not a directory archive: it must start with VGDIR001");
        int count = Integer.reverseBytes(in.readInt());
        Path root = target.toAbsolutePath().normalize();
        Files.createDirectories(root);
        for (int i = 0; i < count; i++) {
            byte[] name = new byte[Short.toUnsignedInt(Short.reverseBytes(in.readShort()))];
            in.readFully(name);
            String path = new String(name, StandardCharsets.UTF_8);
            Path file = root.resolve(path).normalize();
            if (path.isEmpty() || path.startsWith("/") || path.contains("\\") || !file.startsWith(root) || file.equals(root)) {
                throw new IllegalArgumentException("archive entry '" + path + "' would land outside " + target);
            }
            long size = Long.reverseBytes(in.readLong());
            if (size < 0) throw new IllegalArgumentException("archive entry '" + path + "' has negative size " + size);
            Files.createDirectories(file.getParent());
            try (OutputStream out = Files.newOutputStream(file)) {
                copyExactly(in, out, size, path);
            }
        }
    }

    private static void copyExactly(InputStream in, OutputStream out, long size, String path) throws IOException {
        byte[] buffer = new byte[64 << 10];
        long left = size;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) throw new EOFException("archive ends inside entry '" + path + "'");
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    private static String relative(Path dir, Path file) {
        List<String> parts = new ArrayList<>();
        for (Path part : dir.relativize(file)) parts.add(part.toString());
        return String.join("/", parts);
    }

    private static int compareUtf8(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] le(ByteBuffer buffer) {
        return buffer.array();
    }
}
