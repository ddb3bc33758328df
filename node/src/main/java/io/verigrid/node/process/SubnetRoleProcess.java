package io.verigrid.node.process;

import io.verigrid.node.subnet.MinerNode;
import io.verigrid.node.subnet.ValidatorNode;
import java.nio.file.Path;
import java.util.function.Consumer;

/** The LM-quality subnet's miner and validator as long-running processes: start, report, run until shutdown. */
public final class SubnetRoleProcess {
    private SubnetRoleProcess() {}

    /** {@code verigrid node --role miner}: serves {@code modelDir} on subnet {@code netuid} until the JVM shuts down. */
    public static void runMiner(String name, Path keyFile, String ledgerUrl, int netuid, Path modelDir, String host, int port,
                                int threads, Consumer<String> out) throws InterruptedException {
        MinerNode node = new MinerNode(new MinerNode.Config(name, KeyFile.read(keyFile), ledgerUrl, netuid, modelDir, host, port, threads), out);
        RunUntilShutdown.hold(node);
    }

    /** {@code verigrid node --role validator}: scores subnet {@code netuid} every {@code everyBlocks} blocks until shutdown. */
    public static void runValidator(String name, Path keyFile, String ledgerUrl, int netuid, int everyBlocks, Consumer<String> out)
            throws InterruptedException {
        ValidatorNode node = new ValidatorNode(new ValidatorNode.Config(name, KeyFile.read(keyFile), ledgerUrl, netuid, everyBlocks), out).start();
        out.accept("validator " + name + " (" + node.wallet().address() + ") on subnet " + netuid + ", a round every " + everyBlocks
                + " blocks, ledger " + ledgerUrl);
        RunUntilShutdown.hold(node);
    }
}
