"""run_batch: every story through the one-story pipeline, then the run's index, summary and run.json.

Outputs are written into `DIR.incomplete` (marked by an INCOMPLETE file) and swapped in for DIR
only when the whole run is done, so an interrupted run leaves the previous DIR as it was and the
partial one clearly marked. Stories run in worker processes with --jobs; every story writes only
its own folder and returns its figures, and the run's files are written in story-name order, so
the outputs do not depend on which story finished first.
"""

from __future__ import annotations

import os
import shutil
import sys
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from ..errors import CompareError, ExitStatus, UsageError
from ..gate import Crossing, Thresholds, check, ledger_of, linked_shares, top_omissions
from ..options import CompareOptions
from ..result import FINDING_TYPES, ComparisonResult
from .stories import Story, is_url as _is_url

if TYPE_CHECKING:
    from ..ingest import Source

RUN_SCHEMA = "compare-batch/1"
RUN_READABLE = (RUN_SCHEMA,)
MARKER = "INCOMPLETE"
RESULT, REPORT, FETCHED = "result.json", "report.html", "fetched"
INDEX, SUMMARY, RUN = "index.html", "summary.md", "run.json"

Status = str  # "ok" | "crossed" | "broken" | "error"


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs: the comparison options every story starts from, and the run's own knobs."""

    compare: CompareOptions = CompareOptions()
    thresholds: Thresholds = Thresholds()
    jobs: int = 1
    stamp: str | None = None  # the run's time when --stamp was given (else outputs carry none)
    since: Path | None = None  # an earlier run's DIR, to say what changed
    executor: str = "local"  # "local" (processes on this machine) or "ray" (compare/batch/ray_executor.py)
    ray_address: str | None = None  # an existing Ray cluster ("auto", "ray://host:10001"); None starts one here


@dataclass(frozen=True)
class StoryOutcome:
    """One story's figures (what the index, the summary and run.json show)."""

    name: str
    status: Status
    title: str | None = None
    error: str | None = None  # the one-line reason of a broken story
    outlets: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    sentences: int = 0
    coverage: dict[str, float] | None = None  # per outlet label: share of sentences linked to another outlet
    omissions: int = 0  # ledger entries
    top_omissions: int = 0  # of those, facts told in a headline or the first two sentences
    findings: dict[str, int] | None = None  # pair findings per type
    crossings: tuple[Crossing, ...] = ()
    changes: tuple[str, ...] | None = None  # with --since: what changed, one line each

    @property
    def min_coverage(self) -> float | None:
        return min(self.coverage.values()) if self.coverage else None

    @property
    def finding_count(self) -> int:
        return sum((self.findings or {}).values())

    def badness(self) -> tuple[int, int, int, int, str]:
        """Sort key, worst first: errors and broken stories, then crossings, omissions, findings."""
        rank = {"error": 0, "broken": 1, "crossed": 2, "ok": 3}[self.status]
        return (rank, -len(self.crossings), -self.top_omissions - self.omissions, -self.finding_count, self.name)


@dataclass(frozen=True)
class BatchRun:
    stories: tuple[StoryOutcome, ...]
    thresholds: Thresholds
    version: str
    created: str | None = None
    since: str | None = None  # the earlier run compared with (its folder name)

    @property
    def status(self) -> ExitStatus:
        """3 if a story hit a bug, 2 if one is broken, 1 if one crossed a threshold, else 0."""
        states = {s.status for s in self.stories}
        if "error" in states:
            return ExitStatus.INTERNAL
        if "broken" in states:
            return ExitStatus.BAD_INPUT
        return ExitStatus.THRESHOLD if "crossed" in states else ExitStatus.OK

    def worst_first(self) -> list[StoryOutcome]:
        return sorted(self.stories, key=StoryOutcome.badness)


# -- the output folder ---------------------------------------------------------------------------


def check_out(path: Path, out: Path, stories: Sequence[Story] = (), since: Path | None = None) -> None:
    """Refuse, before any work, an --out that would mix with or destroy the inputs or other files."""
    src, dest = path.resolve(), out.resolve()
    if src.is_dir() and (dest == src or src in dest.parents):
        raise UsageError(f"--out {out} is inside {path}: its results would be read back as stories; write elsewhere")
    inputs = [src, *(Path(i).resolve() for s in stories for i in s.inputs if not _is_url(i))]
    for item in inputs:
        if dest == item or dest in item.parents:
            raise UsageError(f"--out {out} contains {item}: replacing it would delete the stories; write elsewhere")
    if dest.exists():
        if not dest.is_dir():
            raise UsageError(f"--out {out} is a file, not a folder; give a folder name")
        if any(dest.iterdir()) and not (dest / RUN).is_file():
            raise UsageError(
                f"--out {out} is a folder that holds other files (no {RUN} of an earlier batch): it would be "
                "replaced; give a new or empty folder"
            )
    if since is not None and not since.is_dir():
        raise UsageError(f"--since {since}: no such folder; give the --out folder of an earlier batch run")


def staging_dir(out: Path) -> Path:
    return out.with_name(out.name + ".incomplete")


def _begin(out: Path) -> Path:
    staging = staging_dir(out)
    if staging.exists():
        if not (staging / MARKER).is_file():
            raise UsageError(f"{staging} exists and is not a partial batch run; move it away")
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    (staging / MARKER).write_text(
        f"This run of `compare batch` did not finish; {out.name} keeps the previous complete run.\n", encoding="utf-8"
    )
    return staging


def _commit(staging: Path, out: Path) -> None:
    """Swap the finished run in for DIR: two renames, the previous run removed after."""
    (staging / MARKER).unlink()
    old = out.with_name(f".{out.name}.previous")
    if old.exists():
        shutil.rmtree(old)
    if out.exists():
        os.replace(out, old)
    os.replace(staging, out)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


# -- one story -------------------------------------------------------------------------------------


def story_options(story: Story, base: CompareOptions) -> CompareOptions:
    """The run's options with the story's own settings on top (checked by CompareOptions)."""
    o = story.options
    changes: dict[str, Any] = {"languages": dict(story.languages), "published": dict(story.published)}
    if "to" in o:
        changes["target_language"] = o["to"]
    if "fast" in o:
        changes["align_mode"] = "fast" if o["fast"] else "default"
    if "findings" in o:
        changes["findings"] = tuple(str(t).lower() for t in o["findings"])
    for key in ("threshold", "beam", "engine"):
        if key in o:
            changes[key] = o[key]
    return replace(base, **changes)


def story_thresholds(story: Story, base: Thresholds) -> Thresholds:
    if story.fail_on is None and story.min_coverage is None:
        return base
    return Thresholds.parse(
        story.fail_on if story.fail_on is not None else base.fail_on,
        story.min_coverage if story.min_coverage is not None else base.min_coverage,
    )


def story_settings(story: Story, options: BatchOptions) -> tuple[CompareOptions, Thresholds]:
    """The story's comparison options and thresholds (UsageError when they do not fit together)."""
    compare = story_options(story, options.compare)
    thresholds = story_thresholds(story, options.thresholds)
    absent = [t for t in thresholds.fail_on if t in FINDING_TYPES and t not in compare.findings]
    if absent:
        raise UsageError(f"fail_on {absent[0]}: that finding type is not looked for in this story's findings")
    return compare, thresholds


def run_story(story: Story, options: BatchOptions, staging: Path, kept: Sequence[Path]) -> StoryOutcome:
    """Compare one story and write its result.json and report.html; never raises for a bad story."""
    if story.problem:
        return broken(story, story.problem)
    try:
        compare, thresholds = story_settings(story, options)
        folder = staging / story.name
        sources = read_story(story, compare, folder, kept)
        result = compare_story(story, sources, compare)
        outcome, files = finish_story(story, result, thresholds, options.stamp)
        write_files(folder, files)
        return outcome
    except CompareError as exc:
        return broken(story, str(exc))
    except Exception as exc:  # a bug: this story says so, the others go on
        return failed(story, exc)


def broken(story: Story, why: str) -> StoryOutcome:
    return StoryOutcome(story.name, "broken", title=story.title, error=why)


def failed(story: Story, exc: BaseException) -> StoryOutcome:
    return StoryOutcome(story.name, "error", title=story.title,
                        error=f"internal error: {type(exc).__name__}: {exc} (report it)")


def read_story(story: Story, options: CompareOptions, folder: Path, kept: Sequence[Path]) -> list[Source]:
    """The story's articles as Sources: files read, URLs fetched (kept in folder/fetched)."""
    from ..ingest import read_source

    sources = []
    fetcher = None
    for k, spec in enumerate(story.inputs):
        label = story.labels[k] if k < len(story.labels) else None
        if _is_url(spec):
            if fetcher is None:
                fetcher = _fetcher(options, folder / FETCHED, [p / story.name / FETCHED for p in kept])
            from ..fetch import read_url

            sources.append(read_url(spec, fetcher, label=label, max_bytes=options.max_bytes))
        else:
            source = read_source(spec, label=label, max_bytes=options.max_bytes)
            # The path as given in the story, relative to where the batch was started: reports
            # carry no absolute path of this machine, and reruns elsewhere give the same bytes.
            sources.append(replace(source, path=_relative(spec)))
    return sources


def compare_story(story: Story, sources: Sequence[Source], options: CompareOptions) -> ComparisonResult:
    from ..pipeline import compare_documents

    return compare_documents(sources, options, title=story.title)


def finish_story(story: Story, result: ComparisonResult, thresholds: Thresholds,
                 stamp: str | None) -> tuple[StoryOutcome, dict[str, str]]:
    """The story's figures and crossings, and its files (name -> text)."""
    from ..render import render

    if stamp:
        result = replace(result, created=stamp)
    files = {RESULT: render(result, "json"), REPORT: render(result, "html")}
    return _outcome(story, result, check(result, thresholds, story=story.name)), files


def write_files(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8", newline="\n")


def _fetcher(options: CompareOptions, keep_to: Path, kept: Sequence[Path]) -> Any:
    from ..fetch import Fetcher

    # --offline only: HF_HUB_OFFLINE is the model hub's switch, not a reason to stop fetching pages
    return Fetcher(options.fetch, keep_to=keep_to, kept_from=list(kept), offline=options.offline)


def _relative(spec: str) -> str:
    try:
        return os.path.relpath(spec)
    except ValueError:  # another drive (Windows)
        return spec


def _outcome(story: Story, result: ComparisonResult, crossings: Sequence[Crossing]) -> StoryOutcome:
    labels = {d.id: d.label for d in result.documents}
    findings = {t: 0 for t in FINDING_TYPES if t not in result.skipped}
    for comp in result.comparisons:
        for f in comp.findings:
            findings[f.type] = findings.get(f.type, 0) + 1
    return StoryOutcome(
        name=story.name,
        status="crossed" if crossings else "ok",
        title=result.title,
        outlets=tuple(d.label for d in result.documents),
        languages=tuple(d.source_language or d.language for d in result.documents),
        sentences=sum(len(d.sentences) for d in result.documents),
        coverage={labels[k]: round(v, 4) for k, v in linked_shares(result).items()},
        omissions=len(ledger_of(result)),
        top_omissions=top_omissions(result),
        findings=findings,
        crossings=tuple(crossings),
    )


# -- the run ------------------------------------------------------------------------------------------


def run_batch(
    stories: Sequence[Story],
    out: Path,
    options: BatchOptions,
    *,
    on_story: Callable[[StoryOutcome, int, int], None] | None = None,
) -> BatchRun:
    """Run every story and write DIR/STORY/{result.json,report.html}, index.html, summary.md, run.json.

    `on_story(outcome, done, total)` is called as each story finishes (progress). The run's files
    appear in DIR only when all is done; on an exception (Ctrl-C) DIR is untouched and the
    partial run stays in DIR.incomplete.
    """
    from .. import __version__

    staging = _begin(out)
    kept = [p for p in (options.since, out) if p is not None and p.is_dir()]
    if options.executor == "ray":
        from .ray_executor import run_all
    else:
        run_all = _run_all
    outcomes = {s.name: s for s in run_all(stories, options, staging, kept, on_story)}
    ordered = tuple(outcomes[s.name] for s in sorted(stories, key=lambda s: s.name))
    if options.since is not None:
        from .since import changes_since

        ordered = tuple(replace(o, changes=changes_since(options.since, o, staging)) for o in ordered)
    run = BatchRun(ordered, options.thresholds, __version__, created=options.stamp,
                   since=options.since.name if options.since else None)
    from .pages import render_index, render_run_json, render_summary

    for name, text in ((INDEX, render_index(run)), (SUMMARY, render_summary(run)), (RUN, render_run_json(run))):
        (staging / name).write_text(text, encoding="utf-8", newline="\n")
    _commit(staging, out)
    return run


def _run_all(stories: Sequence[Story], options: BatchOptions, staging: Path, kept: Sequence[Path],
             on_story: Callable[[StoryOutcome, int, int], None] | None) -> Iterable[StoryOutcome]:
    total = len(stories)
    jobs = max(1, min(options.jobs, total))
    if jobs == 1:
        for done, story in enumerate(stories, 1):
            outcome = run_story(story, options, staging, kept)
            if on_story:
                on_story(outcome, done, total)
            yield outcome
        return
    # Workers fork from a server process that has imported the pipeline once (spawn would import
    # it in every worker; a plain fork would copy this process's threads and locks, such as the
    # progress bar's). Where there is no forkserver (not POSIX), spawn.
    try:
        context = get_context("forkserver")
        context.set_forkserver_preload(["compare.batch.run", "compare.pipeline"])
    except ValueError:
        context = get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        story_of: dict[Future[StoryOutcome], Story] = {
            pool.submit(run_story, s, options, staging, kept): s for s in stories
        }
        pending = set(story_of)
        done = 0
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(finished, key=lambda f: story_of[f].name):
                    try:
                        outcome = future.result()
                    except Exception as exc:  # noqa: BLE001 - the worker process died (killed, out of memory)
                        outcome = failed(story_of[future], exc)
                    done += 1
                    if on_story:
                        on_story(outcome, done, total)
                    yield outcome
        except BaseException:
            for future in pending:
                future.cancel()
            raise


def progress_line(outcome: StoryOutcome, done: int, total: int) -> str:
    """One line per finished story (logs, CI)."""
    head = f"[{done}/{total}] {outcome.name}: {outcome.status}"
    if outcome.error:
        return f"{head}: {outcome.error}"
    coverage = outcome.min_coverage
    parts = [f"{len(outcome.outlets)} outlets", f"lowest coverage {coverage:.0%}" if coverage is not None else "",
             f"{outcome.omissions} omissions", f"{outcome.finding_count} findings"]
    if outcome.crossings:
        n = len(outcome.crossings)
        parts.append(f"{n} threshold crossing{'' if n == 1 else 's'}")
    return f"{head} ({', '.join(p for p in parts if p)})"


def is_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false") or not (sys.stderr and sys.stderr.isatty())

