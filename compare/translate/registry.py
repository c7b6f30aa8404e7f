"""The model registry: which Marian model translates which language pair.

The built-in entries live in models/registry.toml at the top of the source
tree, shipped in the wheel as compare/translate/registry.toml (one file, two
locations: see pyproject). User entries ($COMPARE_REGISTRY, then models.toml
in the user config dir) come first, so users can override or add pairs, or
point an entry at a local directory instead of a Hugging Face id.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import ModelMissingError, UsageError
from ..language import check_language_code, language_name
from .paths import user_registry_files

PIVOT = "en"
_PACKAGED = Path(__file__).with_name("registry.toml")
_SOURCE_TREE = Path(__file__).resolve().parents[2] / "models" / "registry.toml"


@dataclass(frozen=True, slots=True)
class ModelEntry:
    """One registry row. Exactly one of `hub_id` / `path` is set."""

    sources: tuple[str, ...]
    target: str
    hub_id: str | None = None
    path: Path | None = None
    revision: str | None = None
    license: str | None = None
    target_token: str | None = None
    priority: int = 0
    max_input_tokens: int | None = None
    origin: str = "built-in"

    @property
    def model_id(self) -> str:
        """Hub id, or the local directory's name."""
        return self.hub_id or (self.path.name if self.path else "?")

    @property
    def store_name(self) -> str:
        """Folder name in the model store (unique per model, not per pair)."""
        if self.hub_id:
            base = self.hub_id.replace("/", "--")
        else:  # two local directories may share a name: add a hash of the path
            base = f"local--{self.model_id}-{hashlib.sha1(str(self.path).encode()).hexdigest()[:8]}"
        return f"{base}@{self.revision}" if self.revision else base

    def pair(self, source: str) -> str:
        return f"{source}->{self.target}"


def builtin_registry_file() -> Path:
    """The packaged copy if installed from a wheel, else the source tree's models/registry.toml."""
    return _PACKAGED if _PACKAGED.is_file() else _SOURCE_TREE


def parse_registry(path: Path, *, origin: str) -> list[ModelEntry]:
    """Read one registry TOML file; errors name the file and the entry."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"cannot read model registry: {exc}", path=str(path)) from exc
    entries = []
    for i, row in enumerate(data.get("model", [])):
        where = f"[[model]] #{i + 1}"
        sources = row.get("sources") or ([row["source"]] if "source" in row else [])
        if not sources or "target" not in row:
            raise UsageError(f"{where}: needs `source` (or `sources`) and `target`", path=str(path))
        if ("id" in row) == ("path" in row):
            raise UsageError(f"{where}: give exactly one of `id` or `path`", path=str(path))
        for code in (*sources, row["target"]):
            check_language_code(code, what=f"{path}: {where}")
        local = Path(row["path"]).expanduser() if "path" in row else None
        if local is not None and not local.is_absolute():
            local = (path.parent / local).resolve()  # relative to the registry file
        entries.append(
            ModelEntry(
                sources=tuple(sources), target=row["target"], hub_id=row.get("id"), path=local,
                revision=row.get("revision"), license=row.get("license"),
                target_token=row.get("target_token"), priority=int(row.get("priority", 0)),
                max_input_tokens=row.get("max_input_tokens"), origin=origin,
            )
        )
    return entries


def load_registry() -> list[ModelEntry]:
    """User entries first (they win ties), then the built-in ones."""
    entries: list[ModelEntry] = []
    for user_file in user_registry_files():
        if user_file.is_file():
            entries += parse_registry(user_file, origin=str(user_file))
    return entries + _builtin()


@lru_cache(maxsize=1)
def _builtin() -> list[ModelEntry]:
    return parse_registry(builtin_registry_file(), origin="built-in")


def find_entry(source: str, target: str, entries: list[ModelEntry] | None = None) -> ModelEntry | None:
    """Best direct entry for source->target: user before built-in, then lowest priority."""
    entries = load_registry() if entries is None else entries
    matches = [e for e in entries if source in e.sources and e.target == target]
    user = [e for e in matches if e.origin != "built-in"]
    pool = user or matches
    return min(pool, key=lambda e: e.priority) if pool else None


def route(source: str, target: str) -> list[ModelEntry]:
    """The models to chain for source->target: one direct model, or two via English."""
    if source == target:
        raise UsageError(f"nothing to translate: source and target are both {language_name(source)} ({source})")
    entries = load_registry()
    if direct := find_entry(source, target, entries):
        return [direct]
    if PIVOT not in (source, target):
        first, second = find_entry(source, PIVOT, entries), find_entry(PIVOT, target, entries)
        if first and second:
            return [first, second]
    raise ModelMissingError(
        f"no translation model for {language_name(source)} ({source}) -> {language_name(target)} ({target}) "
        f"in the registry; add a [[model]] entry (source = \"{source}\", target = \"{target}\", "
        f"id = \"<hub id>\" or path = \"<dir>\") to {user_registry_files()[-1]} or $COMPARE_REGISTRY"
    )
