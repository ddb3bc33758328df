package io.verigrid.engine.generate;

import io.verigrid.engine.Parallelism;
import io.verigrid.engine.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One request being decoded: its choices, each with its own KV cache, stepped together with other
 * generations by {@link #step}. Each step feeds every unfinished choice of every generation through ONE
 * {@link DecoderModel#decode} call; batch invariance of the model makes each choice's tokens independent of
 * the rest of the batch. Events go to the listener on the stepping thread, in choice order.
 *
 * <p>Thread-safety: {@link #cancel()} may be called from any thread; everything else from the one stepping
 * thread.
 */
public final class Generation {
    private final GenerationRequest request;
    private final Tokenizer tokenizer;
    private final Consumer<TokenEvent> listener;
    private final List<Choice> choices = new ArrayList<>();
    private final int limit;
    private volatile boolean cancelled;

    /**
     * Starts a generation; at most {@code contextLength − prompt} tokens are generated whatever
     * {@code maxTokens} says. A prompt that fills the context is an IllegalArgumentException.
     */
    public Generation(DecoderModel model, Tokenizer tokenizer, GenerationRequest request, Consumer<TokenEvent> listener) {
        int room = model.contextLength() - request.prompt().length;
        if (room < 1) {
            throw new IllegalArgumentException("prompt of " + request.prompt().length
                    + " tokens leaves no room in the context length " + model.contextLength());
        }
        this.request = request;
        this.tokenizer = tokenizer;
        this.listener = listener;
        this.limit = Math.min(request.maxTokens(), room);
        for (int i = 0; i < request.n(); i++) {
            choices.add(new Choice(i, model.newCache()));
        }
    }

    public GenerationRequest request() {
        return request;
    }

    public List<Choice> choices() {
        return List.copyOf(choices);
    }

    /** Stops this generation at its next step; tokens already produced stay. */
    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    public boolean isDone() {
        return choices.stream().allMatch(choice -> choice.finish() != null);
    }

    /** Tokens generated so far over all choices. */
    public int completionTokens() {
        return choices.stream().mapToInt(choice -> choice.tokens().length).sum();
    }

    /**
     * Advances every unfinished choice of every generation by one token in one batched decode; returns the
     * batch size (sequences decoded). Cancelled generations are finished without decoding.
     */
    public static int step(DecoderModel model, List<Generation> generations, Parallelism par) {
        List<KvCache> caches = new ArrayList<>();
        List<int[]> inputs = new ArrayList<>();
        List<Choice> stepping = new ArrayList<>();
        List<Generation> owners = new ArrayList<>();
        for (Generation generation : generations) {
            for (Choice choice : generation.choices) {
                if (generation.cancelled) {
                    choice.cancel();
                }
                if (choice.finish() == null) {
                    caches.add(choice.cache());
                    inputs.add(choice.nextInput(generation.request.prompt()));
                    stepping.add(choice);
                    owners.add(generation);
                }
            }
        }
        if (stepping.isEmpty()) {
            return 0;
        }
        float[][] logits = model.decode(caches, inputs, par);
        for (int i = 0; i < stepping.size(); i++) {
            Generation owner = owners.get(i);
            TokenEvent event = stepping.get(i).accept(logits[i], owner.request, owner.limit, owner.tokenizer);
            owner.listener.accept(event);
        }
        return stepping.size();
    }

    /** Decodes this generation alone until it is done. */
    public void runAlone(DecoderModel model, Parallelism par) {
        while (!isDone()) {
            step(model, List.of(this), par);
        }
    }
}
