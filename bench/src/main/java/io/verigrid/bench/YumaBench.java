package io.verigrid.bench;

import io.verigrid.ledger.yuma.SparseRow;
import io.verigrid.ledger.yuma.YumaEpoch;
import io.verigrid.ledger.yuma.YumaInput;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code verigrid bench yuma}: one Yuma epoch (the ledger's fixed-point code) on a subnet with dense weights —
 * every validator weights every UID — and bonds from a previous epoch, at 1 024, 4 096 and 16 384 UIDs.
 */
@Command(name = "yuma", mixinStandardHelpOptions = true,
        description = "Time one fixed-point Yuma epoch with dense weights at 1024, 4096 and 16384 UIDs.")
final class YumaBench implements Callable<Integer> {
    @Option(names = "--validators", defaultValue = "256", description = "Validators (UIDs with stake and weights). Default: ${DEFAULT-VALUE}.")
    int validators;

    @Option(names = "--sizes", split = ",", defaultValue = "1024,4096,16384", description = "UID counts. Default: ${DEFAULT-VALUE}.")
    int[] sizes;

    @Option(names = "--runs", defaultValue = "5", description = "Timed runs per size (the median is reported). Default: ${DEFAULT-VALUE}.")
    int runs;

    @Option(names = "--json", description = "Print a JSON summary as the last line.")
    boolean json;

    @Override
    public Integer call() {
        if (validators < 1) throw new IllegalArgumentException("--validators must be positive, got " + validators);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("validators", validators);
        System.out.printf("Yuma epoch, %d validators, dense weights, bonds from a previous epoch (median of %d runs)%n", validators, runs);
        System.out.printf("%8s %12s %14s%n", "UIDs", "epoch ms", "weights");
        for (int n : sizes) {
            if (n < validators) throw new IllegalArgumentException("--sizes: " + n + " UIDs is fewer than the validators");
            YumaInput first = denseEpoch(n, validators);
            YumaInput input = first.toBuilder().bonds(YumaEpoch.run(first).bondsU16()).currentBlock(first.currentBlock() + 360).build();
            double seconds = Timing.medianSeconds(() -> YumaEpoch.run(input), 2_000, runs);
            double ms = seconds * 1000;
            System.out.printf("%8d %12.1f %14d%n", n, ms, (long) n * validators);
            summary.put("epoch_ms_" + n, Math.round(ms * 10) / 10.0);
        }
        if (json) {
            try {
                System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(summary));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return 0;
    }

    /** {@code v} validators with random stake and permits weight all {@code n} UIDs with seeded random u16 values. */
    static YumaInput denseEpoch(int n, int v) {
        SplittableRandom random = new SplittableRandom(9);
        YumaInput.Builder b = YumaInput.builder(n).currentBlock(10_000).tempo(360).activityCutoff(5000)
                .maxAllowedValidators(v).raoEmission(1_000_000_000L).allLastUpdate(9_999);
        int[] columns = new int[n];
        for (int j = 0; j < n; j++) columns[j] = j;
        for (int i = 0; i < v; i++) {
            b.stakeOf(i, 1_000_000_000L + random.nextLong(1_000_000_000_000L)).validatorPermitOf(i, true);
            long[] values = new long[n];
            for (int j = 0; j < n; j++) values[j] = random.nextInt(65536);
            b.weightsOf(i, new SparseRow(columns.clone(), values));
        }
        return b.build();
    }
}
