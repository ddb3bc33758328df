package io.verigrid.cli;

import io.verigrid.engine.LlamaConfig;
import io.verigrid.engine.generate.TinyLlama;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code verigrid model create-tiny DIR}: a small seeded Llama model to serve and test with. */
@Command(name = "model", description = "Work with models in Hugging Face layout.", mixinStandardHelpOptions = true,
        subcommands = {ModelCommand.CreateTiny.class})
final class ModelCommand {
    @Command(name = "create-tiny", mixinStandardHelpOptions = true,
            description = {"Write a small randomly initialised (seeded) Llama-architecture model into DIR:",
                "config.json, model.safetensors, tokenizer.json (byte-level BPE learned by seeded code) and",
                "tokenizer_config.json with a chat template. The same seed writes the same bytes."})
    static final class CreateTiny implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "Directory to write; its name is the model's API name.")
        Path dir;

        @Option(names = "--seed", defaultValue = "11", description = "Seed of the weights and the tokenizer. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--context", defaultValue = "256", description = "Context length in tokens. Default: ${DEFAULT-VALUE}.")
        int context;

        @Override
        public Integer call() {
            if (context < 8) {
                throw new IllegalArgumentException("--context must be at least 8, got " + context);
            }
            LlamaConfig config = TinyLlama.write(dir, seed, context);
            System.out.printf("wrote %s: Llama, %d layers, hidden %d, %d heads (%d key/value), vocabulary %d, context %d%n",
                    dir, config.numHiddenLayers(), config.hiddenSize(), config.numAttentionHeads(), config.numKeyValueHeads(),
                    config.vocabSize(), config.maxPositionEmbeddings());
            return 0;
        }
    }
}
