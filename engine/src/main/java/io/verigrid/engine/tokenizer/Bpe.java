package io.verigrid.engine.tokenizer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The BPE model: a vocabulary and ranked merges. A word (already in byte-level characters) starts as one
 * symbol per character; the adjacent pair with the lowest merge rank is merged, leftmost first among equal
 * ranks, until no adjacent pair has a merge. A priority queue keeps this O(n log n) in the word length.
 */
final class Bpe {
    /** A merge of two token ids: its priority (lower merges first) and the id of the merged token. */
    record Merge(int rank, int mergedId) {
    }

    private final Map<String, Integer> vocab;
    private final Map<Long, Merge> merges;
    private final int unknownId;
    private final boolean ignoreMerges;

    /**
     * @param unknownId the id emitted for a character missing from the vocabulary, or -1 to refuse such text
     * @param ignoreMerges when true a word that is itself a vocabulary token is emitted whole (Llama 3)
     */
    Bpe(Map<String, Integer> vocab, Map<Long, Merge> merges, int unknownId, boolean ignoreMerges) {
        this.vocab = Map.copyOf(vocab);
        this.merges = Map.copyOf(merges);
        this.unknownId = unknownId;
        this.ignoreMerges = ignoreMerges;
    }

    static long pair(int left, int right) {
        return ((long) left << 32) | (right & 0xffffffffL);
    }

    Map<String, Integer> vocab() {
        return vocab;
    }

    /** Appends the token ids of {@code word} to {@code out}. */
    void encode(String word, IntList out) {
        Integer whole = vocab.get(word);
        if (whole != null && (ignoreMerges || word.length() == 1)) {
            out.add(whole);
            return;
        }
        int n = word.length();
        if (n == 0) {
            return;
        }
        int[] ids = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            Integer id = vocab.get(String.valueOf(word.charAt(i)));
            if (id == null) {
                if (unknownId < 0) {
                    throw new IllegalArgumentException("the vocabulary has no token for character '" + word.charAt(i)
                            + "' (U+" + Integer.toHexString(word.charAt(i)) + ") and the model has no unk_token");
                }
                id = unknownId;
            }
            ids[i] = id;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        // Candidates are (rank << 32 | left position); stale ones are skipped when popped.
        PriorityQueue<Long> queue = new PriorityQueue<>();
        for (int i = 0; i + 1 < n; i++) {
            offer(queue, ids, i, i + 1);
        }
        while (!queue.isEmpty()) {
            long candidate = queue.poll();
            int left = (int) candidate;
            int right = ids[left] < 0 ? -1 : next[left];
            if (right < 0) {
                continue;
            }
            Merge merge = merges.get(pair(ids[left], ids[right]));
            if (merge == null || merge.rank() != (int) (candidate >>> 32)) {
                continue;
            }
            ids[left] = merge.mergedId();
            ids[right] = -1;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            if (prev[left] >= 0) {
                offer(queue, ids, prev[left], left);
            }
            if (next[left] >= 0) {
                offer(queue, ids, left, next[left]);
            }
        }
        for (int i = 0; i >= 0; i = next[i]) {
            out.add(ids[i]);
        }
    }

    private void offer(PriorityQueue<Long> queue, int[] ids, int left, int right) {
        Merge merge = merges.get(pair(ids[left], ids[right]));
        if (merge != null) {
            queue.add(((long) merge.rank() << 32) | left);
        }
    }

    /** A growable int array, to collect ids without boxing. */
    static final class IntList {
        private int[] values = new int[16];
        private int size;

        void add(int value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
