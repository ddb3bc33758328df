package io.verigrid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(60)
class ServeCommandTest {
    @Test
    void createTinyWritesTheHuggingFaceFilesAndServePrintsExactlyTwoLines(@TempDir Path root) throws Exception {
        Path dir = root.resolve("tiny");
        assertEquals(0, new CommandLine(new ModelCommand()).execute("create-tiny", dir.toString()));
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")) {
            assertTrue(Files.size(dir.resolve(file)) > 0, file);
        }
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        long started = System.nanoTime();
        Thread serving = new Thread(() -> new CommandLine(new ServeCommand()).execute("--model", dir.toString()));
        serving.setDaemon(true);
        List<String> lines;
        try {
            serving.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            do {
                Thread.sleep(50);
                lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
            } while (lines.size() < 2 && System.nanoTime() < deadline);
        } finally {
            System.setOut(original);
        }
        assertEquals(2, lines.size(), String.valueOf(lines));
        System.err.printf("serve: ready in %d ms%n", (System.nanoTime() - started) / 1_000_000);
        assertTrue(lines.get(0).matches("base_url: http://127\\.0\\.0\\.1:\\d+/v1"), lines.get(0));
        assertTrue(lines.get(1).matches("api_key: vg-[0-9a-f]{32}"), lines.get(1));
        String baseUrl = lines.get(0).substring("base_url: ".length());
        String key = lines.get(1).substring("api_key: ".length());
        HttpResponse<String> models = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(baseUrl + "/models"))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, models.statusCode());
        assertTrue(models.body().contains("\"id\":\"tiny\""), models.body());
        HttpResponse<String> chat = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(baseUrl + "/chat/completions"))
                .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":4}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, chat.statusCode(), chat.body());
        assertTrue(chat.headers().firstValue("x-verigrid-request").orElse("").matches("[0-9a-f]{64}"),
                "the response names its hold on the embedded ledger");
    }
}
