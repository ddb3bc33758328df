package io.verigrid.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Read-only queries as they travel through Ratis: a JSON request {@code {"kind":…, "arg":…}} answered by a
 * JSON envelope {@code {"value":…}} or {@code {"error":…}}.
 */
final class LedgerQuery {
    static final ObjectMapper JSON = new ObjectMapper();

    record Request(String kind, String arg) {}

    private LedgerQuery() {}

    static byte[] request(String kind, String arg) {
        return toJson(new Request(kind, arg));
    }

    /** Answers one request against {@code state}; bad requests give an error envelope, never an exception. */
    static byte[] answer(LedgerState state, byte[] requestBytes) {
        ObjectNode reply = JSON.createObjectNode();
        try {
            Request r = JSON.readValue(requestBytes, Request.class);
            reply.set("value", JSON.valueToTree(evaluate(state, r)));
        } catch (IllegalArgumentException e) {
            reply.put("error", e.getMessage()); // a bad argument: its message is the answer
        } catch (IOException | RuntimeException e) {
            reply.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return toJson(reply);
    }

    private static Object evaluate(LedgerState s, Request r) {
        String arg = r.arg();
        return switch (r.kind() == null ? "" : r.kind()) {
            case "status" -> s.status();
            case "params" -> s.params();
            case "account" -> s.account(arg);
            case "block" -> s.block(Long.parseLong(arg));
            case "blocks" -> s.recentBlocks(Integer.parseInt(arg));
            case "tx" -> s.tx(arg);
            case "job" -> s.job(Long.parseLong(arg));
            case "jobs" -> s.jobs();
            case "dispute" -> s.dispute(Long.parseLong(arg));
            case "disputes" -> s.disputes(Integer.parseInt(arg));
            case "preprocess" -> s.preprocessJob(Long.parseLong(arg));
            case "sampleSeed" -> {
                String[] parts = arg.split(":");
                if (parts.length != 2) throw new IllegalArgumentException("sampleSeed arg must be jobId:unit, got " + arg);
                byte[] seed = s.sampleSeed(Long.parseLong(parts[0]), Integer.parseInt(parts[1]));
                yield seed == null ? null : io.verigrid.verify.Hashes.hex(seed);
            }
            case "subnets" -> s.subnets();
            case "subnet" -> s.subnet(Integer.parseInt(arg));
            case "metagraph" -> s.metagraph(Integer.parseInt(arg));
            case "scoreReports" -> s.scoreReports(Integer.parseInt(arg));
            case "market" -> MarketQuery.answer(s, arg);
            case "inference" -> InferenceQuery.answer(s, arg);
            default -> throw new IllegalArgumentException("unknown query kind " + r.kind());
        };
    }

    static byte[] toJson(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
