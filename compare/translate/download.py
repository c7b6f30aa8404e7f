"""`compare models pull`: fetch a Marian model's files and convert it once.

Only the files a Marian model needs are fetched (an allow-list: config,
generation config, spm models, vocab, tokenizer config and ONE weights file),
from the Hugging Face Hub (huggingface_hub resumes partial downloads and shows
a progress bar on stderr), from a local mirror folder, or from a local model
directory. A file lock makes concurrent pulls of the same model safe (CI runs
jobs in parallel); the model folder appears atomically (rename) with its
manifest, so a crashed pull never looks installed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import warnings
from pathlib import Path

from ..errors import ModelMissingError, TranslationError, UsageError
from ..language import language_name
from .registry import ModelEntry
from .store import (
    MANIFEST,
    OPTIONAL,
    REQUIRED,
    WEIGHTS,
    InstalledModel,
    installed,
    model_root,
    sha256_file,
    weights_file,
)


def pull_command(source: str, target: str = "en") -> str:
    return f"compare models pull {source}" + (f" --to {target}" if target != "en" else "")


def missing_offline(entry: ModelEntry, source: str) -> ModelMissingError:
    """The one-line error for 'not installed and not allowed to download'."""
    return ModelMissingError(
        f"no translation model for {language_name(source)} ({source}) -> "
        f"{language_name(entry.target)} ({entry.target}) is installed: {entry.model_id}; "
        f"run: {pull_command(source, entry.target)}"
    )


def ensure_installed(
    entry: ModelEntry, models_dir: Path, *, source_lang: str, offline: bool, origin: str | None = None
) -> InstalledModel:
    """Return the installed model, pulling it first when allowed."""
    if (model := installed(entry, models_dir)) is not None:
        return model
    if offline and entry.path is None and origin is None:
        raise missing_offline(entry, source_lang)
    return pull(entry, models_dir, origin=origin, offline=offline)


def pull(entry: ModelEntry, models_dir: Path, *, origin: str | None = None, offline: bool = False,
         force: bool = False) -> InstalledModel:
    """Install `entry` into `models_dir` (download or copy, then convert).

    Args:
        entry: the registry entry to install.
        models_dir: the model store.
        origin: a local model directory, a local mirror folder (holding
            `<org>/<name>/`), or an http(s) Hub mirror URL; None: the entry's
            `path`, else the Hugging Face Hub.
        offline: refuse network access (local origins still work).
        force: reinstall even if installed.
    """
    from filelock import FileLock

    models_dir.mkdir(parents=True, exist_ok=True)
    root = model_root(entry, models_dir)
    with FileLock(str(root) + ".lock", timeout=3600):
        if not force and (model := installed(entry, models_dir)) is not None:
            return model  # another process finished it while we waited
        work = root.with_name(root.name + ".partial")
        shutil.rmtree(work, ignore_errors=True)
        (work / "hf").mkdir(parents=True)
        revision = _fetch(entry, work / "hf", origin=origin, offline=offline, models_dir=models_dir)
        convert(work / "hf", work / "ct2")
        _write_manifest(entry, work, revision=revision, origin=origin)
        if root.exists():
            shutil.rmtree(root)
        os.replace(work, root)
        shutil.rmtree(models_dir / ".downloads" / entry.store_name, ignore_errors=True)
    model = installed(entry, models_dir)
    assert model is not None
    return model


def _fetch(entry: ModelEntry, dest: Path, *, origin: str | None, offline: bool, models_dir: Path) -> str | None:
    """Put the allow-listed files into `dest`; return the hub revision if known."""
    if origin and not origin.startswith(("http://", "https://")):
        _copy_local(_local_model_dir(entry, Path(origin).expanduser()), dest)
        return entry.revision
    if origin is None and entry.path is not None:
        _copy_local(entry.path, dest)
        return None
    if offline:
        raise ModelMissingError(
            f"cannot download {entry.model_id}: offline (--offline or HF_HUB_OFFLINE=1); "
            f"copy it from a local directory or mirror with --from DIR"
        )
    return _download_hub(entry, dest, endpoint=origin, staging=models_dir / ".downloads" / entry.store_name)


def _local_model_dir(entry: ModelEntry, origin: Path) -> Path:
    """`origin` itself if it is a model dir, else the model's folder inside a mirror."""
    if (origin / "config.json").is_file():
        return origin
    candidates = [origin / entry.model_id, origin / entry.model_id.replace("/", "--"), origin / entry.store_name]
    for cand in candidates:
        if (cand / "config.json").is_file():
            return cand
    raise ModelMissingError(
        f"{entry.model_id} not found in {origin} (looked for config.json in {origin} and "
        f"{', '.join(str(c) for c in candidates)})"
    )


def _copy_local(src: Path, dest: Path) -> None:
    if not src.is_dir():
        raise ModelMissingError(f"model directory not found: {src}")
    missing = [f for f in REQUIRED if not (src / f).is_file()]
    if missing or weights_file(src) is None:
        raise ModelMissingError(
            f"{src} is not a Marian model directory: missing {', '.join(missing) or ' or '.join(WEIGHTS)}"
        )
    for name in (*REQUIRED, *OPTIONAL):
        if (src / name).is_file():
            shutil.copy2(src / name, dest / name)
    weights = weights_file(src)
    assert weights is not None
    shutil.copy2(weights, dest / weights.name)


def _download_hub(entry: ModelEntry, dest: Path, *, endpoint: str | None, staging: Path) -> str | None:
    """Download the allow-listed files (resumable: partial files stay in `staging`)."""
    from huggingface_hub import HfApi, snapshot_download

    assert entry.hub_id is not None
    api = HfApi(endpoint=endpoint)
    try:
        info = api.model_info(entry.hub_id, revision=entry.revision, files_metadata=False)
        files = {s.rfilename for s in info.siblings or []}
        weights = next((w for w in WEIGHTS if w in files), None)
        if weights is None:
            raise ModelMissingError(f"{entry.hub_id} has no {' or '.join(WEIGHTS)} at revision {info.sha}")
        staging.mkdir(parents=True, exist_ok=True)
        snapshot_download(
            entry.hub_id, revision=info.sha, endpoint=endpoint, local_dir=staging,
            allow_patterns=[*REQUIRED, *OPTIONAL, weights],
        )
    except ModelMissingError:
        raise
    except Exception as exc:  # noqa: BLE001 - the hub client's errors differ by version (requests, httpx, httpx2)
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ModelMissingError(
            f"cannot download {entry.hub_id} ({reason}); check the network, "
            "or pull from a local copy: compare models pull LANG --from DIR"
        ) from exc
    _copy_local(staging, dest)
    return info.sha


def convert(hf_dir: Path, ct2_dir: Path) -> None:
    """Convert a Hugging Face Marian model to CTranslate2 (float32 weights; the compute
    type, int8 on CPU or float16 on CUDA, is chosen when the model is loaded)."""
    try:
        from ctranslate2.converters import TransformersConverter
    except ImportError as exc:
        raise UsageError(
            "converting a model needs ctranslate2, transformers and torch: pip install 'compare[convert]'"
        ) from exc
    try:
        with warnings.catch_warnings():  # the tokenizer is only read for its vocabulary
            warnings.filterwarnings("ignore", message=".*sacremoses")
            TransformersConverter(str(hf_dir), copy_files=["source.spm", "target.spm"]).convert(
                str(ct2_dir), quantization=None, force=True
            )
    except (ValueError, OSError, KeyError, RuntimeError) as exc:
        raise TranslationError(f"cannot convert {hf_dir} to CTranslate2: {exc}".splitlines()[0]) from exc


def _write_manifest(entry: ModelEntry, work: Path, *, revision: str | None, origin: str | None) -> None:
    hf = work / "hf"
    hashes = {f.name: sha256_file(f) for f in sorted(hf.iterdir()) if f.is_file()}
    weights = weights_file(hf)
    assert weights is not None
    fingerprint = sha256_file_list([hashes[weights.name], hashes["vocab.json"], hashes["source.spm"],
                                    hashes["target.spm"]])
    manifest = {
        "model_id": entry.model_id, "hub_id": entry.hub_id, "revision": revision,
        "origin": origin or (str(entry.path) if entry.path else "huggingface"),
        "license": entry.license, "fingerprint": fingerprint, "files": hashes,
        "installed": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def sha256_file_list(hashes: list[str]) -> str:
    return hashlib.sha256("|".join(hashes).encode()).hexdigest()[:16]
