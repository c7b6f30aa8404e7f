"""The model registry: which Marian model translates which language pair.

The built-in entries live in models/registry.toml at the top of the source
tree, shipped in the wheel as compare/translate/registry.toml (one file, two
locations: see pyproject). User entries ($COMPARE_REGISTRY, then models.toml
in the user config dir) come first, so users can override or add pairs, or
point an entry at a local directory instead of a Hugging Face id.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

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


# Every field a [[model]] table may have: (type, what a valid value looks like).
_FIELDS: dict[str, tuple[type, str]] = {
    "source": (str, 'a language code, e.g. source = "ru"'),
    "sources": (list, 'a list of language codes, e.g. sources = ["de", "fr"]'),
    "target": (str, 'a language code, e.g. target = "en"'),
    "id": (str, 'a Hugging Face model id, e.g. id = "Helsinki-NLP/opus-mt-ru-en"'),
    "path": (str, 'a local model directory, e.g. path = "/models/my-ru-en"'),
    "revision": (str, "a commit sha, branch or tag without '/' or '..'"),
    "license": (str, 'a licence name, e.g. license = "apache-2.0"'),
    "target_token": (str, 'a target-language token without spaces, e.g. target_token = ">>fra<<"'),
    "priority": (int, "an integer (lower wins), e.g. priority = 50"),
    "max_input_tokens": (int, "an integer of at least 4, e.g. max_input_tokens = 256"),
}
# Hub ids: "org/name", each part letters, digits, '.', '_', '-' (no leading/trailing '.'
# or '-', no '..' or '--': "--" is the store's separator for '/').
_HUB_PART = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?"
_HUB_ID = re.compile(rf"{_HUB_PART}/{_HUB_PART}")
# Revisions become part of a folder name: one plain name, never a path.
_REVISION = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,99}")


def valid_hub_id(value: str) -> bool:
    return bool(_HUB_ID.fullmatch(value)) and ".." not in value and "--" not in value


def valid_revision(value: str) -> bool:
    return bool(_REVISION.fullmatch(value)) and ".." not in value and not value.endswith((".lock", ".partial"))


# Checks beyond the type, for the fields that need them.
_VALUE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "sources": lambda v: bool(v) and all(isinstance(code, str) for code in v),
    "id": valid_hub_id,
    "revision": valid_revision,
    "path": lambda v: bool(v.strip()) and "\x00" not in v,
    "target_token": lambda v: bool(v) and not any(c.isspace() for c in v),
    "max_input_tokens": lambda v: v >= 4,
}


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, (str, int, float, list)) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_registry(path: Path, *, origin: str) -> list[ModelEntry]:
    """Read one registry TOML file; errors name the file, the entry and the field."""
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise UsageError(f"cannot read model registry: not UTF-8 text (byte {exc.start}); "
                         "save it as UTF-8", path=str(path)) from exc
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"cannot read model registry: {exc}", path=str(path)) from exc
    if extra := sorted(set(data) - {"model"}):
        raise UsageError(f"unknown key `{extra[0]}` in the model registry (expected [[model]] tables)",
                         path=str(path))
    rows = data.get("model", [])
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise UsageError("`model` must be [[model]] tables", path=str(path))
    return [_entry(row, path, f"[[model]] #{i + 1}", origin) for i, row in enumerate(rows)]


def _entry(row: dict[str, Any], path: Path, where: str, origin: str) -> ModelEntry:
    """One validated [[model]] table."""
    if isinstance(row.get("id"), str):
        where += f" ({row['id']})"

    def bad(field: str, expected: str) -> UsageError:
        return UsageError(f"{where}: `{field}` = {_shown(row[field])}: expected {expected}", path=str(path))

    for field, value in row.items():
        if field not in _FIELDS:
            raise UsageError(f"{where}: unknown field `{field}` (expected one of: {', '.join(_FIELDS)})",
                             path=str(path))
        kind, expected = _FIELDS[field]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise bad(field, expected)
    if "source" in row and "sources" in row:
        raise UsageError(f"{where}: give `source` or `sources`, not both", path=str(path))
    if not ("source" in row or "sources" in row) or "target" not in row:
        raise UsageError(f"{where}: needs `source` (or `sources`) and `target`", path=str(path))
    if ("id" in row) == ("path" in row):
        raise UsageError(f"{where}: give exactly one of `id` or `path`", path=str(path))
    for field, ok in _VALUE_CHECKS.items():
        if field in row and not ok(row[field]):
            raise bad(field, _FIELDS[field][1])
    sources = row["sources"] if "sources" in row else [row["source"]]
    for code in sources:
        check_language_code(code, what=f"{path}: {where}: `{'sources' if 'sources' in row else 'source'}`")
    check_language_code(row["target"], what=f"{path}: {where}: `target`")
    local = Path(row["path"]).expanduser() if "path" in row else None
    if local is not None and not local.is_absolute():
        local = (path.parent / local).resolve()  # relative to the registry file
    return ModelEntry(
        sources=tuple(sources), target=row["target"], hub_id=row.get("id"), path=local,
        revision=row.get("revision"), license=row.get("license"), target_token=row.get("target_token"),
        priority=row.get("priority", 0), max_input_tokens=row.get("max_input_tokens"), origin=origin,
    )


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
