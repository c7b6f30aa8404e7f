"""The `compare` command: flags -> CompareOptions -> pipeline -> renderers -> exit code.

A thin layer: every decision lives in the library. Expected failures
(CompareError) become one line on stderr and a named exit status; tracebacks
only with --traceback. Heavy modules (numpy, rich, engines) load after parsing,
so `compare --help` stays fast.
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from . import __version__
from .errors import CompareError, ExitStatus, UsageError

SUBCOMMANDS = ("models", "cache")

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EPILOG = (
    "Subcommands: 'compare models list|pull|path' manages translation models; "
    "'compare cache info|clear' manages the translation cache. "
    "Exit status: 0 ok, 2 bad input or missing model, 1 internal error."
)


def _version(value: bool) -> None:
    if value:
        print(f"compare {__version__}")
        raise typer.Exit()


@app.command(epilog=EPILOG)
def compare(
    files: Annotated[
        Optional[list[str]],
        typer.Argument(help="Articles to compare: .txt (any common encoding), .html, or - for stdin.", show_default=False, metavar="FILE"),
    ] = None,
    to: Annotated[str, typer.Option("--to", metavar="LANG", help="Common language to compare in (ISO 639-1).")] = "en",
    lang: Annotated[
        Optional[list[str]], typer.Option("--lang", metavar="LABEL=CODE", help="Set a document's language: LABEL=CODE (e.g. b=ru). Repeatable.")
    ] = None,
    label: Annotated[
        Optional[list[str]], typer.Option("--label", metavar="NAME", help="Display names, in file order (default: file stems). Repeatable.")
    ] = None,
    json_path: Annotated[Optional[str], typer.Option("--json", metavar="PATH", help="Write the JSON result here (- for stdout).")] = None,
    html_path: Annotated[Optional[str], typer.Option("--html", metavar="PATH", help="Write a self-contained HTML report here.")] = None,
    title: Annotated[Optional[str], typer.Option("--title", metavar="TEXT", help="The event's name, shown in reports.")] = None,
    stamp: Annotated[bool, typer.Option("--stamp", help="Record the run's date in reports (off: byte-identical reruns).")] = False,
    engine: Annotated[str, typer.Option("--engine", metavar="NAME", help="Translation engine: ctranslate2 or transformers.")] = "ctranslate2",
    beam: Annotated[int, typer.Option("--beam", metavar="N", help="Beam size for translation (1 = greedy).")] = 4,
    device: Annotated[str, typer.Option("--device", metavar="DEVICE", help="auto, cpu or cuda.")] = "auto",
    offline: Annotated[bool, typer.Option("--offline", help="Never download models (also HF_HUB_OFFLINE=1).")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the translation cache.")] = False,
    fast: Annotated[bool, typer.Option("--fast", help="Lexical alignment only: fastest, no embedding model.")] = False,
    threshold: Annotated[Optional[float], typer.Option("--threshold", metavar="P", help="Minimum link probability in [0,1] (default per mode).")] = None,
    show_original: Annotated[bool, typer.Option("--show-original", help="Show original sentences under translations.")] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colour (also NO_COLOR=1).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No terminal report (with --json/--html).")] = False,
    traceback: Annotated[bool, typer.Option("--traceback", help="Show tracebacks of errors (for bug reports).")] = False,
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = None,
) -> None:
    """Show how different outlets covered the same event: aligned sentences, word diffs, omissions."""
    from .options import CompareOptions
    from .output import check_writable, write_text

    files = files or []
    if len(files) < 2:
        raise UsageError(
            f"need at least two documents to compare, got {len(files)}; usage: compare A.txt B.txt [C.txt ...]"
        )
    if files.count("-") > 1:
        raise UsageError("stdin (-) can be given only once")
    options = CompareOptions(
        target_language=to,
        languages=parse_lang_overrides(lang or []),
        engine=engine,  # type: ignore[arg-type]
        beam=beam,
        device=device,
        offline=offline,
        use_cache=not no_cache,
        align_mode="fast" if fast else "default",
        threshold=threshold,
    )
    for target, what in ((json_path, "JSON"), (html_path, "HTML report")):
        if target:
            check_writable(target, what=what)

    from .pipeline import compare_documents

    result = compare_documents(files, options, labels=label, title=title, progress=sys.stderr.isatty())
    if stamp:
        from dataclasses import replace
        from datetime import datetime, timezone

        result = replace(result, created=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    if json_path:
        from .render.json import render_json

        write_text(json_path, render_json(result), what="JSON")
    if html_path:
        from .render.html import render_html

        write_text(html_path, render_html(result), what="HTML report")
    if not quiet and json_path != "-":
        from .render.terminal import TerminalOptions, render_terminal

        render_terminal(result, sys.stdout, TerminalOptions(color=False if no_color else None, show_original=show_original))


def parse_lang_overrides(values: list[str]) -> dict[str, str]:
    """["b=ru", "c=zh"] -> {"b": "ru", "c": "zh"}."""
    out: dict[str, str] = {}
    for value in values:
        doc, sep, code = value.partition("=")
        if not sep or not doc or not code:
            raise UsageError(f"--lang {value!r}: expected LABEL=CODE, e.g. --lang b=ru")
        out[doc.strip()] = code.strip().lower()
    return out


def _subcommand_app(name: str) -> typer.Typer:
    from .translate import cli as translate_cli

    return translate_cli.models_app if name == "models" else translate_cli.cache_app


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (never raises for expected errors)."""
    from typer._click import exceptions as click_exc  # typer vendors click

    args = list(sys.argv[1:] if argv is None else argv)
    show_traceback = "--traceback" in args
    prog = "compare"
    target = app
    if args and args[0] in SUBCOMMANDS:
        prog = f"compare {args[0]}"
        target = _subcommand_app(args[0])
        args = args[1:]
    command = typer.main.get_command(target)
    try:
        command.main(args=args, prog_name=prog, standalone_mode=False)
    except CompareError as exc:
        if show_traceback:
            raise
        _error(str(exc))
        return int(exc.exit_status)
    except click_exc.UsageError as exc:
        _error(f"{exc.format_message()} (see '{prog} --help')")
        return int(ExitStatus.BAD_INPUT)
    except click_exc.ClickException as exc:
        _error(exc.format_message())
        return int(ExitStatus.BAD_INPUT)
    except typer.Exit as exc:
        return int(getattr(exc, "exit_code", 0) or 0)
    except (KeyboardInterrupt, typer.Abort):
        _error("interrupted")
        return int(ExitStatus.INTERRUPTED)
    except BrokenPipeError:
        return int(ExitStatus.OK)
    except Exception as exc:  # a bug: say so in one line, full detail on request
        if show_traceback:
            raise
        _error(f"internal error: {type(exc).__name__}: {exc} (rerun with --traceback and report it)")
        return int(ExitStatus.ERROR)
    return int(ExitStatus.OK)


def _error(message: str) -> None:
    print(f"compare: error: {message}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
