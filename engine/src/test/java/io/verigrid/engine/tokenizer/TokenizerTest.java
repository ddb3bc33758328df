package io.verigrid.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class TokenizerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode json(String file) throws IOException {
        return (ObjectNode) JSON.readTree(Files.readString(TokenizerReferenceTest.resource(file)));
    }

    private static Tokenizer gpt2() {
        return Tokenizer.load(TokenizerReferenceTest.resource("gpt2-style.tokenizer.json"));
    }

    private static Tokenizer llama3() {
        return Tokenizer.load(TokenizerReferenceTest.resource("llama3-style.tokenizer.json"));
    }

    /** The message of loading gpt2-style.tokenizer.json after {@code edit}. */
    private static String rejection(Consumer<ObjectNode> edit) throws IOException {
        ObjectNode root = json("gpt2-style.tokenizer.json");
        edit.accept(root);
        String text = JSON.writeValueAsString(root);
        return assertThrows(IllegalArgumentException.class, () -> Tokenizer.fromJson(text)).getMessage();
    }

    private static ObjectNode model(ObjectNode root) {
        return (ObjectNode) root.get("model");
    }

    @Test
    void malformedModelsAreRefusedNamingTheField() throws IOException {
        assertTrue(rejection(root -> root.remove("model")).contains("model: missing"));
        assertTrue(rejection(root -> model(root).put("type", "WordPiece")).contains("model.type"));
        assertTrue(rejection(root -> model(root).remove("vocab")).contains("model.vocab"));
        assertTrue(rejection(root -> model(root).remove("merges")).contains("model.merges"));
        assertTrue(rejection(root -> model(root).put("byte_fallback", true)).contains("model.byte_fallback"));
        assertTrue(rejection(root -> model(root).put("dropout", 0.1)).contains("model.dropout"));
        assertTrue(rejection(root -> model(root).put("unk_token", "<unk>")).contains("model.unk_token"));
        assertTrue(rejection(root -> ((ObjectNode) model(root).get("vocab")).put("dup", 0))
                .contains("id 0 is also"));
    }

    @Test
    void mergesNamingUnknownTokensAreRefusedWithTheirIndex() throws IOException {
        String unknown = rejection(root -> ((ArrayNode) model(root).get("merges")).insert(1, "Ġ zzzq"));
        assertTrue(unknown.contains("model.merges[1]") && unknown.contains("\"zzzq\""), unknown);
        String shape = rejection(root -> ((ArrayNode) model(root).get("merges")).insert(0, "abc"));
        assertTrue(shape.contains("model.merges[0]") && shape.contains("two tokens"), shape);
        // Both parts known, their concatenation not a token.
        String merged = rejection(root -> ((ArrayNode) model(root).get("merges")).insert(2, "q q"));
        assertTrue(merged.contains("model.merges[2]") && merged.contains("\"qq\""), merged);
    }

    @Test
    void unsupportedPipelinePartsAreRefusedNamingTheField() throws IOException {
        assertTrue(rejection(root -> root.putObject("normalizer").put("type", "NFC")).contains("normalizer"));
        assertTrue(rejection(root -> root.putObject("pre_tokenizer").put("type", "Whitespace"))
                .contains("pre_tokenizer.type"));
        assertTrue(rejection(root -> root.putNull("pre_tokenizer")).contains("needs a ByteLevel pre-tokenizer"));
        assertTrue(rejection(root -> root.putObject("decoder").put("type", "WordPiece")).contains("decoder"));
        assertTrue(rejection(root -> ((ObjectNode) root.get("added_tokens").get(0)).put("lstrip", true))
                .contains("added_tokens[0].lstrip"));
        assertTrue(rejection(root -> ((ObjectNode) root.get("added_tokens").get(0)).remove("id"))
                .contains("added_tokens[0].id"));
    }

    @Test
    void splitPreTokenizersAreCheckedFieldByField() throws IOException {
        ObjectNode llama = json("llama3-style.tokenizer.json");
        ObjectNode split = (ObjectNode) llama.get("pre_tokenizer").get("pretokenizers").get(0);
        split.put("behavior", "Removed");
        String behavior = llama.toString();
        String message = assertThrows(IllegalArgumentException.class, () -> Tokenizer.fromJson(behavior)).getMessage();
        assertTrue(message.contains("pre_tokenizer.pretokenizers[0].behavior"), message);
        split.put("behavior", "Isolated");
        split.putObject("pattern").put("Regex", "(unclosed");
        String pattern = llama.toString();
        message = assertThrows(IllegalArgumentException.class, () -> Tokenizer.fromJson(pattern)).getMessage();
        assertTrue(message.contains("pre_tokenizer.pretokenizers[0].pattern"), message);
    }

    @Test
    void invalidJsonIsRefused() {
        String message = assertThrows(IllegalArgumentException.class, () -> Tokenizer.fromJson("{\"model\":"))
                .getMessage();
        assertTrue(message.contains("not valid JSON"), message);
        assertThrows(IllegalArgumentException.class, () -> Tokenizer.fromJson(null));
        assertThrows(IllegalArgumentException.class, () -> Tokenizer.load(null));
    }

    @Test
    void stringAndPairMergeFormsGiveTheSameTokenizer() throws IOException {
        ObjectNode root = json("gpt2-style.tokenizer.json");
        ArrayNode pairs = JSON.createArrayNode();
        model(root).get("merges").forEach(merge -> {
            String[] parts = merge.textValue().split(" ");
            pairs.addArray().add(parts[0]).add(parts[1]);
        });
        model(root).set("merges", pairs);
        Tokenizer fromPairs = Tokenizer.fromJson(root.toString());
        String text = "kisi ron venu, zilin bena jolo kowa umen? sinfi zetin! 12345";
        assertArrayEquals(gpt2().encode(text), fromPairs.encode(text));
    }

    @Test
    void ignoreMergesEmitsAWholeVocabularyWordAsOneToken() throws IOException {
        int hashequal = llama3().tokenId("hashequal").getAsInt();
        assertArrayEquals(new int[] {hashequal}, llama3().encode("hashequal"));
        ObjectNode root = json("llama3-style.tokenizer.json");
        model(root).put("ignore_merges", false);
        int[] merged = Tokenizer.fromJson(root.toString()).encode("hashequal");
        assertTrue(merged.length > 1, "without ignore_merges no merge builds the word");
    }

    @Test
    void addedTokensMatchExactlyAndTheLongestWins() throws IOException {
        ObjectNode root = json("gpt2-style.tokenizer.json");
        int base = model(root).get("vocab").size();
        ArrayNode added = (ArrayNode) root.get("added_tokens");
        added.addObject().put("id", base + 1).put("content", "<|x|>").put("special", true);
        added.addObject().put("id", base + 2).put("content", "<|x|>y").put("special", false);
        Tokenizer tokenizer = Tokenizer.fromJson(root.toString());
        int[] ids = tokenizer.encode("<|x|>y<|x|>z<|x");
        assertEquals(base + 2, ids[0]);
        assertEquals(base + 1, ids[1]);
        assertEquals("<|x|>y<|x|>z<|x", tokenizer.decode(ids));
        assertEquals(OptionalInt.of(base + 2), tokenizer.tokenId("<|x|>y"));
    }

    @Test
    void vocabSizeCountsVocabularyAndAddedTokensOutsideIt() throws IOException {
        int vocab = model(json("gpt2-style.tokenizer.json")).get("vocab").size();
        assertEquals(vocab + 1, gpt2().vocabSize());
        int llamaVocab = model(json("llama3-style.tokenizer.json")).get("vocab").size();
        assertEquals(llamaVocab + 5, llama3().vocabSize());
    }

    @Test
    void tokenIdLooksUpVocabularyAndAddedTokens() {
        Tokenizer tokenizer = llama3();
        assertEquals(OptionalInt.of(32), tokenizer.tokenId("Ġ")); // the space byte, in byte-level characters
        assertTrue(tokenizer.tokenId("<|eot_id|>").isPresent());
        assertEquals(OptionalInt.empty(), tokenizer.tokenId("not a token"));
        assertEquals("<|eot_id|>", tokenizer.token(tokenizer.tokenId("<|eot_id|>").getAsInt()));
    }

    @Test
    void decodeRefusesUnknownIdsNamingTheirIndex() {
        String message = assertThrows(IllegalArgumentException.class, () -> gpt2().decode(new int[] {65, 99_999}))
                .getMessage();
        assertTrue(message.contains("ids[1] = 99999"), message);
        assertThrows(IllegalArgumentException.class, () -> gpt2().decode(null));
    }

    @Test
    void decodingPartOfAMultiByteCharacterGivesTheReplacementCharacter() {
        // The generated vocabularies give byte b the id b.
        assertEquals("\uFFFD", gpt2().decode(new int[] {0xC3}));
        assertEquals("é", gpt2().decode(new int[] {0xC3, 0xA9}));
    }

    @Test
    void unpairedSurrogatesAreRefused() {
        String message = assertThrows(IllegalArgumentException.class, () -> gpt2().encode("ab\uD83D c")).getMessage();
        assertTrue(message.contains("index 2"), message);
        assertThrows(IllegalArgumentException.class, () -> gpt2().encode(null));
    }

    @Test
    void decodeInvertsEncodeForArbitraryText() {
        Random random = new Random(42);
        Tokenizer[] tokenizers = {gpt2(), llama3()};
        StringBuilder allBytes = new StringBuilder();
        for (int c = 0; c < 256; c++) {
            allBytes.append((char) c);
        }
        for (Tokenizer tokenizer : tokenizers) {
            assertEquals(allBytes.toString(), tokenizer.decode(tokenizer.encode(allBytes.toString())));
        }
        for (int round = 0; round < 200; round++) {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(40); i > 0; i--) {
                int codePoint = switch (random.nextInt(4)) {
                    case 0 -> ' ' + random.nextInt(95);
                    case 1 -> random.nextInt(0x3000);
                    case 2 -> 0x1F300 + random.nextInt(0x300);
                    default -> " \n\t'".charAt(random.nextInt(4));
                };
                if (!Character.isSurrogate((char) codePoint)) {
                    text.appendCodePoint(codePoint);
                }
            }
            for (Tokenizer tokenizer : tokenizers) {
                assertEquals(text.toString(), tokenizer.decode(tokenizer.encode(text.toString())));
            }
        }
    }

    @Test
    void byteLevelMapsEveryByteToItsOwnPrintableCharacter() {
        Set<Character> seen = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            char c = ByteLevel.charOf(b);
            assertTrue(seen.add(c));
            assertTrue(!Character.isWhitespace(c) && !Character.isISOControl(c), "byte " + b);
        }
        assertEquals('Ġ', ByteLevel.charOf(' '));
        assertEquals('Ċ', ByteLevel.charOf('\n'));
        assertEquals('A', ByteLevel.charOf('A'));
    }
}
