package io.verigrid.ledger.yuma;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The fixed-point rules of spec §1 against exact BigInteger arithmetic and the spec's derived constants. */
class I32F32Test {
    private static final BigInteger TWO_32 = BigInteger.ONE.shiftLeft(32);

    @Test
    void derivedConstantsMatchTheSpecTable() {
        assertEquals(2147450879L, YumaMath.u16Ratio(32767)); // κ, not 0.5
        assertEquals(1L << 32, YumaMath.u16Ratio(65535)); // bonds penalty 1
        assertEquals(429496730L, YumaMath.bondsAlpha(900_000)); // α = 0.1000000000931
        assertEquals(107374183L, YumaMath.bondsAlpha(975_000));
        long tenth = YumaMath.stakeWeights(new long[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1})[0];
        assertEquals(429496729L, tenth);
        assertEquals(99_999_999L, I32F32.timesRao(tenth, 1_000_000_000L));
    }

    @Test
    void u16ProportionsFloor() {
        assertEquals(32767, I32F32.toU16Proportion(I32F32.ONE / 2));
        assertEquals(65535, I32F32.toU16Proportion(I32F32.ONE));
        assertEquals(21844, I32F32.toU16Proportion(1431655765L)); // 1/3
        assertEquals(0, I32F32.toU16Proportion(-5));
        assertEquals(65535, I32F32.toU16Proportion(3 * I32F32.ONE));
    }

    @Test
    void productsRoundTowardNegativeInfinity() {
        assertEquals(0, I32F32.mul(1, 1));
        assertEquals(-1, I32F32.mul(-1, 1));
        assertEquals(Long.MAX_VALUE, I32F32.mul(Long.MAX_VALUE, Long.MAX_VALUE));
        assertEquals(Long.MIN_VALUE, I32F32.mul(Long.MAX_VALUE, -Long.MAX_VALUE));
    }

    @Test
    void quotientsTruncateTowardZeroAndDivisionByZeroIsZero() {
        assertEquals(0, I32F32.div(I32F32.ONE, 0));
        assertEquals(-1431655765L, I32F32.div(-I32F32.ONE, 3 * I32F32.ONE));
        assertEquals(0, I32F32.div(Long.MAX_VALUE, 1)); // overflow gives 0
    }

    @Property(tries = 3000)
    void productMatchesExactArithmetic(@ForAll long a, @ForAll long b) {
        BigInteger exact = BigInteger.valueOf(a).multiply(BigInteger.valueOf(b));
        BigInteger floor = exact.shiftRight(32);
        long expected = floor.bitLength() < 64 ? floor.longValue() : (floor.signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE);
        assertEquals(expected, I32F32.mul(a, b));
    }

    @Property(tries = 3000)
    void smallProductMatchesExactArithmetic(@ForAll @LongRange(min = -(1L << 40), max = 1L << 40) long a,
                                            @ForAll @LongRange(min = -(1L << 40), max = 1L << 40) long b) {
        productMatchesExactArithmetic(a, b);
    }

    @Property(tries = 5000)
    void quotientMatchesExactArithmetic(@ForAll long a, @ForAll long b) {
        long expected = 0;
        if (b != 0) {
            BigInteger q = BigInteger.valueOf(a).shiftLeft(32).divide(BigInteger.valueOf(b)); // truncates
            expected = q.bitLength() < 64 ? q.longValue() : 0;
        }
        assertEquals(expected, I32F32.div(a, b));
    }

    @Property(tries = 5000)
    void quotientOfFractionsMatchesExactArithmetic(@ForAll @LongRange(min = 0, max = 1L << 62) long a,
                                                   @ForAll @LongRange(min = 1, max = Long.MAX_VALUE) long b) {
        quotientMatchesExactArithmetic(a % b, b);
        quotientMatchesExactArithmetic(a, b);
    }

    @Property(tries = 3000)
    void stakeWeightIsTheFlooredExactShare(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 4) long s,
                                          @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 4) long rest) {
        long[] w = YumaMath.stakeWeights(new long[] {s, rest});
        long total = s + rest;
        long expected = total == 0 ? 0 : BigInteger.valueOf(s).shiftLeft(32).divide(BigInteger.valueOf(total)).longValue();
        assertEquals(expected, w[0]);
    }

    @Property(tries = 2000)
    void raoConversionFloorsTheExactProduct(@ForAll @LongRange(min = 0, max = 1L << 32) long x,
                                           @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long rao) {
        BigInteger exact = BigInteger.valueOf(x).multiply(BigInteger.valueOf(rao)).divide(TWO_32);
        assertEquals(exact.longValue(), I32F32.timesRao(x, rao));
    }
}
