#!/usr/bin/python3
"""Writes PyTorch reference values for Verigrid's language-model operators.

For each case: the operator kind and attrs exactly as io.verigrid.engine.Ops takes them, the inputs, an
upstream gradient, PyTorch's float32 output and the gradient of sum(upstream * output) (of the loss itself
for cross_entropy) with respect to each differentiable input. Verigrid's TorchGoldenOpsTest replays every
case and compares within the tolerances stated here.
It also writes torch_llama.json beside it: a tiny Llama (grouped-query heads, untied head) with random
weights under Hugging Face names, a token sequence and the logits of the Hugging Face Llama forward pass.
Usage: /usr/bin/python3 scripts/torch_golden_ops.py [engine/src/test/resources/golden/torch_ops.json]
"""
import json
import math
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

RNG = np.random.RandomState(20240)


def bits(value):
    return struct.unpack("<i", struct.pack("<f", value))[0]


def uniform(lo, hi, *shape):
    return torch.tensor(RNG.uniform(lo, hi, size=shape).astype(np.float32))


def encode(tensor):
    return None if tensor is None else {"shape": list(tensor.shape),
                                        "data": [float(x) for x in tensor.detach().reshape(-1).tolist()]}


CASES = []


def case(name, kind, attrs, inputs, differentiable, function, rtol=1e-5, atol=1e-6, loss=False):
    leaves = [x.clone().requires_grad_(d) for x, d in zip(inputs, differentiable)]
    out = function(*leaves)
    upstream = None
    if loss:
        out.backward()
    else:
        upstream = uniform(-1, 1, *out.shape)
        (out * upstream).sum().backward()
    CASES.append({
        "name": name, "kind": kind, "attrs": attrs, "rtol": rtol, "atol": atol,
        "inputs": [encode(x) for x in inputs], "differentiable": differentiable,
        "upstream": encode(upstream), "output": encode(out),
        "grads": [encode(leaf.grad) if d else None for leaf, d in zip(leaves, differentiable)],
    })


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope(x, batch, heads, theta, offset):
    """Hugging Face Llama's rotary embedding on (batch*seq, heads*hd) rows, batch-major."""
    rows, width = x.shape
    seq, hd = rows // batch, width // heads
    inv_freq = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
    positions = torch.arange(offset, offset + seq, dtype=torch.float32)
    freqs = positions[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[None, :, None, :], emb.sin()[None, :, None, :]
    x4 = x.view(batch, seq, heads, hd)
    return (x4 * cos + rotate_half(x4) * sin).reshape(rows, width)


def attention(q, k, v, batch, heads, kv_heads):
    """Causal grouped-query attention as Hugging Face Llama computes it (repeat_kv, then SDPA by hand)."""
    hd = q.shape[1] // heads
    t, s = q.shape[0] // batch, k.shape[0] // batch
    q4 = q.view(batch, t, heads, hd).transpose(1, 2)
    k4 = k.view(batch, s, kv_heads, hd).transpose(1, 2).repeat_interleave(heads // kv_heads, dim=1)
    v4 = v.view(batch, s, kv_heads, hd).transpose(1, 2).repeat_interleave(heads // kv_heads, dim=1)
    scores = (q4 @ k4.transpose(-2, -1)) / math.sqrt(hd)
    mask = torch.ones(t, s, dtype=torch.bool).tril(diagonal=s - t)
    p = scores.masked_fill(~mask, float("-inf")).softmax(dim=-1)
    return (p @ v4).transpose(1, 2).reshape(batch * t, heads * hd)


def rms_norm(x, w, eps):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def build():
    a, row, col = uniform(-1, 1, 2, 3, 4), uniform(0.5, 2, 4), uniform(0.5, 2, 3, 1)
    case("bcast_add", "bcast_add", [], [a, row], [True, True], lambda x, y: x + y)
    case("bcast_sub", "bcast_sub", [], [col, a], [True, True], lambda x, y: x - y)
    case("bcast_mul", "bcast_mul", [], [a, col], [True, True], lambda x, y: x * y)
    case("bcast_div", "bcast_div", [], [a, row], [True, True], lambda x, y: x / y)
    x = uniform(-3, 3, 3, 5)
    for kind, fn in [("exp", torch.exp), ("tanh", torch.tanh), ("sigmoid", torch.sigmoid), ("silu", F.silu),
                     ("gelu", lambda t: F.gelu(t, approximate="tanh")), ("neg", torch.neg)]:
        case(kind, kind, [], [x], [True], fn)
    case("log", "log", [], [uniform(0.5, 4, 3, 5)], [True], torch.log)
    r = uniform(-2, 2, 2, 3, 4)
    case("sum_axis", "sum_axis", [1, 0], [r], [True], lambda t: t.sum(1))
    case("mean_axis", "mean_axis", [2, 1], [r], [True], lambda t: t.mean(2, keepdim=True))
    case("max_axis", "max_axis", [0, 0], [r], [True], lambda t: t.max(0).values)
    s = uniform(-4, 4, 3, 6)
    case("softmax", "softmax", [], [s], [True], lambda t: t.softmax(-1))
    case("log_softmax", "log_softmax", [], [s], [True], lambda t: t.log_softmax(-1))
    logits, targets = uniform(-3, 3, 5, 7), torch.tensor([2.0, -100.0, 0.0, 6.0, 3.0])
    case("cross_entropy", "cross_entropy", [-100], [logits, targets], [True, False],
         lambda z, y: F.cross_entropy(z, y.long(), ignore_index=-100), loss=True)
    n, w, b = uniform(-2, 2, 2, 3, 8), uniform(0.5, 1.5, 8), uniform(-0.5, 0.5, 8)
    case("layer_norm", "layer_norm", [bits(1e-5)], [n, w, b], [True, True, True],
         lambda t, ww, bb: F.layer_norm(t, (8,), ww, bb, 1e-5), rtol=1e-5, atol=1e-5)
    case("rms_norm", "rms_norm", [bits(1e-6)], [n, w], [True, True], lambda t, ww: rms_norm(t, ww, 1e-6),
         rtol=1e-5, atol=1e-5)
    table, ids = uniform(-1, 1, 5, 3), torch.tensor([[1.0, 4.0, 1.0], [0.0, 1.0, 3.0]])
    case("embedding", "embedding", [5], [table, ids], [True, False], lambda tb, i: F.embedding(i.long(), tb))
    q = uniform(-1, 1, 2 * 5, 4 * 8)
    case("rope", "rope", [2, 4, bits(10000.0), 3, 0], [q], [True], lambda t: rope(t, 2, 4, 10000.0, 3),
         rtol=1e-5, atol=2e-5)
    case("rope_large_theta", "rope", [1, 2, bits(500000.0), 40, 0], [uniform(-1, 1, 6, 2 * 16)], [True],
         lambda t: rope(t, 1, 2, 500000.0, 40), rtol=1e-5, atol=2e-5)
    q, k, v = uniform(-1, 1, 2 * 5, 4 * 4), uniform(-1, 1, 2 * 5, 2 * 4), uniform(-1, 1, 2 * 5, 2 * 4)
    case("causal_attention", "causal_attention", [2, 4, 2], [q, k, v], [True, True, True],
         lambda a1, a2, a3: attention(a1, a2, a3, 2, 4, 2), rtol=1e-5, atol=1e-5)
    q1, k1, v1 = uniform(-1, 1, 2, 2 * 4), uniform(-1, 1, 5, 1 * 4), uniform(-1, 1, 5, 1 * 4)
    case("causal_attention_cached", "causal_attention", [1, 2, 1], [q1, k1, v1], [True, True, True],
         lambda a1, a2, a3: attention(a1, a2, a3, 1, 2, 1), rtol=1e-5, atol=1e-5)
    m = uniform(-1, 1, 2, 3, 4)
    case("permute", "permute", [3, 2, 0, 1, 0, 0, 0], [m], [True], lambda t: t.permute(2, 0, 1))
    case("slice", "slice", [1, 1, 2], [m], [True], lambda t: t[:, 1:3, :])
    case("concat", "concat", [2], [m, uniform(-1, 1, 2, 3, 2)], [True, True], lambda t, u: torch.cat((t, u), 2))


LLAMA = {"hidden_size": 16, "intermediate_size": 40, "num_hidden_layers": 2, "num_attention_heads": 4,
         "num_key_value_heads": 2, "vocab_size": 41, "max_position_embeddings": 16, "rms_norm_eps": 1e-6,
         "rope_theta": 10000.0, "tie_word_embeddings": False, "hidden_act": "silu", "model_type": "llama"}


def llama_weights():
    c = LLAMA
    d, kv, ff = c["hidden_size"], c["num_key_value_heads"] * c["hidden_size"] // c["num_attention_heads"], \
        c["intermediate_size"]
    shapes = {"model.embed_tokens.weight": (c["vocab_size"], d), "model.norm.weight": (d,),
              "lm_head.weight": (c["vocab_size"], d)}
    for l in range(c["num_hidden_layers"]):
        p = f"model.layers.{l}."
        shapes.update({p + "input_layernorm.weight": (d,), p + "post_attention_layernorm.weight": (d,),
                       p + "self_attn.q_proj.weight": (d, d), p + "self_attn.k_proj.weight": (kv, d),
                       p + "self_attn.v_proj.weight": (kv, d), p + "self_attn.o_proj.weight": (d, d),
                       p + "mlp.gate_proj.weight": (ff, d), p + "mlp.up_proj.weight": (ff, d),
                       p + "mlp.down_proj.weight": (d, ff)})
    return {name: (uniform(0.8, 1.2, *shape) if "norm" in name else uniform(-0.4, 0.4, *shape))
            for name, shape in sorted(shapes.items())}


def llama_forward(w, ids):
    """The Hugging Face LlamaForCausalLM forward pass (batch 1), written out with the helpers above."""
    c = LLAMA
    heads, kv_heads, eps = c["num_attention_heads"], c["num_key_value_heads"], c["rms_norm_eps"]
    x = w["model.embed_tokens.weight"][ids]
    for l in range(c["num_hidden_layers"]):
        p = lambda name: w[f"model.layers.{l}.{name}"]
        a = rms_norm(x, p("input_layernorm.weight"), eps)
        q = rope(a @ p("self_attn.q_proj.weight").t(), 1, heads, c["rope_theta"], 0)
        k = rope(a @ p("self_attn.k_proj.weight").t(), 1, kv_heads, c["rope_theta"], 0)
        v = a @ p("self_attn.v_proj.weight").t()
        x = x + attention(q, k, v, 1, heads, kv_heads) @ p("self_attn.o_proj.weight").t()
        m = rms_norm(x, p("post_attention_layernorm.weight"), eps)
        x = x + (F.silu(m @ p("mlp.gate_proj.weight").t()) * (m @ p("mlp.up_proj.weight").t())) \
            @ p("mlp.down_proj.weight").t()
    return rms_norm(x, w["model.norm.weight"], eps) @ w["lm_head.weight"].t()


if __name__ == "__main__":
    torch.manual_seed(0)
    build()
    path = sys.argv[1] if len(sys.argv) > 1 else "engine/src/test/resources/golden/torch_ops.json"
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "cases": CASES}, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(CASES)} cases to {path}")
    weights = llama_weights()
    ids = torch.tensor(RNG.randint(0, LLAMA["vocab_size"], size=12))
    llama_path = path.rsplit("/", 1)[0] + "/torch_llama.json" if "/" in path else "torch_llama.json"
    with open(llama_path, "w") as f:
        json.dump({"torch": torch.__version__, "config": LLAMA, "tokens": ids.tolist(),
                   "weights": {name: encode(t) for name, t in weights.items()},
                   "logits": encode(llama_forward(weights, ids))}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote the Llama forward pass to {llama_path}")
