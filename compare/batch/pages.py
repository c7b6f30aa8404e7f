"""The run's own outputs: index.html, summary.md (CI job summaries) and run.json.

All three read a BatchRun and compute nothing of their own. Story titles, labels, errors and
crossing texts come from articles and manifests, so they are untrusted: escaped for HTML by
jinja's autoescape (the index has the report's CSP: its own inline style, no script), and for
Markdown by `md`, which also keeps a table cell on one line.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from ..result import FINDING_TYPES
from .run import REPORT, RESULT, RUN_SCHEMA, BatchRun, StoryOutcome

# GitHub refuses a job summary over 1 MiB; keep room for what CI scripts add around it.
SUMMARY_LIMIT = 1024 * 1024 - 16 * 1024
MAX_CROSSING_LINES = 200  # in summary.md, across all stories (run.json and the reports hold all)


def render_run_json(run: BatchRun) -> str:
    return json.dumps(run_dict(run), ensure_ascii=False, indent=2) + "\n"


def run_dict(run: BatchRun) -> dict[str, Any]:
    """run.json: machine-readable, in story-name order (docs/batch.md)."""
    return {
        "schema": RUN_SCHEMA,
        "version": run.version,
        "created": run.created,
        "status": int(run.status),
        "since": run.since,
        "thresholds": {"fail_on": list(run.thresholds.fail_on), "min_coverage": run.thresholds.min_coverage},
        "totals": _totals(run),
        "stories": [_story_dict(s) for s in run.stories],
    }


def _story_dict(s: StoryOutcome) -> dict[str, Any]:
    ok = s.status in ("ok", "crossed")
    return {
        "name": s.name,
        "title": s.title,
        "status": s.status,
        "error": s.error,
        "outlets": list(s.outlets),
        "languages": list(s.languages),
        "sentences": s.sentences,
        "coverage": s.coverage,
        "omissions": s.omissions,
        "top_omissions": s.top_omissions,
        "findings": s.findings,
        "crossings": [
            {"type": c.type, "outlets": list(c.outlets), "why": c.why, "document": c.document,
             "sentence": c.sentence, "where": c.where, "text": c.text, "line": c.line()}
            for c in s.crossings
        ],
        "changes": list(s.changes) if s.changes is not None else None,
        "result": f"{s.name}/{RESULT}" if ok else None,
        "report": f"{s.name}/{REPORT}" if ok else None,
    }


def _totals(run: BatchRun) -> dict[str, int]:
    counts = {state: 0 for state in ("ok", "crossed", "broken", "error")}
    for s in run.stories:
        counts[s.status] += 1
    return {"stories": len(run.stories), **counts, "crossings": sum(len(s.crossings) for s in run.stories)}


# -- summary.md ---------------------------------------------------------------------------------------

# Markdown and GitHub's extras: emphasis, code, links, HTML, tables, strikethrough and $math$.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~$])")


def md(text: str | None) -> str:
    """Untrusted text as one line of inert Markdown (no links, images, HTML or table breaks)."""
    if not text:
        return ""
    flat = " ".join(text.split())
    return _MD_SPECIAL.sub(r"\\\1", flat).replace("&", "&amp;")


_STATUS = {"error": "💥 error", "broken": "⛔ broken", "crossed": "❌ crossed", "ok": "✅ ok"}
# In the page: symbols that text fonts have (emoji fonts are often missing, as in headless browsers).
_HTML_SYMBOL = {"error": "⚠", "broken": "⚠", "crossed": "✗", "ok": "✓"}


def render_summary(run: BatchRun, limit: int = SUMMARY_LIMIT) -> str:
    """Markdown for CI job summaries, worst story first, always under `limit` bytes.

    When the stories do not fit, the table stops with a line pointing to the artifact.
    """
    t = _totals(run)
    head = [
        "# compare batch",
        "",
        f"{t['stories']} stories: {t['crossed']} crossed a threshold, {t['broken'] + t['error']} broken, "
        f"{t['ok']} ok. Exit status {int(run.status)}."
        + (f" Changes since {md(run.since)} are listed per story." if run.since else ""),
        "",
    ]
    if run.thresholds.active:
        parts = [f"fail on {', '.join(run.thresholds.fail_on)}" if run.thresholds.fail_on else "",
                 f"min coverage {run.thresholds.min_coverage:g}" if run.thresholds.min_coverage is not None else ""]
        head += [f"Thresholds: {'; '.join(p for p in parts if p)}.", ""]
    head += [
        "| Story | Status | Outlets | Lowest coverage | Omissions (top) | Findings | Crossings |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    tail_note = "\n… {n} more stories not shown here: open index.html or run.json in the run's artifact.\n"
    stories = run.worst_first()
    rows = [_summary_row(s) for s in stories]
    details = _details(stories)
    text = "\n".join(head) + "\n"
    budget = limit - len(tail_note.format(n=len(rows)).encode("utf-8"))
    size = len(text.encode("utf-8"))
    shown = 0
    for row in rows:
        cost = len(row.encode("utf-8")) + 1
        if size + cost > budget:
            break
        text += row + "\n"
        size += cost
        shown += 1
    if shown < len(rows):
        return text + tail_note.format(n=len(rows) - shown)
    for block in details:
        cost = len(block.encode("utf-8"))
        if size + cost > budget:
            return text + "\n… more details in run.json and the story reports (the run's artifact).\n"
        text += block
        size += cost
    return text


def _summary_row(s: StoryOutcome) -> str:
    name = md(s.name) + (f" — {md(s.title)}" if s.title else "")
    if s.error:
        return f"| {name} | {_STATUS[s.status]} | {md(s.error)} | | | | |"
    cov = f"{s.min_coverage:.0%}" if s.min_coverage is not None else "–"
    outlets = md(", ".join(s.outlets))
    return (f"| {name} | {_STATUS[s.status]} | {outlets} | {cov} | {s.omissions} ({s.top_omissions}) "
            f"| {s.finding_count} | {len(s.crossings)} |")


def _details(stories: list[StoryOutcome]) -> list[str]:
    """Per story with crossings or changes: one bullet each (capped across the run)."""
    blocks: list[str] = []
    left = MAX_CROSSING_LINES
    for s in stories:
        lines = [f"- {md(replace(c, story=None).line())}" for c in s.crossings] + [f"- since last run: {md(c)}" for c in s.changes or ()]
        if not lines or left <= 0:
            continue
        shown = lines[:left]
        left -= len(shown)
        more = f"\n- … {len(lines) - len(shown)} more in run.json" if len(shown) < len(lines) else ""
        blocks.append(f"\n### {md(s.name)}\n\n" + "\n".join(shown) + more + "\n")
    return blocks


# -- index.html ----------------------------------------------------------------------------------------

_CSS = """
:root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fff;--mute:#666;--line:#ddd;--bad:#b35900;--ok:#0b6e99}
@media (prefers-color-scheme:dark){:root{--fg:#e8e8e8;--bg:#161616;--mute:#aaa;--line:#333;--bad:#f0a050;--ok:#6cc3ea}}
body{font:15px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg);margin:2rem auto;max-width:75rem;padding:0 1rem}
h1{font-size:1.4rem;margin:0 0 .3rem}p.meta{color:var(--mute);margin:.2rem 0 1rem}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
th{font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.st{white-space:nowrap;font-weight:600}.st-crossed,.st-broken,.st-error{color:var(--bad)}.st-ok{color:var(--ok)}
.why{color:var(--mute);font-size:.9em;margin:.2rem 0 0;padding-left:1.1rem}.title{color:var(--mute)}
"""


def render_index(run: BatchRun) -> str:
    """index.html: every story with its figures, worst first, linking to its report."""
    from ..render.html import _environment, content_security_policy

    stories = []
    for s in run.worst_first():
        stories.append({
            "name": s.name,
            "title": s.title,
            "status": s.status,
            "status_text": _STATUS[s.status].split(" ", 1)[1],
            "symbol": _HTML_SYMBOL[s.status],
            "href": f"{s.name}/{REPORT}" if s.status in ("ok", "crossed") else None,
            "error": s.error,
            "outlets": ", ".join(s.outlets),
            "coverage": f"{s.min_coverage:.0%}" if s.min_coverage is not None else "–",
            "omissions": s.omissions,
            "top": s.top_omissions,
            "findings": s.finding_count,
            "by_type": ", ".join(f"{n} {t}" for t in FINDING_TYPES if (n := (s.findings or {}).get(t))),
            "crossings": [replace(c, story=None).line() for c in s.crossings[:5]],
            "more": max(0, len(s.crossings) - 5),
            "changes": list(s.changes or ())[:5],
        })
    context = {
        "stories": stories,
        "totals": _totals(run),
        "status": int(run.status),
        "since": run.since,
        "created": run.created,
        "version": run.version,
        "css": _CSS,
        "csp": re.sub(r"script-src [^;]+", "script-src 'none'", content_security_policy(_CSS, "")),
    }
    return _environment().from_string(_INDEX).render(context)


_INDEX = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="compare {{ version }}">
<title>compare batch · {{ totals.stories }} stories</title>
<style>{{ css }}</style>
</head>
<body>
<h1>compare batch: {{ totals.stories }} stories</h1>
<p class="meta">{{ totals.crossed }} crossed a threshold · {{ totals.broken + totals.error }} broken · {{ totals.ok }} ok · exit status {{ status }}{% if since %} · changes since {{ since }}{% endif %}{% if created %} · {{ created }}{% endif %}</p>
<table>
<thead><tr><th>Story</th><th>Status</th><th>Outlets</th><th>Lowest coverage</th><th>Omissions (top)</th><th>Findings</th></tr></thead>
<tbody>
{% for s in stories %}
<tr><td>{% if s.href %}<a href="{{ s.href }}">{{ s.name }}</a>{% else %}{{ s.name }}{% endif %}{% if s.title %}<br><span class="title">{{ s.title }}</span>{% endif %}
{% if s.crossings or s.changes %}<ul class="why">{% for c in s.crossings %}<li>{{ c }}</li>{% endfor %}{% if s.more %}<li>… {{ s.more }} more in run.json</li>{% endif %}{% for c in s.changes %}<li>since last run: {{ c }}</li>{% endfor %}</ul>{% endif %}</td>
<td class="st st-{{ s.status }}"><span aria-hidden="true">{{ s.symbol }}</span> {{ s.status_text }}</td>
{% if s.error %}<td colspan="4">{{ s.error }}</td>{% else %}<td>{{ s.outlets }}</td><td class="n">{{ s.coverage }}</td><td class="n">{{ s.omissions }} ({{ s.top }})</td><td class="n" title="{{ s.by_type }}">{{ s.findings }}</td>{% endif %}</tr>
{% endfor %}
</tbody>
</table>
</body>
</html>
"""
