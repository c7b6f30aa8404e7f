"""CompareOptions: every knob of a comparison, checked in one place.

The CLI builds one of these from its flags and library callers build it
directly, so both go through the same validation. Defaults live here only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal, Mapping

from .errors import UsageError
from .fetch import FetchOptions  # light: httpx loads on the first fetch
from .result import FINDING_TYPES

Engine = Literal["ctranslate2", "transformers"]
AlignMode = Literal["default", "fast"]
ENGINES: tuple[str, ...] = ("ctranslate2", "transformers")
ALIGN_MODES: tuple[str, ...] = ("default", "fast")


@dataclass(frozen=True)
class CompareOptions:
    """How to read, translate and align a set of documents.

    Args:
        target_language: ISO 639-1 code every document is compared in.
        languages: per-document language overrides, keyed by document label.
        engine: translation engine; "ctranslate2" is fast and needs no torch.
        beam: beam size for translation (1 = greedy).
        findings: finding types to look for (compare/framing); () for none.
        published: publication times (ISO 8601) by document label, for the time caution.
        device: "cpu", "cuda" or "auto".
        offline: never download a model (also when HF_HUB_OFFLINE=1).
        use_cache: read and write the persistent caches (translations and sentence embeddings).
        cache_dir: the caches' folder (default: $COMPARE_CACHE_DIR or the user cache dir).
        models_dir: where models are stored (default: COMPARE_MODELS_DIR or user cache dir).
        align_mode: "default" (best quality) or "fast" (lexical only, no model).
        threshold: minimum link probability in [0, 1]; None uses the mode's calibrated default.
        max_bytes: largest input read, in bytes (files, stdin, HTML pages and their extracted text).
        max_sentences: most sentences per document; keeps alignment time and memory bounded.
        fetch: how URL inputs are fetched (compare/fetch.py; --allow-private).
        keep_fetched: folder for kept copies of fetched pages (--keep-fetched); None keeps none.
            With `offline`, URLs are read from the kept copies there instead of the network.
    """

    target_language: str = "en"
    languages: Mapping[str, str] = field(default_factory=dict)
    engine: Engine = "ctranslate2"
    beam: int = 4
    device: str = "auto"
    offline: bool = False
    use_cache: bool = True
    cache_dir: Path | None = None
    models_dir: Path | None = None
    align_mode: AlignMode = "default"
    threshold: float | None = None
    max_bytes: int = 20_000_000
    max_sentences: int = 20_000
    # Finding detectors to run (compare/framing), all by default; --fast skips those that need the
    # English parser, a common language other than English those that read English words.
    findings: tuple[str, ...] = FINDING_TYPES
    # Publication times by document label or id (ISO 8601), beside those read from HTML metadata.
    published: Mapping[str, str] = field(default_factory=dict)
    fetch: FetchOptions = field(default_factory=FetchOptions)
    keep_fetched: Path | None = None

    def __post_init__(self) -> None:
        from .language import check_language_code

        check_language_code(self.target_language, what="--to")
        for label, code in self.languages.items():
            check_language_code(code, what=f"--lang {label}=")
        if self.engine not in ENGINES:
            raise UsageError(f"unknown engine {self.engine!r}; choose one of: {', '.join(ENGINES)}")
        if self.align_mode not in ALIGN_MODES:
            raise UsageError(
                f"unknown alignment mode {self.align_mode!r}; choose one of: {', '.join(ALIGN_MODES)}"
            )
        if not 1 <= self.beam <= 16:
            raise UsageError(f"--beam must be between 1 and 16, not {self.beam}")
        if self.device not in ("auto", "cpu", "cuda"):
            raise UsageError(f"unknown device {self.device!r}; choose one of: auto, cpu, cuda")
        if self.threshold is not None and not 0.0 <= self.threshold <= 1.0:
            raise UsageError(f"--threshold must be between 0 and 1, not {self.threshold}")
        unknown = [t for t in self.findings if t not in FINDING_TYPES]
        if unknown:
            raise UsageError(f"--findings: unknown type {unknown[0]!r}; choose from: {', '.join(FINDING_TYPES)}")
        for label, value in self.published.items():
            if parse_time(value) is None:
                raise UsageError(
                    f"--published {label}={value}: not a date and time; write it as ISO 8601, e.g. 2024-05-01T14:30+02:00"
                )
        for flag, value in (("--max-bytes", self.max_bytes), ("--max-sentences", self.max_sentences)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise UsageError(f"{flag} must be a whole number above 0, not {value!r}")

    @property
    def is_offline(self) -> bool:
        """Offline by flag or by the Hugging Face environment convention."""
        return self.offline or os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0", "false")



def parse_time(value: str) -> datetime | None:
    """An ISO 8601 date and time ("2024-05-01T14:30Z", "...+02:00"), read as UTC when it names no
    zone; None when it is not one. (Python 3.10's fromisoformat does not read "Z".)"""
    try:
        t = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)
