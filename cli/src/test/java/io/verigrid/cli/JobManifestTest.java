package io.verigrid.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.verigrid.engine.MlpJob;
import io.verigrid.ledger.tx.TxBody;
import org.junit.jupiter.api.Test;

class JobManifestTest {
    private final String good = JobManifest.template(MlpJob.demo(), "0.5");

    private static String error(String yaml) {
        return assertThrows(IllegalArgumentException.class, () -> JobManifest.parse(yaml, "job.yaml")).getMessage();
    }

    private static void contains(String message, String fragment) {
        assertTrue(message.contains(fragment), "expected \"" + fragment + "\" in: " + message);
    }

    @Test
    void theTemplateParsesIntoTheOrderItDescribes() {
        TxBody.PostOrder order = JobManifest.parse(good, "job.yaml").toOrder();
        assertEquals(500_000_000L, order.maxUnitPrice());
        assertArrayEquals(MlpJob.demo().encode(), order.spec());
        assertEquals(100_000, order.samplePpm());
        assertEquals(100, order.minMflops());
        assertEquals(5, order.auctionBlocks());
    }

    @Test
    void unknownFieldsAreNamedWithWhereTheyAre() {
        contains(error(good + "priority: high\n"), "unknown field 'priority' at top level");
        contains(error(good.replace("  hidden: 64", "  hidden: 64\n  hiden: 65")), "unknown field 'hiden' at model");
    }

    @Test
    void negativeOrAbsurdPricesAreRefused() {
        contains(error(good.replace("\"0.5\"", "\"-1\"")), "max_price_per_unit must be positive");
        contains(error(good.replace("\"0.5\"", "\"0\"")), "max_price_per_unit must be positive");
        contains(error(good.replace("\"0.5\"", "\"99999999999999\"")), "max_price_per_unit must be a token amount");
        contains(error(good.replace("\"0.5\"", "\"0.0000000001\"")), "at most 9 decimals");
    }

    @Test
    void aBlobDatasetNamesItsFileAndAtLeastTwoReplicas() {
        String dataset = good.lines().filter(l -> l.startsWith("dataset: ")).findFirst().orElseThrow();
        String blob = good.replace(dataset, "dataset:\n  file: data.safetensors\n  replicas: [\"http://a:1\", \"http://b:2\"]");
        JobManifest m = JobManifest.parse(blob, "job.yaml");
        assertEquals(new JobManifest.BlobDataset("data.safetensors", java.util.List.of("http://a:1", "http://b:2")), m.blobDataset());
        assertThrows(IllegalStateException.class, m::toOrder, "a blob dataset is published before its order exists");
        contains(error(blob.replace(", \"http://b:2\"", "")), "at least 2");
        contains(error(blob.replace("\"http://b:2\"", "\"http://a:1\"")), "names http://a:1 twice");
        contains(error(blob.replace("\"http://b:2\"", "\"ftp://b\"")), "must be http(s) URLs");
        contains(error(blob.replace("  file: data.safetensors", "  fil: data.safetensors")), "unknown field 'fil' at dataset");
    }

    @Test
    void impossibleResourcesAndUnknownDatasetsAreRefused() {
        contains(error(good.replace("memory_gib: 0.25", "memory_gib: -2")), "resources.memory_gib must be a non-negative number");
        String dataset = good.lines().filter(l -> l.startsWith("dataset: ")).findFirst().orElseThrow();
        contains(error(good.replace(dataset, "dataset: " + "ab".repeat(32))), "unknown dataset");
        contains(error(good.replace(dataset, "dataset: xyz")), "dataset must be the 64-hex-digit dataset root");
        contains(error(good.replace("kind: mlp", "kind: diffusion")), "unknown job kind 'diffusion' (known: 1 = mlp, 2 = lm, 3 = lm-finetune)");
        contains(error(good.replace("  steps: 200", "  steps: 0")), "steps");
        contains(error(good.replace("sampling_rate: 0.1", "sampling_rate: 2")), "sampling_rate must be in 0..1");
        contains(error(""), "empty");
    }

    @Test
    void languageModelManifestsNeedABlobDatasetAndFineTuningOnlyWhereItBelongs() {
        java.util.List<String> replicas = java.util.List.of("http://a:1", "http://b:2");
        String lm = JobManifest.lmTemplate(io.verigrid.engine.TrainingJob.Kind.LM, "0.5", replicas);
        String tune = JobManifest.lmTemplate(io.verigrid.engine.TrainingJob.Kind.LM_FINETUNE, "0.5", replicas);
        assertEquals("lm", JobManifest.parse(lm, "job.yaml").kind());
        assertEquals(4, JobManifest.parse(tune, "job.yaml").fineTune("job.yaml").lora().rank());
        contains(error(lm.replace("  seq_len: 16", "  seq_len: 16\n  seqlen: 8")), "unknown field 'seqlen' at model");
        contains(error(tune.replace("    rank: 4", "    rnk: 4")), "unknown field 'rnk' at fine_tuning.lora");
        contains(error(lm.replace("kind: lm", "kind: lm-finetune")), "fine_tuning is required for kind lm-finetune");
        contains(error(tune.replace("kind: lm-finetune", "kind: lm")), "fine_tuning is only for kind lm-finetune");
        String seeded = lm.substring(0, lm.indexOf("dataset:")) + "dataset: " + "ab".repeat(32) + "\n" + lm.substring(lm.indexOf("resources:"));
        contains(error(seeded), "a lm job trains on a blob dataset");
    }
}
