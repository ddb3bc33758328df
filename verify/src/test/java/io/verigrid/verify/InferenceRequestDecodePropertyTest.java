package io.verigrid.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.verigrid.engine.generate.LogitAdjustments;
import io.verigrid.engine.generate.SamplingParams;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * The ledger decodes requests from untrusted challenge transactions: every version, with bytes flipped, cut or added,
 * either decodes to a request that encodes back to exactly those bytes or is an IllegalArgumentException — never
 * another exception, which a state machine could not turn into a clean rejection.
 */
class InferenceRequestDecodePropertyTest {
    private static final List<InferenceRequest> REQUESTS = List.of(
            new InferenceRequest("chatcmpl-v1", new int[] {1, 5, 9}, 2, 8, new SamplingParams(0.7f, 40, 0.9f, 3), new int[] {2}),
            InferenceRequest.embedding("embd-v2", new int[] {1, 4}),
            new InferenceRequest("chatcmpl-v3", new int[] {1, 5}, 1, 8, new SamplingParams(0f, 0, 1f, 3), new int[] {2},
                    new int[][] {{7, 8}, {9}}),
            new InferenceRequest("chatcmpl-v4", new int[] {1, 5}, 1, 8, new SamplingParams(1f, 0, 1f, 3,
                    new LogitAdjustments(new int[] {3, 7}, new float[] {-100f, 2.5f}, 0.5f, -1f)), new int[] {2},
                    new int[][] {{7}}));

    @Property(tries = 2000)
    void mutatedEncodingsDecodeCanonicallyOrAreRefusedCleanly(@ForAll @IntRange(min = 0, max = 3) int which,
                                                              @ForAll @IntRange(min = 0, max = 2) int mutation,
                                                              @ForAll long seed) {
        byte[] bytes = REQUESTS.get(which).encode();
        Random random = new Random(seed);
        byte[] mutated = switch (mutation) {
            case 0 -> {
                byte[] copy = bytes.clone();
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) copy[random.nextInt(copy.length)] ^= (byte) (1 << random.nextInt(8));
                yield copy;
            }
            case 1 -> java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
            default -> {
                byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1 + random.nextInt(8));
                for (int i = bytes.length; i < longer.length; i++) longer[i] = (byte) random.nextInt(256);
                yield longer;
            }
        };
        InferenceRequest decoded;
        try {
            decoded = InferenceRequest.decode(mutated);
        } catch (IllegalArgumentException e) {
            Statistics.collect("refused");
            return;
        }
        Statistics.collect("decoded");
        assertArrayEquals(mutated, decoded.encode(), "a decoded request is its canonical encoding");
        assertEquals(decoded, InferenceRequest.decode(decoded.encode()));
    }
}
