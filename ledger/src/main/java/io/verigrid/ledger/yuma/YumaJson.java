package io.verigrid.ledger.yuma;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The conformance JSON of spec §9: {@link #readInput} parses an input object (snake_case keys, sparse rows
 * as {@code [[col, u16], …]}) and {@link #writeOutput} prints the output object. Bad input throws
 * {@link IllegalArgumentException} naming the key.
 */
public final class YumaJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<String> REQUIRED = List.of("n", "current_block", "tempo", "activity_cutoff",
            "last_mechanism_step_block", "stake", "stake_threshold", "owner_uid", "validator_permits",
            "max_allowed_validators", "last_update", "block_at_registration", "weights", "bonds", "kappa",
            "bonds_penalty", "bonds_moving_average", "rao_emission");
    private static final Set<String> OPTIONAL = Set.of("yuma3", "liquid_alpha", "alpha_low", "alpha_high",
            "alpha_sigmoid_steepness", "commit_blocks");

    private YumaJson() {}

    /** Parses one §9 input object. */
    public static YumaInput readInput(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("input: not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException("input: expected one JSON object");
        for (String key : REQUIRED) {
            if (!root.has(key)) throw new IllegalArgumentException(key + ": missing key");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!REQUIRED.contains(key) && !OPTIONAL.contains(key)) throw new IllegalArgumentException(key + ": unknown key");
        }
        long nValue = nonNegative(root.get("n"), "n");
        if (nValue > 65535) throw new IllegalArgumentException("n: must be at most 65535, got " + nValue);
        int n = (int) nValue;
        JsonNode owner = root.get("owner_uid");
        int ownerUid = owner.isNull() ? YumaInput.NO_OWNER : (int) Math.min(nonNegative(owner, "owner_uid"), Integer.MAX_VALUE);
        return new YumaInput(
                n,
                nonNegative(root.get("current_block"), "current_block"),
                nonNegative(root.get("tempo"), "tempo"),
                nonNegative(root.get("activity_cutoff"), "activity_cutoff"),
                nonNegative(root.get("last_mechanism_step_block"), "last_mechanism_step_block"),
                longs(root.get("stake"), "stake", n),
                nonNegative(root.get("stake_threshold"), "stake_threshold"),
                ownerUid,
                booleans(root.get("validator_permits"), "validator_permits", n),
                u16(root.get("max_allowed_validators"), "max_allowed_validators"),
                longs(root.get("last_update"), "last_update", n),
                longs(root.get("block_at_registration"), "block_at_registration", n),
                rows(root.get("weights"), "weights", n),
                rows(root.get("bonds"), "bonds", n),
                u16(root.get("kappa"), "kappa"),
                u16(root.get("bonds_penalty"), "bonds_penalty"),
                nonNegative(root.get("bonds_moving_average"), "bonds_moving_average"),
                nonNegative(root.get("rao_emission"), "rao_emission"),
                flag(root, "yuma3"),
                flag(root, "liquid_alpha"),
                root.has("alpha_low") ? u16(root.get("alpha_low"), "alpha_low") : YumaInput.DEFAULT_ALPHA_LOW,
                root.has("alpha_high") ? u16(root.get("alpha_high"), "alpha_high") : YumaInput.DEFAULT_ALPHA_HIGH,
                root.has("alpha_sigmoid_steepness") ? steepness(root.get("alpha_sigmoid_steepness")) : YumaInput.DEFAULT_ALPHA_SIGMOID_STEEPNESS,
                commitBlocks(root.get("commit_blocks"), n));
    }

    private static long integer(JsonNode node, String name) {
        if (node == null || !node.isIntegralNumber()) {
            throw new IllegalArgumentException(name + ": expected an integer, got " + (node == null ? "nothing" : node));
        }
        if (!node.canConvertToLong()) throw new IllegalArgumentException(name + ": " + node + " does not fit in 63 bits");
        return node.longValue();
    }

    private static long nonNegative(JsonNode node, String name) {
        long value = integer(node, name);
        if (value < 0) throw new IllegalArgumentException(name + ": must be non-negative, got " + value);
        return value;
    }

    private static int u16(JsonNode node, String name) {
        long value = integer(node, name);
        if (value < 0 || value > 65535) throw new IllegalArgumentException(name + ": must be a u16 in [0, 65535], got " + value);
        return (int) value;
    }

    private static int steepness(JsonNode node) {
        long value = integer(node, "alpha_sigmoid_steepness");
        if (value < Short.MIN_VALUE || value > Short.MAX_VALUE) {
            throw new IllegalArgumentException("alpha_sigmoid_steepness: must fit in i16, got " + value);
        }
        return (int) value;
    }

    private static boolean flag(JsonNode root, String name) {
        JsonNode node = root.get(name);
        if (node == null || node.isNull()) return false;
        if (!node.isBoolean()) throw new IllegalArgumentException(name + ": expected true or false, got " + node);
        return node.booleanValue();
    }

    private static JsonNode array(JsonNode node, String name, int n) {
        if (node == null || !node.isArray()) throw new IllegalArgumentException(name + ": expected an array");
        if (node.size() != n) throw new IllegalArgumentException(name + ": expected " + n + " entries (n), got " + node.size());
        return node;
    }

    private static long[] longs(JsonNode node, String name, int n) {
        array(node, name, n);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) out[i] = nonNegative(node.get(i), name + "[" + i + "]");
        return out;
    }

    private static boolean[] booleans(JsonNode node, String name, int n) {
        array(node, name, n);
        boolean[] out = new boolean[n];
        for (int i = 0; i < n; i++) {
            JsonNode v = node.get(i);
            if (!v.isBoolean()) throw new IllegalArgumentException(name + "[" + i + "]: expected true or false, got " + v);
            out[i] = v.booleanValue();
        }
        return out;
    }

    private static long[] commitBlocks(JsonNode node, int n) {
        if (node == null || node.isNull()) return null;
        array(node, "commit_blocks", n);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            JsonNode v = node.get(i);
            out[i] = v.isNull() ? YumaInput.NO_COMMIT : nonNegative(v, "commit_blocks[" + i + "]");
        }
        return out;
    }

    private static List<SparseRow> rows(JsonNode node, String name, int n) {
        array(node, name, n);
        List<SparseRow> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String rowName = name + "[" + i + "]";
            JsonNode row = node.get(i);
            if (!row.isArray()) throw new IllegalArgumentException(rowName + ": expected an array of [column, value] pairs");
            long[][] pairs = new long[row.size()][];
            for (int k = 0; k < row.size(); k++) {
                JsonNode pair = row.get(k);
                if (!pair.isArray() || pair.size() != 2) {
                    throw new IllegalArgumentException(rowName + ": entry " + k + " must be a [column, value] pair, got " + pair);
                }
                long column = nonNegative(pair.get(0), rowName + " column");
                if (column >= n) throw new IllegalArgumentException(rowName + ": column " + column + " is not a UID below n=" + n);
                pairs[k] = new long[] {column, u16(pair.get(1), rowName + " value at column " + column)};
            }
            Arrays.sort(pairs, (a, b) -> Long.compare(a[0], b[0]));
            int[] columns = new int[pairs.length];
            long[] values = new long[pairs.length];
            for (int k = 0; k < pairs.length; k++) {
                if (k > 0 && pairs[k][0] == pairs[k - 1][0]) {
                    throw new IllegalArgumentException(rowName + ": column " + pairs[k][0] + " appears twice");
                }
                columns[k] = (int) pairs[k][0];
                values[k] = pairs[k][1];
            }
            out.add(new SparseRow(columns, values));
        }
        return out;
    }

    /** The §9 input object of {@code in} ({@link #readInput} reads it back to an equal input). */
    public static String writeInput(YumaInput in) {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(text)) {
            g.writeStartObject();
            g.writeNumberField("n", in.n());
            g.writeNumberField("current_block", in.currentBlock());
            g.writeNumberField("tempo", in.tempo());
            g.writeNumberField("activity_cutoff", in.activityCutoff());
            g.writeNumberField("last_mechanism_step_block", in.lastMechanismStepBlock());
            integers(g, "stake", in.stake());
            g.writeNumberField("stake_threshold", in.stakeThreshold());
            if (in.ownerUid() == YumaInput.NO_OWNER) g.writeNullField("owner_uid");
            else g.writeNumberField("owner_uid", in.ownerUid());
            booleans(g, "validator_permits", in.validatorPermits());
            g.writeNumberField("max_allowed_validators", in.maxAllowedValidators());
            integers(g, "last_update", in.lastUpdate());
            integers(g, "block_at_registration", in.blockAtRegistration());
            storedRows(g, "weights", in.weights());
            storedRows(g, "bonds", in.bonds());
            g.writeNumberField("kappa", in.kappa());
            g.writeNumberField("bonds_penalty", in.bondsPenalty());
            g.writeNumberField("bonds_moving_average", in.bondsMovingAverage());
            g.writeNumberField("rao_emission", in.raoEmission());
            g.writeBooleanField("yuma3", in.yuma3());
            g.writeBooleanField("liquid_alpha", in.liquidAlpha());
            g.writeNumberField("alpha_low", in.alphaLow());
            g.writeNumberField("alpha_high", in.alphaHigh());
            g.writeNumberField("alpha_sigmoid_steepness", in.alphaSigmoidSteepness());
            if (in.commitBlocks() != null) {
                g.writeArrayFieldStart("commit_blocks");
                for (long b : in.commitBlocks()) {
                    if (b == YumaInput.NO_COMMIT) g.writeNull();
                    else g.writeNumber(b);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** Stored u16 rows with their explicit zero entries (they matter for the outdated-weight mask). */
    private static void storedRows(JsonGenerator g, String name, List<SparseRow> rows) throws IOException {
        g.writeArrayFieldStart(name);
        for (SparseRow row : rows) {
            g.writeStartArray();
            for (int k = 0; k < row.size(); k++) {
                g.writeStartArray();
                g.writeNumber(row.columns()[k]);
                g.writeNumber(row.values()[k]);
                g.writeEndArray();
            }
            g.writeEndArray();
        }
        g.writeEndArray();
    }

    /** The §9 output object, keys in the spec's order, reals as exact JSON numbers. */
    public static String writeOutput(YumaOutput out) {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(text)) {
            g.writeStartObject();
            booleans(g, "active", out.active());
            booleans(g, "new_validator_permits", out.newValidatorPermits());
            reals(g, "stake_normalized", out.stakeNormalized());
            reals(g, "active_stake", out.activeStake());
            reals(g, "consensus", out.consensus());
            reals(g, "validator_trust", out.validatorTrust());
            reals(g, "incentive", out.incentive());
            reals(g, "dividends", out.dividends());
            sparse(g, "ema_bonds", out.emaBonds(), true);
            reals(g, "normalized_server_emission", out.normalizedServerEmission());
            reals(g, "normalized_validator_emission", out.normalizedValidatorEmission());
            reals(g, "normalized_combined_emission", out.normalizedCombinedEmission());
            ints(g, "stake_weight_u16", out.stakeWeightU16());
            ints(g, "consensus_u16", out.consensusU16());
            ints(g, "validator_trust_u16", out.validatorTrustU16());
            ints(g, "incentive_u16", out.incentiveU16());
            ints(g, "dividends_u16", out.dividendsU16());
            sparse(g, "bonds_u16", out.bondsU16(), false);
            integers(g, "server_emission", out.serverEmission());
            integers(g, "validator_emission", out.validatorEmission());
            integers(g, "combined_emission", out.combinedEmission());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private static void booleans(JsonGenerator g, String name, boolean[] values) throws IOException {
        g.writeArrayFieldStart(name);
        for (boolean v : values) g.writeBoolean(v);
        g.writeEndArray();
    }

    private static void reals(JsonGenerator g, String name, long[] bits) throws IOException {
        g.writeArrayFieldStart(name);
        for (long b : bits) real(g, b);
        g.writeEndArray();
    }

    /** Integral values print as integers, others as the shortest decimal of the exact double. */
    private static void real(JsonGenerator g, long bits) throws IOException {
        if ((bits & (I32F32.ONE - 1)) == 0) g.writeNumber(bits >> I32F32.FRAC_BITS);
        else g.writeNumber(I32F32.toDouble(bits));
    }

    private static void ints(JsonGenerator g, String name, int[] values) throws IOException {
        g.writeArrayFieldStart(name);
        for (int v : values) g.writeNumber(v);
        g.writeEndArray();
    }

    private static void integers(JsonGenerator g, String name, long[] values) throws IOException {
        g.writeArrayFieldStart(name);
        for (long v : values) g.writeNumber(v);
        g.writeEndArray();
    }

    private static void sparse(JsonGenerator g, String name, List<SparseRow> rows, boolean realValues) throws IOException {
        g.writeArrayFieldStart(name);
        for (SparseRow row : rows) {
            g.writeStartArray();
            for (int k = 0; k < row.size(); k++) {
                long value = row.values()[k];
                if (value == 0) continue;
                g.writeStartArray();
                g.writeNumber(row.columns()[k]);
                if (realValues) real(g, value);
                else g.writeNumber(value);
                g.writeEndArray();
            }
            g.writeEndArray();
        }
        g.writeEndArray();
    }
}
