"""Where models, the cache and user config live. Nothing is created at import time."""

from __future__ import annotations

import os
from pathlib import Path

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
