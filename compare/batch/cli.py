"""`compare batch PATH --out DIR`: many stories, unattended (mounted by compare/cli.py).

Thin: flags -> BatchOptions -> run_batch -> lines on stderr and an exit status. Errors that stop
the whole run (a bad flag, an --out that would destroy something) are raised as CompareError
before any work; a story that cannot run is reported and the others go on.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..cli import _default
from ..errors import ExitStatus, UsageError

batch_app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EPILOG = (
    "PATH is a folder with one sub-folder per story (one file per outlet, optional urls.txt and story.toml) or a "
    "TOML manifest; see docs/batch.md. Writes DIR/STORY/result.json and report.html, DIR/index.html, "
    "DIR/summary.md (for CI job summaries) and DIR/run.json. DIR is replaced only when the run is complete. "
    "Exit status: 0 nothing crossed a threshold; 1 a threshold was crossed (0 with --exit-zero); 2 bad usage or "
    "a broken story (the others still run); 3 internal error; 130 interrupted."
)


@batch_app.command(epilog=EPILOG)
def batch(
    path: Annotated[str, typer.Argument(metavar="PATH", help="A folder of story folders, or a stories.toml manifest.")],
    out: Annotated[str, typer.Option("--out", "-o", metavar="DIR", help="Folder for the run's outputs (replaced when done).")],
    jobs: Annotated[int, typer.Option("--jobs", "-j", metavar="N", help="Stories compared in parallel processes.")] = 1,
    since: Annotated[
        Optional[str],
        typer.Option("--since", metavar="OLD_DIR", help="An earlier run's --out folder: say what changed since (may be DIR itself)."),
    ] = None,
    fail_on: Annotated[
        Optional[list[str]],
        typer.Option("--fail-on", metavar="TYPE,...", help="Exit 1 if a story shows any of these: omission or a finding type. "
                     "Repeatable; a story.toml or manifest may set its own.", show_default=False),
    ] = None,
    min_coverage: Annotated[
        Optional[float],
        typer.Option("--min-coverage", metavar="P", help="Exit 1 if less than this share of an outlet's sentences is linked.",
                     show_default=False),
    ] = None,
    exit_zero: Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even when a threshold is crossed (errors still exit 2).")] = False,
    to: Annotated[Optional[str], typer.Option("--to", metavar="LANG", help=f"Common language (default {_default('target_language')}).",
                                              show_default=False)] = None,
    engine: Annotated[Optional[str], typer.Option("--engine", metavar="NAME", help=f"ctranslate2 or transformers (default {_default('engine')}).",
                                                  show_default=False)] = None,
    beam: Annotated[Optional[int], typer.Option("--beam", metavar="N", help=f"Beam size (default {_default('beam')}).", show_default=False)] = None,
    device: Annotated[Optional[str], typer.Option("--device", metavar="DEVICE", help=f"where translation and the sentence encoder run: auto, cpu or cuda (default {_default('device')}).",
                                                  show_default=False)] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Never download models; URLs are read from the kept copies of "
                                          "--since or of DIR's previous run, never fetched.")] = False,
    allow_private: Annotated[bool, typer.Option("--allow-private", help="Fetch URLs on loopback and private addresses.")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the caches.")] = False,
    fast: Annotated[bool, typer.Option("--fast", help="Lexical alignment only.")] = False,
    findings: Annotated[Optional[str], typer.Option("--findings", metavar="TYPE,...", help="Finding types to look for (default all).",
                                                    show_default=False)] = None,
    no_findings: Annotated[bool, typer.Option("--no-findings", help="Look for no framing findings.")] = False,
    executor: Annotated[
        str,
        typer.Option("--executor", metavar="NAME", help="local (processes on this machine) or ray (a Ray cluster; "
                     "pip install 'compare-news[ray]'; docs/scale.md)."),
    ] = "local",
    ray_address: Annotated[
        Optional[str],
        typer.Option("--ray-address", metavar="ADDR", help="With --executor ray: an existing cluster (auto, ray://HOST:10001); "
                     "default: start one on this machine.", show_default=False),
    ] = None,
    stamp: Annotated[bool, typer.Option("--stamp", help="Record the run's date in the outputs (off: byte-identical reruns).")] = False,
    traceback: Annotated[bool, typer.Option("--traceback", help="Show tracebacks of errors (for bug reports).")] = False,
) -> ExitStatus:
    """Compare many stories at once: reports per story, an index, a CI summary and an exit status."""
    from ..cli import _finding_types, _notice, _thresholds, given
    from ..options import CompareOptions
    from .run import BatchOptions, check_out, run_batch, staging_dir
    from .stories import find_stories

    if jobs < 1:
        raise UsageError(f"--jobs must be 1 or more, not {jobs}")
    if executor not in ("local", "ray"):
        raise UsageError(f"--executor {executor!r}: choose local or ray")
    if ray_address and executor != "ray":
        raise UsageError("--ray-address needs --executor ray")
    if executor == "ray":
        from .ray_executor import _import_ray

        _import_ray()  # a missing extra is one line, before any work
    options = CompareOptions(
        **given(target_language=to, engine=engine, beam=beam, device=device),
        offline=offline,
        use_cache=not no_cache,
        align_mode="fast" if fast else "default",
        **_fetch_options(allow_private),
        **_finding_types(findings, no_findings),
    )
    thresholds = _thresholds(fail_on, min_coverage, options.findings)  # as `compare` checks them
    src, dest = Path(path), Path(out)
    old = Path(since) if since else None
    stories = find_stories(src)
    check_out(src, dest, stories, old)
    stamp_value = None
    if stamp:
        from datetime import datetime, timezone

        stamp_value = datetime.now(timezone.utc).isoformat(timespec="seconds")
    batch_options = BatchOptions(compare=options, thresholds=thresholds, jobs=jobs, stamp=stamp_value, since=old,
                                 executor=executor, ray_address=ray_address)
    with _progress(len(stories)) as report:
        try:
            run = run_batch(stories, dest, batch_options, on_story=report)
        except BaseException:  # Ctrl-C, SIGTERM (Signalled) or a bug: say where the partial run is
            if staging_dir(dest).exists():
                _notice(f"batch stopped: {dest} is unchanged; the partial run is in {staging_dir(dest)}")
            raise
    for story in run.stories:
        if story.error:
            _notice(f"error: {story.name}: {story.error}")
    for story in run.stories:
        for crossing in story.crossings:
            _notice(f"threshold: {crossing.line()}")
    _notice(f"batch: wrote {dest} ({progress_summary(run)})")
    status = run.status
    if status == ExitStatus.THRESHOLD and exit_zero:
        return ExitStatus.OK
    return status


def _fetch_options(allow_private: bool) -> dict[str, Any]:
    if not allow_private:
        return {}
    from ..fetch import FetchOptions

    return {"fetch": FetchOptions(allow_private=True)}


def progress_summary(run: Any) -> str:
    counts: dict[str, int] = {}
    for s in run.stories:
        counts[s.status] = counts.get(s.status, 0) + 1
    parts = [f"{counts[k]} {k}" for k in ("ok", "crossed", "broken", "error") if counts.get(k)]
    n = len(run.stories)
    return f"{n} {'story' if n == 1 else 'stories'}: {', '.join(parts)}"


class _progress:
    """A bar on a terminal; one line per finished story in logs and CI (CI=true, or stderr not a TTY)."""

    def __init__(self, total: int) -> None:
        self.total, self._bar, self._task = total, None, None

    def __enter__(self):  # type: ignore[no-untyped-def]
        from .run import is_ci, progress_line

        if not is_ci():
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("stories", total=self.total)

        def report(outcome: Any, done: int, total: int) -> None:
            if self._bar is not None:
                self._bar.advance(self._task)  # type: ignore[arg-type]
                from ..errors import printable

                self._bar.console.print(printable(progress_line(outcome, done, total)), markup=False, highlight=False)
            elif sys.stderr is not None:
                from ..cli import _notice

                _notice(f"batch: {progress_line(outcome, done, total)}")

        return report

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
