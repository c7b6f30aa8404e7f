"""Terminal report (rich). Colour only on a TTY; without colour, wdiff markers.

Removed words are shown as [-word-] and added words as {+word+} when there is
no colour, so the report also reads in logs and pipes. Colours are blue/orange
(colour-blind safe), never red/green alone.

Article text never reaches the terminal raw: `render_terminal` first makes
every string of the result `visible` (escape sequences, C0/C1 controls and
bidi overrides shown as pictures), so no input can clear the screen, set the
window title or hide text, in colour or plain mode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, is_dataclass, replace
from functools import cache
from typing import IO, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..language import language_name
from ..result import FINDING_TYPES, ComparisonResult, Document, Finding, Link, PairComparison

REMOVED = "bold dark_orange"
ADDED = "bold dodger_blue2"
DIM = "grey50"
MAX_DETAILED_PAIRS = 3  # more documents: coverage grid + per-pair summary lines
MAX_LISTED = 8  # findings, ledger entries... listed per section; the JSON and HTML hold them all
FLAG = "⚠"  # marks a sentence whose machine translation looks wrong

# What a terminal would act on, as visible pictures: C0 controls as U+2400.. (ESC
# as "␛"), DEL as "␡", C1 controls (0x9b is a one-byte CSI) and the bidi
# embeddings, overrides and isolates (they can reorder or hide text) by code point.
# Tab, VT and FF are spacing; newlines stay newlines.
_VISIBLE: dict[int, str] = {
    **{c: chr(0x2400 + c) for c in range(0x20)},
    0x7F: "\u2421",
    **{c: f"<U+{c:04X}>" for c in (*range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A))},
    0x09: " ",
    0x0B: " ",
    0x0C: " ",
    0x0A: "\n",
}
_ACTS = re.compile("[" + "".join(re.escape(chr(c)) for c in _VISIBLE if c != 0x0A) + "]")


@dataclass(frozen=True)
class TerminalOptions:
    color: bool | None = None  # None: auto (TTY and NO_COLOR unset)
    show_original: bool = False
    width: int | None = None


def visible(text: str) -> str:
    """`text` with every character a terminal would act on shown as a harmless picture."""
    return text.replace("\r\n", "\n").translate(_VISIBLE) if _ACTS.search(text) else text


def _visible_all(value: Any) -> Any:
    """`value` (result dataclasses, tuples, lists, dicts) with every string `visible`; unchanged parts shared."""
    if value is None or isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, (tuple, list)):  # lists: inside findings
        items = [_visible_all(v) for v in value]
        return value if all(a is b for a, b in zip(items, value)) else type(value)(items)
    if isinstance(value, dict):
        pairs = [(_visible_all(k), _visible_all(v)) for k, v in value.items()]
        return value if all(a is k and b is v for (a, b), (k, v) in zip(pairs, value.items())) else dict(pairs)
    if is_dataclass(value) and not isinstance(value, type):
        changed = {name: new for name in _field_names(type(value))
                   if (new := _visible_all(old := getattr(value, name))) is not old}
        return replace(value, **changed) if changed else value
    return value


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def render(result: ComparisonResult, options: Any = None) -> str:
    """The registry's signature (compare.render, RenderOptions): the report as a string.

    Colour and width left open (None) follow standard output, as printing to it would.
    """
    import io
    import sys

    color = getattr(options, "color", None)
    width = getattr(options, "width", None)
    if color is None or width is None:
        probe = Console(file=sys.stdout) if sys.stdout is not None else None
        tty = probe is not None and probe.is_terminal
        if color is None:
            color = tty and not probe.no_color and probe.color_system is not None  # type: ignore[union-attr]
        if width is None and tty:
            width = probe.width  # type: ignore[union-attr]
    buf = io.StringIO()
    show = bool(getattr(options, "show_original", False))
    render_terminal(result, buf, TerminalOptions(color=color, show_original=show, width=width))
    return buf.getvalue()


def render_terminal(result: ComparisonResult, file: IO[str], options: TerminalOptions = TerminalOptions()) -> None:
    result = _visible_all(result)  # the one gate: everything printed below comes from this copy
    console = Console(
        file=file,
        no_color=options.color is False,
        force_terminal=True if options.color else None,
        width=options.width,
        markup=False,
        highlight=False,
        emoji=False,
    )
    plain = options.color is False or not console.is_terminal or console.no_color
    if result.title:
        console.print(Text(result.title, style="bold"))
    for doc in result.documents:
        console.print(_document_line(doc))
    if any(doc.flagged for doc in result.documents):
        console.print(
            Text(f"{FLAG} marks a machine translation that looks wrong (a loop or far too long): read the original"
                 " (--show-original).", style="bold")
        )
    console.print(Text(str(result.signature), style=DIM))
    if result.skipped:
        console.print(
            Text("Findings not looked for: " + "; ".join(f"{t} ({why})" for t, why in result.skipped.items()), style=DIM)
        )
    detailed = len(result.comparisons) <= MAX_DETAILED_PAIRS
    for comp in result.comparisons:
        console.print()
        _render_pair(console, result, comp, plain=plain, detailed=detailed, show_original=options.show_original)
    if result.coverage:
        console.print()
        _render_coverage(console, result)
    _render_overview(console, result)
    if not detailed:
        console.print()
        console.print(
            Text("Pair details: write --json or --html, or compare two outlets at a time.", style=DIM)
        )


def _document_line(doc: Document) -> Text:
    line = Text("• ")
    line.append(doc.label, style="bold")
    line.append(f"  {language_name(doc.language)} ({doc.language}), {len(doc.sentences)} sentences")
    if doc.translated:
        line.append(f", translated with {doc.model} [{doc.engine}]", style=DIM)
    if doc.flagged:
        n = len(doc.flagged)
        line.append(f", {FLAG} {n} translation{'s' if n != 1 else ''} flagged")
    return line


def _print_flag(console: Console, reason: str | None, indent: int) -> None:
    """The reason under a flagged sentence (on its own line, so it never wraps into the text)."""
    if reason:
        console.print(Text(f"{' ' * indent}{FLAG} translation looks wrong: {reason}", style=DIM))


def _render_pair(
    console: Console, result: ComparisonResult, comp: PairComparison, *, plain: bool, detailed: bool, show_original: bool
) -> None:
    a, b = result.document(comp.a), result.document(comp.b)
    head = Text()
    head.append(a.label, style="bold")
    head.append(" ↔ ")
    head.append(b.label, style="bold")
    head.append(
        f"   {len(comp.links)} links · only in {a.label}: {len(comp.only_in_a)}"
        f" · only in {b.label}: {len(comp.only_in_b)}",
        style=DIM,
    )
    console.rule(style=DIM)
    console.print(head)
    if comp.findings:
        _render_findings(console, comp)
    if not detailed:
        return
    for link in comp.links:
        _render_link(console, a, b, link, plain=plain, show_original=show_original)
    for side, doc, indices in (("A", a, comp.only_in_a), ("B", b, comp.only_in_b)):
        if not indices:
            continue
        console.print(Text(f"Only in {doc.label}:", style="bold"))
        for i in indices:
            s = doc.sentences[i]
            line = Text(f"{FLAG if s.translation_flag else ' '} {side}{i + 1:<3} ", style=DIM)
            line.append(s.compare_text, style=REMOVED if side == "A" else ADDED)
            console.print(line)
            _print_flag(console, s.translation_flag, 8)
            if show_original and s.translation is not None:
                console.print(Text(f"        {s.text}", style=DIM))


def importance(f: Finding) -> tuple[float, int]:
    """Most important first: confidence (lowered by cautions), then the type order of FINDING_TYPES
    (a different figure or source is checkable; an added detail is context)."""
    return -f.confidence, FINDING_TYPES.index(f.type)


def _render_findings(console: Console, comp: PairComparison) -> None:
    """How they differ: one line a finding, most important first (ties: A's order)."""
    console.print(Text("How they differ:", style="bold"))
    ranked = sorted(comp.findings, key=lambda f: (importance(f), f.a, f.b))
    for f in ranked[:MAX_LISTED]:
        ia = ",".join(str(i + 1) for i in f.a)
        ib = ",".join(str(j + 1) for j in f.b)
        line = Text(f"  {f.type:<11} A{ia} ↔ B{ib}  ", style=DIM)
        line.append(f.summary)
        if f.caution:
            line.append(f"  (uncertain: {f.caution})", style=DIM)
        console.print(line)
    _more(console, len(ranked))


def _more(console: Console, n: int) -> None:
    if n > MAX_LISTED:
        console.print(Text(f"  … {n - MAX_LISTED} more in --json / --html", style=DIM))


def _render_overview(console: Console, result: ComparisonResult) -> None:
    """What the outlets do differently as wholes: agreement across outlets, what only some carry,
    what one leads with and another buries, and whom each cites."""
    labels = {d.id: d.label for d in result.documents}
    if result.findings:
        console.print()
        console.print(Text("Across outlets:", style="bold"))
        for f in result.findings[:MAX_LISTED]:
            line = Text(f"  {f.type:<11} fact {f.fact}  ", style=DIM)
            line.append(f.summary)
            if f.caution:
                line.append(f"  (uncertain: {f.caution})", style=DIM)
            console.print(line)
        _more(console, len(result.findings))
    if result.ledger:
        console.print()
        console.print(Text("Only some outlets carry (most prominent first):", style="bold"))
        for e in result.ledger[:MAX_LISTED]:
            where = ", ".join(f"{labels[p.document]} {p.where}" for p in e.positions)
            top = max(e.positions, key=lambda p: p.prominence)
            text = " ".join(result.document(top.document).sentences[i].compare_text for i in top.sentences)
            line = Text(f"  not in {', '.join(labels[d] for d in e.missing_from)} · {where}: ", style=DIM)
            line.append(text)
            console.print(line)
        _more(console, len(result.ledger))
    if result.prominence:
        console.print()
        console.print(Text("Prominence shifts:", style="bold"))
        for shift in result.prominence[:MAX_LISTED]:
            doc = result.document(shift.high.document)
            line = Text(f"  {shift.summary}: ", style=DIM)
            line.append(" ".join(doc.sentences[i].compare_text for i in shift.high.sentences))
            console.print(line)
        _more(console, len(result.prominence))
    if any(o.sources for o in result.sources):
        console.print()
        console.print(Text("Sources cited:", style="bold"))
        for o in result.sources:
            named = ", ".join(
                f"{c.name} ({c.count}{f', {c.quoted} quoted' if c.quoted else ''})" for c in o.sources[:6]
            )
            more = f", +{len(o.sources) - 6} more" if len(o.sources) > 6 else ""
            unnamed = f"; {o.unnamed} unnamed" if o.unnamed else ""
            console.print(Text(f"  {labels[o.document]}: {named or 'none named'}{more}{unnamed}"))


def _render_link(console: Console, a: Document, b: Document, link: Link, *, plain: bool, show_original: bool) -> None:
    ia = ",".join(str(i + 1) for i in link.a)
    ib = ",".join(str(j + 1) for j in link.b)
    changed = any(op.tag != "equal" for op in link.diff)
    tag = "≈" if changed else "="
    head = Text(f"{tag} A{ia} ↔ B{ib}", style="bold")
    head.append(f"  score {link.score:.2f} {link.strength}", style=DIM)
    if link.moved:
        head.append(f"  ↕ moved: {b.label} tells this elsewhere", style=DIM)
    console.print(head)
    flag_a, flag_b = a.flag_of(link.a), b.flag_of(link.b)
    line_a, line_b = Text(f"  {FLAG if flag_a else ' '} A "), Text(f"  {FLAG if flag_b else ' '} B ")
    for op in link.diff:
        if op.tag == "equal":
            line_a.append(op.a)
            line_b.append(op.b)
            continue
        if op.a:
            _append_change(line_a, op.a, REMOVED, "[-", "-]", plain)
        if op.b:
            _append_change(line_b, op.b, ADDED, "{+", "+}", plain)
    console.print(line_a)
    _print_flag(console, flag_a, 6)
    if show_original and a.translated:
        console.print(Text("      " + " ".join(a.sentences[i].text for i in link.a), style=DIM))
    if changed or flag_b:
        console.print(line_b)
        _print_flag(console, flag_b, 6)
        if show_original and b.translated:
            console.print(Text("      " + " ".join(b.sentences[j].text for j in link.b), style=DIM))


def _append_change(line: Text, chunk: str, style: str, open_: str, close: str, plain: bool) -> None:
    body = chunk.rstrip()
    tail = chunk[len(body) :]
    if plain:
        line.append(f"{open_}{body}{close}{tail}")
    else:
        line.append(body, style=style)
        line.append(tail)


def _render_coverage(console: Console, result: ComparisonResult) -> None:
    docs = result.documents
    table = Table(title="Coverage: which outlet carries which fact", title_justify="left", show_lines=False)
    table.add_column("#", justify="right", style=DIM)
    for doc in docs:
        table.add_column(Text(doc.label), justify="center")
    table.add_column("fact (shortest wording)", overflow="fold")
    wordings = result.wordings()
    for group in result.coverage:
        cells = ["✓" if doc.id in group.sentences else "·" for doc in docs]
        doc_id, indices = wordings[group.id]
        doc = result.document(doc_id)
        text = " ".join(doc.sentences[i].compare_text for i in indices)
        fact = Text(f"{FLAG} " if doc.flag_of(indices) else "") + Text(text)
        if len(group.sentences) > 1:
            fact.append(f"  ({doc.label})", style=DIM)
        table.add_row(str(group.id), *cells, fact)
    console.print(table)
    n = len(result.coverage)
    summary = Text("Facts carried: ")
    for k, o in enumerate(result.outlet_summary()):
        label = result.document(o.document).label
        summary.append(("; " if k else "") + f"{label} {o.facts}/{n} ({round(100 * o.coverage)}%), {o.only_here} only there")
    console.print(summary)
