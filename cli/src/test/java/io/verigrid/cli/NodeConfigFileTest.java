package io.verigrid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code verigrid node --config FILE}: a properties file supplies option defaults; flags win; bad input is named. */
class NodeConfigFileTest {
    @TempDir
    Path dir;

    private static String run(CommandLine cli, String... args) {
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        assertEquals(1, exit, err.toString());
        return err.toString();
    }

    @Test
    void theConfigFileChoosesTheRoleAndAFlagOverridesIt() throws Exception {
        Path config = dir.resolve("node.properties");
        Files.writeString(config, "role=gateway\n");
        CommandLine cli = Main.commandLine();
        String[] args = {"node", "--config", config.toString()};
        Main.useConfigFile(cli, args);
        assertTrue(run(cli, args).contains("--role gateway needs --model DIR"), "the role came from the file");

        CommandLine overridden = Main.commandLine();
        String[] withFlag = {"node", "--config", config.toString(), "--role", "provider"};
        Main.useConfigFile(overridden, withFlag);
        assertTrue(run(overridden, withFlag).contains("--role provider needs --key NAME"), "the flag wins over the file");
    }

    @Test
    void aMissingConfigFileIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Main.useConfigFile(Main.commandLine(), new String[] {"node", "--config", dir.resolve("nope").toString()}));
        assertTrue(e.getMessage().contains("nope: no such file"), e.getMessage());
    }
}
