"""Shared test helpers. No test reaches the network: hub access is disabled here."""

from __future__ import annotations

import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLES = ROOT / "samples"

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys, monkeypatch):
    """Run `compare ARGS...` in-process; returns exit code, stdout and stderr."""

    def run(*args: str, stdin: bytes | None = None) -> CliResult:
        from compare.cli import main

        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
        capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch):
    """Models and translation cache live in temp dirs, never in the user's."""
    base = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("COMPARE_MODELS_DIR", str(base / "models"))
    monkeypatch.setenv("COMPARE_CACHE_DIR", str(base / "cache"))
