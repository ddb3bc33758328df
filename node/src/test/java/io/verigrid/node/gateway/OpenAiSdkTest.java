package io.verigrid.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The official OpenAI Java SDK as a real client of the gateway. */
@Timeout(60)
class OpenAiSdkTest {
    @TempDir
    static Path root;
    static TinyGateway gateway;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        gateway = new TinyGateway(root, 256);
        client = sdk(gateway.key);
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    static OpenAIClient sdk(String key) {
        return OpenAIOkHttpClient.builder().baseUrl(gateway.server.baseUrl()).apiKey(key).maxRetries(0).build();
    }

    private static ChatCompletionCreateParams.Builder chat() {
        return ChatCompletionCreateParams.builder().model(TinyGateway.MODEL).addSystemMessage("be brief")
                .addUserMessage("hello verigrid").maxCompletionTokens(12).seed(5L).temperature(0.8);
    }

    @Test
    void modelsListsTheModelUnderItsDirectoryName() {
        List<Model> models = client.models().list().data();
        assertEquals(1, models.size());
        assertEquals(TinyGateway.MODEL, models.get(0).id());
        assertEquals(TinyGateway.MODEL, client.models().retrieve(TinyGateway.MODEL).id());
    }

    @Test
    void chatCompletionComesBackWithUsageAndIsReproducible() {
        ChatCompletion first = client.chat().completions().create(chat().build());
        ChatCompletion again = client.chat().completions().create(chat().build());
        assertEquals(TinyGateway.MODEL, first.model());
        assertEquals(1, first.choices().size());
        String text = first.choices().get(0).message().content().orElseThrow();
        assertEquals(text, again.choices().get(0).message().content().orElseThrow());
        long completion = first.usage().orElseThrow().completionTokens();
        assertTrue(completion >= 1 && completion <= 12);
        assertTrue(first.usage().orElseThrow().promptTokens() > 5);
        assertTrue(first.systemFingerprint().orElseThrow().startsWith("verigrid-opset-"));
    }

    @Test
    void streamingDeltasAddUpToTheWholeAnswerAndEndWithUsage() {
        String whole = client.chat().completions().create(chat().build()).choices().get(0).message().content().orElseThrow();
        ChatCompletionCreateParams streaming = chat()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(streaming)) {
            chunks = stream.stream().collect(Collectors.toList());
        }
        String streamed = chunks.stream().flatMap(chunk -> chunk.choices().stream())
                .map(choice -> choice.delta().content().orElse("")).collect(Collectors.joining());
        assertEquals(whole, streamed);
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertTrue(last.choices().isEmpty());
        assertTrue(last.usage().orElseThrow().completionTokens() >= 1);
        assertTrue(chunks.stream().flatMap(chunk -> chunk.choices().stream())
                .anyMatch(choice -> choice.finishReason().isPresent()));
    }

    @Test
    void completionsAndEmbeddingsWork() {
        Completion completion = client.completions().create(CompletionCreateParams.builder()
                .model(TinyGateway.MODEL).prompt("the model").maxTokens(6L).temperature(0.0).build());
        assertFalse(completion.choices().isEmpty());
        CreateEmbeddingResponse embeddings = client.embeddings().create(EmbeddingCreateParams.builder()
                .model(TinyGateway.MODEL).inputOfArrayOfStrings(List.of("hello", "the model token")).build());
        assertEquals(2, embeddings.data().size());
        assertEquals(64, embeddings.data().get(0).embedding().size());
    }

    @Test
    void errorsSurfaceAsTheSdksExceptions() {
        NotFoundException notFound = assertThrows(NotFoundException.class, () -> client.chat().completions()
                .create(chat().model("no-such-model").build()));
        assertEquals(404, notFound.statusCode());
        assertThrows(BadRequestException.class, () -> client.chat().completions().create(chat().maxCompletionTokens(0).build()));
        assertThrows(UnauthorizedException.class, () -> sdk("vg-wrong").models().list());
        String poor = gateway.metering.createKey(1, 100);
        assertThrows(RateLimitException.class, () -> sdk(poor).chat().completions().create(chat().build()));
    }
}
