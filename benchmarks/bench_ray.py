"""The Ray executor against the local one, and each stage's cost per sentence (docs/scale.md).

    python benchmarks/bench_ray.py [--runs 3] [--stories 20] [--outlets 4] [--no-translate]

1. Start-up: `ray start --head` of a local 2-CPU cluster, timed apart.
2. The batch benchmark's 20 stories x 4 outlets (benchmarks/bench_batch.py) with warm caches,
   runs interleaved, medians: `--jobs 2` against `--executor ray --ray-address auto` (the
   cluster is up); target: Ray adds at most 30%. Also `--executor ray` starting its own cluster.
3. Per-stage costs on this machine, in one process: reading and splitting sentences, translating
   (CTranslate2 int8, beam 4, two threads, the full-size opus-mt architecture with random
   weights, as benchmarks/bench_translate.py builds it), encoding (MiniLM int8, sentence and
   word-piece vectors), and comparing (alignment, diff, findings and both reports, with warm
   caches), each per sentence, for the projection in docs/scale.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_batch import build, timed  # noqa: E402


def ray_cli() -> str:
    return str(Path(sys.executable).with_name("ray"))


def stages(folder: Path, env: dict[str, str], translate: bool) -> None:
    os.environ.update({k: v for k, v in env.items() if k.startswith("COMPARE_")})
    from compare.batch import find_stories
    from compare.batch.run import BatchOptions, compare_story, read_story, story_settings
    from compare.embed import MiniLMEncoder
    from compare.pipeline import segment_sources

    stories = find_stories(folder)
    options = BatchOptions()
    start = time.perf_counter()
    prepared = []
    for story in stories:
        compare, _ = story_settings(story, options)
        sources = read_story(story, compare, Path(tempfile.gettempdir()), [])
        prepared.append((story, sources, compare, segment_sources(sources, compare)))
    read_s = time.perf_counter() - start
    texts = [t for *_, segs in prepared for seg in segs for t in seg.texts]
    n = len(texts)
    print(f"per sentence ({n} sentences of {len(stories)} stories):")
    print(f"  read and split:  {1000 * read_s / n:6.2f} ms  ({n / read_s:,.0f} sentences/s)")
    unique = list(dict.fromkeys(texts))  # the stories share events: encode each text once, as the caches do
    encoder = MiniLMEncoder(backend="ct2")
    encoder.vectors(["A sentence to load the encoder."], tokens=True)
    start = time.perf_counter()
    encoder.vectors(unique, tokens=True)
    enc_s = time.perf_counter() - start
    print(f"  encode (int8):   {1000 * enc_s / len(unique):6.2f} ms  ({len(unique) / enc_s:,.0f} sentences/s over "
          f"{len(unique)} distinct sentences, word pieces too)")
    for story, sources, compare, _ in prepared[:2]:  # warm-up: caches and lazy loads
        compare_story(story, sources, compare)
    start = time.perf_counter()
    for story, sources, compare, _ in prepared:
        compare_story(story, sources, compare)
    cmp_s = time.perf_counter() - start
    pairs = sum(len(s) * (len(s) - 1) // 2 for *_, s in prepared)
    print(f"  compare (cached): {1000 * cmp_s / n:5.2f} ms  ({cmp_s / len(prepared):.2f} s a story of "
          f"{len(prepared[0][3])} outlets, {pairs / len(prepared):.0f} pairs)")
    if translate:
        import bench_translate as bt

        with tempfile.TemporaryDirectory() as tmp:
            _, int8, _, _ = bt.stored_models(Path(tmp) / "model")
            inputs = bt.make_inputs(200)
            rate = bt.run_ct2(int8, inputs, beam=4, device="cpu", compute_type="int8", threads=2, repeats=2)
        print(f"  translate (int8, beam 4, 2 threads): {1000 / rate:6.1f} ms  ({rate:.1f} sentences/s; "
              "random full-size opus-mt weights, 10-40 tokens)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stories", type=int, default=20)
    parser.add_argument("--outlets", type=int, default=4)
    parser.add_argument("--no-translate", action="store_true", help="skip the translation stage (builds a model)")
    parser.add_argument("--stages-only", action="store_true", help="only the per-stage costs (no cluster)")
    args = parser.parse_args()
    if args.stages_only:
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "COMPARE_CACHE_DIR": str(Path(tmp) / "cache")}
            stages(build(Path(tmp) / "stories", args.stories, args.outlets), env, translate=not args.no_translate)
        return
    compare = [sys.executable, "-m", "compare", "batch"]
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        env = {**os.environ, "COMPARE_CACHE_DIR": str(base / "cache"), "CI": "true", "RAY_USAGE_STATS_ENABLED": "0"}
        folder = build(base / "stories", args.stories, args.outlets)
        local = [*compare, str(folder), "--out", str(base / "local"), "--jobs", "2"]
        timed(local, env)  # warm-up: fills the embedding cache
        start = time.perf_counter()
        subprocess.run([ray_cli(), "start", "--head", "--num-cpus", "2", "--include-dashboard", "false",
                        "--disable-usage-stats"], env=env, check=True, capture_output=True)
        up = time.perf_counter() - start
        try:
            attached = [*compare, str(folder), "--out", str(base / "ray"), "--executor", "ray", "--ray-address", "auto"]
            timed(attached, env)  # warm-up of the cluster's workers
            times: dict[str, list[float]] = {"local": [], "ray": []}
            for _ in range(args.runs):
                times["local"].append(timed(local, env))
                times["ray"].append(timed(attached, env))
        finally:
            start = time.perf_counter()
            subprocess.run([ray_cli(), "stop", "--force"], env=env, capture_output=True)
            down = time.perf_counter() - start
        own = [*compare, str(folder), "--out", str(base / "own"), "--executor", "ray"]
        alone = statistics.median(timed(own, env) for _ in range(args.runs))
        lo, ra = statistics.median(times["local"]), statistics.median(times["ray"])
        same = all((base / "local" / p).read_bytes() == (base / "ray" / p).read_bytes()
                   for p in ("run.json", "index.html", "summary.md", "story-00/result.json"))
        print(f"{args.stories} stories x {args.outlets} outlets, warm caches, medians of {args.runs}:")
        print(f"  --jobs 2: {lo:.1f} s   --executor ray (cluster up): {ra:.1f} s   ratio {ra / lo:.2f} (target <= 1.3)")
        print(f"  ray start --head: {up:.1f} s, ray stop: {down:.1f} s; --executor ray starting its own cluster: {alone:.1f} s")
        print(f"  outputs identical to the local executor's: {same}")
        shutil.rmtree(base / "cache", ignore_errors=True)
        stages(folder, env, translate=not args.no_translate)


if __name__ == "__main__":
    main()
