"""Language detection on short news texts: accuracy and speed, ours vs py3langid alone.

    python benchmarks/bench_language.py

Texts: tests/fixtures/short_news.json (one-sentence news items in en, ru, zh,
ko, ja, ar, de, fr, es, written for this project). Prints per-language
accuracy, the confusions, and the median time per call after the models load.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from compare.language import _identifier, detect_language

TEXTS = json.loads((Path(__file__).resolve().parent.parent / "tests/fixtures/short_news.json").read_text("utf-8"))


def py3langid_only(text: str) -> str:
    return str(_identifier().classify(text)[0])


def main() -> None:
    t = time.perf_counter()
    _identifier()
    load = time.perf_counter() - t
    detectors = {"compare": lambda s: detect_language(s).language, "py3langid alone": py3langid_only}
    print(f"py3langid model load: {load:.2f} s (compare skips it when script or function words decide)\n")
    print(f"{'language':<10}" + "".join(f"{name:>18}" for name in detectors))
    totals = {name: 0 for name in detectors}
    misses: list[str] = []
    for lang, texts in TEXTS.items():
        row = f"{lang:<10}"
        for name, detect in detectors.items():
            got = [detect(s) for s in texts]
            ok = sum(g == lang for g in got)
            totals[name] += ok
            row += f"{ok:>15}/{len(texts)}"
            misses += [f"  {name}: {lang} text detected as {g}: {s}" for g, s in zip(got, texts) if g != lang]
        print(row)
    n = sum(len(t) for t in TEXTS.values())
    print(f"{'all':<10}" + "".join(f"{totals[name]:>15}/{n}" for name in detectors))
    print("\n".join(["", "misses:", *misses]) if misses else "\nno misses")
    for name, detect in detectors.items():
        times = []
        for texts in TEXTS.values():
            for s in texts:
                t = time.perf_counter()
                detect(s)
                times.append(time.perf_counter() - t)
        print(f"median per text, {name}: {1000 * statistics.median(times):.3f} ms")


if __name__ == "__main__":
    main()
