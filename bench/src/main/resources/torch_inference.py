"""PyTorch CPU reference for `verigrid bench inference`: greedy decoding with a KV cache on the same weights.

Usage: /usr/bin/python3 torch_inference.py --model DIR --threads N --prompt-len P --tokens T
                                           --concurrency 1,4,16 --runs R
DIR holds the config.json and model.safetensors the bench wrote. The model is the same Llama (RMSNorm, RoPE
rotate-half, SwiGLU, grouped-query attention, tied or untied head) in eager mode under torch.inference_mode().
Stream s's prompt is token ids (s * 1009 + i * 7919 + 13) mod vocab for i < P, as in InferenceRun.java. Each
concurrency c decodes c streams as one batch, one token per step for T steps after the prompt's prefill.
Prints one JSON object on stdout. Exits 3 with {"error": ...} when torch cannot be imported.
"""
import argparse
import json
import os
import statistics
import struct
import sys
import time


def load_safetensors(torch, path):
    """Reads F32 tensors from a safetensors file (the format is a JSON header and raw little-endian data)."""
    with open(path, "rb") as f:
        raw = f.read()
    (header_len,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + header_len])
    data = raw[8 + header_len:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise ValueError(name + ": only F32 is supported, got " + info["dtype"])
        begin, end = info["data_offsets"]
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32)
        tensors[name] = flat.reshape(info["shape"]) if info["shape"] else flat
    return tensors


class Llama:
    """A Hugging Face Llama forward with a preallocated KV cache (batch, kv_heads, positions, head_dim)."""

    def __init__(self, torch, config, weights):
        self.torch = torch
        self.dim = config["hidden_size"]
        self.heads = config["num_attention_heads"]
        self.kv_heads = config.get("num_key_value_heads", self.heads)
        self.head_dim = self.dim // self.heads
        self.layers = config["num_hidden_layers"]
        self.eps = config.get("rms_norm_eps", 1e-5)
        self.max_pos = config["max_position_embeddings"]
        self.w = weights
        self.embed = weights["model.embed_tokens.weight"]
        self.head = weights.get("lm_head.weight", self.embed)
        half = self.head_dim // 2
        theta = config.get("rope_theta", 10000.0)
        inv_freq = 1.0 / (theta ** (torch.arange(0, half, dtype=torch.float32) * 2 / self.head_dim))
        angles = torch.outer(torch.arange(self.max_pos, dtype=torch.float32), inv_freq)
        self.cos = torch.cat([angles.cos(), angles.cos()], dim=-1)
        self.sin = torch.cat([angles.sin(), angles.sin()], dim=-1)

    def rms_norm(self, x, weight):
        torch = self.torch
        return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))

    def rotate_half(self, x):
        half = x.shape[-1] // 2
        return self.torch.cat([-x[..., half:], x[..., :half]], dim=-1)

    def new_cache(self, batch):
        torch = self.torch
        shape = (self.layers, batch, self.kv_heads, self.max_pos, self.head_dim)
        return torch.zeros(shape), torch.zeros(shape)

    def forward(self, ids, start, cache):
        """ids (batch, t) at positions start..start+t-1; returns the last position's logits (batch, vocab)."""
        torch = self.torch
        batch, t = ids.shape
        keys, values = cache
        x = self.embed[ids]
        cos = self.cos[start:start + t].view(1, 1, t, self.head_dim)
        sin = self.sin[start:start + t].view(1, 1, t, self.head_dim)
        group = self.heads // self.kv_heads
        mask = None
        if t > 1:
            mask = torch.full((t, start + t), float("-inf")).triu(start + 1)
        for i in range(self.layers):
            p = "model.layers." + str(i) + "."
            h = self.rms_norm(x, self.w[p + "input_layernorm.weight"])
            q = (h @ self.w[p + "self_attn.q_proj.weight"].t()).view(batch, t, self.heads, self.head_dim).transpose(1, 2)
            k = (h @ self.w[p + "self_attn.k_proj.weight"].t()).view(batch, t, self.kv_heads, self.head_dim).transpose(1, 2)
            v = (h @ self.w[p + "self_attn.v_proj.weight"].t()).view(batch, t, self.kv_heads, self.head_dim).transpose(1, 2)
            q = q * cos + self.rotate_half(q) * sin
            k = k * cos + self.rotate_half(k) * sin
            keys[i, :, :, start:start + t] = k
            values[i, :, :, start:start + t] = v
            kk = keys[i, :, :, :start + t]
            vv = values[i, :, :, :start + t]
            if group > 1:
                kk = kk.repeat_interleave(group, dim=1)
                vv = vv.repeat_interleave(group, dim=1)
            scores = (q @ kk.transpose(-1, -2)) / (self.head_dim ** 0.5)
            if mask is not None:
                scores = scores + mask
            attended = (scores.softmax(-1) @ vv).transpose(1, 2).reshape(batch, t, self.dim)
            x = x + attended @ self.w[p + "self_attn.o_proj.weight"].t()
            h = self.rms_norm(x, self.w[p + "post_attention_layernorm.weight"])
            gate = torch.nn.functional.silu(h @ self.w[p + "mlp.gate_proj.weight"].t())
            up = h @ self.w[p + "mlp.up_proj.weight"].t()
            x = x + (gate * up) @ self.w[p + "mlp.down_proj.weight"].t()
        last = self.rms_norm(x[:, -1, :], self.w["model.norm.weight"])
        return last @ self.head.t()


def prompts(torch, concurrency, length, vocab):
    return torch.tensor([[(s * 1009 + i * 7919 + 13) % vocab for i in range(length)] for s in range(concurrency)])


def generate(torch, model, ids, tokens):
    """Greedy decoding of `tokens` tokens per stream; returns (seconds to first token, total seconds, tokens)."""
    cache = model.new_cache(ids.shape[0])
    t0 = time.perf_counter()
    logits = model.forward(ids, 0, cache)
    nxt = logits.argmax(-1)
    first = time.perf_counter() - t0
    out = [nxt]
    position = ids.shape[1]
    for _ in range(tokens - 1):
        logits = model.forward(nxt.view(-1, 1), position, cache)
        nxt = logits.argmax(-1)
        out.append(nxt)
        position += 1
    total = time.perf_counter() - t0
    return first, total, torch.stack(out, dim=1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--prompt-len", type=int, required=True)
    parser.add_argument("--tokens", type=int, required=True)
    parser.add_argument("--concurrency", required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    try:
        import torch
    except ImportError as e:
        print(json.dumps({"error": "torch cannot be imported by " + sys.executable + ": " + str(e)}))
        sys.exit(3)
    torch.set_num_threads(args.threads)
    with open(os.path.join(args.model, "config.json")) as f:
        config = json.load(f)
    weights = load_safetensors(torch, os.path.join(args.model, "model.safetensors"))
    model = Llama(torch, config, weights)
    result = {"torch": torch.__version__, "threads": torch.get_num_threads(), "concurrency": {}}
    with torch.inference_mode():
        for c in [int(v) for v in args.concurrency.split(",")]:
            ids = prompts(torch, c, args.prompt_len, config["vocab_size"])
            generate(torch, model, ids, min(args.tokens, 8))
            firsts, totals, produced = [], [], None
            for _ in range(args.runs):
                first, total, produced = generate(torch, model, ids, args.tokens)
                firsts.append(first)
                totals.append(total)
            result["concurrency"][str(c)] = {
                "ttft_s": statistics.median(firsts),
                "total_s": statistics.median(totals),
                "stream0_tokens": produced[0].tolist(),
            }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
