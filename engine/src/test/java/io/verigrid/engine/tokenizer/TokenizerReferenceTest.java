package io.verigrid.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Token ids for tricky strings must equal those of an independent implementation: reference-ids.json was
 * written by scripts/tokenizer_reference.mjs with Hugging Face's tokenizers.js, over the tokenizers that
 * scripts/make_bpe_tokenizer.py generated.
 */
class TokenizerReferenceTest {
    static Path resource(String name) {
        try {
            return Path.of(TokenizerReferenceTest.class.getResource("/tokenizer/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).intValue();
        }
        return values;
    }

    @TestFactory
    List<DynamicTest> encodeAndDecodeMatchTokenizersJs() throws IOException {
        JsonNode reference = new ObjectMapper().readTree(resource("reference-ids.json").toFile());
        assertTrue(reference.get("reference").textValue().startsWith("@huggingface/tokenizers"));
        List<DynamicTest> tests = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = reference.get("tokenizers").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            Tokenizer tokenizer = Tokenizer.load(resource(entry.getKey()));
            for (JsonNode testCase : entry.getValue()) {
                String text = testCase.get("text").textValue();
                String shown = text.length() > 40 ? text.substring(0, 40) + "…" : text;
                tests.add(DynamicTest.dynamicTest(entry.getKey() + ": \"" + shown + "\"", () -> {
                    int[] ids = ints(testCase.get("ids"));
                    assertArrayEquals(ids, tokenizer.encode(text));
                    assertEquals(testCase.get("decoded").textValue(), tokenizer.decode(ids));
                }));
            }
        }
        assertEquals(78, tests.size());
        return tests;
    }
}
