package io.verigrid.node.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.verigrid.engine.OpSet;
import io.verigrid.engine.Parallelism;
import io.verigrid.engine.Tensor;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.InferencePooling;
import io.verigrid.verify.InferenceRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * {@code POST /v1/embeddings}: an input's embedding is the mean over its positions of the model's final
 * hidden states (after the final norm), computed with the engine's {@code mean_axis} (canonical order,
 * {@link InferencePooling}), so it is the same bits everywhere. {@code encoding_format} {@code float} (default) or
 * {@code base64} (little-endian float32).
 *
 * <p>Each input is its own verified request ({@link InferenceRequest#embedding}, id {@code embd-<hex>-<index>}) billed
 * for its tokens and committed under its pooled root, handed to the {@link ServedListener} like a completion (settled
 * into a hold, sampled, disputable). {@code x-verigrid-request} and {@code x-verigrid-commitment} list the inputs'
 * request hashes and response roots, comma-separated in input order, as does the body's {@code verigrid} object. An
 * input whose hidden states (tokens × hidden × 4 bytes) exceed {@code maxRefereeBytes} could not be refereed in a
 * pooling dispute and is refused (400 {@code input_too_long}) before anything is charged.
 */
final class EmbeddingsApi {
    private final ServedModel model;
    private final Metering metering;
    private final ServedListener listener;
    private final Parallelism par;
    private final long maxRefereeBytes;
    /**
     * Embedding forwards running at once. Each takes its own step buffers (tens of MB for a 110M model) and a team of
     * helper threads, and already uses every engine thread: more at once only costs memory and spinning cores, and
     * a burst of HTTP requests could otherwise run the JVM out of heap. The rest wait their turn, first come first.
     */
    static final int CONCURRENT_FORWARDS = 2;
    private final Semaphore forwards = new Semaphore(CONCURRENT_FORWARDS, true);

    EmbeddingsApi(ServedModel model, Metering metering, ServedListener listener, Parallelism par, long maxRefereeBytes) {
        this.model = model;
        this.metering = metering;
        this.listener = listener;
        this.par = par;
        this.maxRefereeBytes = maxRefereeBytes;
    }

    /** The mean of {@code ids}' final hidden states, computed once a forward slot is free. */
    private Tensor pooled(int[] ids) {
        forwards.acquireUninterruptibly();
        try {
            return InferencePooling.pool(model.decoder().hiddenStates(ids, par), par);
        } finally {
            forwards.release();
        }
    }

    void embeddings(Context ctx) {
        String key = GatewayServer.bearer(ctx);
        long left = metering.admit(key);
        JsonNode body = GatewayServer.body(ctx);
        Fields.rejectUnknown(body, Fields.EMBEDDINGS);
        GatewayServer.requireModel(body, model);
        List<int[]> inputs = inputs(body);
        int total = inputs.stream().mapToInt(ids -> ids.length).sum();
        if (total > left) {
            throw new OpenAiException(429, "insufficient_quota", null, "insufficient_quota", "This request's "
                    + total + " tokens exceed the " + left + " tokens left in this key's quota.");
        }
        String format = Fields.text(body, "encoding_format");
        if (format != null && !format.equals("float") && !format.equals("base64")) {
            throw OpenAiException.invalid("encoding_format", "'encoding_format' must be 'float' or 'base64', got "
                    + format);
        }
        Integer dimensions = Fields.integer(body, "dimensions");
        int hidden = model.decoder().hiddenSize();
        if (dimensions != null && dimensions != hidden) {
            throw OpenAiException.invalid("dimensions", "this model's embeddings have " + hidden
                    + " dimensions and cannot be shortened; got 'dimensions' " + dimensions);
        }
        for (int i = 0; i < inputs.size(); i++) {
            long evidence = InferencePooling.evidenceBytes(inputs.get(i).length, hidden);
            if (evidence > maxRefereeBytes) {
                throw OpenAiException.invalid("input", "input_too_long", "input " + i + " has " + inputs.get(i).length
                        + " tokens: its " + hidden + "-wide hidden states (" + evidence + " bytes) exceed the "
                        + maxRefereeBytes + " bytes a dispute over its embedding may carry; send at most "
                        + maxRefereeBytes / (4L * hidden) + " tokens per input.");
            }
        }
        List<Object> data = new ArrayList<>();
        List<ServedRequest> served = new ArrayList<>();
        String id = "embd-" + GatewayRandom.hex();
        for (int i = 0; i < inputs.size(); i++) {
            int[] ids = inputs.get(i);
            Tensor pooledTensor = pooled(ids);
            float[] pooled = pooledTensor.data();
            served.add(ServedRequest.embedding(key, InferenceRequest.embedding(id + "-" + i, ids),
                    InferencePooling.pooledRoot(pooledTensor)));
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("object", "embedding");
            entry.put("index", i);
            entry.put("embedding", "base64".equals(format) ? base64(pooled) : pooled);
            data.add(entry);
        }
        metering.recordEmbedding(key, total);
        List<String> requests = served.stream().map(ServedRequest::requestHashHex).toList();
        List<String> commitments = served.stream().map(r -> Hashes.hex(r.responseRoot())).toList();
        for (ServedRequest r : served) listener.served(r);
        ctx.header("x-verigrid-request", String.join(",", requests));
        ctx.header("x-verigrid-commitment", String.join(",", commitments));
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("object", "list");
        response.put("data", data);
        response.put("model", model.name());
        response.put("usage", Map.of("prompt_tokens", total, "total_tokens", total));
        response.put("verigrid", Map.of("requests", requests, "commitments", commitments, "op_set", OpSet.VERSION));
        ctx.json(response);
    }

    /** {@code input}: a string, an array of strings, an array of token ids, or an array of such arrays. */
    private List<int[]> inputs(JsonNode body) {
        JsonNode input = body.get("input");
        if (input == null || input.isNull()) {
            throw OpenAiException.invalid("input", "Missing required parameter: 'input'.");
        }
        List<int[]> out = new ArrayList<>();
        if (input.isTextual()) {
            out.add(model.tokenizer().encode(input.asText()));
        } else if (input.isArray() && !input.isEmpty() && input.get(0).isIntegralNumber()) {
            out.add(ids(input, "input"));
        } else if (input.isArray() && !input.isEmpty()) {
            for (int i = 0; i < input.size(); i++) {
                JsonNode item = input.get(i);
                if (item.isTextual()) {
                    out.add(model.tokenizer().encode(item.asText()));
                } else if (item.isArray()) {
                    out.add(ids(item, "input[" + i + "]"));
                } else {
                    throw OpenAiException.invalid("input", "input[" + i + "] must be a string or an array of token ids");
                }
            }
        } else {
            throw OpenAiException.invalid("input", "'input' must be a string, an array of strings or token ids");
        }
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).length == 0) {
                throw OpenAiException.invalid("input", "input " + i + " is empty");
            }
            if (out.get(i).length > model.contextLength()) {
                throw OpenAiException.invalid("input", "context_length_exceeded", "input " + i + " has "
                        + out.get(i).length + " tokens, more than the model's maximum context length of "
                        + model.contextLength());
            }
        }
        return out;
    }

    private int[] ids(JsonNode array, String param) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode id = array.get(i);
            if (!id.canConvertToInt() || id.asInt() < 0 || id.asInt() >= model.decoder().vocabSize()) {
                throw OpenAiException.invalid("input", param + "[" + i + "] = " + id + " is not a token id");
            }
            ids[i] = id.asInt();
        }
        return ids;
    }

    private static String base64(float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            bytes.putFloat(value);
        }
        return Base64.getEncoder().encodeToString(bytes.array());
    }
}
