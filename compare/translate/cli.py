"""`compare models ...` and `compare cache ...` (typer sub-apps mounted by compare/cli.py).

Errors are raised as CompareError subclasses; the main CLI prints one line
and exits with the error's status.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

models_app = typer.Typer(help="Translation models: list, download, locate.", no_args_is_help=True)
cache_app = typer.Typer(help="The persistent caches: translations and sentence embeddings.", no_args_is_help=True)

_To = Annotated[str, typer.Option("--to", help="Target language (ISO 639-1).")]


@models_app.command("list")
def list_models(
    to: Annotated[str | None, typer.Option("--to", help="Only entries translating into this language.")] = None,
    installed_only: Annotated[bool, typer.Option("--installed", help="Only installed models.")] = False,
) -> None:
    """Registry entries, and which models are installed (size on disk, how the default engine's weights are stored).

    WEIGHTS float32 marks a model pulled before int8 storage: it is converted to int8
    the first time the default engine uses it.
    """
    from .paths import models_dir
    from .registry import load_registry
    from .store import human_size, installed

    store = models_dir()
    rows = [("LANGUAGES", "MODEL", "LICENCE", "INSTALLED", "SIZE", "WEIGHTS", "FROM")]
    for entry in load_registry():
        if to and entry.target != to:
            continue
        model = installed(entry, store)
        if installed_only and model is None:
            continue
        sources = ",".join(entry.sources) if len(entry.sources) <= 3 else f"{len(entry.sources)} languages"
        rows.append((
            f"{sources} -> {entry.target}", entry.model_id + (f" {entry.target_token}" if entry.target_token else ""),
            entry.license or "?", "yes" if model else "no", human_size(model.size_bytes()) if model else "-",
            model.ct2_quantization if model else "-", "built-in" if entry.origin == "built-in" else "user",
        ))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        typer.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    typer.echo(f"models dir: {store}")


@models_app.command("pull")
def pull_models(
    languages: Annotated[list[str], typer.Argument(help="Source languages, e.g. ru zh ko.")],
    to: _To = "en",
    origin: Annotated[
        str | None,
        typer.Option("--from", help="A local model directory, a local mirror folder (<org>/<name>/), "
                                    "or a Hub mirror URL."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Download and convert again.")] = False,
) -> None:
    """Download (or copy) and convert the models that translate LANGUAGES into --to."""
    from ..errors import UsageError
    from ..language import check_language_code
    from .download import pull
    from .paths import models_dir
    from .registry import route
    from .store import human_size

    check_language_code(to, what="--to")
    plans = [(lang, route(check_language_code(lang), to)) for lang in languages]
    if origin and len({e.model_id for _, entries in plans for e in entries}) > 1 and _is_model_dir(origin):
        raise UsageError(f"--from {origin} is one model directory, but several models were asked for")
    store = models_dir()
    offline = os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0", "false")
    for lang, entries in plans:
        for entry in entries:
            model = pull(entry, store, origin=origin, force=force, offline=offline)
            typer.echo(f"{lang} -> {entry.target}: {entry.model_id} installed ({human_size(model.size_bytes())}) "
                       f"in {model.root}")


def _is_model_dir(origin: str) -> bool:
    from pathlib import Path

    return (Path(origin).expanduser() / "config.json").is_file()


@models_app.command("path")
def models_path(
    language: Annotated[str | None, typer.Argument(help="Print this language's model folder instead.")] = None,
    to: _To = "en",
) -> None:
    """Where models are stored (COMPARE_MODELS_DIR or the user cache dir), and the user registry file."""
    from ..errors import ModelMissingError
    from .download import missing_offline
    from .paths import models_dir, user_registry_files
    from .registry import route
    from .store import installed

    store = models_dir()
    if language is None:
        typer.echo(store)
        typer.echo(f"user registry: {user_registry_files()[-1]}", err=True)
        return
    source = language
    for entry in route(language, to):
        model = installed(entry, store)
        if model is None:
            err: ModelMissingError = missing_offline(entry, source)
            raise err
        typer.echo(model.root)
        source = entry.target


def _caches():  # noqa: ANN202 (list[SqliteStore]: its module is imported only when a cache command runs)
    """Both persistent caches in the cache dir, translations first."""
    from ..embed_cache import FILENAME as EMBEDDINGS, EmbeddingCache
    from .cache import FILENAME as TRANSLATIONS, TranslationCache
    from .paths import cache_dir

    folder = cache_dir()
    return [TranslationCache(folder / TRANSLATIONS), EmbeddingCache(folder / EMBEDDINGS)]


@cache_app.command("info")
def cache_info() -> None:
    """Where each cache (translations, sentence embeddings) is, its size, and entries per model."""
    from ..sqlite_store import CLEAR_HINT
    from .store import human_size

    for cache in _caches():
        info = cache.info()
        typer.echo(f"{cache.NOUN}:")
        typer.echo(f"  path: {info.path}")
        if info.problem:
            typer.echo(f"  status: cannot be read ({info.problem}); {CLEAR_HINT}")
        typer.echo(f"  entries: {info.entries}")
        typer.echo(f"  size: {human_size(info.size_bytes)}")
        for model, n in info.models.items():
            typer.echo(f"  {n:8d}  {model}")


@cache_app.command("clear")
def cache_clear(
    model: Annotated[str | None, typer.Option("--model", help="Only entries of models whose key contains this.")]
    = None,
) -> None:
    """Delete cached translations and embeddings; a cache file that cannot be read is removed whole."""
    from ..sqlite_store import CacheBrokenError

    for cache in _caches():
        try:
            removed = cache.clear(model)
        except CacheBrokenError as exc:  # nothing in it can be read: start afresh
            files = cache.reset()
            typer.echo(f"removed the unreadable {cache.NOUN} ({exc.reason}): {', '.join(map(str, files))}")
            continue
        typer.echo(f"removed {removed} cached {cache.ITEMS[:-1]}(s)")
