package io.verigrid.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** GPT and Llama training through the traced operator program, and KV-cache decoding. */
class LmTrainerTest {
    static final int VOCAB = CharCorpus.ALPHABET.length();
    static final GptModel GPT = new GptModel(new GptConfig(VOCAB, 16, 16, 2, 2, 1e-5f, true));
    static final LlamaModel LLAMA = new LlamaModel(new LlamaConfig(16, 40, 2, 4, 2, VOCAB, 16, 1e-6f, 10000f, false));

    static LmJob job(LanguageModel model, int steps) {
        return new LmJob(model, 5, 64, 4, 8, steps, steps / 2, new LearningRate(1e-2f, 1e-3f, Math.min(3, steps), steps), 0.9f, 0.95f,
                1e-8f, 0.1f, 1f);
    }

    static Dataset data(LmJob job) {
        return LmJob.windows(CharCorpus.tokens(11, job.sequences() * job.seqLen() + 1), job.seqLen(), VOCAB);
    }

    private static List<Float> losses(LmJob job, Parallelism par) {
        Dataset data = data(job);
        ModelState state = job.initialState();
        List<Float> losses = new ArrayList<>();
        for (int s = 0; s < job.steps(); s++) {
            MlpTrainer.StepResult result = LmTrainer.step(job, data, state, par, null);
            losses.add(result.loss());
            state = result.next();
        }
        return losses;
    }

    private static double mean(List<Float> values, int from, int to) {
        double total = 0;
        for (int i = from; i < to; i++) {
            total += values.get(i);
        }
        return total / (to - from);
    }

    @Test
    void gptLearnsTheGrammarAndIsTheSameOnThreeThreads() {
        LmJob job = job(GPT, 30);
        List<Float> single = losses(job, Parallelism.single());
        assertTrue(single.get(0) > 3.5f && single.get(0) < 3.9f, "initial loss near ln(41), got " + single.get(0));
        assertTrue(mean(single, 25, 30) < 0.8 * single.get(0), "loss falls: " + single);
        assertEquals(single, losses(job, OpHarness.THREE));
    }

    @Test
    void llamaWithGroupedQueryAttentionLearnsAndIsPinnedBitForBit() {
        LmJob job = job(LLAMA, 20);
        Dataset data = data(job);
        ModelState end = LmTrainer.run(job, data, job.initialState(), 20, Parallelism.single(), null);
        ModelState endThree = LmTrainer.run(job, data, job.initialState(), 20, OpHarness.THREE, null);
        assertArrayEquals(end.digest(), endThree.digest());
        assertEquals(OpHarness.golden("llama_state_after_20_steps"), DeterminismProbe.hex(end.digest()));
        List<Float> losses = losses(job, Parallelism.single());
        assertTrue(mean(losses, 15, 20) < 0.85 * losses.get(0), "loss falls: " + losses);
        assertEquals(OpHarness.golden("gpt_state_after_6_steps"), DeterminismProbe.hex(
                LmTrainer.run(job(GPT, 6), data(job(GPT, 6)), job(GPT, 6).initialState(), 6, Parallelism.single(), null)
                        .digest()));
    }

    @Test
    void theTraceIsTheProgramAndEveryOperatorReplaysAlone() {
        LmJob job = job(LLAMA, 4);
        Dataset data = data(job);
        ModelState state = LmTrainer.run(job, data, job.initialState(), 2, Parallelism.single(), null);
        StepTrace trace = LmTrainer.step(job, data, state, Parallelism.single(), null).trace();
        List<OpSpec> program = LmTrainer.program(job, 3);
        assertEquals(program.size(), trace.ops().size());
        for (OpRecord record : trace.ops()) {
            OpSpec spec = record.spec();
            assertEquals(program.get(record.index()), spec);
            List<Tensor> inputs = new ArrayList<>();
            for (InputRef ref : spec.inputs()) {
                inputs.add(switch (ref.source()) {
                    case STATE -> state.tensor(ref.name());
                    case DATA -> data.tensor(ref.name());
                    case OP -> trace.ops().get(ref.op()).output();
                });
            }
            assertTrue(record.output().bitEquals(Ops.execute(spec.kind(), spec.attrs(), inputs, Parallelism.single())),
                    "op " + record.index() + " " + spec.kind() + " replays");
        }
        assertTrue(program.stream().anyMatch(spec -> spec.kind().equals("causal_attention_backward")));
        assertTrue(program.stream().anyMatch(spec -> spec.kind().equals("adamw_apply")));
    }

    @Test
    void aFlippedBitIsVisibleFromItsOperatorOnward() {
        LmJob job = job(GPT, 2);
        Dataset data = data(job);
        StepTrace honest = LmTrainer.step(job, data, job.initialState(), Parallelism.single(), null).trace();
        int target = 40;
        StepTrace cheat = LmTrainer.step(job, data, job.initialState(), Parallelism.single(),
                new Fault(1, target, 0, 1 << 20)).trace();
        for (int i = 0; i < target; i++) {
            assertTrue(honest.ops().get(i).output().bitEquals(cheat.ops().get(i).output()));
        }
        assertFalse(honest.ops().get(target).output().bitEquals(cheat.ops().get(target).output()));
    }

    @Test
    void kvCacheDecodingGivesTheFullForwardBitsAtEveryPosition() {
        for (LanguageModel model : List.of(GPT, LLAMA)) {
            SortedMap<String, Tensor> weights = model.initialParameters(9);
            int[] tokens = CharCorpus.tokens(3, 10);
            Tensor full = Decoder.logits(model, weights, tokens, 1, Parallelism.single());
            Decoder decoder = new Decoder(model, weights, OpHarness.THREE);
            for (int p = 0; p < tokens.length; p++) {
                Tensor row = decoder.next(tokens[p]);
                for (int v = 0; v < VOCAB; v++) {
                    assertEquals(Float.floatToRawIntBits(full.data()[p * VOCAB + v]), Float.floatToRawIntBits(row.data()[v]),
                            model.getClass().getSimpleName() + " position " + p + " logit " + v);
                }
            }
        }
    }

    @Test
    void aTrainedGptSpellsTheGreedily() {
        GptModel gpt = new GptModel(new GptConfig(VOCAB, 16, 32, 2, 4, 1e-5f, true));
        LmJob job = new LmJob(gpt, 5, 64, 8, 16, 100, 100, new LearningRate(1e-2f, 1e-3f, 10, 100), 0.9f, 0.95f, 1e-8f,
                0.0f, 1f);
        Dataset data = LmJob.windows(CharCorpus.tokens(11, 64 * 16 + 1), 16, VOCAB);
        ModelState state = LmTrainer.run(job, data, job.initialState(), 100, OpHarness.THREE, null);
        SortedMap<String, Tensor> weights = new TreeMap<>();
        gpt.parameterShapes().keySet().forEach(name -> weights.put(name, state.tensor(name)));
        int[] prompt = {CharCorpus.ALPHABET.indexOf('t'), CharCorpus.ALPHABET.indexOf('h')};
        int[] out = new Decoder(gpt, weights, Parallelism.single()).greedy(prompt, 8);
        assertEquals(10, out.length);
        assertTrue(CharCorpus.text(out).startsWith("the "), "a trained model spells 'the': " + CharCorpus.text(out));
    }

    @Test
    void weightsAreCheckedByName() {
        SortedMap<String, Tensor> weights = LLAMA.initialParameters(1);
        weights.remove("model.layers.1.mlp.up_proj.weight");
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new Decoder(LLAMA, weights, Parallelism.single()));
        assertTrue(missing.getMessage().contains("model.layers.1.mlp.up_proj.weight"), missing.getMessage());
        weights.put("model.layers.1.mlp.up_proj.weight", Tensor.zeros(16, 40));
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> new Decoder(LLAMA, weights, Parallelism.single()));
        assertTrue(shape.getMessage().contains("[40, 16]"), shape.getMessage());
    }

    @Test
    void llamaConfigReadsHuggingFaceJsonAndRejectsUnknownFields() {
        String json = """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 64,
                 "intermediate_size": 172, "num_hidden_layers": 2, "num_attention_heads": 4,
                 "num_key_value_heads": 2, "vocab_size": 100, "max_position_embeddings": 128,
                 "rms_norm_eps": 1e-5, "rope_theta": 500000.0, "tie_word_embeddings": true, "hidden_act": "silu",
                 "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "bfloat16", "attention_bias": false,
                 "rope_scaling": null}""";
        LlamaConfig config = LlamaConfig.fromJson(json);
        assertEquals(new LlamaConfig(64, 172, 2, 4, 2, 100, 128, 1e-5f, 500000f, true), config);
        assertFalse(new LlamaModel(config).parameterShapes().containsKey("lm_head.weight"));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> LlamaConfig.fromJson(json.replace("\"bos_token_id\"", "\"sliding_window\"")));
        assertTrue(unknown.getMessage().contains("sliding_window"), unknown.getMessage());
        IllegalArgumentException act = assertThrows(IllegalArgumentException.class,
                () -> LlamaConfig.fromJson(json.replace("\"silu\"", "\"gelu\"")));
        assertTrue(act.getMessage().contains("hidden_act"), act.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> LlamaConfig.fromJson(json.replace("\"vocab_size\": 100,", "")));
        assertTrue(missing.getMessage().contains("vocab_size"), missing.getMessage());
    }

    @Test
    void theCorpusIsSeededGrammarText() {
        String text = CharCorpus.text(CharCorpus.tokens(11, 200));
        assertEquals(text, CharCorpus.text(CharCorpus.tokens(11, 200)));
        assertTrue(text.contains(".") && text.matches("[ .,+=0-9a-z]+"), text);
        assertFalse(text.equals(CharCorpus.text(CharCorpus.tokens(12, 200))));
    }
}
