package io.verigrid.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verigrid.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageStepsTest {
    private static ImageRecord image(int origin) {
        return (ImageRecord) SyntheticCorpus.images(3L, origin + 1, 3, 12, 10, 4).get(origin);
    }

    @Test
    void cropTakesTheKeyedWindow() {
        ImageRecord in = image(5);
        RandomCrop crop = new RandomCrop(9L, 8, 6);
        ImageRecord out = (ImageRecord) crop.apply(in, Resources.none());
        assertArrayEquals(new int[] {3, 8, 6}, out.image().shape());
        int top = KeyedRng.below(9L, RandomCrop.STREAM, 5, 0, 12 - 8 + 1);
        int left = KeyedRng.below(9L, RandomCrop.STREAM, 5, 1, 10 - 6 + 1);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 6; x++) {
                    assertEquals(in.image().data()[(c * 12 + top + y) * 10 + left + x], out.image().data()[(c * 8 + y) * 6 + x]);
                }
            }
        }
        assertTrue(out.label().bitEquals(in.label()));
        String message = assertThrows(IllegalArgumentException.class,
                () -> new RandomCrop(1L, 13, 4).apply(in, Resources.none())).getMessage();
        assertEquals("random_crop: record 5 is 12×10, smaller than the 13×4 crop", message);
    }

    @Test
    void flipMirrorsRowsWithTheKeyedProbability() {
        ImageRecord in = image(2);
        ImageRecord always = (ImageRecord) new HorizontalFlip(1L, 1_000_000).apply(in, Resources.none());
        assertEquals(in.image().data()[0], always.image().data()[9]);
        assertEquals(in.image().data()[12 * 10 + 3], always.image().data()[12 * 10 + 6]);
        assertTrue(((ImageRecord) new HorizontalFlip(1L, 0).apply(in, Resources.none())).image().bitEquals(in.image()));
        int flipped = 0;
        for (int origin = 0; origin < 1000; origin++) {
            flipped += KeyedRng.below(4L, HorizontalFlip.STREAM, origin, 0, 1_000_000) < 300_000 ? 1 : 0;
        }
        assertTrue(flipped > 240 && flipped < 360, "flipped " + flipped + " of 1000 at p = 0.3");
    }

    @Test
    void noiseIsStandardNormalScaledBySigma() {
        Tensor flat = Tensor.zeros(1, 100, 100);
        ImageRecord zero = new ImageRecord(7, flat, Tensor.zeros(0));
        float[] noise = ((ImageRecord) new GaussianNoise(3L, 2f).apply(zero, Resources.none())).image().data();
        double sum = 0;
        double squares = 0;
        for (float v : noise) {
            sum += v;
            squares += (double) v * v;
        }
        double mean = sum / noise.length;
        double std = Math.sqrt(squares / noise.length - mean * mean);
        assertTrue(Math.abs(mean) < 0.1, "mean " + mean);
        assertTrue(Math.abs(std - 2.0) < 0.1, "std " + std);
        ImageRecord in = image(1);
        assertTrue(((ImageRecord) new GaussianNoise(3L, 0f).apply(in, Resources.none())).image().bitEquals(in.image()));
    }

    @Test
    void mixupBlendsImageAndLabelWithABetaLambda() {
        Mixup mixup = new Mixup(5L, 0.4f);
        ImageRecord a = image(0);
        ImageRecord b = image(1);
        ImageRecord mixed = mixup.mix(a, b);
        float lambda = mixup.lambda(0);
        assertTrue(lambda > 0f && lambda < 1f);
        assertEquals(Math.fma(lambda, a.image().data()[4], (1f - lambda) * b.image().data()[4]), mixed.image().data()[4]);
        float labelSum = 0;
        for (float v : mixed.label().data()) {
            labelSum += v;
        }
        assertEquals(1f, labelSum, 1e-6f);
        double mean = 0;
        int extreme = 0;
        for (int origin = 0; origin < 2000; origin++) {
            float l = mixup.lambda(origin);
            mean += l / 2000.0;
            extreme += l < 0.1f || l > 0.9f ? 1 : 0;
        }
        // Beta(0.4, 0.4): mean 1/2, and about half the mass within 0.1 of either end (a uniform λ puts a fifth there).
        assertTrue(Math.abs(mean - 0.5) < 0.03, "mean " + mean);
        assertTrue(extreme > 850 && extreme < 1150, "extreme " + extreme);
        ImageRecord small = new ImageRecord(3, Tensor.zeros(3, 2, 2), Tensor.zeros(4));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> mixup.mix(a, small)).getMessage()
                .startsWith("mixup: record 0"));
    }

    @Test
    void mixupPartnersArePositionsOfASeededPermutation() {
        List<DataRecord> records = SyntheticCorpus.images(1L, 6, 1, 2, 2, 2);
        List<DataRecord> mixed = Pipeline.applyStep(new Mixup(2L, 1f), records, Resources.none());
        int[] partners = new Mixup(2L, 1f).partners(6);
        for (int p = 0; p < 6; p++) {
            assertEquals(new Mixup(2L, 1f).mix(records.get(p), records.get(partners[p])), mixed.get(p));
        }
    }
}
