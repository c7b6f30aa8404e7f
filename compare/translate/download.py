"""`compare models pull`: fetch a Marian model's files and convert it once.

Only the files a Marian model needs are fetched (an allow-list: config,
generation config, spm models, vocab, tokenizer config and ONE weights file),
from the Hugging Face Hub (huggingface_hub resumes partial downloads and shows
a progress bar on stderr), from a local mirror folder, or from a local model
directory. A file lock makes concurrent pulls of the same model safe (CI runs
jobs in parallel); the model folder appears atomically (rename) with its
manifest, so a crashed pull never looks installed.

The CTranslate2 copy is stored int8 (see ct2.py). A model pulled before that
holds float32 weights: `ensure_int8` converts it once, in place, under the
same lock (ct2.requantize_int8: ~1 s and ~100 MB for opus-mt, no torch, no
Hugging Face files needed).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from ..errors import ModelMissingError, TranslationError, UsageError, printable
from ..language import language_name
from .ct2 import STORED_QUANTIZATION
from .paths import inside
from .registry import ModelEntry
from .store import (
    DOWNLOADS,
    MANIFEST,
    OPTIONAL,
    REQUIRED,
    SAFETENSORS,
    WEIGHTS,
    InstalledModel,
    ct2_record,
    installed,
    model_root,
    sha256_file,
    weights_file,
)


class ModelWarning(UserWarning):
    """A model works, but not as it should (the CLI shows one 'compare: warning:' line)."""


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

    if not force and (model := installed(entry, models_dir)) is not None:
        return model
    # Every path is checked to stay inside the store before anything is created or removed.
    root = model_root(entry, models_dir)
    work = inside(models_dir, root.name + ".partial")
    lock = inside(models_dir, root.name + ".lock")
    staging = inside(models_dir, DOWNLOADS, entry.store_name)
    models_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(lock), timeout=3600):
        if not force and (model := installed(entry, models_dir)) is not None:
            return model  # another process finished it while we waited
        shutil.rmtree(work, ignore_errors=True)
        (work / "hf").mkdir(parents=True)
        try:
            revision = _fetch(entry, work / "hf", origin=origin, offline=offline, staging=staging)
            convert(work / "hf", work / "ct2")
            _write_manifest(entry, work, revision=revision, origin=origin)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)  # leave no half-built model behind
            raise
        if root.exists():
            shutil.rmtree(root)
        os.replace(work, root)
        shutil.rmtree(staging, ignore_errors=True)
    model = installed(entry, models_dir)
    assert model is not None
    return model


def _fetch(entry: ModelEntry, dest: Path, *, origin: str | None, offline: bool, staging: Path) -> str | None:
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
    return _download_hub(entry, dest, endpoint=origin, staging=staging)


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
    """Copy the allow-listed files of the model folder `src` into `dest`, checked first.

    A pytorch_model.bin (a pickle) is not copied: it is read with the restricted
    unpickler and written to `dest` as model.safetensors, so nothing later (the
    converter, the transformers engine) ever unpickles it.
    """
    if not src.is_dir():
        raise ModelMissingError(f"model directory not found: {src}")
    missing = [f for f in REQUIRED if not (src / f).is_file()]
    weights = weights_file(src)
    if missing or weights is None:
        raise ModelMissingError(
            f"{src} is not a Marian model directory: missing {', '.join(missing) or ' or '.join(WEIGHTS)}"
        )
    check_model_files(src)
    for name in (*REQUIRED, *OPTIONAL):
        if (src / name).is_file():
            shutil.copy2(src / name, dest / name)
    if weights.name == SAFETENSORS:
        shutil.copy2(weights, dest / SAFETENSORS)
    else:
        bin_to_safetensors(weights, dest / SAFETENSORS)


def check_model_files(src: Path) -> None:
    """Refuse damaged model files before conversion: one line naming the file and what is wrong.

    Checks: config.json (a Marian config) and vocab.json are JSON objects, the
    SentencePiece files are non-empty and load, and model.safetensors (if that is the
    weights file) has a header that parses and describes exactly the file's size (a
    truncated download does not). A pytorch_model.bin is checked as it is converted.
    """
    config = _json_object(src / "config.json")
    _json_object(src / "vocab.json")
    if config.get("model_type") != "marian":
        raise ModelMissingError(
            f"model_type is {json.dumps(config.get('model_type'))}, expected \"marian\": compare runs "
            "MarianMT (opus-mt) models; point the registry entry at one", path=str(src / "config.json"))
    for name in ("source.spm", "target.spm"):
        _sentencepiece(src / name)
    weights = weights_file(src)
    if weights is not None and weights.name == SAFETENSORS:
        from safetensors import SafetensorError, safe_open

        try:
            with safe_open(str(weights), framework="numpy") as fh:
                fh.keys()
        except (SafetensorError, OSError) as exc:
            raise _damaged(weights, f"not a complete safetensors file ({_first_line(exc)})") from exc


def _sentencepiece(path: Path) -> None:
    if path.stat().st_size == 0:
        raise _damaged(path, "empty")
    import sentencepiece as spm

    try:
        spm.SentencePieceProcessor(model_file=str(path))
    except (RuntimeError, OSError) as exc:
        raise _damaged(path, f"not a SentencePiece model ({_first_line(exc)})") from exc


def _json_object(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise _damaged(path, f"not valid JSON ({_first_line(exc)})") from exc
    if not isinstance(data, dict):
        raise _damaged(path, "not a JSON object")
    return data


def bin_to_safetensors(src: Path, dest: Path) -> None:
    """Rewrite a PyTorch checkpoint as safetensors, loading it with torch.load(weights_only=True).

    The restricted unpickler only builds tensors and plain containers, so a pickle
    that would run code is refused instead of executed. Tied weights (one storage
    under several names) are kept once, under the first name in the checkpoint (the
    module that owns them), as transformers' own safetensors files do.
    """
    try:
        import torch
        from safetensors.torch import save_file
    except ImportError as exc:
        raise UsageError("reading pytorch_model.bin needs torch: pip install 'compare-news[convert]'",
                         path=str(src)) from exc
    try:
        with warnings.catch_warnings():  # torch's notes on pickle protocols: our error says what matters
            warnings.simplefilter("ignore")
            state = torch.load(src, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise _damaged(src, "refused: this pickle holds more than tensors and could run code",
                       "use a model.safetensors copy of the model instead") from exc
    except (RuntimeError, OSError, EOFError, ValueError) as exc:
        raise _damaged(src, f"cannot be read ({_first_line(exc)})") from exc
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(isinstance(k, str) and torch.is_tensor(v) for k, v in state.items()):
        raise _damaged(src, "not a state dict of named tensors")
    tensors: dict[str, Any] = {}
    views: set[tuple[Any, ...]] = set()
    storages: set[int] = set()
    for name, tensor in state.items():
        storage = tensor.untyped_storage().data_ptr()
        view = (storage, tensor.storage_offset(), tuple(tensor.shape), tensor.stride())
        if tensor.numel() and view in views:
            continue  # a tied alias of a tensor already kept
        # safetensors refuses tensors that share memory: copy any other view of a storage already used
        shared = storage in storages
        tensors[name] = tensor.clone(memory_format=torch.contiguous_format) if shared else tensor.contiguous()
        views.add(view)
        storages.add(storage)
    save_file(tensors, str(dest), metadata={"format": "pt"})


def _damaged(path: Path, problem: str,
             advice: str = "replace it with an intact copy (or pull again with --force)") -> ModelMissingError:
    return ModelMissingError(f"{problem}; {advice}", path=str(path))


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__


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
        raise ModelMissingError(
            f"cannot download {entry.hub_id} ({_first_line(exc)}); check the network, "
            "or pull from a local copy: compare models pull LANG --from DIR"
        ) from exc
    try:
        _copy_local(staging, dest)
    except ModelMissingError:
        shutil.rmtree(staging, ignore_errors=True)  # a damaged download: fetch it afresh next time
        raise
    return info.sha


def convert(hf_dir: Path, ct2_dir: Path) -> None:
    """Convert a Hugging Face Marian model to CTranslate2, stored int8 (ct2.STORED_QUANTIZATION),
    so that loading it never materialises float32 weights (CPU and CUDA compute types: ct2.py)."""
    try:
        from ctranslate2.converters import TransformersConverter
    except ImportError as exc:
        raise UsageError(
            "converting a model needs ctranslate2, transformers and torch: pip install 'compare-news[convert]'"
        ) from exc
    from transformers.utils import logging as hf_logging

    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # a "Loading weights" bar per conversion is noise on stderr
    try:
        with warnings.catch_warnings():  # the tokenizer is only read for its vocabulary
            warnings.filterwarnings("ignore", message=".*sacremoses")
            TransformersConverter(str(hf_dir), copy_files=["source.spm", "target.spm"]).convert(
                str(ct2_dir), quantization=STORED_QUANTIZATION, force=True
            )
    except (ValueError, OSError, KeyError, RuntimeError) as exc:
        raise TranslationError(f"cannot convert {hf_dir} to CTranslate2: {exc}".splitlines()[0]) from exc
    finally:
        if bars:
            hf_logging.enable_progress_bar()


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
        "ct2": ct2_record(work / "ct2", STORED_QUANTIZATION),
        "installed": _now(),
    }
    (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def ensure_int8(model: InstalledModel, models_dir: Path) -> InstalledModel:
    """`model` with int8 CTranslate2 weights: a model pulled before int8 storage is converted once.

    The conversion holds the pull's lock (parallel processes convert once), writes
    model.bin.partial and renames it over model.bin, then rewrites the manifest the
    same way: a crash leaves either the float32 model or the int8 one, and a
    model.bin renamed before a crash is only recorded next time. A store that cannot
    be written (read-only, a symlink leading out of it) keeps working: float32 is
    loaded, with one warning saying how to fix it.
    """
    if model.ct2_quantization == STORED_QUANTIZATION:
        return model  # the common case: one dict lookup, no lock
    from filelock import FileLock

    try:
        root = model_root(model.entry, models_dir)  # checked: writes stay inside the store
        with FileLock(str(inside(models_dir, root.name + ".lock")), timeout=3600):
            current = installed(model.entry, models_dir)
            if current is None:  # removed while we waited: pulled again by the caller's next run
                return model
            if current.ct2_quantization != STORED_QUANTIZATION:
                _requantize(current)
    except (OSError, UsageError, TranslationError) as exc:
        warnings.warn(ModelWarning(
            f"{model.entry.model_id}: cannot store its float32 CTranslate2 weights as int8 "
            f"({_first_line(exc)}); loading float32 (more memory); to fix it, run: "
            f"{pull_command(model.entry.sources[0], model.entry.target)} --force"), stacklevel=2)
        return model
    upgraded = installed(model.entry, models_dir)
    return upgraded if upgraded is not None else model


def _requantize(model: InstalledModel) -> None:
    """Convert ct2/model.bin to int8 (unless a crashed conversion already did) and record it."""
    from .ct2 import requantize_int8, stored_quantization

    weights = model.ct2_dir / "model.bin"
    partial = model.ct2_dir / "model.bin.partial"
    was = stored_quantization(weights)
    if was != STORED_QUANTIZATION:
        _notice(f"converting {model.entry.model_id} to {STORED_QUANTIZATION} once (was {was}) ...")
        try:
            requantize_int8(weights, partial)
            os.replace(partial, weights)
        finally:
            partial.unlink(missing_ok=True)
    manifest = {**model.manifest, "ct2": ct2_record(model.ct2_dir, STORED_QUANTIZATION),
                "converted": {"from": model.ct2_quantization, "at": _now()}}
    temp = model.root / (MANIFEST + ".partial")
    temp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    os.replace(temp, model.root / MANIFEST)


def _notice(message: str) -> None:
    """One 'compare: ...' line on stderr (a one-off step the user should know about)."""
    if sys.stderr is not None:
        print(f"compare: {printable(message)}", file=sys.stderr, flush=True)


def sha256_file_list(hashes: list[str]) -> str:
    return hashlib.sha256("|".join(hashes).encode()).hexdigest()[:16]
