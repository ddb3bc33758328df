// Reference token ids for Verigrid's tokenizer tests, from an independent implementation:
// Hugging Face's tokenizers.js (npm @huggingface/tokenizers, pure JavaScript).
//
//   npm install --prefix /tmp/tokref @huggingface/tokenizers@0.2.0
//   TOKENIZERS_JS=/tmp/tokref/node_modules/@huggingface/tokenizers/dist/tokenizers.mjs \
//     node scripts/tokenizer_reference.mjs engine/src/test/resources/tokenizer
//
// For every *.tokenizer.json in the folder (made by scripts/make_bpe_tokenizer.py) it encodes the tricky
// strings below without added begin/end tokens, decodes the ids back, and writes reference-ids.json there.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const library = process.env.TOKENIZERS_JS ?? "@huggingface/tokenizers";
const { Tokenizer } = await import(library.startsWith("/") ? "file://" + library : library);
const version = JSON.parse(readFileSync(join(library, "..", "..", "package.json"), "utf8")).version;

const tricky = [
  "",
  " ",
  "   ",
  "Hello world",
  "  leading and trailing spaces   ",
  "multiple     spaces   between words",
  "tabs\tand\nnewlines\r\n\r\nend\n\n\n",
  "line one\n  indented line two\n\tthree",
  "I'm sure it's what we're told; they'll say I'd've known, won't they?",
  "DON'T SHOUT, IT'S LOUD AND WE'RE HERE",
  "numbers 1 12 123 1234 12345 123456 3.14159 -42 1,000,000 007",
  "unicode: héllo wörld naïve café Ñandú straße Ærøskøbing",
  "CJK: 日本語のテキスト 中文字符 丁七丂",
  "emoji: 🎉🔥 👍🏽 👨‍👩‍👧 flags 🇫🇷🇯🇵 😀😂",
  "mixed!!!??? ... --- *** (parens) [brackets] {braces} \"quotes\" 'single'",
  "Arabic مرحبا بالعالم and Devanagari नमस्ते दुनिया",
  "Roman numerals Ⅻ, superscripts x² y³ and fractions ½ ¾",
  "no\u00a0break\u2003em space\u3000ideographic",
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "kisi ron venu, zilin bena jolo kowa umen? sinfi zetin!",
  "<|endoftext|>",
  "text<|endoftext|>more text <|endoftext|><|endoftext|> end",
  "<|endoftext almost special |endoftext|>",
  "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi there!<|eot_id|>",
  "hashequal verigrid bisect\nbisect the verigrid",
];

// Text made of the longest vocabulary tokens, so that many merges take part.
function longestWords(json) {
  const byteOf = new Map();
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    byteOf.set(String.fromCharCode(printable ? b : 0x100 + shifted++), b);
  }
  const tokens = Object.keys(json.model.vocab).sort((a, b) => b.length - a.length || (a < b ? -1 : 1)).slice(0, 40);
  return tokens.map((t) => new TextDecoder().decode(Uint8Array.from(Array.from(t, (c) => byteOf.get(c))))).join("");
}

const folder = process.argv[2];
const result = { reference: `@huggingface/tokenizers ${version} (tokenizers.js)`, tokenizers: {} };
for (const file of readdirSync(folder).filter((f) => f.endsWith(".tokenizer.json")).sort()) {
  const json = JSON.parse(readFileSync(join(folder, file), "utf8"));
  const tokenizer = new Tokenizer(json, {});
  result.tokenizers[file] = [...tricky, longestWords(json)].map((text) => {
    const ids = tokenizer.encode(text, { add_special_tokens: false }).ids;
    // tokens.js refuses to decode an empty list; its text is empty.
    const decoded = ids.length === 0 ? "" : tokenizer.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
    return { text, ids, decoded };
  });
}
writeFileSync(join(folder, "reference-ids.json"), JSON.stringify(result, null, 1) + "\n");
