"""Stories of a batch: found in a folder of story folders, or listed in a TOML manifest.

A story is the input of one comparison: two or more outlets' articles (files or URLs) about one
event, with optional title, labels, languages, publication times, options and thresholds. A
problem with one story (a missing file, a bad story.toml, too few articles) is kept on the story
as one line, so the batch reports it and goes on with the others.

Folder layout (docs/batch.md):

    stories/
      summit/              one story: the folder name is its name and output folder
        meridian.txt       one file per outlet (.txt, .html, .htm); the stem is the label
        vestnik.html
        urls.txt           optional: one URL per line ("label URL" or "URL"), # comments
        story.toml         optional: title, labels, languages, published, options, thresholds

A manifest (`stories.toml`) lists the stories instead: see `read_manifest`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..errors import UsageError

ARTICLE_SUFFIXES = (".txt", ".html", ".htm")
STORY_FILE = "story.toml"
URLS_FILE = "urls.txt"
# A story name becomes a folder under --out: letters, digits, '.', '_' and '-', not starting
# with '.', so no name can climb out of the output folder or hide itself.
_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,99}")
# Options a story (or a manifest's [defaults]) may set, with the type each takes.
OPTION_TYPES: dict[str, type | tuple[type, ...]] = {
    "to": str,
    "fast": bool,
    "findings": list,
    "threshold": (int, float),
    "beam": int,
    "engine": str,
}
THRESHOLD_KEYS = ("fail_on", "min_coverage")


@dataclass(frozen=True)
class Story:
    """One comparison to run. `problem` is set when it cannot run (the one-line reason)."""

    name: str
    inputs: tuple[str, ...] = ()  # file paths and URLs, in outlet order
    labels: tuple[str | None, ...] = ()  # one per input; None: the file stem or the page's site
    title: str | None = None
    languages: Mapping[str, str] = field(default_factory=dict)
    published: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)  # OPTION_TYPES keys
    fail_on: tuple[str, ...] | None = None  # None: the run's --fail-on
    min_coverage: float | None = None  # None: the run's --min-coverage
    problem: str | None = None


def safe_name(name: str) -> bool:
    return bool(_SAFE_NAME.fullmatch(name)) and name not in (".", "..")


def find_stories(path: Path) -> list[Story]:
    """The stories under PATH: a folder of story folders, or a TOML manifest (sorted by name)."""
    if path.is_file():
        return read_manifest(path)
    if not path.is_dir():
        raise UsageError(f"{path}: no such folder or manifest; give a folder of story folders or a stories.toml")
    folders = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    loose = [p for p in path.iterdir() if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES]
    if loose and folders:
        import warnings

        from ..ingest import InputWarning

        warnings.warn(InputWarning(
            f"{path}: {len(loose)} article file(s) outside the story folders are not compared (such as "
            f"{sorted(loose)[0].name}); put each story's articles in a sub-folder of its own, or list them in a manifest"
        ), stacklevel=2)
    if not folders:
        raise UsageError(
            f"{path}: no story folders inside; put each story's articles in a sub-folder (docs/batch.md)"
        )
    return [_folder_story(p) for p in folders]


def _folder_story(folder: Path) -> Story:
    name = folder.name
    if not safe_name(name):
        return Story(name=_printable_name(name), problem=_unsafe(name))
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES)
    inputs: list[str] = [str(p) for p in files if p.name != URLS_FILE]
    labels: list[str | None] = [None] * len(inputs)
    try:
        for label, url in _read_urls(folder / URLS_FILE):
            inputs.append(url)
            labels.append(label)
        settings = _read_toml(folder / STORY_FILE) if (folder / STORY_FILE).is_file() else {}
        story = _story(name, inputs, labels, settings, where=str(folder / STORY_FILE), stems=[
            Path(i).stem if not is_url(i) else None for i in inputs
        ])
    except _StoryProblem as exc:
        return Story(name=name, inputs=tuple(inputs), problem=str(exc))
    return story


def read_manifest(path: Path) -> list[Story]:
    """Stories listed in a TOML manifest; file paths are relative to the manifest's folder.

        [defaults]                       # options and thresholds for every story
        fail_on = ["omission", "number"]
        min_coverage = 0.5

        [[story]]
        name = "summit"                  # the output folder: letters, digits, . _ -
        title = "Trade forum summit"
        files = ["summit/meridian.txt", "https://example.org/news/summit"]
        labels = ["Meridian", "Example"]  # optional, one per file
        languages = { Example = "ru" }    # optional, by label
        fail_on = ["number"]              # optional: replaces the defaults' list
    """
    try:
        data = _read_toml(path)
    except _StoryProblem as exc:
        raise UsageError(str(exc)) from None
    unknown = set(data) - {"defaults", "story"}
    if unknown:
        raise UsageError(f"{path}: unknown table {sorted(unknown)[0]!r}; a manifest has [defaults] and [[story]] entries")
    defaults = data.get("defaults", {})
    entries = data.get("story", [])
    if not isinstance(defaults, dict) or not isinstance(entries, list) or not entries:
        raise UsageError(f"{path}: no [[story]] entries; see docs/batch.md for a complete example")
    stories: list[Story] = []
    seen: set[str] = set()
    for k, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise UsageError(f"{path}: story {k} is not a table")
        name = str(entry.get("name", f"story-{k}"))
        if name in seen:
            raise UsageError(f"{path}: two stories are named {name!r}; give each its own name")
        seen.add(name)
        if not safe_name(name):
            stories.append(Story(name=_printable_name(name), problem=_unsafe(name)))
            continue
        files = entry.get("files", [])
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            stories.append(Story(name=name, problem=f"{path}: story {name!r}: files must be a list of paths or URLs"))
            continue
        inputs = [f if is_url(f) else str(path.parent / f) for f in files]
        labels = entry.get("labels", [None] * len(inputs))
        settings = {**{k: v for k, v in defaults.items()}, **{k: v for k, v in entry.items() if k not in ("name", "files", "labels")}}
        try:
            if not isinstance(labels, list) or len(labels) != len(inputs):
                raise _StoryProblem(f"{path}: story {name!r}: give one label per file ({len(inputs)}), or none")
            stories.append(_story(name, inputs, [str(x) if x is not None else None for x in labels], settings,
                                  where=f"{path}: story {name!r}", stems=[None if is_url(i) else Path(i).stem for i in inputs]))
        except _StoryProblem as exc:
            stories.append(Story(name=name, inputs=tuple(inputs), problem=str(exc)))
    return sorted(stories, key=lambda s: s.name)


class _StoryProblem(Exception):
    """One story cannot run; the message is its one-line reason."""


def _story(name: str, inputs: list[str], labels: list[str | None], settings: dict[str, Any], *,
           where: str, stems: list[str | None]) -> Story:
    known = {"title", "labels", "languages", "published", "options", *OPTION_TYPES, *THRESHOLD_KEYS}
    unknown = sorted(set(settings) - known)
    if unknown:
        raise _StoryProblem(f"{where}: unknown setting {unknown[0]!r}; known: {', '.join(sorted(known))}")
    options = {**settings.get("options", {}), **{k: settings[k] for k in OPTION_TYPES if k in settings}}
    for key, value in options.items():
        want = OPTION_TYPES.get(key)
        if want is None:
            raise _StoryProblem(f"{where}: unknown option {key!r}; known: {', '.join(OPTION_TYPES)}")
        if not isinstance(value, want) or (want is not bool and isinstance(value, bool)):
            raise _StoryProblem(f"{where}: option {key} = {value!r} has the wrong type")
    # labels: by file stem in story.toml ({stem = "Label"}), as a list in a manifest (done above)
    by_stem = settings.get("labels", {})
    if isinstance(by_stem, dict):
        labels = [str(by_stem.get(stem, label)) if stem in by_stem else label for stem, label in zip(stems, labels)]
    for key in ("languages", "published"):
        if not isinstance(settings.get(key, {}), dict):
            raise _StoryProblem(f"{where}: {key} must be a table of label = value")
    fail_on = settings.get("fail_on")
    if fail_on is not None and (not isinstance(fail_on, list) or not all(isinstance(t, str) for t in fail_on)):
        raise _StoryProblem(f"{where}: fail_on must be a list of types, e.g. [\"omission\", \"number\"]")
    min_coverage = settings.get("min_coverage")
    if min_coverage is not None and (isinstance(min_coverage, bool) or not isinstance(min_coverage, (int, float))):
        raise _StoryProblem(f"{where}: min_coverage must be a share between 0 and 1, e.g. 0.6")
    if len(inputs) < 2:
        raise _StoryProblem(
            f"{where.removesuffix('/' + STORY_FILE)}: {len(inputs)} article(s); a story needs at least two "
            f"({', '.join(ARTICLE_SUFFIXES)} files or lines of {URLS_FILE})"
        )
    title = settings.get("title")
    return Story(
        name=name,
        inputs=tuple(inputs),
        labels=tuple(labels),
        title=str(title) if title is not None else None,
        languages={str(k): str(v) for k, v in settings.get("languages", {}).items()},
        published={str(k): str(v) for k, v in settings.get("published", {}).items()},
        options=options,
        fail_on=tuple(fail_on) if fail_on is not None else None,
        min_coverage=float(min_coverage) if min_coverage is not None else None,
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise _StoryProblem(f"{path}: not valid TOML ({exc}); fix the file") from None
    except OSError as exc:
        raise _StoryProblem(f"{path}: cannot read ({exc.strerror or exc})") from None


def _read_urls(path: Path) -> list[tuple[str | None, str]]:
    """urls.txt: "URL" or "LABEL URL" a line; blank lines and # comments skipped."""
    if not path.is_file():
        return []
    out: list[tuple[str | None, str]] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise _StoryProblem(f"{path}: cannot read ({exc}); save it as UTF-8 text") from None
    for n, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line.strip()
        if not line:
            continue
        parts = line.rsplit(None, 1)
        label, url = (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])
        if not is_url(url):
            raise _StoryProblem(f"{path}, line {n}: {url!r} is not an http(s) URL; write 'URL' or 'LABEL URL'")
        out.append((label, url))
    return out


def is_url(spec: str) -> bool:
    """An http(s) URL (the batch fetches it) rather than a file path."""
    return spec[:8].lower().startswith(("http://", "https://"))


def _unsafe(name: str) -> str:
    return (
        f"story name {_printable_name(name)!r} cannot name an output folder; use letters, digits, '.', '_' "
        "and '-' (no '/', no leading '.')"
    )


def _printable_name(name: str) -> str:
    """An unsafe name as it is shown and keyed (never used as a path): control characters made
    visible, otherwise unchanged, so two different names never become the same key."""
    from ..errors import printable

    return printable(name) or "''"
