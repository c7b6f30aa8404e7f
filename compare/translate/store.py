"""The local model store: what is installed, where, and its fingerprint.

Layout (one folder per model, shared by every language pair that uses it):

    <models_dir>/<org>--<name>[@revision]/
        hf/             the Hugging Face files (reference engine, conversion input)
        ct2/            the CTranslate2 conversion + source.spm/target.spm (default engine)
        manifest.json   written last: its presence means "installed and complete"

The manifest's "ct2" record says how ct2/model.bin is stored ("quantization":
int8 since int8 storage; absent in models pulled before, which hold float32) and
its sha256 with the size and mtime it was hashed at, so a cache key can follow
the weights without hashing ~80 MB on every run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .paths import inside
from .registry import ModelEntry

MANIFEST = "manifest.json"
# The files a Marian model needs; the weights are one of WEIGHTS (first found wins).
REQUIRED = ("config.json", "source.spm", "target.spm", "vocab.json")
OPTIONAL = ("generation_config.json", "tokenizer_config.json", "special_tokens_map.json")
SAFETENSORS = "model.safetensors"
WEIGHTS = (SAFETENSORS, "pytorch_model.bin")  # a .bin is converted to safetensors on install
DOWNLOADS = ".downloads"  # resumable hub downloads, one folder per model


@dataclass(frozen=True, slots=True)
class InstalledModel:
    """A complete model folder in the store."""

    entry: ModelEntry
    root: Path
    manifest: dict[str, Any]

    @property
    def hf_dir(self) -> Path:
        return self.root / "hf"

    @property
    def ct2_dir(self) -> Path:
        return self.root / "ct2"

    @property
    def fingerprint(self) -> str:
        """Content hash of weights + vocab: part of every cache key."""
        return str(self.manifest["fingerprint"])

    @property
    def revision(self) -> str | None:
        return self.manifest.get("revision")

    @property
    def ct2_quantization(self) -> str:
        """How ct2/model.bin is stored: the manifest's record, float32 for models pulled before it."""
        return str((self.manifest.get("ct2") or {}).get("quantization", "float32"))

    def ct2_fingerprint(self) -> str:
        """Content hash of ct2/model.bin: part of the default engine's cache key.

        The sha256 recorded at pull/conversion is used while the file keeps the size
        and mtime it was hashed at (a stat, not 0.1-0.4 s of hashing per run); a file
        changed since (or copied without its mtime) is hashed again, so the key still
        follows the weights.
        """
        record = self.manifest.get("ct2") or {}
        path = self.ct2_dir / "model.bin"
        stat = path.stat()
        if record.get("sha256") and (record.get("size"), record.get("mtime_ns")) == (stat.st_size, stat.st_mtime_ns):
            return str(record["sha256"])[:16]
        return sha256_file(path)[:16]

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.root.rglob("*") if f.is_file())


def model_root(entry: ModelEntry, models_dir: Path, *, resolve: bool = True) -> Path:
    """The entry's folder, checked to lie inside the store (raises UsageError otherwise);
    resolve=False for reading only: a symlink to a model elsewhere is then fine."""
    return inside(models_dir, entry.store_name, resolve=resolve)


def installed(entry: ModelEntry, models_dir: Path) -> InstalledModel | None:
    """The installed model for `entry`, or None (also for a half-written folder)."""
    root = model_root(entry, models_dir, resolve=False)
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (root / "ct2" / "model.bin").is_file() or not (root / "hf" / "config.json").is_file():
        return None
    return InstalledModel(entry, root, manifest)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ct2_record(ct2_dir: Path, quantization: str) -> dict[str, Any]:
    """The manifest's "ct2" entry for the model.bin in `ct2_dir`."""
    path = ct2_dir / "model.bin"
    stat = path.stat()
    return {"quantization": quantization, "sha256": sha256_file(path), "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns}


def weights_file(hf_dir: Path) -> Path | None:
    return next((hf_dir / w for w in WEIGHTS if (hf_dir / w).is_file()), None)


def human_size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"
