package io.verigrid.node.subnet;

import io.verigrid.ledger.LmQuality;
import io.verigrid.verify.Hashes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The two files of a served Llama model that the LM-quality subnet scores and commits to. */
public record ModelFiles(byte[] configJson, byte[] safetensors) {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";

    public ModelFiles {
        if (configJson == null || safetensors == null) throw new IllegalArgumentException("configJson and safetensors must not be null");
    }

    /** Reads {@value #CONFIG} and {@value #WEIGHTS} of a Hugging Face model directory. */
    public static ModelFiles read(Path dir) {
        if (!Files.isRegularFile(dir.resolve(CONFIG)) || !Files.isRegularFile(dir.resolve(WEIGHTS))) {
            throw new IllegalArgumentException("model directory " + dir + " needs " + CONFIG + " and " + WEIGHTS);
        }
        try {
            return new ModelFiles(Files.readAllBytes(dir.resolve(CONFIG)), Files.readAllBytes(dir.resolve(WEIGHTS)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the model in " + dir, e);
        }
    }

    public byte[] commitment() {
        return LmQuality.commitment(configJson, safetensors);
    }

    public String commitmentHex() {
        return Hashes.hex(commitment());
    }

    public long size() {
        return configJson.length + (long) safetensors.length;
    }
}
