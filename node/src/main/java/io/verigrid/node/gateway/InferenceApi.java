package io.verigrid.node.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.verigrid.engine.OpSet;
import io.verigrid.engine.generate.Choice;
import io.verigrid.engine.generate.FinishReason;
import io.verigrid.engine.generate.Generation;
import io.verigrid.engine.generate.Sampler;
import io.verigrid.engine.generate.TokenEvent;
import io.verigrid.node.http.Json;
import io.verigrid.verify.Hashes;
import io.verigrid.verify.InferenceRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /v1/chat/completions} and {@code POST /v1/completions}: builds the prompt (the chat template
 * for chat), plans the generation, runs it through the {@link Batcher} and answers in one JSON body or as
 * server-sent events. Every response carries {@code x-verigrid-seed} and its commitment
 * ({@link ResponseCommitment}): in the {@code x-verigrid-commitment} header of a whole response, and in the
 * {@code verigrid} object of the body or of the last event of a stream; {@code x-verigrid-request} (also
 * {@code verigrid.request}) is the hash of the request as a verifier re-executes it ({@code InferenceRequest}), which
 * names its hold on the ledger. The key is charged for the prompt and exactly the tokens generated — when a
 * streaming client goes away, generation stops at the next step — and the {@link ServedListener} is told, for
 * settlement. Unknown request fields are refused as OpenAI refuses them; a tool call the model emits comes back as
 * {@code tool_calls} (when tools are offered, a streamed choice's text is held back to its end to recognise one).
 */
final class InferenceApi {
    static final String FINGERPRINT = "verigrid-opset-" + OpSet.VERSION;
    private final ServedModel model;
    private final Metering metering;
    private final Batcher batcher;
    private final ServedListener listener;

    InferenceApi(ServedModel model, Metering metering, Batcher batcher, ServedListener listener) {
        this.model = model;
        this.metering = metering;
        this.batcher = batcher;
        this.listener = listener;
    }

    void chat(Context ctx) {
        handle(ctx, true);
    }

    void completions(Context ctx) {
        handle(ctx, false);
    }

    private void handle(Context ctx, boolean chat) {
        String key = GatewayServer.bearer(ctx);
        long left = metering.admit(key);
        JsonNode body = GatewayServer.body(ctx);
        Fields.rejectUnknown(body, chat ? Fields.CHAT : Fields.COMPLETIONS);
        GatewayServer.requireModel(body, model);
        int[] prompt = chat ? model.tokenizer().encode(Prompts.chat(body, model)) : Prompts.completion(body, model);
        InferencePlan plan = InferencePlan.of(body, prompt, model.contextLength(), model.decoder().vocabSize(), left,
                List.copyOf(model.stopTokens()), chat, GatewayRandom.seed());
        Run run = new Run(plan, chat, "%s-%s".formatted(chat ? "chatcmpl" : "cmpl", GatewayRandom.hex()),
                System.currentTimeMillis() / 1000);
        InferenceRequest spec = new InferenceRequest(run.id, prompt, plan.generation().n(),
                Math.min(plan.generation().maxTokens(), model.contextLength() - prompt.length), plan.generation().sampling(),
                model.stopTokens().stream().mapToInt(Integer::intValue).toArray(), Fields.stopSequences(body, model.tokenizer()));
        Generation generation = new Generation(model.decoder(), model.tokenizer(), plan.generation(), run::onEvent);
        CompletableFuture<Generation> done = batcher.submit(generation);
        ctx.header("x-verigrid-seed", Long.toString(plan.seed()));
        // Names the request on the ledger: its hold is GET /ledger/inference/hold/<this> once settled.
        run.requestHash = Hashes.hex(spec.hash());
        run.toolsOffered = chat && !"none".equals(body.path("tool_choice").asText())
                && (body.path("tools").size() > 0 || body.path("functions").size() > 0);
        ctx.header("x-verigrid-request", run.requestHash);
        try {
            if (plan.stream()) {
                stream(ctx, run, generation, done);
            } else {
                await(done);
                ctx.header("x-verigrid-commitment", run.commitment.rootHex());
                ctx.json(run.whole(generation));
            }
        } finally {
            metering.record(key, prompt.length, generation.completionTokens());
            listener.served(new ServedRequest(key, spec, run.commitment.leaves(), prompt.length, generation.completionTokens()));
        }
    }

    private void stream(Context ctx, Run run, Generation generation, CompletableFuture<Generation> done) {
        ctx.status(200);
        ctx.res().setContentType("text/event-stream; charset=utf-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        int n = generation.request().n();
        int finished = 0;
        try {
            OutputStream out = ctx.res().getOutputStream();
            for (int i = 0; run.chat && i < n; i++) {
                send(out, run.chunk(i, Map.of("role", "assistant", "content", ""), "", null, null));
            }
            while (finished < n) {
                TokenEvent event = run.events.poll(50, TimeUnit.MILLISECONDS);
                if (event == null) {
                    if (done.isDone()) {
                        await(done); // surfaces a decode failure
                        if (run.events.isEmpty()) {
                            break;
                        }
                    }
                    continue;
                }
                if (event.finish() != null) {
                    finished++;
                }
                boolean last = finished == n && !run.plan.includeUsage();
                Map<String, Object> chunk = run.eventChunk(event, last);
                if (chunk != null) {
                    send(out, chunk);
                }
            }
            await(done);
            if (run.plan.includeUsage()) {
                Map<String, Object> usage = run.envelope(List.of());
                usage.put("usage", run.usage(generation));
                usage.put("verigrid", run.verigrid());
                send(out, usage);
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            // The client went away: stop generating; only the tokens produced are charged.
            generation.cancel();
            done.exceptionally(failure -> null).join();
        } catch (InterruptedException e) {
            generation.cancel();
            Thread.currentThread().interrupt();
        }
    }

    private static void send(OutputStream out, Map<String, Object> chunk) throws IOException {
        out.write(("data: " + Json.write(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void await(CompletableFuture<Generation> done) {
        try {
            done.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("generation failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while generating", e);
        }
    }

    /** One request's answer being built: events from the decode thread, per-choice picks, the commitment. */
    private final class Run {
        final InferencePlan plan;
        final boolean chat;
        final String id;
        final long created;
        final ResponseCommitment commitment = new ResponseCommitment();
        final LinkedBlockingQueue<TokenEvent> events = new LinkedBlockingQueue<>();
        final List<List<Sampler.Pick>> picks = new ArrayList<>();
        String requestHash = "";
        /** The request offered tools (and did not set tool_choice "none"): a tool-call answer becomes tool_calls. */
        boolean toolsOffered;
        /** Per choice, the streamed text held back while tools are offered. */
        final Map<Integer, StringBuilder> heldText = new java.util.concurrent.ConcurrentHashMap<>();

        Run(InferencePlan plan, boolean chat, String id, long created) {
            this.plan = plan;
            this.chat = chat;
            this.id = id;
            this.created = created;
            for (int i = 0; i < plan.generation().n(); i++) {
                picks.add(new ArrayList<>());
            }
        }

        /** On the decode thread: commit to the position, keep the pick, hand the event to a stream. */
        void onEvent(TokenEvent event) {
            commitment.add(event);
            synchronized (picks) {
                picks.get(event.choice()).add(event.pick());
            }
            if (plan.stream()) {
                events.add(event);
            }
        }

        Map<String, Object> whole(Generation generation) {
            List<Object> choices = new ArrayList<>();
            for (Choice choice : generation.choices()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("index", choice.index());
                String finish = choice.finish().apiName();
                if (chat) {
                    Map<String, Object> message = new LinkedHashMap<>();
                    message.put("role", "assistant");
                    List<ToolCalls.Call> calls = toolsOffered ? ToolCalls.parse(choice.text()) : List.of();
                    message.put("content", calls.isEmpty() ? choice.text() : null);
                    message.put("refusal", null);
                    if (!calls.isEmpty()) {
                        message.put("tool_calls", toolCalls(choice.index(), calls));
                        finish = "tool_calls";
                    }
                    entry.put("message", message);
                } else {
                    entry.put("text", choice.text());
                }
                entry.put("logprobs", plan.logprobs() ? logprobs(picks.get(choice.index())) : null);
                entry.put("finish_reason", finish);
                choices.add(entry);
            }
            Map<String, Object> body = envelope(choices);
            body.put("object", chat ? "chat.completion" : "text_completion");
            body.put("usage", usage(generation));
            body.put("verigrid", verigrid());
            return body;
        }

        /** OpenAI's tool_calls: ids derived from the response id, so a re-executed request gives the same ones. */
        private List<Object> toolCalls(int choice, List<ToolCalls.Call> calls) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < calls.size(); i++) {
                Map<String, Object> function = new LinkedHashMap<>();
                function.put("name", calls.get(i).name());
                function.put("arguments", calls.get(i).arguments());
                Map<String, Object> call = new LinkedHashMap<>();
                call.put("id", "call_" + id.substring(id.indexOf('-') + 1) + "_" + choice + "_" + i);
                call.put("type", "function");
                call.put("function", function);
                out.add(call);
            }
            return out;
        }

        /** A stream chunk for one event, or null when it carries nothing to show. */
        Map<String, Object> eventChunk(TokenEvent event, boolean last) {
            if (event.finish() == FinishReason.CANCELLED) {
                return null;
            }
            String finish = event.finish() == null ? null : event.finish().apiName();
            if (event.textDelta().isEmpty() && finish == null && !plan.logprobs()) {
                return null;
            }
            Object logprobs = plan.logprobs() ? logprobs(List.of(event.pick())) : null;
            Map<String, Object> delta = chat ? (event.textDelta().isEmpty() ? Map.of() : Map.of("content", event.textDelta()))
                    : null;
            if (chat && toolsOffered) {
                // Held back until the choice ends, so that a tool call goes out as tool_calls, not as text.
                heldText.computeIfAbsent(event.choice(), c -> new StringBuilder()).append(event.textDelta());
                delta = Map.of();
                if (finish != null) {
                    String text = heldText.remove(event.choice()).toString();
                    List<ToolCalls.Call> calls = ToolCalls.parse(text);
                    if (!calls.isEmpty()) {
                        List<Object> indexed = new ArrayList<>();
                        List<Object> toolCalls = toolCalls(event.choice(), calls);
                        for (int i = 0; i < toolCalls.size(); i++) {
                            @SuppressWarnings("unchecked")
                            Map<String, Object> call = new LinkedHashMap<>((Map<String, Object>) toolCalls.get(i));
                            call.put("index", i);
                            indexed.add(call);
                        }
                        delta = Map.of("tool_calls", indexed);
                        finish = "tool_calls";
                    } else if (!text.isEmpty()) {
                        delta = Map.of("content", text);
                    }
                } else if (!plan.logprobs()) {
                    return null;
                }
            }
            Map<String, Object> chunk = chunk(event.choice(), delta, event.textDelta(), logprobs, finish);
            if (last) {
                chunk.put("verigrid", verigrid());
            }
            return chunk;
        }

        Map<String, Object> chunk(int index, Map<String, Object> delta, String text, Object logprobs, String finish) {
            Map<String, Object> choice = new LinkedHashMap<>();
            choice.put("index", index);
            if (chat) {
                choice.put("delta", delta);
            } else {
                choice.put("text", text);
            }
            choice.put("logprobs", logprobs);
            choice.put("finish_reason", finish);
            Map<String, Object> chunk = envelope(List.of(choice));
            if (plan.includeUsage()) {
                chunk.put("usage", null);
            }
            return chunk;
        }

        Map<String, Object> envelope(List<Object> choices) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", id);
            body.put("object", chat ? "chat.completion.chunk" : "text_completion");
            body.put("created", created);
            body.put("model", model.name());
            body.put("system_fingerprint", FINGERPRINT);
            body.put("choices", choices);
            return body;
        }

        Map<String, Object> usage(Generation generation) {
            int promptTokens = generation.request().prompt().length;
            int completionTokens = generation.completionTokens();
            return Map.of("prompt_tokens", promptTokens, "completion_tokens", completionTokens, "total_tokens",
                    promptTokens + completionTokens);
        }

        Map<String, Object> verigrid() {
            return Map.of("seed", plan.seed(), "commitment", commitment.rootHex(), "op_set", OpSet.VERSION,
                    "request", requestHash);
        }

        /** OpenAI's logprobs object: chat {content: [...]}, completions {tokens, token_logprobs, top_logprobs}. */
        private Object logprobs(List<Sampler.Pick> chosen) {
            List<Sampler.Pick> copy;
            synchronized (picks) {
                copy = List.copyOf(chosen);
            }
            if (chat) {
                List<Object> content = new ArrayList<>();
                for (Sampler.Pick pick : copy) {
                    Map<String, Object> entry = tokenLogprob(pick.token(), pick.logprob());
                    List<Object> top = new ArrayList<>();
                    pick.top().forEach(alternative -> top.add(tokenLogprob(alternative.token(), alternative.logprob())));
                    entry.put("top_logprobs", top);
                    content.add(entry);
                }
                Map<String, Object> logprobs = new LinkedHashMap<>();
                logprobs.put("content", content);
                logprobs.put("refusal", null);
                return logprobs;
            }
            List<String> tokens = new ArrayList<>();
            List<Float> tokenLogprobs = new ArrayList<>();
            List<Map<String, Float>> top = new ArrayList<>();
            for (Sampler.Pick pick : copy) {
                tokens.add(tokenText(pick.token()));
                tokenLogprobs.add(pick.logprob());
                Map<String, Float> alternatives = new LinkedHashMap<>();
                pick.top().forEach(alternative -> alternatives.put(tokenText(alternative.token()), alternative.logprob()));
                top.add(alternatives);
            }
            Map<String, Object> logprobs = new LinkedHashMap<>();
            logprobs.put("tokens", tokens);
            logprobs.put("token_logprobs", tokenLogprobs);
            logprobs.put("top_logprobs", top);
            return logprobs;
        }

        private Map<String, Object> tokenLogprob(int token, float logprob) {
            String text = tokenText(token);
            List<Integer> bytes = new ArrayList<>();
            for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
                bytes.add(b & 0xFF);
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("token", text);
            entry.put("logprob", logprob);
            entry.put("bytes", bytes);
            return entry;
        }

        private String tokenText(int token) {
            return model.tokenizer().decode(new int[] {token});
        }
    }
}
