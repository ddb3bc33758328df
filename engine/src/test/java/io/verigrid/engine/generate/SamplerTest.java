package io.verigrid.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final float[] LOGITS = {0.5f, 3f, 2.9f, -1f, 3f, 0f};

    @Test
    void greedyTakesTheHighestLogitAndTheLowestIdOnTies() {
        assertEquals(1, Sampler.pick(LOGITS, SamplingParams.greedy(0), 0, 0, 0).token());
    }

    @Test
    void logprobsAreTheLogSoftmaxOfTheRawLogits() {
        Sampler.Pick pick = Sampler.pick(LOGITS, SamplingParams.greedy(0), 0, 0, 3);
        double sum = 0;
        for (float logit : LOGITS) {
            sum += StrictMath.exp(logit - 3f);
        }
        assertEquals(-StrictMath.log(sum), pick.logprob(), 1e-6);
        assertEquals(3, pick.top().size());
        assertEquals(1, pick.top().get(0).token());
        assertEquals(4, pick.top().get(1).token());
        assertEquals(2, pick.top().get(2).token());
    }

    @Test
    void aLogitBiasAndPenaltiesChangeThePickInTheirFixedFloatOrder() {
        SamplingParams greedy = SamplingParams.greedy(0);
        LogitAdjustments favourThree = new LogitAdjustments(new int[] {1, 3}, new float[] {-100f, 5f}, 0f, 0f);
        assertEquals(3, Sampler.pick(LOGITS, greedy.withAdjustments(favourThree), new int[0], 0, 0, 0).token(),
                "-1 + 5 beats 3 - 100 and every other logit");
        // Token 1 generated twice, token 4 once: 3 − 2·1.5 − 0.5 = −0.5 and 3 − 1.5 − 0.5 = 1; 2.9 now leads.
        LogitAdjustments penalties = new LogitAdjustments(new int[0], new float[0], 1.5f, 0.5f);
        assertEquals(2, Sampler.pick(LOGITS, greedy.withAdjustments(penalties), new int[] {1, 4, 1}, 0, 0, 0).token());
        float[] adjusted = penalties.apply(LOGITS, new int[] {1, 4, 1});
        assertEquals(Float.floatToRawIntBits(3f - 2 * 1.5f - 0.5f), Float.floatToRawIntBits(adjusted[1]));
        assertEquals(Float.floatToRawIntBits(LOGITS[0]), Float.floatToRawIntBits(adjusted[0]), "tokens not generated keep their bits");
        assertTrue(LogitAdjustments.NONE.apply(LOGITS, new int[] {1}) == LOGITS, "no adjustment, no copy: the same bits as before");
        // Negative penalties favour repetition.
        LogitAdjustments repeat = new LogitAdjustments(new int[0], new float[0], -2f, 0f);
        assertEquals(3, Sampler.pick(LOGITS, greedy.withAdjustments(repeat), new int[] {3, 3, 3}, 0, 0, 0).token());
        // A sampled pick reads the adjusted logits too: a token biased by −100 is never drawn.
        SamplingParams sampled = new SamplingParams(1f, 0, 1f, 0, new LogitAdjustments(new int[] {1, 4}, new float[] {-100f, -100f}, 0f, 0f));
        for (long seed = 0; seed < 200; seed++) {
            int token = Sampler.pick(LOGITS, new SamplingParams(1f, 0, 1f, seed, sampled.adjustments()), new int[0], 0, 0, 0).token();
            assertTrue(token != 1 && token != 4, "seed " + seed + " drew " + token);
        }
        assertThrows(IllegalArgumentException.class, () -> Sampler.pick(LOGITS, greedy.withAdjustments(favourThree), 0, 0, 0),
                "adjusted sampling needs the history");
        assertThrows(IllegalArgumentException.class, () -> new LogitAdjustments(new int[] {3, 1}, new float[] {1f, 1f}, 0f, 0f));
        assertThrows(IllegalArgumentException.class, () -> new LogitAdjustments(new int[] {1}, new float[] {101f}, 0f, 0f));
        assertThrows(IllegalArgumentException.class, () -> new LogitAdjustments(new int[0], new float[0], 2.5f, 0f));
        assertThrows(IllegalArgumentException.class, () -> new LogitAdjustments(new int[0], new float[0], 0f, Float.NaN));
        assertTrue(new LogitAdjustments(new int[0], new float[0], -0f, -0f).none(), "a −0 penalty is no penalty");
    }

    @Test
    void topKOneIsGreedyWhateverTheSeed() {
        for (long seed = 0; seed < 50; seed++) {
            assertEquals(1, Sampler.pick(LOGITS, new SamplingParams(5f, 1, 1f, seed), 0, 3, 0).token());
        }
    }

    @Test
    void topPKeepsOnlyTheSmallestLikelyPrefix() {
        Set<Integer> seen = new HashSet<>();
        for (long seed = 0; seed < 200; seed++) {
            seen.add(Sampler.pick(LOGITS, new SamplingParams(1f, 0, 0.5f, seed), 0, 0, 0).token());
        }
        assertEquals(Set.of(1, 4), seen);
    }

    @Test
    void highTemperatureReachesEveryToken() {
        Set<Integer> seen = new HashSet<>();
        for (int position = 0; position < 400; position++) {
            seen.add(Sampler.pick(LOGITS, new SamplingParams(50f, 0, 1f, 9), 0, position, 0).token());
        }
        assertEquals(6, seen.size());
    }

    @Test
    void rankingIsByValueThenIdWhateverTheLimit() {
        java.util.Random random = new java.util.Random(11);
        float[] values = new float[3000];
        for (int i = 0; i < values.length; i++) {
            // Many ties, both zeros, negatives and extremes.
            values[i] = switch (i % 7) {
                case 0 -> -0.0f;
                case 1 -> 0.0f;
                case 2 -> Float.MAX_VALUE * (random.nextBoolean() ? 1 : -1);
                case 3 -> Float.MIN_VALUE * (random.nextBoolean() ? 1 : -1);
                default -> random.nextInt(40) / 4f - 5f;
            };
        }
        Integer[] ids = new Integer[values.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        java.util.Arrays.sort(ids, (a, b) -> {
            int byValue = Float.compare(values[b], values[a]);
            return byValue != 0 ? byValue : Integer.compare(a, b);
        });
        for (int limit : new int[] {0, 1, 5, 64, 374, 375, 376, 2999, 3000}) {
            int[] ranked = Sampler.ranked(values, limit);
            assertEquals(limit, ranked.length);
            for (int r = 0; r < limit; r++) {
                assertEquals(ids[r], ranked[r], "limit " + limit + ", rank " + r);
            }
        }
    }

    @Test
    void theDrawDependsOnlyOnSeedChoiceAndPosition() {
        assertEquals(SamplingRng.bits(1, 2, 3), SamplingRng.bits(1, 2, 3));
        assertTrue(SamplingRng.bits(1, 2, 3) != SamplingRng.bits(1, 3, 2));
        assertTrue(SamplingRng.bits(1, 2, 3) != SamplingRng.bits(2, 2, 3));
        float u = SamplingRng.uniform(123, 0, 0);
        assertTrue(u >= 0f && u < 1f);
    }

    @Test
    void badParametersAreRefusedByName() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SamplingParams(-1f, 0, 1f, 0)).getMessage()
                .contains("temperature"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1f, 0, 0f, 0)).getMessage()
                .contains("topP"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Sampler.pick(LOGITS, SamplingParams.greedy(0), 0, 0, 21))
                .getMessage().contains("topLogprobs"));
    }
}
