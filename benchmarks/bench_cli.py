"""Start-up and English end-to-end speed of the CLI, as medians side by side.

    python benchmarks/bench_cli.py [--runs 15]

Prints medians of process wall time (start to exit) for:
  python -c pass                       the floor
  compare --help                       must stay within 0.3 s of the floor
  compare A B --fast (two English articles of 15 sentences)   target < 0.6 s
  compare A B (default alignment mode)
and which heavy modules each run imported (none of torch/transformers allowed).
Timings on shared 2-core machines are noisy: read the differences and ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "transformers", "ctranslate2")

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


def run(cmd: list[str], runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return statistics.median(times), times


def heavy_imports(args: list[str]) -> list[str]:
    probe = (
        "import sys, contextlib, io\nfrom compare.cli import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()): main({args!r})\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r}))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
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
        cases = {
            "python -c pass": [py, "-c", "pass"],
            "compare --help": [py, "-m", "compare", "--help"],
            "compare A B --fast": [py, "-m", "compare", str(a), str(b), "--fast", "--no-color"],
            "compare A B (default)": [py, "-m", "compare", str(a), str(b), "--no-color"],
        }
        for cmd in cases.values():  # warm the OS file cache and any lazy model files
            run(cmd, 1)
        results = {name: run(cmd, args.runs)[0] for name, cmd in cases.items()}
        floor = results["python -c pass"]
        print(f"{'case':<26}{'median s':>10}{'minus floor':>13}")
        for name, med in results.items():
            print(f"{name:<26}{med:>10.3f}{med - floor:>13.3f}")
        print()
        help_ok = results["compare --help"] - floor <= 0.3
        fast_ok = results["compare A B --fast"] < 0.6
        print(f"--help within 0.3 s of python startup: {'yes' if help_ok else 'NO'}")
        print(f"English pair --fast under 0.6 s: {'yes' if fast_ok else 'NO'}")
        for label, cli_args in (("--help", ["--help"]), ("A B --fast", [str(a), str(b), "--fast"]), ("A B", [str(a), str(b)])):
            print(f"heavy modules imported by compare {label}: {heavy_imports(cli_args) or 'none'}")


if __name__ == "__main__":
    main()
