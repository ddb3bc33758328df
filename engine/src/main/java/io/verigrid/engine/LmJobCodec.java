package io.verigrid.engine;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The canonical bytes of an {@link LmJob}, little-endian: version byte 1; architecture byte (1 GPT, 2
 * Llama); the config — GPT: vocab_size, n_positions, n_embd, n_layer, n_head (u32), layer_norm_epsilon (f32
 * bits), tie (byte); Llama: hidden_size, intermediate_size, num_hidden_layers, num_attention_heads,
 * num_key_value_heads, vocab_size, max_position_embeddings (u32), rms_norm_eps, rope_theta (f32 bits), tie
 * (byte) — then seed (i64), sequences, batch, seqLen, steps, checkpointInterval (u32), the schedule's peak
 * and min (f32 bits), warmup (u32), beta1, beta2, eps, weightDecay, clipNorm (f32 bits).
 *
 * <p>A fine-tuning job ({@link LmJob#fineTuning()} non-null) has version byte 2 and the same fields followed by
 * the base checkpoint id and the initial state root (32 bytes each), a mode byte (1 FULL, 2 LORA) and — FULL:
 * the frozen prefixes; LORA: rank (u32), alpha (f32 bits), the target modules — each name list as a count
 * (u32) and, in sorted order without duplicates, each name as u16 length + UTF-8. A job training from seed
 * keeps version 1 and exactly its old bytes, so its hash does not change.
 */
public final class LmJobCodec {
    private static final byte VERSION = 1;
    private static final byte FINE_TUNING_VERSION = 2;
    private static final byte GPT = 1;
    private static final byte LLAMA = 2;
    private static final byte FULL = 1;
    private static final byte LORA = 2;
    /** More names than any real model has modules; bounds what a decoder allocates. */
    private static final int MAX_NAMES = 4096;

    private LmJobCodec() {
    }

    public static byte[] encode(LmJob job) {
        FineTuning tuning = job.fineTuning();
        ByteBuffer out = ByteBuffer.allocate(128 + (tuning == null ? 0 : tuningSize(tuning)))
                .order(ByteOrder.LITTLE_ENDIAN).put(tuning == null ? VERSION : FINE_TUNING_VERSION);
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
        if (tuning != null) {
            out.put(tuning.baseCheckpoint()).put(tuning.initialStateRoot());
            if (tuning.mode() instanceof FineTuning.Full full) {
                out.put(FULL);
                putNames(out, full.frozenPrefixes());
            } else if (tuning.mode() instanceof FineTuning.Lora lora) {
                out.put(LORA).putInt(lora.rank()).putFloat(lora.alpha());
                putNames(out, lora.targets());
            }
        }
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
            if (version != VERSION && version != FINE_TUNING_VERSION) {
                throw new IllegalArgumentException("job encoding version must be " + VERSION + " or "
                        + FINE_TUNING_VERSION + ", got " + version);
            }
            byte architecture = in.get();
            LanguageModel model = switch (architecture) {
                case GPT -> new GptModel(new GptConfig(in.getInt(), in.getInt(), in.getInt(), in.getInt(), in.getInt(),
                        in.getFloat(), flag(in.get())));
                case LLAMA -> new LlamaModel(new LlamaConfig(in.getInt(), in.getInt(), in.getInt(), in.getInt(),
                        in.getInt(), in.getInt(), in.getInt(), in.getFloat(), in.getFloat(), flag(in.get())));
                default -> throw new IllegalArgumentException("unknown architecture byte " + architecture);
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
            if (version == FINE_TUNING_VERSION) {
                job = job.withFineTuning(fineTuning(in));
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException("job bytes have " + in.remaining() + " trailing bytes");
            }
            return job;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("job bytes are truncated", e);
        }
    }

    private static FineTuning fineTuning(ByteBuffer in) {
        byte[] base = new byte[FineTuning.ID_BYTES];
        byte[] root = new byte[FineTuning.ID_BYTES];
        in.get(base).get(root);
        byte mode = in.get();
        return switch (mode) {
            case FULL -> FineTuning.full(base, root, names(in, "frozen prefixes"));
            case LORA -> {
                int rank = in.getInt();
                float alpha = in.getFloat();
                yield FineTuning.lora(base, root, rank, alpha, names(in, "target modules"));
            }
            default -> throw new IllegalArgumentException("unknown fine-tuning mode byte " + mode + " (1 FULL, 2 LORA)");
        };
    }

    private static int tuningSize(FineTuning tuning) {
        List<String> names = tuning.mode() instanceof FineTuning.Full full ? full.frozenPrefixes()
                : ((FineTuning.Lora) tuning.mode()).targets();
        int size = 2 * FineTuning.ID_BYTES + 1 + 8 + 4;
        for (String name : names) {
            size += 2 + name.getBytes(StandardCharsets.UTF_8).length;
        }
        return size;
    }

    private static void putNames(ByteBuffer out, List<String> names) {
        out.putInt(names.size());
        for (String name : names) {
            byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            out.putShort((short) utf8.length).put(utf8);
        }
    }

    /** A name list; it must already be canonical (sorted, no duplicates), so equal jobs have one encoding. */
    private static List<String> names(ByteBuffer in, String field) {
        int count = in.getInt();
        if (count < 0 || count > MAX_NAMES) {
            throw new IllegalArgumentException(field + " count must be in [0, " + MAX_NAMES + "], got "
                    + Integer.toUnsignedString(count));
        }
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] utf8 = new byte[Short.toUnsignedInt(in.getShort())];
            in.get(utf8);
            String name = new String(utf8, StandardCharsets.UTF_8);
            if (!Arrays.equals(name.getBytes(StandardCharsets.UTF_8), utf8)) {
                throw new IllegalArgumentException(field + " entry " + i + " is not valid UTF-8");
            }
            if (!names.isEmpty() && names.get(names.size() - 1).compareTo(name) >= 0) {
                throw new IllegalArgumentException(field + " must be sorted without duplicates: '" + name
                        + "' follows '" + names.get(names.size() - 1) + "'");
            }
            names.add(name);
        }
        return names;
    }

    private static boolean flag(byte value) {
        if (value != 0 && value != 1) {
            throw new IllegalArgumentException("tie_word_embeddings byte must be 0 or 1, got " + value);
        }
        return value == 1;
    }
}
