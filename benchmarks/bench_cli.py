"""Start-up and English end-to-end speed of the CLI, as medians side by side.

    python benchmarks/bench_cli.py [--runs 15]

Prints medians of process wall time (start to exit), runs interleaved, for:
  python -c pass                       the floor
  compare --help                       must stay within 0.3 s of the floor
  compare A B --fast (two English articles of 15 sentences)   target < 0.6 s
  compare A B (default mode), uncached: --no-cache              target <= 1.5x --fast
  compare A B (default mode), embeddings and translations cached: target within 0.2 s of --fast
The alignment runs use --no-findings (the framing stage's cost is bench_findings.py's).
It also says which heavy modules each run imported (never torch or transformers).
The caches live in a temporary folder; the encoder's converted model in the user's
model folder (converted once, during the warm-up run).
Timings on shared 2-core machines are noisy: read the differences and ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "transformers", "ctranslate2")  # ctranslate2 only where a model runs

A = """Leaders of twelve countries agreed on Friday on a trade deal worth $40 billion.
The agreement cuts tariffs on steel and grain over five years.
It was signed after two days of talks in Geneva.
"This is a historic day for our region," said Foreign Minister Anna Berg.
Negotiators failed to agree on rules for digital services.
Those talks will resume in March, officials said.
Protesters gathered outside the conference centre on Thursday.
Police said the protest was peaceful and no one was arrested.
The deal still needs approval from national parliaments.
Analysts said the tariff cuts could lift regional trade by 3 percent.
The host government spent $2 million on security.
Fishing quotas were left out of the final text.
Two delegations walked out briefly on Friday morning.
The next summit will be held in Tallinn in 2027.
Markets in the region rose slightly after the announcement."""

B = """Talks on digital services will continue in the spring, according to officials.
Negotiators from 12 nations reached an agreement worth about $35 billion on Friday.
The pact lowers duties on grain and steel.
The reductions will be phased in over five years.
Officials called it "a historic day" for the region.
Several hundred demonstrators rallied near the venue.
The agreement must still be ratified by parliaments.
Economists expect regional trade to grow by around 3 percent.
Fishing rights remained off the table.
Some delegates briefly left the room in protest on Friday.
Tallinn will host the next meeting in 2027.
Regional stock indices edged higher.
Security for the event cost the host about $2 million.
The summit took place in Geneva over two days.
Critics said the deal favours large exporters."""


def run_interleaved(cases: dict[str, list[str]], runs: int, env: dict[str, str]) -> dict[str, float]:
    """Median wall time per case; one run of each case per round, so drifts hit all alike."""
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, cmd in cases.items():
            t = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=env)
            times[name].append(time.perf_counter() - t)
    return {name: statistics.median(values) for name, values in times.items()}


def heavy_imports(args: list[str], env: dict[str, str]) -> list[str]:
    probe = (
        "import sys, contextlib, io\nfrom compare.cli import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()): main({args!r})\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r}))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1].replace("'", '"'))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "wire.txt", Path(tmp) / "review.txt"
        a.write_text(A, encoding="utf-8")
        b.write_text(B, encoding="utf-8")
        env = dict(os.environ, COMPARE_CACHE_DIR=str(Path(tmp) / "cache"))
        pair = [py, "-m", "compare", str(a), str(b), "--no-color", "--no-findings"]
        cases = {
            "python -c pass": [py, "-c", "pass"],
            "compare --help": [py, "-m", "compare", "--help"],
            "compare A B --fast": [*pair, "--fast"],
            "compare A B --no-cache": [*pair, "--no-cache"],
            "compare A B (cached)": pair,
        }
        for cmd in cases.values():  # warm the OS file cache, convert the encoder once, fill the caches
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=env)
        results = run_interleaved(cases, args.runs, env)
        floor = results["python -c pass"]
        print(f"{'case':<26}{'median s':>10}{'minus floor':>13}")
        for name, med in results.items():
            print(f"{name:<26}{med:>10.3f}{med - floor:>13.3f}")
        print()
        fast = results["compare A B --fast"]
        ratio = results["compare A B --no-cache"] / fast
        cached_gap = results["compare A B (cached)"] - fast
        print(f"--help within 0.3 s of python startup: {'yes' if results['compare --help'] - floor <= 0.3 else 'NO'}")
        print(f"English pair --fast under 0.6 s: {'yes' if fast < 0.6 else 'NO'}")
        print(f"default mode, uncached, / --fast: {ratio:.2f}x (target <= 1.5x): {'yes' if ratio <= 1.5 else 'NO'}")
        print(f"default mode, cached, - --fast: {cached_gap:+.3f} s (target <= 0.2 s): {'yes' if cached_gap <= 0.2 else 'NO'}")
        for label, cli_args in (
            ("--help", ["--help"]),
            ("A B --fast", [str(a), str(b), "--fast"]),
            ("A B --no-cache", [str(a), str(b), "--no-findings", "--no-cache"]),
            ("A B (cached)", [str(a), str(b), "--no-findings"]),
        ):
            print(f"heavy modules imported by compare {label}: {heavy_imports(cli_args, env) or 'none'}")


if __name__ == "__main__":
    main()
