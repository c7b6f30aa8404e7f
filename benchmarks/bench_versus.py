"""This tree against an earlier revision: `compare A B` on two English 15-sentence articles, side by side.

    python benchmarks/bench_versus.py --ref af94f66 [--runs 15] [--mode default|fast]

Checks the revision out into a temporary git worktree and runs both CLIs with the same
Python (the same installed packages), alternating run by run so that machine noise hits
both alike. Prints each side's median process time and their ratio. Issue 10's speed
target: the new aligner within 1.5x of the code before it (--ref af94f66) in default mode.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_cli import A, B  # noqa: E402  the same two articles as the start-up benchmark


def timed(cmd: list[str], cwd: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(cwd))
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", required=True, help="git revision to compare against")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--mode", choices=["default", "fast"], default="default")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "ref"
        subprocess.run(["git", "worktree", "add", "--detach", str(old), args.ref], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            a, b = Path(tmp) / "wire.txt", Path(tmp) / "review.txt"
            a.write_text(A, encoding="utf-8")
            b.write_text(B, encoding="utf-8")
            cmd = [sys.executable, "-m", "compare", str(a), str(b), "--no-color", "--no-cache"]
            if args.mode == "fast":
                cmd.append("--fast")
            sides = {"this tree": ROOT, args.ref: old}
            for cwd in sides.values():  # each side must import its own code, not the installed one
                env = dict(os.environ, PYTHONPATH=str(cwd))
                where = subprocess.run([sys.executable, "-c", "import compare; print(compare.__file__)"], cwd=cwd,
                                       env=env, capture_output=True, text=True, check=True).stdout.strip()
                if not Path(where).resolve().is_relative_to(cwd.resolve()):
                    raise SystemExit(f"bench_versus: {cwd} imports compare from {where}")
            for cwd in sides.values():  # warm the file cache and the encoder's converted weights
                timed(cmd, cwd)
            times: dict[str, list[float]] = {name: [] for name in sides}
            for _ in range(args.runs):
                for name, cwd in sides.items():
                    times[name].append(timed(cmd, cwd))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    med = {name: statistics.median(t) for name, t in times.items()}
    print(f"compare A B ({args.mode} mode, two English 15-sentence articles), {args.runs} runs each, alternating")
    for name, value in med.items():
        print(f"  {name:<12} median {value:.3f} s")
    ratio = med["this tree"] / med[args.ref]
    print(f"  ratio this tree / {args.ref}: {ratio:.2f}")


if __name__ == "__main__":
    main()
