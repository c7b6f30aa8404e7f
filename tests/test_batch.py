"""`compare batch`: stories in, per-story reports, index, CI summary, run.json and exit status out.

Most runs use --fast (lexical alignment) to keep the suite quick; the pipeline itself is tested
elsewhere. What is tested here is what a CI job relies on: the layout of the outputs, the exit
status, byte-identical reruns (also with --jobs 2), safety of --out, and --since.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from compare.batch import BatchOptions, find_stories, run_batch
from compare.batch.pages import SUMMARY_LIMIT, md, render_index, render_summary
from compare.batch.run import MARKER, BatchRun, StoryOutcome, staging_dir
from compare.gate import Crossing, Thresholds
from compare.options import CompareOptions

from .conftest import FIXTURES, SAMPLES
from .translate_fixtures import toy_env, toy_pair, toy_store  # noqa: F401  (pytest fixtures)

FAST = CompareOptions(align_mode="fast")


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def stories(tmp_path: Path) -> Path:
    """Three stories: the English samples, the fixture pair (with a story.toml), and a broken one."""
    root = tmp_path / "stories"
    summit = root / "summit"
    summit.mkdir(parents=True)
    for name in ("meridian-wire.txt", "harbor-review.txt"):
        shutil.copy(SAMPLES / name, summit / name)
    trade = root / "trade"
    trade.mkdir()
    shutil.copy(FIXTURES / "summit_a.txt", trade / "wire.txt")
    shutil.copy(FIXTURES / "summit_b.txt", trade / "daily.txt")
    (trade / "story.toml").write_text(
        'title = "Leaders agree on <b>trade</b> deal"\nlabels = { wire = "The Wire" }\n', encoding="utf-8"
    )
    return root


def test_batch_writes_every_output_and_exits_by_what_it_found(stories: Path, tmp_path: Path, run_cli) -> None:
    (stories / "lonely").mkdir()
    shutil.copy(SAMPLES / "meridian-wire.txt", stories / "lonely" / "only.txt")
    shutil.copy(SAMPLES / "meridian-wire.txt", stories / "stray.txt")  # not in a story folder: said, not compared
    out = tmp_path / "report"
    res = run_cli("batch", str(stories), "--out", str(out), "--fast", "--fail-on", "number")
    assert res.exit_code == 2  # a broken story ends the run with 2, after the others ran
    assert "compare: warning:" in res.stderr and "stray.txt" in res.stderr
    assert "compare: error: lonely:" in res.stderr and "at least two" in res.stderr
    assert "threshold: summit: number:" in res.stderr
    for name in ("index.html", "summary.md", "run.json", "summit/result.json", "summit/report.html",
                 "trade/result.json", "trade/report.html"):
        assert (out / name).is_file(), name
    assert not (out / "lonely").exists() and not staging_dir(out).exists()
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["schema"] == "compare-batch/1" and run["status"] == 2 and run["created"] is None
    by_name = {s["name"]: s for s in run["stories"]}
    assert by_name["lonely"]["status"] == "broken" and "at least two" in by_name["lonely"]["error"]
    assert by_name["summit"]["status"] == "crossed"
    assert by_name["summit"]["crossings"][0]["type"] == "number"
    assert by_name["trade"]["title"] == "Leaders agree on <b>trade</b> deal"
    assert "The Wire" in by_name["trade"]["outlets"]
    result = json.loads((out / "summit" / "result.json").read_text(encoding="utf-8"))
    assert result["signature"]["align_mode"] == "fast"
    # paths as the story gave them, relative: no absolute path of this machine in the outputs
    assert all(not d["path"].startswith("/") for d in result["documents"])
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert summary.index("lonely") < summary.index("summit") < summary.index("trade")  # worst first
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="summit/report.html"' in index and "&lt;b&gt;trade&lt;/b&gt;" in index


def test_exit_status_follows_thresholds_and_exit_zero(stories: Path, tmp_path: Path, run_cli) -> None:
    assert run_cli("batch", str(stories), "--out", str(tmp_path / "a"), "--fast").exit_code == 0
    crossed = run_cli("batch", str(stories), "--out", str(tmp_path / "b"), "--fast", "--fail-on", "number")
    assert crossed.exit_code == 1
    assert run_cli("batch", str(stories), "--out", str(tmp_path / "c"), "--fast", "--fail-on", "number",
                   "--exit-zero").exit_code == 0
    bad = run_cli("batch", str(stories), "--out", str(tmp_path / "d"), "--fail-on", "nonsense")
    assert bad.exit_code == 2 and "--fail-on: unknown type 'nonsense'" in bad.stderr
    unseen = run_cli("batch", str(stories), "--out", str(tmp_path / "d"), "--fail-on", "number", "--no-findings")
    assert unseen.exit_code == 2 and "not looked for" in unseen.stderr
    assert not (tmp_path / "d").exists()


def test_a_story_toml_sets_its_own_thresholds(stories: Path, tmp_path: Path, run_cli) -> None:
    (stories / "summit" / "story.toml").write_text('fail_on = ["number"]\n', encoding="utf-8")
    res = run_cli("batch", str(stories), "--out", str(tmp_path / "r"), "--fast")
    assert res.exit_code == 1 and "threshold: summit: number:" in res.stderr


def test_reruns_are_byte_identical_and_jobs_2_equals_serial(
    stories: Path, tmp_path: Path, run_cli, toy_env, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A translated story too (the toy model's made-up language), so the translation engine's
    # batching is part of what must not change with --jobs.
    toy = stories / "toy"
    toy.mkdir()
    pairs = [toy_pair(k) for k in range(12)]
    (toy / "agency.txt").write_text(" ".join(src for src, _ in pairs) + "\n", encoding="utf-8")
    (toy / "wire.txt").write_text(" ".join(eng for _, eng in pairs[2:]) + "\n", encoding="utf-8")
    (toy / "story.toml").write_text('languages = { agency = "qtx" }\n', encoding="utf-8")
    # default mode: the encoder and its caches take part too
    assert run_cli("batch", str(stories), "--out", str(tmp_path / "one")).exit_code == 0
    first = _tree(tmp_path / "one")
    assert json.loads(first["toy/result.json"])["documents"][0]["translated"]
    assert run_cli("batch", str(stories), "--out", str(tmp_path / "one")).exit_code == 0  # rerun replaces itself
    assert _tree(tmp_path / "one") == first
    # cold caches, stories in two processes at once
    monkeypatch.setenv("COMPARE_CACHE_DIR", str(tmp_path / "cold-cache"))
    assert run_cli("batch", str(stories), "--out", str(tmp_path / "two"), "--jobs", "2").exit_code == 0
    assert _tree(tmp_path / "two") == first
    assert set(first) >= {"index.html", "summary.md", "run.json", "summit/result.json", "trade/report.html"}


def test_out_inside_the_stories_or_over_other_files_is_refused(stories: Path, tmp_path: Path, run_cli) -> None:
    before = _tree(stories)
    inside = run_cli("batch", str(stories), "--out", str(stories / "report"), "--fast")
    assert inside.exit_code == 2 and "inside" in inside.stderr
    over = run_cli("batch", str(stories / "summit"), "--out", str(stories), "--fast")
    assert over.exit_code == 2
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine", encoding="utf-8")
    res = run_cli("batch", str(stories), "--out", str(foreign), "--fast")
    assert res.exit_code == 2 and "holds other files" in res.stderr
    assert (foreign / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert _tree(stories) == before


def test_manifest_names_never_leave_the_output_folder(tmp_path: Path, run_cli) -> None:
    manifest = tmp_path / "stories.toml"
    a, b = SAMPLES / "meridian-wire.txt", SAMPLES / "harbor-review.txt"
    manifest.write_text(
        f'[defaults]\nfast = true\n\n[[story]]\nname = "../escape"\nfiles = ["{a}", "{b}"]\n\n'
        f'[[story]]\nname = "ok"\ntitle = "Summit"\nfiles = ["{a}", "{b}"]\nlabels = ["Wire", "Review"]\n',
        encoding="utf-8",
    )
    out = tmp_path / "runs" / "out"
    res = run_cli("batch", str(manifest), "--out", str(out))
    assert res.exit_code == 2 and "cannot name an output folder" in res.stderr
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["out"]
    assert not (tmp_path / "escape").exists()
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    ok = next(s for s in run["stories"] if s["name"] == "ok")
    assert ok["outlets"] == ["Wire", "Review"] and ok["status"] == "ok"


def test_bad_manifest_is_one_line(tmp_path: Path, run_cli) -> None:
    manifest = tmp_path / "stories.toml"
    manifest.write_text("[[story]\nname = 1", encoding="utf-8")
    res = run_cli("batch", str(manifest), "--out", str(tmp_path / "out"))
    assert res.exit_code == 2 and "not valid TOML" in res.stderr and len(res.stderr.splitlines()) == 1
    assert run_cli("batch", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")).exit_code == 2


def test_an_interrupted_run_leaves_the_previous_one_intact(stories: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    options = BatchOptions(compare=FAST)
    run_batch(find_stories(stories), out, options)
    before = _tree(out)

    def interrupt(outcome, done, total):
        raise KeyboardInterrupt

    (stories / "summit" / "meridian-wire.txt").write_text("Changed\n\nA different story now.\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        run_batch(find_stories(stories), out, options, on_story=interrupt)
    assert _tree(out) == before
    assert (staging_dir(out) / MARKER).is_file()  # the partial run says what it is
    run_batch(find_stories(stories), out, options)  # the next run clears it
    assert not staging_dir(out).exists() and _tree(out) != before


def test_since_says_what_changed(stories: Path, tmp_path: Path, run_cli) -> None:
    assert run_cli("batch", str(stories), "--out", str(tmp_path / "monday"), "--fast").exit_code == 0
    wire = stories / "summit" / "meridian-wire.txt"
    wire.write_text(wire.read_text(encoding="utf-8").replace("about $40 billion", "about $45 billion"), encoding="utf-8")
    res = run_cli("batch", str(stories), "--out", str(tmp_path / "tuesday"), "--fast", "--since", str(tmp_path / "monday"))
    assert res.exit_code == 0
    run = json.loads((tmp_path / "tuesday" / "run.json").read_text(encoding="utf-8"))
    changes = {s["name"]: s["changes"] for s in run["stories"]}
    assert any("$45 billion" in c and "now" in c for c in changes["summit"])
    assert any("$40 billion" in c and "gone" in c for c in changes["summit"])
    assert changes["trade"] == []
    assert "since last run" in (tmp_path / "tuesday" / "summary.md").read_text(encoding="utf-8")


def test_since_reads_results_of_the_previous_schema(stories: Path, tmp_path: Path, run_cli) -> None:
    assert run_cli("batch", str(stories), "--out", str(tmp_path / "old"), "--fast").exit_code == 0
    path = tmp_path / "old" / "summit" / "result.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["schema"] = "compare/2"  # pair findings only: no ledger, sources or cross-outlet findings
    for key in ("ledger", "sources", "findings", "prominence", "skipped"):
        data.pop(key, None)
    path.write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "old" / "run.json").unlink()  # an older run may have no run.json of this schema
    res = run_cli("batch", str(stories), "--out", str(tmp_path / "new"), "--fast", "--since", str(tmp_path / "old"))
    assert res.exit_code == 0
    run = json.loads((tmp_path / "new" / "run.json").read_text(encoding="utf-8"))
    assert {s["name"]: s["changes"] for s in run["stories"]}["summit"] == []  # same facts: nothing changed


# -- the run's pages, from generated outcomes (no pipeline) --------------------------------------------


def _outcome(k: int, title: str = "") -> StoryOutcome:
    crossing = Crossing("number", ("A", "B"), f"A says {k}, B says {k + 1}", story=f"story-{k:04d}")
    return StoryOutcome(
        name=f"story-{k:04d}", status="crossed" if k % 3 == 0 else "ok", title=title or f"Event number {k}",
        outlets=("Wire", "Daily", "Post", "Agency"), languages=("en", "en", "ru", "zh"), sentences=120,
        coverage={"Wire": 0.7, "Daily": 0.55, "Post": 0.62, "Agency": 0.4}, omissions=k % 7, top_omissions=k % 2,
        findings={"number": 2, "attribution": 1}, crossings=(crossing,) if k % 3 == 0 else (),
    )


def test_summary_stays_under_the_job_summary_limit_for_500_stories() -> None:
    run = BatchRun(tuple(_outcome(k, "A long title " * 40) for k in range(500)), Thresholds(("number",)), "0.1.0")
    text = render_summary(run)
    assert len(text.encode("utf-8")) < SUMMARY_LIMIT <= 1024 * 1024
    assert "story-0000" in text  # the worst stories come first
    small = render_summary(run, limit=20_000)
    assert len(small.encode("utf-8")) <= 20_000 and "more stories not shown" in small and "artifact" in small


def test_index_for_1000_stories_is_small_and_the_pages_escape_untrusted_text() -> None:
    run = BatchRun(tuple(_outcome(k) for k in range(1000)), Thresholds(), "0.1.0")
    assert len(render_index(run).encode("utf-8")) < 2_000_000
    evil = '<script>alert(1)</script> [click](javascript:alert(1)) | $x$'
    run = BatchRun((_outcome(1, evil),), Thresholds(), "0.1.0")
    index = render_index(run)
    assert "<script>" not in index and "&lt;script&gt;" in index
    assert "Content-Security-Policy" in index and "script-src &#39;none&#39;" in index  # attribute-escaped
    summary = render_summary(run)
    assert "<script>" not in summary and "](javascript" not in summary and "| $x$" not in summary
    assert md("a\nb|c") == "a b\\|c"  # one table cell, one line


# -- URLs: fetched, kept beside the outputs, read back with --offline ----------------------------------


def test_url_stories_keep_what_they_fetched_and_rerun_offline(tmp_path: Path) -> None:
    from dataclasses import replace

    from compare.fetch import FetchOptions

    from .test_fetch import Site, fixture_article

    site = Site()
    try:
        a = site.page("/wire", fixture_article("summit_a.txt", "The Wire", "2024-05-03T10:00:00Z"))
        b = site.page("/daily", fixture_article("summit_b.txt", "The Daily", "2024-05-03T18:00:00Z"))
        gone = site.url("/removed")
        root = tmp_path / "stories"
        (root / "web").mkdir(parents=True)
        (root / "web" / "urls.txt").write_text(f"# two outlets\nWire {a}\n{b}\n", encoding="utf-8")
        (root / "gone").mkdir()
        (root / "gone" / "urls.txt").write_text(f"{a}\n{gone}\n", encoding="utf-8")
        polite = FetchOptions(allow_private=True, backoff=0, per_host_interval=0, timeout=5)
        options = BatchOptions(compare=replace(FAST, fetch=polite))
        out = tmp_path / "report"
        run = run_batch(find_stories(root), out, options)
    finally:
        site.close()
    by_name = {s.name: s for s in run.stories}
    assert by_name["gone"].status == "broken" and "404" in by_name["gone"].error and gone in by_name["gone"].error
    assert by_name["web"].status == "ok" and by_name["web"].outlets == ("Wire", "The Daily")
    result = json.loads((out / "web" / "result.json").read_text(encoding="utf-8"))
    assert [d["url"] for d in result["documents"]] == [a, b]
    kept = sorted(p.suffix for p in (out / "web" / "fetched").iterdir())
    assert kept == [".html", ".html", ".json", ".json"]  # the page and the text compared, per URL
    before = (out / "web" / "result.json").read_bytes()
    # The site is gone; --offline compares the kept copies of DIR's previous run.
    rerun = run_batch(find_stories(root), out, replace(options, compare=replace(options.compare, offline=True)))
    assert {s.name: s.status for s in rerun.stories}["web"] == "ok"
    assert (out / "web" / "result.json").read_bytes() == before
    assert len(list((out / "web" / "fetched").iterdir())) == 4  # kept again for the next run


def test_sigterm_mid_run_keeps_the_previous_run_and_marks_the_partial_one(stories: Path, tmp_path: Path) -> None:
    """A scheduled job killed half-way (CI timeout, cron's kill) must not leave a half-replaced report."""
    from .slow_site import terminated_while_fetching

    out = tmp_path / "report"
    shutil.rmtree(stories / "trade")
    run_batch(find_stories(stories), out, BatchOptions(compare=FAST))
    before = _tree(out)
    status, err = terminated_while_fetching(stories, ["--out", str(out), "--fast"])
    assert status == 143, err
    assert "Traceback" not in err and err.strip().splitlines()[-1] == "compare: terminated (SIGTERM)"
    assert f"{out} is unchanged" in err
    assert _tree(out) == before
    assert (staging_dir(out) / MARKER).is_file()
