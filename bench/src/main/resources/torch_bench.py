"""PyTorch CPU reference for `verigrid bench engine`: the same GEMM, GEMV and MLP train step, timed the same way.

Usage: /usr/bin/python3 torch_bench.py --threads N --gemm 256,512 --gemv 4096x4096,288x32000
                                      --warmup-ms MS --runs R --mlp IN,HIDDEN,CLASSES,BATCH
Prints one JSON object on stdout. Exits 3 with {"error": ...} when torch cannot be imported.
"""
import argparse
import json
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--gemm", default="")
    parser.add_argument("--gemv", default="")
    parser.add_argument("--warmup-ms", type=float, default=500)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--mlp", default="")
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
        seconds = median_seconds(lambda: torch.mm(a, b), args.warmup_ms, args.runs)
        out["gemm"][size] = {"seconds": seconds, "gflops": 2.0 * n ** 3 / seconds / 1e9}
    for shape in filter(None, args.gemv.split(",")):
        k, n = (int(d) for d in shape.split("x"))
        x = torch.rand(1, k) * 2 - 1
        w = torch.rand(k, n) * 2 - 1
        seconds = median_seconds(lambda: torch.mm(x, w), args.warmup_ms, args.runs)
        out["gemv"][shape] = {"seconds": seconds, "gb_s": 4.0 * k * n / seconds / 1e9}
    if args.mlp:
        dims = [int(d) for d in args.mlp.split(",")]
        out["mlp_step_seconds"] = mlp_step_seconds(torch, dims, args.warmup_ms, args.runs * 5)
    out["blas"] = blas_in_use(torch)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
