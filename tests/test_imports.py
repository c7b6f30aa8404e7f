"""Start-up stays light: heavy engines load only on the paths that need them."""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import FIXTURES, ROOT

HEAVY = ("torch", "transformers", "ctranslate2")


def _modules_after(code: str) -> set[str]:
    probe = code + "\nimport sys, json; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
        env={"PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_help_imports_no_engine():
    mods = _modules_after(
        "from compare.cli import main\n"
        "import contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()): main(['--help'])"
    )
    assert not mods & set(HEAVY), mods & set(HEAVY)
    assert "numpy" not in mods  # the pipeline is not even imported for --help


def test_english_comparison_imports_no_torch_or_transformers():
    a, b = FIXTURES / "summit_a.txt", FIXTURES / "summit_b.txt"
    mods = _modules_after(
        "from compare.cli import main\n"
        "import contextlib, io\n"
        f"with contextlib.redirect_stdout(io.StringIO()): assert main([{str(a)!r}, {str(b)!r}, '--fast']) == 0"
    )
    assert not mods & {"torch", "transformers"}, mods & {"torch", "transformers"}
