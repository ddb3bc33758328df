package io.verigrid.engine;

/**
 * A GPT-2-style decoder's shape, with the field names of Hugging Face GPT-2 {@code config.json}
 * ({@code vocab_size, n_positions, n_embd, n_layer, n_head, layer_norm_epsilon, tie_word_embeddings});
 * the MLP is 4·n_embd wide with tanh-approximated GELU.
 */
public record GptConfig(int vocabSize, int nPositions, int nEmbd, int nLayer, int nHead, float layerNormEpsilon,
        boolean tieWordEmbeddings) {
    public GptConfig {
        LlamaConfig.positive("vocab_size", vocabSize);
        LlamaConfig.positive("n_positions", nPositions);
        LlamaConfig.positive("n_embd", nEmbd);
        LlamaConfig.positive("n_layer", nLayer);
        LlamaConfig.positive("n_head", nHead);
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException("n_embd " + nEmbd + " must be a multiple of n_head " + nHead);
        }
        if (!(layerNormEpsilon > 0f) || !Float.isFinite(layerNormEpsilon)) {
            throw new IllegalArgumentException("layer_norm_epsilon must be finite and > 0, got " + layerNormEpsilon);
        }
    }
}
