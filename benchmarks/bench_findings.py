"""What framing findings cost (issue 11), measured side by side in one process (not a test).

Scenarios, each run with --no-findings and with every finding type, alternating:
- pair:  the two English samples (17 sentences each), `compare A B` in a fresh process each time
         (imports, first use of every rule: what a user waits for); target: findings add at most 1 s
- many:  50 documents of 60 synthetic sentences (bench_align.py's), all 1,225 pairs;
         target: findings add at most 30 %
Reports medians and the ratio / difference, never absolute targets on one run.

    python benchmarks/bench_findings.py [--repeat 5] [--modes default,fast] [--skip-many]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_align import make_documents  # noqa: E402

from compare.options import CompareOptions  # noqa: E402
from compare.pipeline import DocumentInput, compare_documents  # noqa: E402
from compare.result import FINDING_TYPES  # noqa: E402

SAMPLES = [ROOT / "samples" / "meridian-wire.txt", ROOT / "samples" / "harbor-review.txt"]


def timed(inputs: list, options: CompareOptions) -> tuple[float, int]:
    start = time.perf_counter()
    result = compare_documents(inputs, options)
    return time.perf_counter() - start, sum(len(c.findings) for c in result.comparisons)


def side_by_side(name: str, inputs: list, mode: str, repeat: int) -> tuple[float, float, int]:
    off = CompareOptions(align_mode=mode, use_cache=False, findings=())
    on = CompareOptions(align_mode=mode, use_cache=False, findings=FINDING_TYPES)
    timed(inputs, on)  # warm: imports, models, lexicons
    t_off, t_on, found = [], [], 0
    for _ in range(repeat):
        t_off.append(timed(inputs, off)[0])
        t, found = timed(inputs, on)
        t_on.append(t)
    m_off, m_on = statistics.median(t_off), statistics.median(t_on)
    print(
        f"{name:<6} {mode:<8} no findings {m_off:7.3f} s   findings {m_on:7.3f} s   "
        f"+{m_on - m_off:6.3f} s  ratio {m_on / m_off:5.2f}   ({found} findings, median of {repeat})"
    )
    return m_off, m_on, found


def cli_side_by_side(mode: str, repeat: int) -> None:
    """`compare A B -q --json -` with and without findings, alternating, each in a fresh process."""
    base = [sys.executable, "-m", "compare", *map(str, SAMPLES), "--json", "-", "-q", "--no-cache"]
    base += ["--fast"] if mode == "fast" else []
    times: dict[str, list[float]] = {"off": [], "on": []}
    for k in range(repeat + 1):
        for key, extra in (("off", ["--no-findings"]), ("on", [])):
            start = time.perf_counter()
            subprocess.run(base + extra, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
            if k:  # the first round warms the disk cache
                times[key].append(time.perf_counter() - start)
    m_off, m_on = statistics.median(times["off"]), statistics.median(times["on"])
    print(f"pair   {mode:<8} no findings {m_off:7.3f} s   findings {m_on:7.3f} s   +{m_on - m_off:6.3f} s  "
          f"ratio {m_on / m_off:5.2f}   (whole process, median of {repeat})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--modes", default="default,fast")
    parser.add_argument("--skip-many", action="store_true")
    args = parser.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    for mode in modes:
        cli_side_by_side(mode, args.repeat)
    if not args.skip_many:
        docs = [DocumentInput(" ".join(d), f"d{k}", "en") for k, d in enumerate(make_documents(50, 60))]
        for mode in modes:
            side_by_side("many", docs, mode, max(1, args.repeat // 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
