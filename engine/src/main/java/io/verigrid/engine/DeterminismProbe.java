package io.verigrid.engine;

/**
 * Trains {@link MlpJob#demo()} and prints {@code digest <hex>} of the final state. CI runs it on several
 * JDKs, under {@code -Xint} and with different vector widths, and compares the lines.
 * Usage: {@code DeterminismProbe [--threads N]} (default 1).
 */
public final class DeterminismProbe {
    private DeterminismProbe() {
    }

    public static void main(String[] args) {
        int threads = 1;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--threads") && i + 1 < args.length) {
                threads = Integer.parseInt(args[++i]);
            } else {
                throw new IllegalArgumentException("usage: DeterminismProbe [--threads N], got " + args[i]);
            }
        }
        MlpJob job = MlpJob.demo();
        try (Parallelism par = Parallelism.of(threads)) {
            ModelState done = MlpTrainer.run(job, job.dataset(), job.initialState(), job.steps(), par, null);
            System.out.println("digest " + hex(done.digest()));
        }
    }

    static String hex(byte[] bytes) {
        StringBuilder text = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            text.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return text.toString();
    }
}
