#!/usr/bin/env python3
"""Generates the small byte-level BPE tokenizers Verigrid's engine tests load.

Nothing is copied from an existing vocabulary: a seeded generator writes a corpus of made-up words
(syllables, capitals, contractions, numbers, accented letters, CJK, emoji, punctuation, whitespace runs), and a
plain BPE trainer learns merges on it. Running this script again writes the same bytes.

    make_bpe_tokenizer.py OUT_DIR

writes into OUT_DIR:
  gpt2-style.tokenizer.json          ByteLevel pre-tokenizer (GPT-2 regex), merges as "a b" strings,
                                     <|endoftext|>
  gpt2-prefix-space.tokenizer.json   the same model with add_prefix_space true
  llama3-style.tokenizer.json        Split with the Llama 3 regex + ByteLevel(use_regex false), merges as
                                     ["a", "b"] pairs, ignore_merges true, a few whole-word tokens that no
                                     merge builds, Llama 3 style special tokens
"""
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

SEED = 7331
GPT2_PATTERN = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")
# Python's re has no \p{L}: training only needs some reasonable word split, not the exact one.
TRAINING_SPLIT = re.compile(r"'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d{1,3}| ?[^\s\w]+|\s+(?!\S)|\s+")


def bytes_to_unicode():
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    mapping = {}
    shifted = 0
    for b in range(256):
        if b in printable:
            mapping[b] = chr(b)
        else:
            mapping[b] = chr(0x100 + shifted)
            shifted += 1
    return mapping


BYTE_CHARS = bytes_to_unicode()


def corpus(rng, sentences):
    consonants = "bcdfghjklmnprstvwz"
    vowels = "aeiou"
    accented = "éèêëàâäîïôöùûüçñß"
    syllables = [c + v for c in consonants for v in vowels] + [c + v + "n" for c in "lmrst" for v in vowels]
    words = []
    for _ in range(400):
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(1, 3)))
        if rng.random() < 0.15:
            i = rng.randrange(len(word))
            word = word[:i] + rng.choice(accented) + word[i + 1:]
        words.append(word)
    weights = [1.0 / (rank + 1) for rank in range(len(words))]  # Zipf-like, so merges form real words
    cjk = [chr(0x4E00 + i) for i in range(0, 80, 3)]
    emoji = [chr(0x1F600 + i) for i in range(0, 40, 2)]
    contractions = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "n't"]
    out = []
    for _ in range(sentences):
        parts = []
        for _ in range(rng.randint(4, 14)):
            roll = rng.random()
            if roll < 0.70:
                word = rng.choices(words, weights)[0]
                if rng.random() < 0.1:
                    word = word.capitalize()
                if rng.random() < 0.05:
                    word = word.upper()
                if rng.random() < 0.06:
                    word += rng.choice(contractions)
                parts.append(word)
            elif roll < 0.80:
                parts.append(str(rng.randint(0, 10 ** rng.randint(1, 6))))
            elif roll < 0.87:
                parts.append("".join(rng.choice(cjk) for _ in range(rng.randint(1, 4))))
            elif roll < 0.92:
                parts.append(rng.choice(emoji))
            else:
                parts.append(rng.choice([",", ".", "!", "?", "...", "--", "(", ")", ":", ";", "\"", "'"]))
        sentence = ""
        for part in parts:
            sentence += rng.choice([" ", " ", " ", " ", "  ", "\t", "\n"]) + part if sentence else part
        out.append(sentence + rng.choice([".", "!", "?", "\n", "\n\n"]))
    return " ".join(out)


def train(text, merge_count):
    """Classic BPE: repeatedly merge the most frequent adjacent pair (ties: smallest pair)."""
    words = Counter()
    for piece in TRAINING_SPLIT.findall(text):
        words[tuple(BYTE_CHARS[b] for b in piece.encode("utf-8"))] += 1
    vocab = {BYTE_CHARS[b]: b for b in range(256)}
    merges = []
    for _ in range(merge_count):
        pairs = Counter()
        for word, count in words.items():
            for pair in zip(word, word[1:]):
                pairs[pair] += count
        if not pairs:
            break
        best = min(pairs, key=lambda pair: (-pairs[pair], pair))
        merged = best[0] + best[1]
        merges.append(best)
        if merged not in vocab:
            vocab[merged] = len(vocab)
        rewritten = Counter()
        for word, count in words.items():
            out = []
            i = 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    out.append(merged)
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            rewritten[tuple(out)] += count
        words = rewritten
    return vocab, merges


def added_token(token_id, content):
    return {"id": token_id, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": False, "special": True}


def byte_level(add_prefix_space, use_regex):
    return {"type": "ByteLevel", "add_prefix_space": add_prefix_space, "trim_offsets": True, "use_regex": use_regex}


def model(vocab, merges, as_pairs, ignore_merges):
    return {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
            "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": ignore_merges,
            "vocab": vocab, "merges": [list(m) if as_pairs else " ".join(m) for m in merges]}


def tokenizer_json(added, pre_tokenizer, bpe_model):
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
            "pre_tokenizer": pre_tokenizer, "post_processor": byte_level(True, True),
            "decoder": byte_level(True, True), "model": bpe_model}


def write(path, document):
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    out_dir = Path(argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    text = corpus(random.Random(SEED), 600)

    vocab, merges = train(text, 300)
    end = added_token(len(vocab), "<|endoftext|>")
    write(out_dir / "gpt2-style.tokenizer.json",
          tokenizer_json([end], byte_level(False, True), model(vocab, merges, False, False)))
    write(out_dir / "gpt2-prefix-space.tokenizer.json",
          tokenizer_json([end], byte_level(True, True), model(vocab, merges, False, False)))

    vocab, merges = train(text, 400)
    # Whole words no merge builds: with ignore_merges they come out as one token.
    for word in [" verigrid", "hashequal", "bisect"]:
        mapped = "".join(BYTE_CHARS[b] for b in word.encode("utf-8"))
        vocab.setdefault(mapped, len(vocab))
    specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
    added = [added_token(len(vocab) + i, content) for i, content in enumerate(specials)]
    pre = {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": LLAMA3_PATTERN}, "behavior": "Isolated", "invert": False},
        byte_level(False, False)]}
    write(out_dir / "llama3-style.tokenizer.json", tokenizer_json(added, pre, model(vocab, merges, True, True)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
