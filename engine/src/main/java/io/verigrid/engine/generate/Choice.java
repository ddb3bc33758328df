package io.verigrid.engine.generate;

import io.verigrid.engine.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/** One choice of a {@link Generation}: its cache, its tokens and its text so far. */
public final class Choice {
    private final int index;
    private final KvCache cache;
    private final List<Integer> tokens = new ArrayList<>();
    private String text = "";
    private int emitted;
    private FinishReason finish;
    private int pendingToken = -1;

    Choice(int index, KvCache cache) {
        this.index = index;
        this.cache = cache;
    }

    public int index() {
        return index;
    }

    /** The generated token ids so far, end-of-sequence included. */
    public int[] tokens() {
        return tokens.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The text so far (final once {@link #finish()} is set: stop string and end-of-sequence token removed). */
    public String text() {
        return text;
    }

    public FinishReason finish() {
        return finish;
    }

    KvCache cache() {
        return cache;
    }

    /** The ids to feed next: the whole prompt first, then the last generated token. */
    int[] nextInput(int[] prompt) {
        return pendingToken < 0 ? prompt : new int[] {pendingToken};
    }

    /** Picks this step's token from {@code logits} and works out the new text and whether the choice ends. */
    TokenEvent accept(float[] logits, GenerationRequest request, int limit, Tokenizer tokenizer) {
        int position = tokens.size();
        int[] history = request.sampling().adjustments().none() ? new int[0] : tokens();
        Sampler.Pick pick = Sampler.pick(logits, request.sampling(), history, index, position, request.topLogprobs());
        tokens.add(pick.token());
        pendingToken = pick.token();
        boolean endToken = request.stopTokens().contains(pick.token());
        String full = endToken ? text : tokenizer.decode(tokens());
        int stopAt = firstStop(full, request.stopStrings());
        if (stopAt >= 0) {
            full = full.substring(0, stopAt);
        }
        text = full;
        if (endToken || stopAt >= 0) {
            finish = FinishReason.STOP;
        } else if (tokens.size() >= limit) {
            finish = FinishReason.LENGTH;
        }
        int stable = finish != null ? text.length() : stableLength(text, request.stopStrings());
        String delta = stable > emitted ? text.substring(emitted, stable) : "";
        emitted = Math.max(emitted, stable);
        return new TokenEvent(index, position, pick, logits, delta, finish);
    }

    void cancel() {
        if (finish == null) {
            finish = FinishReason.CANCELLED;
        }
    }

    private static int firstStop(String text, List<String> stops) {
        int first = -1;
        for (String stop : stops) {
            int at = text.indexOf(stop);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        return first;
    }

    /**
     * How much of {@code text} can be shown while the choice goes on: not a trailing U+FFFD (a character
     * whose bytes have not all arrived) and not a tail that could still grow into a stop string.
     */
    private static int stableLength(String text, List<String> stops) {
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '\uFFFD') {
            end--;
        }
        int stable = end;
        for (String stop : stops) {
            for (int keep = Math.min(stop.length() - 1, end); keep > 0; keep--) {
                if (text.startsWith(stop.substring(0, keep), end - keep)) {
                    stable = Math.min(stable, end - keep);
                    break;
                }
            }
        }
        return stable;
    }
}
