"""Sentence-encoder throughput: the numpy float32 reference vs the CTranslate2 int8 encoder
(not a test). Issue 12 expects at least 3x on 2 cores.

Sentences: the English texts of eval/real/events/*/*.txt, split naively on sentence
punctuation, the first --sentences of them. Each timing is a fresh encoder's cold
encode() of all of them (load and conversion excluded: the model is converted before
timing, into $COMPARE_MODELS_DIR or a temp folder); medians of --repeat runs, both
backends in the same run, interleaved.

    python benchmarks/bench_encoder.py
    python benchmarks/bench_encoder.py --sentences 480 --repeat 5
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
    args = parser.parse_args()
    if "COMPARE_MODELS_DIR" in os.environ:
        return run(args)
    with tempfile.TemporaryDirectory(prefix="bench-encoder-") as store:
        os.environ["COMPARE_MODELS_DIR"] = store
        return run(args)


def run(args: argparse.Namespace) -> int:
    from compare.embed import MiniLMEncoder

    texts = sentences(args.sentences)
    t = time.perf_counter()
    probe = MiniLMEncoder(backend="ct2").load()
    print(f"ct2 model ready in {time.perf_counter() - t:.1f} s (conversion on first use) "
          f"in {os.environ['COMPARE_MODELS_DIR']}")
    if probe.backend != "ct2":
        print(f"ct2 unavailable: {probe.fallback_reason}")
        return 1
    times: dict[str, list[float]] = {"numpy": [], "ct2": []}
    for _ in range(args.repeat):
        for backend in times:
            enc = MiniLMEncoder(backend=backend).load()  # loading is not what is timed
            t = time.perf_counter()
            enc.encode(texts)
            times[backend].append(time.perf_counter() - t)
    rate = {b: len(texts) / statistics.median(ts) for b, ts in times.items()}
    print(f"{len(texts)} sentences, medians of {args.repeat}, {os.cpu_count()} CPUs")
    for backend, ts in times.items():
        print(f"  {backend:6s} {rate[backend]:7.1f} sentences/s  (median {statistics.median(ts):.2f} s; "
              + ", ".join(f"{x:.2f}" for x in ts) + ")")
    ratio = rate["ct2"] / rate["numpy"]
    print(f"  ratio ct2/numpy: {ratio:.2f}x (target >= 3x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
