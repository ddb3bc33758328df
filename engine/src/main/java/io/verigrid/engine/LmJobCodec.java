package io.verigrid.engine;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The canonical bytes of an {@link LmJob}, little-endian: version byte 1; architecture byte (1 GPT, 2
 * Llama); the config — GPT: vocab_size, n_positions, n_embd, n_layer, n_head (u32), layer_norm_epsilon (f32
 * bits), tie (byte); Llama: hidden_size, intermediate_size, num_hidden_layers, num_attention_heads,
 * num_key_value_heads, vocab_size, max_position_embeddings (u32), rms_norm_eps, rope_theta (f32 bits), tie
 * (byte) — then seed (i64), sequences, batch, seqLen, steps, checkpointInterval (u32), the schedule's peak
 * and min (f32 bits), warmup (u32), beta1, beta2, eps, weightDecay, clipNorm (f32 bits).
 */
public final class LmJobCodec {
    private static final byte VERSION = 1;
    private static final byte GPT = 1;
    private static final byte LLAMA = 2;

    private LmJobCodec() {
    }

    public static byte[] encode(LmJob job) {
        ByteBuffer out = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN).put(VERSION);
        if (job.model() instanceof GptModel gpt) {
            GptConfig c = gpt.config();
            out.put(GPT).putInt(c.vocabSize()).putInt(c.nPositions()).putInt(c.nEmbd()).putInt(c.nLayer())
                    .putInt(c.nHead()).putFloat(c.layerNormEpsilon()).put((byte) (c.tieWordEmbeddings() ? 1 : 0));
        } else if (job.model() instanceof LlamaModel llama) {
            LlamaConfig c = llama.config();
            out.put(LLAMA).putInt(c.hiddenSize()).putInt(c.intermediateSize()).putInt(c.numHiddenLayers())
                    .putInt(c.numAttentionHeads()).putInt(c.numKeyValueHeads()).putInt(c.vocabSize())
                    .putInt(c.maxPositionEmbeddings()).putFloat(c.rmsNormEps()).putFloat(c.ropeTheta())
                    .put((byte) (c.tieWordEmbeddings() ? 1 : 0));
        } else {
            throw new IllegalArgumentException("no encoding for model " + job.model().getClass().getName());
        }
        out.putLong(job.seed()).putInt(job.sequences()).putInt(job.batch()).putInt(job.seqLen()).putInt(job.steps())
                .putInt(job.checkpointInterval()).putFloat(job.schedule().peak()).putFloat(job.schedule().min())
                .putInt(job.schedule().warmup()).putFloat(job.beta1()).putFloat(job.beta2()).putFloat(job.eps())
                .putFloat(job.weightDecay()).putFloat(job.clipNorm());
        byte[] bytes = new byte[out.position()];
        out.flip().get(bytes);
        return bytes;
    }

    /** Decodes {@link #encode}'s bytes; IllegalArgumentException on a wrong version, length or field. */
    public static LmJob decode(byte[] bytes) {
        if (bytes == null) {
            throw new IllegalArgumentException("job bytes must not be null");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            byte version = in.get();
            if (version != VERSION) {
                throw new IllegalArgumentException("job encoding version must be " + VERSION + ", got " + version);
            }
            byte architecture = in.get();
            LanguageModel model = switch (architecture) {
                case GPT -> new GptModel(new GptConfig(in.getInt(), in.getInt(), in.getInt(), in.getInt(), in.getInt(),
                        in.getFloat(), flag(in.get())));
                case LLAMA -> new LlamaModel(new LlamaConfig(in.getInt(), in.getInt(), in.getInt(), in.getInt(),
                        in.getInt(), in.getInt(), in.getInt(), in.getFloat(), in.getFloat(), flag(in.get())));
                default -> throw new IllegalArgumentException("unknown model architecture " + architecture + " (known: 1 = gpt, 2 = llama)");
            };
            long seed = in.getLong();
            int sequences = in.getInt();
            int batch = in.getInt();
            int seqLen = in.getInt();
            int steps = in.getInt();
            int interval = in.getInt();
            LearningRate schedule = new LearningRate(in.getFloat(), in.getFloat(), in.getInt(), steps);
            LmJob job = new LmJob(model, seed, sequences, batch, seqLen, steps, interval, schedule, in.getFloat(),
                    in.getFloat(), in.getFloat(), in.getFloat(), in.getFloat());
            if (in.hasRemaining()) {
                throw new IllegalArgumentException("job bytes have " + in.remaining() + " trailing bytes");
            }
            return job;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("job bytes are truncated", e);
        }
    }

    private static boolean flag(byte value) {
        if (value != 0 && value != 1) {
            throw new IllegalArgumentException("tie_word_embeddings byte must be 0 or 1, got " + value);
        }
        return value == 1;
    }
}
