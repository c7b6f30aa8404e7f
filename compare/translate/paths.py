"""Where models, the cache and user config live. Nothing is created at import time."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import UsageError
from ..options import CompareOptions

APP = "compare"


def models_dir(options: CompareOptions | None = None) -> Path:
    """Model store: options.models_dir > $COMPARE_MODELS_DIR > user cache dir/models."""
    if options is not None and options.models_dir is not None:
        return Path(options.models_dir)
    if env := os.environ.get("COMPARE_MODELS_DIR"):
        return Path(env)
    from platformdirs import user_cache_path

    return user_cache_path(APP) / "models"


def cache_dir(options: CompareOptions | None = None) -> Path:
    """Translation cache: options.cache_dir > $COMPARE_CACHE_DIR > user cache dir."""
    if options is not None and options.cache_dir is not None:
        return Path(options.cache_dir)
    if env := os.environ.get("COMPARE_CACHE_DIR"):
        return Path(env)
    from platformdirs import user_cache_path

    return user_cache_path(APP)


def user_registry_files() -> list[Path]:
    """User registry files, highest priority first ($COMPARE_REGISTRY, then the config dir)."""
    files = [Path(p) for p in os.environ.get("COMPARE_REGISTRY", "").split(os.pathsep) if p]
    from platformdirs import user_config_path

    files.append(user_config_path(APP) / "models.toml")
    return files


def inside(base: Path, *names: str, resolve: bool = True) -> Path:
    """`base/names...`, checked to stay inside `base` before anything is created or removed there.

    Every name must be one plain file name (no separator, not "." or ".."), and the
    resolved path (symlinks followed) must lie below the resolved `base`; with
    resolve=False (only reading) a symlink may lead elsewhere, e.g. a model kept on
    another disk.

    Raises:
        UsageError: the path would leave `base` (a hostile or broken registry entry).
    """
    path = base.joinpath(*names)
    if not all(map(_plain, names)) or resolve and base.resolve() not in path.resolve().parents:
        raise UsageError(
            f"refusing to use {path}: it is not a folder inside the model store {base}; "
            "check the registry entry's id and revision"
        )
    return path


def _plain(name: str) -> bool:
    return bool(name) and name not in (".", "..") and not any(c in name for c in ("/", os.sep, "\x00"))
