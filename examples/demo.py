"""`make demo`: compare every bundled sample whose language can be compared now, then run
both bundled stories through `compare batch` (samples/stories.toml).

English samples always take part. A sample in another language takes part when
its translation model is installed (`compare models pull LANG`); otherwise the
demo says which command would add it, and goes on offline with the rest.
"""

from __future__ import annotations

import json
import shlex
import sys
import tempfile
import tomllib
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
    if code != 0:
        return code
    print(f"demo: wrote {out_dir}/demo.json and {out_dir}/demo.html", file=sys.stderr)
    return batch(out_dir, {Path(c).name for c in chosen})


def batch(out_dir: str, usable: set[str]) -> int:
    """Both bundled stories through `compare batch` (samples/stories.toml, without the articles
    whose model is missing): out/batch/index.html lists them, with a report each."""
    manifest = tomllib.loads((ROOT / "samples" / "stories.toml").read_text(encoding="utf-8"))
    for story in manifest["story"]:
        keep = [k for k, f in enumerate(story["files"]) if "/" in f or Path(f).name in usable]
        story["files"] = [str(ROOT / "samples" / story["files"][k]) for k in keep]
        story["labels"] = [story["labels"][k] for k in keep]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stories.toml"
        path.write_text(_toml(manifest), encoding="utf-8")
        # --exit-zero: the samples disagree on figures by design (fail_on = ["number"]); a CI job
        # would fail on them, the demo shows them.
        args = ["batch", str(path), "--out", f"{out_dir}/batch", "--offline", "--exit-zero"]
        print(f"demo: compare batch samples/stories.toml --out {out_dir}/batch --offline --exit-zero", file=sys.stderr)
        code = cli_main(args)
    if code == 0:
        print(f"demo: wrote {out_dir}/batch/index.html, summary.md and run.json, and a report per story", file=sys.stderr)
    return code


def _toml(manifest: dict) -> str:
    """The manifest back as TOML (strings, lists of strings and [defaults] only: what it holds)."""
    def value(v: object) -> str:
        return "[" + ", ".join(json.dumps(x) for x in v) + "]" if isinstance(v, list) else json.dumps(v)

    lines = ["[defaults]", *(f"{k} = {value(v)}" for k, v in manifest.get("defaults", {}).items())]
    for story in manifest["story"]:
        lines += ["", "[[story]]", *(f"{k} = {value(v)}" for k, v in story.items())]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
