"""Sentence-encoder throughput: the numpy float32 reference vs the CTranslate2 int8 encoder
(not a test). Issue 12 expects at least 3x on 2 cores.

Sentences: the English texts of eval/real/events/*/*.txt, split naively on sentence
punctuation, the first --sentences of them. Each timing is a fresh encoder's cold
encode() of all of them (load and conversion excluded: the model is converted before
timing, into $COMPARE_MODELS_DIR or a temp folder); medians of --repeat runs, both
backends in the same run, interleaved.

    python benchmarks/bench_encoder.py
    python benchmarks/bench_encoder.py --sentences 480 --repeat 5
    python benchmarks/bench_encoder.py --device cuda    # also CTranslate2 on the GPU
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def sentences(limit: int) -> list[str]:
    out: list[str] = []
    for path in sorted((ROOT / "eval" / "real" / "events").glob("*/*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for part in re.split(r"(?<=[.!?])\s+|\n+", text):
            part = part.strip()
            if len(part.split()) >= 4 and part.isascii():  # English-looking, not a heading
                out.append(part)
    out = list(dict.fromkeys(out))
    if len(out) < limit:
        raise SystemExit(f"only {len(out)} sentences found under eval/real/events")
    return out[:limit]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=240)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                        help="cuda: also time the CTranslate2 encoder on the GPU (int8_float16)")
    parser.add_argument("--no-reference", action="store_true",
                        help="leave out the numpy float32 encoder (cosines then compare with CPU int8)")
    args = parser.parse_args()
    if "COMPARE_MODELS_DIR" in os.environ:
        return run(args)
    with tempfile.TemporaryDirectory(prefix="bench-encoder-") as store:
        os.environ["COMPARE_MODELS_DIR"] = store
        return run(args)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from compare.embed import MiniLMEncoder

    texts = sentences(args.sentences)
    t = time.perf_counter()
    probe = MiniLMEncoder(backend="ct2").load()
    print(f"ct2 model ready in {time.perf_counter() - t:.1f} s (conversion on first use) "
          f"in {os.environ['COMPARE_MODELS_DIR']}")
    if probe.backend != "ct2":
        print(f"ct2 unavailable: {probe.fallback_reason}")
        return 1
    systems = {"numpy": ("numpy", "cpu"), "ct2": ("ct2", "cpu")}
    if args.no_reference:
        del systems["numpy"]
    if args.device == "cuda":
        systems["ct2-cuda"] = ("ct2", "cuda")
        MiniLMEncoder(backend="ct2", device="cuda").encode(texts[:32])  # CUDA start-up is not timed
    times: dict[str, list[float]] = {name: [] for name in systems}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(args.repeat):
        for name, (backend, device) in systems.items():
            enc = MiniLMEncoder(backend=backend, device=device).load()  # loading is not what is timed
            t = time.perf_counter()
            vectors[name] = enc.encode(texts)
            times[name].append(time.perf_counter() - t)
    rate = {b: len(texts) / statistics.median(ts) for b, ts in times.items()}
    print(f"{len(texts)} sentences, medians of {args.repeat}, {os.cpu_count()} CPUs")
    reference = next(iter(systems))  # numpy, or the CPU int8 encoder with --no-reference
    for name, ts in times.items():
        cosine = (vectors[name] * vectors[reference]).sum(axis=1)
        print(f"  {name:8s} {rate[name]:8.1f} sentences/s  (median {statistics.median(ts):.2f} s; "
              + ", ".join(f"{x:.2f}" for x in ts) + f"); cosine to {reference} min {cosine.min():.4f} "
              f"mean {cosine.mean():.4f}")
    if "numpy" in rate:
        print(f"  ratio ct2/numpy: {rate['ct2'] / rate['numpy']:.2f}x (target >= 3x)")
    if "ct2-cuda" in rate:
        print(f"  ratio ct2-cuda/ct2: {rate['ct2-cuda'] / rate['ct2']:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
