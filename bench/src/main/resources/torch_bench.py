"""PyTorch CPU reference for `verigrid bench engine`: the same GEMM, GEMV and MLP train step, timed the same way.

Usage: /usr/bin/python3 torch_bench.py --threads N --gemm 256,512 --gemv 4096x4096,288x32000
                                      --warmup-ms MS --runs R --model-runs R2 --mlp IN,HIDDEN,CLASSES,BATCH
                                      --llama NAME:DIM,HIDDEN,LAYERS,HEADS,KV_HEADS,VOCAB,BATCH,SEQ,TRAIN,SEED;...
The Llama workloads regenerate Verigrid's seeded weights bit for bit (BenchLlama.java: the same integer hash and
float32 steps) and report a bit checksum of them, so the bench can show both sides ran the same weights.
GEMMs run twice, as on Verigrid's side: into one reused output (torch.mm(out=), sgemm's contract) and with a new
output per call. Prints one JSON object on stdout. Exits 3 with {"error": ...} when torch cannot be imported.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time


def blas_in_use(torch):
    """Which BLAS library this process really loaded (after a matmul), and what torch was built against."""
    libs = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                name = os.path.basename(path)
                if any(tag in name for tag in ("blas", "mkl", "blis", "atlas")):
                    libs.add(os.path.realpath(path))
    except OSError:
        pass
    built = ""
    for line in torch.__config__.show().splitlines():
        if "BLAS_INFO" in line:
            built = [part.strip() for part in line.split(",") if "BLAS_INFO" in part][0]
    return {"loaded": sorted(libs), "build": built}


def median_seconds(fn, warmup_ms, runs):
    """Runs fn for at least warmup_ms, then `runs` timed calls; the median wall time in seconds."""
    start = time.perf_counter()
    while (time.perf_counter() - start) * 1000 < warmup_ms:
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def mlp_step_seconds(torch, dims, warmup_ms, runs):
    """The demo MLP (matmul, bias, relu, matmul, bias, softmax cross-entropy, backward, momentum SGD)."""
    inp, hidden, classes, batch = dims
    gen = torch.Generator().manual_seed(7)
    w1 = (torch.randn(inp, hidden, generator=gen) * 0.1).requires_grad_()
    b1 = torch.zeros(hidden, requires_grad=True)
    w2 = (torch.randn(hidden, classes, generator=gen) * 0.1).requires_grad_()
    b2 = torch.zeros(classes, requires_grad=True)
    x = torch.randn(batch, inp, generator=gen)
    y = torch.randint(0, classes, (batch,), generator=gen)
    opt = torch.optim.SGD([w1, b1, w2, b2], lr=0.05, momentum=0.9)

    def step():
        opt.zero_grad(set_to_none=True)
        logits = torch.relu(x @ w1 + b1) @ w2 + b2
        torch.nn.functional.cross_entropy(logits, y).backward()
        opt.step()

    return median_seconds(step, warmup_ms, runs)


MASK = 0xFFFFFFFF


def bench_hash(torch, seed, tensor, index):
    """BenchLlama.hash over an int64 index tensor: every product stays below 2**63."""
    h = (index * 0x2545F491 + tensor * 0x3C6EF372 + seed * 0x1B873593) & MASK
    h = h ^ (h >> 15)
    h = (h * 0x2C1B3C6D) & MASK
    h = h ^ (h >> 12)
    h = (h * 0x297A2D39) & MASK
    return h ^ (h >> 15)


def llama_shapes(dim, hidden, layers, kv):
    """LlamaModel.parameterShapes for a tied classifier, in the same (sorted name) order."""
    shapes = {"model.embed_tokens.weight": None, "model.norm.weight": (dim,)}
    for l in range(layers):
        p = "model.layers.%d." % l
        shapes.update({p + "input_layernorm.weight": (dim,), p + "self_attn.q_proj.weight": (dim, dim),
                       p + "self_attn.k_proj.weight": (kv, dim), p + "self_attn.v_proj.weight": (kv, dim),
                       p + "self_attn.o_proj.weight": (dim, dim), p + "post_attention_layernorm.weight": (dim,),
                       p + "mlp.gate_proj.weight": (hidden, dim), p + "mlp.up_proj.weight": (hidden, dim),
                       p + "mlp.down_proj.weight": (dim, hidden)})
    return shapes


def llama_weights(torch, spec):
    """The seeded weights of BenchLlama.weights, bit for bit, and their int32-bit checksum."""
    shapes = llama_shapes(spec["dim"], spec["hidden"], spec["layers"], spec["kv_heads"] * spec["dim"] // spec["heads"])
    shapes["model.embed_tokens.weight"] = (spec["vocab"], spec["dim"])
    weights = {}
    checksum = 0
    for t, name in enumerate(sorted(shapes)):
        shape = shapes[name]
        count = 1
        for d in shape:
            count *= d
        if name.endswith("norm.weight"):
            w = torch.ones(shape, dtype=torch.float32)
        else:
            h = bench_hash(torch, spec["seed"], t, torch.arange(count, dtype=torch.int64))
            u = (h >> 8).to(torch.float32) * (2.0 ** -24)
            scale = torch.tensor(1.0 / math.sqrt(shape[-1]), dtype=torch.float32)
            w = ((u * 2.0 - 1.0) * scale).reshape(shape)
        checksum += int(w.view(torch.int32).to(torch.int64).sum())
        weights[name] = w
    return weights, checksum


def rope_tables(torch, seq, head_dim, theta=10000.0):
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
    angles = torch.arange(seq, dtype=torch.float32)[:, None] * inv_freq[None, :]
    return torch.cos(angles), torch.sin(angles)


def rope(torch, x, cos, sin):
    """Hugging Face rotate_half on (batch, heads, seq, head_dim)."""
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat((x1 * cos - x2 * sin, x2 * cos + x1 * sin), dim=-1)


def llama_forward(torch, w, spec, ids, tables, eps=1e-5):
    """LlamaModel.forward in eager PyTorch: RMSNorm, RoPE, grouped-query causal attention, SwiGLU, tied head."""
    batch, seq = spec["batch"], spec["seq"]
    dim, heads, kv = spec["dim"], spec["heads"], spec["kv_heads"]
    hd = dim // heads
    cos, sin = tables
    mask = torch.full((seq, seq), float("-inf")).triu(1)

    def norm(x, weight):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight

    x = w["model.embed_tokens.weight"][ids]
    for l in range(spec["layers"]):
        p = "model.layers.%d." % l
        a = norm(x, w[p + "input_layernorm.weight"])
        q = (a @ w[p + "self_attn.q_proj.weight"].t()).view(batch, seq, heads, hd).transpose(1, 2)
        k = (a @ w[p + "self_attn.k_proj.weight"].t()).view(batch, seq, kv, hd).transpose(1, 2)
        v = (a @ w[p + "self_attn.v_proj.weight"].t()).view(batch, seq, kv, hd).transpose(1, 2)
        q, k = rope(torch, q, cos, sin), rope(torch, k, cos, sin)
        if kv != heads:
            k = k.repeat_interleave(heads // kv, dim=1)
            v = v.repeat_interleave(heads // kv, dim=1)
        scores = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(hd)) + mask
        att = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(batch * seq, dim)
        x = x + att @ w[p + "self_attn.o_proj.weight"].t()
        m = norm(x, w[p + "post_attention_layernorm.weight"])
        gate = torch.nn.functional.silu(m @ w[p + "mlp.gate_proj.weight"].t())
        x = x + (gate * (m @ w[p + "mlp.up_proj.weight"].t())) @ w[p + "mlp.down_proj.weight"].t()
    return norm(x, w["model.norm.weight"]) @ w["model.embed_tokens.weight"].t()


def llama_seconds(torch, spec, warmup_ms, runs):
    """A forward (batch·seq tokens to logits) or one AdamW training step with clipping, as Verigrid runs it."""
    weights, checksum = llama_weights(torch, spec)
    count = spec["batch"] * spec["seq"]
    stream = torch.tensor([(i * 7919 + 13) % spec["vocab"] for i in range(count + 1)], dtype=torch.int64)
    tables = rope_tables(torch, spec["seq"], spec["dim"] // spec["heads"])
    out = {"weights_bit_checksum": checksum}
    if not spec["train"]:
        ids = stream[:count]
        with torch.no_grad():
            out["logits_sum_squares"] = float(llama_forward(torch, weights, spec, ids, tables).double().pow(2).sum())
            out["seconds"] = median_seconds(lambda: llama_forward(torch, weights, spec, ids, tables), warmup_ms, runs)
        return out
    # LmJob.windows: one window of seq + 1 tokens per sequence, starting every seq tokens.
    rows = torch.stack([stream[b * spec["seq"]: b * spec["seq"] + spec["seq"] + 1] for b in range(spec["batch"])])
    ids, targets = rows[:, :-1].reshape(-1), rows[:, 1:].reshape(-1)
    params = {name: t.clone().requires_grad_() for name, t in weights.items()}
    decay = [t for name, t in params.items() if t.dim() >= 2]
    no_decay = [t for name, t in params.items() if t.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-3, betas=(0.9, 0.95), eps=1e-8)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(llama_forward(torch, params, spec, ids, tables), targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(params.values()), 1.0)
        opt.step()
        return loss

    with torch.no_grad():
        out["loss"] = float(torch.nn.functional.cross_entropy(llama_forward(torch, weights, spec, ids, tables), targets))
    out["seconds"] = median_seconds(step, warmup_ms, runs)
    return out


def parse_llama(text):
    name, dims = text.split(":")
    keys = ("dim", "hidden", "layers", "heads", "kv_heads", "vocab", "batch", "seq", "train", "seed")
    spec = dict(zip(keys, (int(d) for d in dims.split(","))))
    spec["name"] = name
    return spec


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--gemm", default="")
    parser.add_argument("--gemv", default="")
    parser.add_argument("--warmup-ms", type=float, default=500)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--mlp", default="")
    parser.add_argument("--llama", default="")
    parser.add_argument("--model-runs", type=int, default=5)
    args = parser.parse_args()
    try:
        import torch
    except ImportError as error:
        print(json.dumps({"error": "torch is not installed for " + sys.executable + ": " + str(error)}))
        sys.exit(3)

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "python": sys.version.split()[0],
           "gemm": {}, "gemv": {}}
    for size in filter(None, args.gemm.split(",")):
        n = int(size)
        a = torch.rand(n, n) * 2 - 1
        b = torch.rand(n, n) * 2 - 1
        c = torch.empty(n, n)
        seconds = median_seconds(lambda: torch.mm(a, b, out=c), args.warmup_ms, args.runs)
        new_output = median_seconds(lambda: torch.mm(a, b), args.warmup_ms, args.runs)
        out["gemm"][size] = {"seconds": seconds, "gflops": 2.0 * n ** 3 / seconds / 1e9,
                             "new_output_seconds": new_output}
    for shape in filter(None, args.gemv.split(",")):
        k, n = (int(d) for d in shape.split("x"))
        x = torch.rand(1, k) * 2 - 1
        w = torch.rand(k, n) * 2 - 1
        seconds = median_seconds(lambda: torch.mm(x, w), args.warmup_ms, args.runs)
        out["gemv"][shape] = {"seconds": seconds, "gb_s": 4.0 * k * n / seconds / 1e9}
    if args.mlp:
        dims = [int(d) for d in args.mlp.split(",")]
        out["mlp_step_seconds"] = mlp_step_seconds(torch, dims, args.warmup_ms, args.runs * 5)
    out["llama"] = {}
    for text in filter(None, args.llama.split(";")):
        spec = parse_llama(text)
        out["llama"][spec["name"]] = llama_seconds(torch, spec, args.warmup_ms, args.model_runs)
    out["blas"] = blas_in_use(torch)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
