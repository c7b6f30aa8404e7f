"""The `compare` command: flags -> CompareOptions -> pipeline -> renderers -> exit code.

A thin layer: every decision lives in the library. Expected failures
(CompareError) become one line on stderr and a named exit status; tracebacks
only with --traceback. Heavy modules (numpy, rich, engines) load after parsing,
so `compare --help` stays fast.
"""

from __future__ import annotations

import os
import re
import signal
import sys
from contextlib import contextmanager
from typing import Annotated, Any, Iterator, Optional

import typer

from . import __version__
from .errors import CompareError, ExitStatus, Signalled, StdoutError, UsageError, printable, signal_status

SUBCOMMANDS = ("models", "cache", "batch")

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EPILOG = (
    "Subcommands: 'compare models list|pull|path' manages translation models; "
    "'compare cache info|clear' manages the translation and embedding caches. "
    "Exit status: 0 ok, nothing crossed a threshold; 1 a threshold (--fail-on, --min-coverage) was crossed, "
    "one 'compare: threshold:' line each (0 with --exit-zero); 2 bad input, bad option, missing model or "
    "unwritable output (one line on stderr); 3 internal error (a bug); 130 interrupted (Ctrl-C); "
    "128+N ended by signal N (143 SIGTERM, 129 SIGHUP); "
    "141 the reader of the output went away early (as in 'compare a b | head'), without a message."
)


def _version(value: bool) -> None:
    if value:
        print(f"compare {__version__}")
        raise typer.Exit()


def _default(name: str) -> Any:
    """A CompareOptions default, for help texts (defaults live in options.py only)."""
    from .options import CompareOptions

    return CompareOptions.__dataclass_fields__[name].default


def given(**flags: Any) -> dict[str, Any]:
    """Only the flags given on the command line: CompareOptions supplies every default."""
    return {name: value for name, value in flags.items() if value is not None}


def _default_size(name: str) -> str:
    value = int(_default(name))
    for suffix, unit in (("G", 10**9), ("M", 10**6), ("K", 10**3)):
        if value % unit == 0:
            return f"{value // unit}{suffix}"
    return str(value)


_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmg]?)b?", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9}


def parse_size(value: str, *, flag: str = "--max-bytes") -> int:
    """"20M" -> 20_000_000: bytes, or a number with a decimal K/M/G suffix."""
    match = _SIZE.fullmatch(value.strip())
    if match is None:
        raise UsageError(f"{flag} {value!r}: expected a size in bytes such as 500000, 500K, 20M or 1G")
    return round(float(match[1]) * _SIZE_UNITS[match[2].lower()])


def _finding_types(names: str | None, none: bool) -> dict[str, tuple[str, ...]]:
    """--findings TYPE,... / --no-findings -> CompareOptions.findings (validated there)."""
    if none:
        if names:
            raise UsageError("--findings and --no-findings cannot be used together")
        return {"findings": ()}
    if names is None:
        return {}
    types = tuple(dict.fromkeys(t.strip().lower() for t in names.split(",") if t.strip()))
    if not types:
        raise UsageError("--findings needs at least one type, e.g. --findings number (or use --no-findings)")
    return {"findings": types}


def _limits(max_bytes: str | None, max_sentences: int | None) -> dict[str, int]:
    """Only the limits given on the command line (CompareOptions holds the defaults and checks ranges)."""
    limits: dict[str, int] = {}
    if max_bytes is not None:
        limits["max_bytes"] = parse_size(max_bytes)
    if max_sentences is not None:
        limits["max_sentences"] = max_sentences
    return limits


@app.command(epilog=EPILOG)
def compare(
    files: Annotated[
        Optional[list[str]],
        typer.Argument(help="Articles to compare: .txt (any common encoding), .html, an http(s) URL, or - for stdin.", show_default=False, metavar="FILE"),
    ] = None,
    to: Annotated[
        Optional[str],
        typer.Option("--to", metavar="LANG", help=f"Common language to compare in (ISO 639-1; default {_default('target_language')}).",
                     show_default=False),
    ] = None,
    lang: Annotated[
        Optional[list[str]], typer.Option("--lang", metavar="LABEL=CODE", help="Set a document's language: LABEL=CODE (e.g. b=ru). Repeatable.")
    ] = None,
    published: Annotated[
        Optional[list[str]],
        typer.Option(
            "--published",
            metavar="LABEL=TIME",
            help="When a document was published (ISO 8601, e.g. b=2024-05-01T14:30Z); HTML metadata is read too. Repeatable.",
        ),
    ] = None,
    label: Annotated[
        Optional[list[str]], typer.Option("--label", metavar="NAME", help="Display names, in file order (default: file stems). Repeatable.")
    ] = None,
    json_path: Annotated[
        Optional[str],
        typer.Option("--json", metavar="PATH", help="Write the JSON result here (- for stdout, instead of the terminal report)."),
    ] = None,
    html_path: Annotated[
        Optional[str],
        typer.Option("--html", metavar="PATH", help="Write a self-contained HTML report here (- for stdout, as --json)."),
    ] = None,
    title: Annotated[Optional[str], typer.Option("--title", metavar="TEXT", help="The event's name, shown in reports.")] = None,
    stamp: Annotated[bool, typer.Option("--stamp", help="Record the run's date in reports (off: byte-identical reruns).")] = False,
    engine: Annotated[
        Optional[str],
        typer.Option("--engine", metavar="NAME", help=f"Translation engine: ctranslate2 or transformers (default {_default('engine')}).",
                     show_default=False),
    ] = None,
    beam: Annotated[
        Optional[int],
        typer.Option("--beam", metavar="N", help=f"Beam size for translation (1 = greedy; default {_default('beam')}).", show_default=False),
    ] = None,
    device: Annotated[
        Optional[str],
        typer.Option("--device", metavar="DEVICE", help=f"where translation and the sentence encoder run: auto, cpu or cuda (default {_default('device')}).", show_default=False),
    ] = None,
    offline: Annotated[
        bool,
        typer.Option(
            "--offline",
            help="Never download models (also HF_HUB_OFFLINE=1) and never fetch URLs: read their kept copies from --keep-fetched DIR.",
        ),
    ] = False,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="Fetch URLs on loopback and private addresses (your own network).")
    ] = False,
    keep_fetched: Annotated[
        Optional[str],
        typer.Option(
            "--keep-fetched",
            metavar="DIR",
            help="Keep each fetched page and its extracted text in DIR (see docs/urls.md); --offline reads them back.",
        ),
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the caches (translations, sentence embeddings).")] = False,
    fast: Annotated[bool, typer.Option("--fast", help="Lexical alignment only: fastest, no embedding model.")] = False,
    threshold: Annotated[Optional[float], typer.Option("--threshold", metavar="P", help="Minimum link probability in [0,1] (default per mode).")] = None,
    show_original: Annotated[bool, typer.Option("--show-original", help="Show original sentences under translations.")] = False,
    max_bytes: Annotated[
        Optional[str],
        typer.Option(
            "--max-bytes",
            metavar="SIZE",
            help=f"Read at most SIZE bytes of each input (default {_default_size('max_bytes')}); "
            "larger inputs are refused. Raise it for bigger files, e.g. --max-bytes 100M (K, M, G = 10^3, 10^6, 10^9).",
            show_default=False,
        ),
    ] = None,
    max_sentences: Annotated[
        Optional[int],
        typer.Option(
            "--max-sentences",
            metavar="N",
            help=f"At most N sentences per document (default {_default('max_sentences'):,}); "
            "raise it for longer documents, e.g. --max-sentences 50000 (memory and time grow with it).",
            show_default=False,
        ),
    ] = None,
    findings: Annotated[
        Optional[str],
        typer.Option(
            "--findings",
            metavar="TYPE,...",
            help="Framing findings to look for (default all: number, attribution, certainty, quote, loaded, entity, detail).",
            show_default=False,
        ),
    ] = None,
    no_findings: Annotated[bool, typer.Option("--no-findings", help="Look for no framing findings.")] = False,
    fail_on: Annotated[
        Optional[list[str]],
        typer.Option(
            "--fail-on",
            metavar="TYPE,...",
            help="Exit 1 if the comparison shows any of these: omission (a fact in another outlet's headline or "
            "first two sentences left out) or a finding type (number, attribution, ...). Repeatable. See docs/ci.md.",
            show_default=False,
        ),
    ] = None,
    min_coverage: Annotated[
        Optional[float],
        typer.Option(
            "--min-coverage",
            metavar="P",
            help="Exit 1 if less than this share of an outlet's sentences is linked to another outlet (e.g. 0.6).",
            show_default=False,
        ),
    ] = None,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when a threshold is crossed (input errors still exit 2).")
    ] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colour (also NO_COLOR=1).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No terminal report (with --json/--html).")] = False,
    traceback: Annotated[bool, typer.Option("--traceback", help="Show tracebacks of errors (for bug reports).")] = False,
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = None,
) -> ExitStatus:
    """Show how different outlets covered the same event: aligned sentences, word diffs, omissions."""
    from pathlib import Path

    from .fetch import FetchOptions, is_url  # httpx itself loads only when a URL is fetched
    from .options import CompareOptions
    from .output import OutputRequest, check_outputs, write_text, writing_stdout

    files = files or []
    if len(files) < 2:
        raise UsageError(
            f"need at least two documents to compare, got {len(files)}; usage: compare A.txt B.txt [C.txt ...]"
        )
    if files.count("-") > 1:
        raise UsageError("stdin (-) can be given only once")
    options = CompareOptions(
        languages=parse_lang_overrides(lang or []),
        published=parse_pairs("--published", published or [], "LABEL=TIME, e.g. --published b=2024-05-01T14:30Z"),
        offline=offline,
        use_cache=not no_cache,
        align_mode="fast" if fast else "default",
        threshold=threshold,
        fetch=FetchOptions(allow_private=allow_private),
        keep_fetched=Path(keep_fetched) if keep_fetched else None,
        **given(target_language=to, engine=engine, beam=beam, device=device),
        **_limits(max_bytes, max_sentences),
        **_finding_types(findings, no_findings),
    )
    thresholds = _thresholds(fail_on, min_coverage, options.findings)
    requests = [
        OutputRequest(flag, target, what, fmt)
        for flag, target, what, fmt in (("--json", json_path, "JSON", "json"), ("--html", html_path, "HTML report", "html"))
        if target is not None
    ]
    # Before any work: nothing may overwrite an input, two outputs the same file, or share stdout.
    stdout_taken = check_outputs(requests, [f for f in files if f != "-" and not is_url(f)])

    from .pipeline import compare_documents

    progress = sys.stderr is not None and sys.stderr.isatty()  # None: started with fd 2 closed
    result = compare_documents(files, options, labels=label, title=title, progress=progress)
    if stamp:
        from dataclasses import replace
        from datetime import datetime, timezone

        result = replace(result, created=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    from .render import RenderOptions, render

    for request in requests:
        write_text(request.target, render(result, request.format), what=request.what)
    if not quiet and not stdout_taken:
        text = render(result, "terminal", RenderOptions(color=False if no_color else None, show_original=show_original))
        with writing_stdout():
            sys.stdout.write(text)
    return _gate(result, thresholds, exit_zero)


def _thresholds(fail_on: list[str] | None, min_coverage: float | None, looked_for: tuple[str, ...]) -> Any:
    """--fail-on/--min-coverage -> gate.Thresholds, checked before any work; a finding type that
    is not looked for could never fail the run, so asking for it is a usage error."""
    from .gate import Thresholds

    thresholds = Thresholds.parse(fail_on or [], min_coverage)
    absent = [t for t in thresholds.fail_on if t != "omission" and t not in looked_for]
    if absent:
        raise UsageError(
            f"--fail-on {absent[0]}: that finding type is not looked for; add it to --findings (or drop --no-findings)"
        )
    return thresholds


def _gate(result: Any, thresholds: Any, exit_zero: bool) -> ExitStatus:
    """One 'compare: threshold:' line per crossing, after the outputs; 1 if any (0 with --exit-zero)."""
    if not thresholds.active:
        return ExitStatus.OK
    from .gate import check, unchecked

    for name, why in unchecked(result, thresholds).items():
        _notice(f"warning: --fail-on {name}: not checked ({why})")
    crossings = check(result, thresholds)
    for crossing in crossings:
        _notice(f"threshold: {crossing.line()}")
    return ExitStatus.THRESHOLD if crossings and not exit_zero else ExitStatus.OK


def parse_lang_overrides(values: list[str]) -> dict[str, str]:
    """["b=ru", "c=zh"] -> {"b": "ru", "c": "zh"}."""
    out: dict[str, str] = {}
    for value in values:
        doc, sep, code = value.partition("=")
        if not sep or not doc or not code:
            raise UsageError(f"--lang {value!r}: expected LABEL=CODE, e.g. --lang b=ru")
        out[doc.strip()] = code.strip().lower()
    return out


def parse_pairs(flag: str, values: list[str], expected: str) -> dict[str, str]:
    """["b=2024-05-01T14:30Z"] -> {"b": "2024-05-01T14:30Z"} (values checked by CompareOptions)."""
    out: dict[str, str] = {}
    for value in values:
        doc, sep, rest = value.partition("=")
        if not sep or not doc.strip() or not rest.strip():
            raise UsageError(f"{flag} {value!r}: expected {expected}")
        out[doc.strip()] = rest.strip()
    return out


def _subcommand_app(name: str) -> typer.Typer:
    if name == "batch":
        from .batch.cli import batch_app

        return batch_app
    from .translate import cli as translate_cli

    return translate_cli.models_app if name == "models" else translate_cli.cache_app


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (never raises for expected errors)."""
    args = list(sys.argv[1:] if argv is None else argv)
    with _signals_raise(), _warnings_as_lines():
        status = _run(args)
        _settle_stdout()
    return status


def _run(args: list[str]) -> int:
    """Run one command line; every outcome becomes an exit status and at most one line on stderr."""
    from typer._click import exceptions as click_exc  # typer vendors click

    from .output import flush_stdout

    show_traceback = "--traceback" in args
    prog = "compare"
    target = app
    try:
        if args and args[0] in SUBCOMMANDS:
            prog = f"compare {args[0]}"
            target = _subcommand_app(args[0])
            args = args[1:]
        command = typer.main.get_command(target)
        # Not command.main(): in non-standalone mode it turns Ctrl-C into a returned 130 and
        # a broken pipe into exit 1, so the status was lost; every exception comes here instead.
        with command.make_context(prog, args) as ctx:
            returned = command.invoke(ctx)  # the compare command returns its status (thresholds)
        flush_stdout()
    except StdoutError as exc:
        _discard_stdout()
        _error(str(exc))
        return int(exc.exit_status)
    except CompareError as exc:
        if show_traceback:
            raise
        _error(str(exc))
        return int(exc.exit_status)
    except click_exc.NoArgsIsHelpError:
        return int(ExitStatus.BAD_INPUT)  # the help has been printed
    except click_exc.UsageError as exc:
        _error(f"{exc.format_message()} (see '{prog} --help')")
        return int(ExitStatus.BAD_INPUT)
    except click_exc.ClickException as exc:
        _error(exc.format_message())
        return int(ExitStatus.BAD_INPUT)
    except typer.Exit as exc:
        return int(getattr(exc, "exit_code", 0) or 0)
    except (KeyboardInterrupt, typer.Abort):
        _notice("interrupted")
        return int(ExitStatus.INTERRUPTED)
    except Signalled as exc:
        _notice(str(exc))
        return signal_status(exc.signum)
    except BrokenPipeError:  # the reader went away (`| head`): end quietly, as `yes | head` does
        _discard_stdout()
        return int(ExitStatus.BROKEN_PIPE)
    except Exception as exc:  # a bug: say so in one line, full detail on request
        if show_traceback:
            raise
        _error(f"internal error: {type(exc).__name__}: {exc} (rerun with --traceback and report it)")
        return int(ExitStatus.INTERNAL)
    return int(returned) if isinstance(returned, ExitStatus) else int(ExitStatus.OK)


# Signals that end a run: they raise Signalled so cleanup runs (SIGINT raises KeyboardInterrupt already).
_ENDING_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextmanager
def _signals_raise() -> Iterator[None]:
    """While a command runs, SIGTERM and SIGHUP raise Signalled in the main thread."""
    import threading

    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return
    previous: dict[int, Any] = {}
    for signum in _ENDING_SIGNALS:
        if signal.getsignal(signum) is not signal.SIG_IGN:  # e.g. nohup: an ignored SIGHUP stays ignored
            previous[signum] = signal.signal(signum, _raise_signalled)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)


def _raise_signalled(signum: int, frame: object) -> None:
    # The first signal ends the run; further ones must not interrupt the cleanup it starts.
    for other in _ENDING_SIGNALS:
        if signal.getsignal(other) is _raise_signalled:
            signal.signal(other, signal.SIG_IGN)
    raise Signalled(signum)


@contextmanager
def _warnings_as_lines() -> Iterator[None]:
    """The library's own warnings (e.g. bad bytes replaced) become one 'compare: warning:' line each."""
    import warnings

    with warnings.catch_warnings():
        shown = warnings.showwarning

        def show(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
            if category.__module__.partition(".")[0] == __package__:
                _notice(f"warning: {message}")
            else:  # other libraries' warnings keep Python's format
                shown(message, category, *args, **kwargs)

        warnings.showwarning = show
        yield


def _settle_stdout() -> None:
    """Flush stdout now; if it cannot take the rest, drop it rather than fail again at exit."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except (OSError, ValueError):
        _discard_stdout()


def _discard_stdout() -> None:
    """Point stdout at the null device, so Python's final flush cannot print 'Exception ignored'."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, sys.stdout.fileno())
        finally:
            os.close(null)
    except (AttributeError, OSError, ValueError):  # stdout replaced (tests) or already gone
        pass


def _error(message: str) -> None:
    _notice(f"error: {message}")


def _notice(message: str) -> None:
    """One line on stderr; file names in it are shown safely (no raw control bytes)."""
    if sys.stderr is None:  # started with fd 2 closed: the exit status still tells
        return
    try:
        print(f"compare: {printable(message)}", file=sys.stderr, flush=True)
    except (OSError, ValueError):  # closed since
        pass


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
