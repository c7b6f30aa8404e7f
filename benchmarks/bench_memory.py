"""Peak memory and wall time of comparing two long documents, by length (not a test).

Issue 9, item 5: memory must grow linearly with the sentence count, and two
documents of 20,000 sentences must stay under 2 GB in both modes. For each
size (sentences per document), kind and mode, the CLI compares two generated
documents in a fresh child process (`compare a.txt b.txt --json out.json -q`,
plus `--fast` in fast mode); the table shows the child's peak RSS (wait4's
ru_maxrss) and its wall time.

Kinds: "words", one-word sentences ("Harbour."), the shape that peaked at
14.3 GB before; "news", multi-word sentences built from shared facts in
shuffled order (benchmarks/bench_align.py's make_documents). Default mode
embeds every sentence and every adjacent pair with MiniLM on the CPU, so its
20,000-sentence runs take long (tens of minutes for "news"); the benchmark
prints a progress line every minute.

    python benchmarks/bench_memory.py                          # the whole curve
    python benchmarks/bench_memory.py --sizes 1000,5000 --modes fast --kinds words
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
TARGET_MB = 2048


def one_word_documents(n: int, seed: int = 11) -> list[list[str]]:
    """Two documents of n one-word sentences; half of B's words are A's, in another order."""
    from compare.align.lexical import zipf_table

    rng = random.Random(seed)
    words = sorted(w for w, z in zipf_table().items() if w.isalpha() and len(w) >= 4 and 2.5 < z < 5.5)
    a = [rng.choice(words) for _ in range(n)]
    b = rng.sample(a, n // 2) + [rng.choice(words) for _ in range(n - n // 2)]
    rng.shuffle(b)
    return [[w.capitalize() + "." for w in doc] for doc in (a, b)]


def news_documents(n: int) -> list[list[str]]:
    from bench_align import make_documents

    return make_documents(2, n)


def _rss_mb(pid: int) -> float:
    """Current resident memory of a process (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_case(n: int, kind: str, mode: str, folder: Path) -> dict[str, float | int | str]:
    """One comparison in a child process: peak RSS (MB), seconds, exit status."""
    docs = one_word_documents(n) if kind == "words" else news_documents(n)
    paths = []
    case = folder / f"{kind}-{n}"
    case.mkdir(exist_ok=True)
    for name, doc in zip("ab", docs):
        path = case / f"{name}.txt"
        path.write_text(" ".join(doc) + "\n", encoding="utf-8")
        paths.append(str(path))
    out = case / f"{mode}.json"
    command = [sys.executable, "-m", "compare", *paths, "--json", str(out), "-q", "--lang", "a=en", "--lang", "b=en"]
    if mode == "fast":
        command.append("--fast")
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    next_note = start + 60
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() >= next_note:
            print(
                f"  ... {mode} {kind} {n}: {time.perf_counter() - start:.0f} s, {_rss_mb(child.pid):.0f} MB now",
                flush=True,
            )
            next_note += 60
        time.sleep(0.2)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    error = child.stderr.read().decode(errors="replace").strip().splitlines() if child.stderr else []
    links = segmented = 0
    if child.returncode == 0:
        import json

        result = json.loads(out.read_text(encoding="utf-8"))
        links = len(result["comparisons"][0]["links"])
        segmented = min(len(d["sentences"]) for d in result["documents"])
    return {
        "peak_mb": usage.ru_maxrss / 1024,
        "seconds": seconds,
        "status": child.returncode,
        "links": links,
        "segmented": segmented,
        "error": error[-1] if error and child.returncode else "",
    }


_HEADER = f"{'mode':<8} {'kind':<6} {'sentences':>9} {'peak MB':>8} {'seconds':>8} {'links':>6}  note"


def _row(mode: str, kind: str, n: int, r: dict[str, float | int | str]) -> str:
    note = str(r["error"]) or ("" if float(r["peak_mb"]) < TARGET_MB else f"over {TARGET_MB} MB")
    if not r["error"] and r["segmented"] != n:
        note += f"(segmented into {r['segmented']:,} sentences)"
    return f"{mode:<8} {kind:<6} {n:>9,} {float(r['peak_mb']):>8.0f} {float(r['seconds']):>8.1f} {r['links']:>6}  {note}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000", help="sentences per document")
    parser.add_argument("--kinds", default="words,news")
    parser.add_argument("--modes", default="fast,default")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        for mode in args.modes.split(","):
            for kind in args.kinds.split(","):
                for n in sizes:
                    print(f"running {mode} {kind} {n} ...", flush=True)
                    rows.append((mode, kind, n, run_case(n, kind, mode, Path(tmp))))
                    print("  " + _row(*rows[-1]), flush=True)
    print()
    print(_HEADER)
    for row in rows:
        print(_row(*row))
    return 0 if all(r["status"] == 0 and float(r["peak_mb"]) < TARGET_MB for *_, r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
