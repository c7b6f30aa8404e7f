"""`make demo`: compare every bundled sample whose language can be compared now.

English samples always take part. A sample in another language takes part when
its translation model is installed (`compare models pull LANG`); otherwise the
demo says which command would add it, and goes on offline with the rest.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from compare.cli import main as cli_main
from compare.errors import ModelMissingError
from compare.ingest import read_source
from compare.language import detect_language, language_name
from compare.options import CompareOptions

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["meridian-wire", "harbor-review", "vestnik-ru", "renmin-zh", "hanbit-ko"]


def main(out_dir: str = "out") -> int:
    options = CompareOptions(offline=True)  # the demo never downloads
    samples = sorted((ROOT / "samples").glob("*.txt"), key=lambda p: (ORDER + [p.stem]).index(p.stem))
    chosen: list[str] = []
    for path in samples:
        lang = detect_language(read_source(path).text).language
        if lang != options.target_language:
            from compare.translate import get_translator

            try:
                get_translator(lang, options)
            except ModelMissingError as exc:
                print(f"demo: skipping {path.name} ({language_name(lang)}): {exc}", file=sys.stderr)
                continue
        chosen.append(str(path.relative_to(ROOT)))
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    args = [*chosen, "--title", "Baltic-Pacific Trade Forum summit, Singapore", "--offline",
            "--json", f"{out_dir}/demo.json", "--html", f"{out_dir}/demo.html"]
    print(f"demo: compare {shlex.join(args)}", file=sys.stderr)
    code = cli_main(args)
    if code == 0:
        print(f"demo: wrote {out_dir}/demo.json and {out_dir}/demo.html", file=sys.stderr)
    return code


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
