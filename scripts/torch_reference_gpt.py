#!/usr/bin/python3
"""PyTorch reference for Verigrid's GPT training run (run with Debian's /usr/bin/python3, torch 1.13).

Reads what io.verigrid.engine.LossCurveCompare writes into DIR:
  job.json             model config and AdamW / schedule hyperparameters
  init.safetensors     initial weights under Hugging Face GPT-2 names (F32, Conv1D weights (in, out))
  tokens.i32           the dataset: little-endian int32, shape (sequences, seq_len + 1)
trains the same model with the same data order, schedule, clipping and AdamW, and prints one line per step:
  step <s> loss <value> ms <the step's wall time in milliseconds>
Usage: /usr/bin/python3 scripts/torch_reference_gpt.py DIR
"""
import json
import math
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_len])
    base = 8 + header_len
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise ValueError(f"{name}: expected F32, got {info['dtype']}")
        begin, end = info["data_offsets"]
        array = np.frombuffer(data[base + begin:base + end], dtype="<f4").reshape(info["shape"])
        tensors[name] = torch.tensor(array.copy())
    return tensors


def learning_rate(job, step):
    peak, low, warmup, total = job["lr_peak"], job["lr_min"], job["warmup"], job["steps"]
    if step <= warmup:
        return peak * step / warmup
    if total == warmup:
        return peak
    progress = (step - warmup) / (total - warmup)
    return low + (peak - low) * 0.5 * (1.0 + math.cos(math.pi * progress))


def forward(p, ids, job):
    batch, seq = ids.shape
    d, heads = job["n_embd"], job["n_head"]
    eps = job["layer_norm_epsilon"]
    x = p["transformer.wte.weight"][ids] + p["transformer.wpe.weight"][:seq]
    mask = torch.ones(seq, seq, dtype=torch.bool).tril()
    for layer in range(job["n_layer"]):
        h = lambda name: p[f"transformer.h.{layer}.{name}"]
        a = F.layer_norm(x, (d,), h("ln_1.weight"), h("ln_1.bias"), eps)
        qkv = a @ h("attn.c_attn.weight") + h("attn.c_attn.bias")
        q, k, v = qkv.split(d, dim=2)
        q, k, v = (t.view(batch, seq, heads, d // heads).transpose(1, 2) for t in (q, k, v))
        scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d // heads))
        scores = scores.masked_fill(~mask, float("-inf"))
        y = (scores.softmax(dim=-1) @ v).transpose(1, 2).reshape(batch, seq, d)
        x = x + y @ h("attn.c_proj.weight") + h("attn.c_proj.bias")
        m = F.layer_norm(x, (d,), h("ln_2.weight"), h("ln_2.bias"), eps)
        hidden = F.gelu(m @ h("mlp.c_fc.weight") + h("mlp.c_fc.bias"), approximate="tanh")
        x = x + hidden @ h("mlp.c_proj.weight") + h("mlp.c_proj.bias")
    x = F.layer_norm(x, (d,), p["transformer.ln_f.weight"], p["transformer.ln_f.bias"], eps)
    head = p["transformer.wte.weight"] if job["tie_word_embeddings"] else p["lm_head.weight"]
    return x @ head.t()


def main(directory):
    torch.set_num_threads(1)
    with open(f"{directory}/job.json") as f:
        job = json.load(f)
    params = {name: t.requires_grad_(True) for name, t in read_safetensors(f"{directory}/init.safetensors").items()}
    tokens = np.fromfile(f"{directory}/tokens.i32", dtype="<i4").reshape(job["sequences"], job["seq_len"] + 1)
    tokens = torch.tensor(tokens.astype(np.int64))
    names = sorted(params)
    decay = [params[n] for n in names if params[n].dim() >= 2]
    no_decay = [params[n] for n in names if params[n].dim() < 2]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": job["weight_decay"]}, {"params": no_decay, "weight_decay": 0.0}],
        lr=job["lr_peak"], betas=(job["beta1"], job["beta2"]), eps=job["eps"])
    batch, seq, sequences = job["batch"], job["seq_len"], job["sequences"]
    for step in range(1, job["steps"] + 1):
        began = time.perf_counter()
        start = ((step - 1) * batch) % sequences
        rows = tokens[[(start + r) % sequences for r in range(batch)]]
        logits = forward(params, rows[:, :seq], job)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), rows[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        if job["clip_norm"] > 0:
            torch.nn.utils.clip_grad_norm_([params[n] for n in names], job["clip_norm"])
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(job, step)
        optimizer.step()
        value = loss.item()
        millis = (time.perf_counter() - began) * 1e3
        print(f"step {step} loss {value:.7f} ms {millis:.3f}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
