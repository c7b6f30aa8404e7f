"""Golden files: the English samples' JSON and terminal report, byte for byte.

A change in segmentation, alignment, diff or rendering shows up here as a diff
to review. After an intended change, regenerate and review with:

    UPDATE_GOLDEN=1 make test    (or: UPDATE_GOLDEN=1 pytest tests/test_golden.py)
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from compare import compare_documents
from compare.options import CompareOptions
from compare.render.json import render_json
from compare.render.terminal import TerminalOptions, render_terminal

from .conftest import ROOT, SAMPLES

GOLDEN = Path(__file__).resolve().parent / "golden"
SAMPLE_PAIR = [SAMPLES / "meridian-wire.txt", SAMPLES / "harbor-review.txt"]


def _relative(result):
    # Paths as a user in the repo root would see them, so the golden file is portable.
    from dataclasses import replace

    docs = tuple(replace(d, path=str(Path(d.path).relative_to(ROOT))) for d in result.documents)
    return replace(result, documents=docs)


def _check(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} changed; review it and rerun with UPDATE_GOLDEN=1 if intended"


@pytest.fixture(scope="module")
def sample_result():
    # The float32 reference encoder: CTranslate2's int8 kernels differ by CPU instruction set
    # (AVX2, AVX-512, AMX machines give vectors a few thousandths apart), which moves link
    # scores in the fourth decimal and can tip a link over the threshold, so a golden file made
    # with them would hold only on the machine that wrote it.
    from compare import embed

    saved, env = embed._ENCODER, os.environ.get(embed.ENV_BACKEND)
    embed._ENCODER = None
    os.environ[embed.ENV_BACKEND] = "numpy"
    try:
        options = CompareOptions(use_cache=False)
        return _relative(compare_documents(SAMPLE_PAIR, options, title="Baltic-Pacific Trade Forum summit"))
    finally:
        embed._ENCODER = saved
        if env is None:
            os.environ.pop(embed.ENV_BACKEND, None)
        else:
            os.environ[embed.ENV_BACKEND] = env


def test_samples_json_matches_golden(sample_result):
    _check("samples-en.json", render_json(sample_result).replace(sample_result.signature.version, "VERSION"))


def test_samples_terminal_report_matches_golden(sample_result):
    out = io.StringIO()
    render_terminal(sample_result, out, TerminalOptions(color=False, width=100))
    _check("samples-en.txt", out.getvalue().replace(sample_result.signature.version, "VERSION"))


def test_samples_golden_has_the_deliberate_differences():
    """The samples were written with known differences (samples/README.md); the golden result shows them."""
    text = (GOLDEN / "samples-en.txt").read_text(encoding="utf-8")
    assert "{+$35+}" in text and "[-$40-]" in text  # the trade figure differs
    assert "Marta Kask" in text and "Tan Hui Min" in text  # the same quote, attributed differently
