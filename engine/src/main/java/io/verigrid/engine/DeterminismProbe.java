package io.verigrid.engine;

/**
 * Trains {@link MlpJob#demo()} and prints {@code digest <hex>} of the resulting state. CI runs it on several
 * JDKs, under {@code -Xint} and with different vector widths, and compares the lines.
 * Usage: {@code DeterminismProbe [--threads N] [--steps S]} (defaults: 1 thread, all of the demo's steps;
 * fewer steps keep the interpreter run short).
 */
public final class DeterminismProbe {
    private DeterminismProbe() {
    }

    public static void main(String[] args) {
        MlpJob job = MlpJob.demo();
        int threads = 1;
        int steps = job.steps();
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: DeterminismProbe [--threads N] [--steps S]; " + args[i]
                        + " needs a value");
            }
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--steps" -> steps = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("usage: DeterminismProbe [--threads N] [--steps S]; "
                        + "unknown option " + args[i]);
            }
        }
        if (steps < 0 || steps > job.steps()) {
            throw new IllegalArgumentException("--steps must be in [0, " + job.steps() + "], got " + steps);
        }
        System.out.println("digest " + hex(digest(job, threads, steps)));
    }

    static byte[] digest(MlpJob job, int threads, int steps) {
        try (Parallelism par = Parallelism.of(threads)) {
            return MlpTrainer.run(job, job.dataset(), job.initialState(), steps, par, null).digest();
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
