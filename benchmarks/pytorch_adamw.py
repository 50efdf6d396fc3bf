#!/usr/bin/env python3
"""PyTorch CPU AdamW on the same parameter sets as StepBenchmark (benchmarks/README.md).

Times optimizer.step() (which includes PyTorch's parameter update, the counterpart of DL4J's params -= update) for
torch.optim.AdamW with its default kernel and with foreach=True (--variants also takes single-tensor, which in
torch 1.13 is the default's code), float32, on 2^24 and 2^20 values in one tensor and on the ResNet-34 (width 46)
tensor list, weights decayed, BatchNorm and bias not. Prints ns/parameter and writes JSON (path printed).
Usage: python3 benchmarks/pytorch_adamw.py [--threads 2] [--shapes 16M,16.7M,1M,resnet] [--seconds 1]
[--iterations 5] [--out FILE]

PyTorch allocates its step's temporaries anew every step. With glibc's default malloc, blocks of this size are
mmap'ed and returned to the OS each time, and the page faults roughly double PyTorch's time at 16M values; a caching
allocator avoids that. So measure both ways, e.g. once as is and once with
MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=4294967296 (or jemalloc via LD_PRELOAD); the settings are
printed and recorded in the JSON.
"""
import argparse
import datetime
import json
import os
import time

import torch


def resnet34(w=46, classes=1000):
    """(length, decayed) of each parameter tensor; mirrors Shapes.resNet34 in StepBenchmark's module."""
    t = []

    def conv(weights, channels):
        t.extend([(weights, True), (channels, False), (channels, False)])

    conv(w * 3 * 7 * 7, w)
    cin = w
    for stage, depth in enumerate([3, 4, 6, 3]):
        c = w << stage
        for _ in range(depth):
            conv(c * cin * 9, c)
            conv(c * c * 9, c)
            if cin != c:
                conv(c * cin, c)
            cin = c
    t.append((cin * classes, True))
    t.append((classes, False))
    return t


SHAPES = {"16M": [(1 << 24, True)], "16.7M": [(16_700_000, True)], "1M": [(1 << 20, True)], "resnet": resnet34()}


def make(shape, variant, lr=1e-3, wd=0.01):
    gen = torch.Generator().manual_seed(42)
    params = []
    for n, decayed in SHAPES[shape]:
        p = torch.nn.Parameter(torch.rand(n, generator=gen) - 0.5)
        p.grad = torch.randn(n, generator=gen) * 1e-2
        params.append((p, decayed))
    groups = [{"params": [p for p, d in params if d], "weight_decay": wd},
              {"params": [p for p, d in params if not d], "weight_decay": 0.0}]
    groups = [g for g in groups if g["params"]]
    kwargs = {} if variant == "default" else {"foreach": variant == "foreach"}
    return torch.optim.AdamW(groups, lr=lr, **kwargs), sum(n for n, _ in SHAPES[shape])


def measure(opt, seconds, iterations, warmup):
    def run_for(sec):
        steps, t0 = 0, time.perf_counter()
        while True:
            opt.step()
            steps += 1
            el = time.perf_counter() - t0
            if el >= sec:
                return el / steps
    for _ in range(warmup):
        run_for(seconds)
    per = [run_for(seconds) for _ in range(iterations)]
    return sum(per) / len(per), min(per), max(per)


def main():
    ap = argparse.ArgumentParser()
    # the CPU kernel's rule (ParallelLoop): -Dadamw.threads, else OMP_NUM_THREADS, else every processor
    ap.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS") or os.cpu_count()),
                    help="threads for PyTorch (default: OMP_NUM_THREADS, else every processor, as the Java side)")
    ap.add_argument("--shapes", default="16M,16.7M,1M,resnet")
    ap.add_argument("--variants", default="default,foreach")
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--iterations", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "target",
                                                  "pytorch-adamw-" + datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
                                                  + ".json"))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    rows = []
    allocator = {k: os.environ[k] for k in sorted(os.environ) if k.startswith("MALLOC_") or k == "LD_PRELOAD"}
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; allocator settings: {allocator or 'glibc defaults'}")
    print(f"{'shape':7} {'variant':14} {'ms/step':>9} {'ns/param':>9}")
    for shape in a.shapes.split(","):
        for variant in a.variants.split(","):
            opt, n = make(shape, variant)
            mean, lo, hi = measure(opt, a.seconds, a.iterations, a.warmup)
            row = {"shape": shape, "variant": "torch-adamw-" + variant, "params": n, "msPerStep": mean * 1e3,
                   "msPerStepMin": lo * 1e3, "msPerStepMax": hi * 1e3, "nsPerParam": mean * 1e9 / n}
            rows.append(row)
            print(f"{shape:7} {variant:14} {mean * 1e3:9.3f} {mean * 1e9 / n:9.3f}", flush=True)
            del opt
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump({"torch": torch.__version__, "threads": torch.get_num_threads(), "dtype": "float32",
                   "allocator": allocator or "glibc defaults",
                   "date": datetime.datetime.now().isoformat(), "results": rows}, f, indent=2)
    print("Results:", os.path.abspath(a.out))


if __name__ == "__main__":
    main()
