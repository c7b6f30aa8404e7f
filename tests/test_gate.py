"""Issue 13, items 3 and 4 (one story): exit codes 0/1/2/3, --fail-on, --min-coverage, --exit-zero.

The articles are written for these tests: an invented bridge closure told by two outlets, the
second differing from the first once per finding type, leaving out a fact in its second body
sentence and one in its last.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from compare.errors import ExitStatus, UsageError
from compare.gate import GATE_TYPES, STRONG_CONFIDENCE, Crossing, Thresholds, check
from compare.result import FINDING_TYPES, ComparisonResult

A_TEXT = """Harbor bridge closes for repairs

The city closed the Old Harbor Bridge on Monday for three weeks of repairs.
Engineers found cracks in two of the steel supports during a routine inspection last month.
The repairs will cost 4 million dollars, the transport office said.
Drivers will use the river road, which adds about ten minutes to the trip.
The mayor said the bridge may reopen before the school term starts.
"We will not cut corners on safety," the mayor said at a press briefing.
Shop owners near the bridge said they were worried about losing customers.
Residents asked the council to run extra buses during the closure.
A public meeting on the closure is planned for Thursday evening at the library.
"""

# One difference per finding type; leaves out A's cracks (body sentence 2) and meeting (the last).
B_TEXT = """Old Harbor Bridge shut for three weeks

The city shut the Old Harbor Bridge on Monday for three weeks of repair work.
The repairs will cost 6 million dollars.
Drivers will use the river road, which adds about ten minutes to the trip.
The mayor said the bridge will reopen before the school term starts.
The mayor said the city would not cut corners on safety at a press briefing.
Shop owners near the bridge slammed the closure, saying they were losing customers.
Residents asked Mayor Ellen Price and the council to run extra buses during the closure.
"""

# A without its last sentence: leaves out only a fact told low in A.
A_SHORT = A_TEXT.rsplit("A public meeting", 1)[0]

EVERY_TYPE = ",".join(GATE_TYPES)
PREFIX = "compare: threshold: "


@pytest.fixture
def story(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(A_TEXT, encoding="utf-8")
    b.write_text(B_TEXT, encoding="utf-8")
    return a, b


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _crossings(stderr: str) -> list[str]:
    lines = stderr.splitlines()
    assert all(line.startswith(PREFIX) for line in lines), stderr  # nothing else on stderr
    return [line[len(PREFIX):] for line in lines]


def _one_error_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("compare: error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


# --- exit 0 and 1 -------------------------------------------------------------------------------------


def test_no_thresholds_exit_0_whatever_differs(run_cli, story):
    res = run_cli(*story, "--fast", "-q", "--json", story[0].parent / "r.json")
    assert res.exit_code == ExitStatus.OK == 0 and res.stderr == ""


def test_every_type_crossed_exits_1_after_writing_the_outputs(run_cli, story, tmp_path):
    out = tmp_path / "r.json"
    res = run_cli(*story, "--fast", "-q", "--json", out, "--fail-on", EVERY_TYPE, "--min-coverage", "0.9")
    assert res.exit_code == ExitStatus.THRESHOLD == 1, res.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["schema"] == "compare/3"  # written as usual
    lines = _crossings(res.stderr)
    assert sorted({line.split(":", 1)[0] for line in lines}) == sorted([*GATE_TYPES, "coverage"])
    assert len(lines) == len(GATE_TYPES) + 1  # one each: A's low omission and B's full coverage do not cross


def test_same_article_twice_crosses_nothing(run_cli, tmp_path):
    a = _write(tmp_path, "a.txt", A_TEXT)
    copy = _write(tmp_path, "copy.txt", A_TEXT)
    res = run_cli(a, copy, "--fast", "-q", "--fail-on", EVERY_TYPE, "--min-coverage", "1")
    assert res.exit_code == 0 and res.stderr == ""


@pytest.mark.parametrize("kind", FINDING_TYPES)
def test_each_finding_type_crosses_only_when_listed(run_cli, story, kind):
    res = run_cli(*story, "--fast", "-q", "--fail-on", kind)
    assert res.exit_code == 1, res.stderr
    lines = _crossings(res.stderr)
    assert len(lines) == 1 and lines[0].startswith(f"{kind}: ")
    others = ",".join(t for t in FINDING_TYPES if t != kind)
    res = run_cli(*story, "--fast", "-q", "--fail-on", others)
    assert not any(line.startswith(f"{kind}: ") for line in _crossings(res.stderr))


def test_number_crossing_line_names_outlets_values_and_sentence(run_cli, story):
    res = run_cli(*story, "--fast", "-q", "--fail-on", "number")
    (line,) = _crossings(res.stderr)
    assert line == (
        "number: a says 4 million dollars, b says 6 million dollars (amount) "
        "(a's sentence 3 of 9: \"The repairs will cost 4 million dollars, the transport office said.\")"
    )


def test_omission_in_the_first_two_sentences_crosses(run_cli, story):
    res = run_cli(*story, "--fast", "-q", "--fail-on", "omission")
    assert res.exit_code == 1
    (line,) = _crossings(res.stderr)  # the library meeting, A's last sentence, is no crossing
    assert line.startswith("omission: b leaves out a fact a tells in its sentence 2 of 9 (a's sentence 2 of 9: ")
    assert '"Engineers found cracks in two of the steel supports during a routine…")' in line  # shortened


def test_omission_low_in_the_story_does_not_cross(run_cli, tmp_path):
    a = _write(tmp_path, "a.txt", A_TEXT)
    short = _write(tmp_path, "short.txt", A_SHORT)
    out = tmp_path / "r.json"
    res = run_cli(a, short, "--fast", "-q", "--json", out, "--fail-on", "omission")
    assert res.exit_code == 0 and res.stderr == ""
    ledger = json.loads(out.read_text(encoding="utf-8"))["ledger"]
    assert [e["positions"][0]["where"] for e in ledger] == ["sentence 9 of 9"]  # an omission, but low


def test_omission_needs_no_finding_detectors(run_cli, story):
    res = run_cli(*story, "--fast", "-q", "--no-findings", "--fail-on", "omission")
    assert res.exit_code == 1 and _crossings(res.stderr)[0].startswith("omission: b leaves out")


def test_min_coverage_crosses_below_the_share_only(run_cli, story):
    res = run_cli(*story, "--fast", "-q", "--min-coverage", "0.81")
    assert res.exit_code == 1
    assert _crossings(res.stderr) == [
        "coverage: a: 8 of 10 sentences (80%) are linked to another outlet, under --min-coverage 0.81"
    ]
    res = run_cli(*story, "--fast", "-q", "--min-coverage", "0.8")  # a has exactly 0.8: not less
    assert res.exit_code == 0 and res.stderr == ""


def test_exit_zero_reports_crossings_but_exits_0(run_cli, story):
    res = run_cli(*story, "--fast", "-q", "--fail-on", "number", "--exit-zero")
    assert res.exit_code == 0
    assert _crossings(res.stderr)[0].startswith("number: a says 4 million dollars")


def test_number_finding_with_a_time_caution_does_not_cross(run_cli, story):
    # Published ten hours apart, the figure may have been updated: confidence halves to 0.45.
    res = run_cli(*story, "--fast", "-q", "--fail-on", "number", "--json", "-",
                  "--published", "a=2024-05-01T08:00Z", "--published", "b=2024-05-01T18:00Z")
    (finding,) = [f for f in json.loads(res.stdout)["comparisons"][0]["findings"] if f["type"] == "number"]
    assert finding["caution"] and finding["confidence"] < STRONG_CONFIDENCE
    assert res.exit_code == 0 and res.stderr == ""


# --- exit 2 and 3 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--fail-on", "numbers"), "--fail-on: unknown type 'numbers'; choose from: omission, number, attribution"),
        (("--fail-on", ","), "--fail-on needs at least one type"),
        (("--min-coverage", "1.5"), "--min-coverage must be a share between 0 and 1 (e.g. 0.6), not 1.5"),
        (("--min-coverage", "-0.1"), "--min-coverage must be a share between 0 and 1"),
        (("--min-coverage", "nan"), "--min-coverage must be a share between 0 and 1"),
        (("--min-coverage", "most"), "--min-coverage"),
        (("--findings", "number", "--fail-on", "loaded"), "--fail-on loaded: that finding type is not looked for"),
        (("--no-findings", "--fail-on", "number"), "--fail-on number: that finding type is not looked for"),
    ],
)
def test_bad_threshold_is_one_line_and_exit_2(run_cli, story, args, message):
    res = run_cli(*story, "--fast", "-q", *args, "--exit-zero")
    assert res.exit_code == ExitStatus.BAD_INPUT == 2
    assert message in _one_error_line(res.stderr)


def test_input_error_exits_2_with_thresholds_and_exit_zero(run_cli, story, tmp_path):
    res = run_cli(story[0], tmp_path / "missing.txt", "--fast", "--fail-on", "number", "--exit-zero")
    assert res.exit_code == 2 and "missing.txt" in _one_error_line(res.stderr)


def test_bug_exits_3_even_with_exit_zero(run_cli, story, monkeypatch):
    import compare.pipeline

    def broken(*args, **kwargs):
        raise RuntimeError("aligner lost its place")

    monkeypatch.setattr(compare.pipeline, "compare_documents", broken)
    res = run_cli(*story, "--fast", "--fail-on", "number", "--exit-zero")
    assert res.exit_code == ExitStatus.INTERNAL == 3
    assert _one_error_line(res.stderr) == (
        "compare: error: internal error: RuntimeError: aligner lost its place (rerun with --traceback and report it)"
    )


# --- the gate's functions -----------------------------------------------------------------------------


def _result(run_cli, story) -> ComparisonResult:
    res = run_cli(*story, "--fast", "--json", "-")
    return ComparisonResult.from_dict(json.loads(res.stdout))


def test_thresholds_are_validated():
    with pytest.raises(UsageError, match="choose from: omission, number, attribution, certainty, quote, loaded"):
        Thresholds(("coverage",))
    with pytest.raises(UsageError, match="between 0 and 1"):
        Thresholds(min_coverage=True)  # type: ignore[arg-type]
    assert Thresholds.parse(["Number, omission", "number"]).fail_on == ("number", "omission")
    assert not Thresholds().active


def test_cautioned_finding_counts_only_at_strong_confidence(run_cli, story):
    result = _result(run_cli, story)
    (comp,) = result.comparisons
    number = next(f for f in comp.findings if f.type == "number")

    def with_number(confidence: float) -> ComparisonResult:
        changed = replace(number, caution="b's wording is a machine translation", confidence=confidence)
        findings = tuple(changed if f is number else f for f in comp.findings)
        return replace(result, comparisons=(replace(comp, findings=findings),))

    assert check(with_number(STRONG_CONFIDENCE - 0.01), Thresholds(("number",))) == []
    (crossing,) = check(with_number(STRONG_CONFIDENCE), Thresholds(("number",)), story="bridge")
    assert crossing.story == "bridge" and crossing.outlets == ("a", "b") and crossing.sentence == 3
    assert crossing.line().startswith("bridge: number: a says 4 million dollars, b says 6 million dollars (amount) "
                                      "[uncertain: b's wording is a machine translation]")


def test_crossing_line_is_one_line_without_sentence():
    crossing = Crossing(type="coverage", outlets=("a",), why="a: 1 of 9 sentences (11%) are linked")
    assert crossing.line() == "coverage: a: 1 of 9 sentences (11%) are linked"


def test_fail_on_a_type_the_run_skipped_is_named_unchecked(run_cli, story):
    from compare.gate import unchecked

    result = replace(_result(run_cli, story), skipped={"loaded": "its rules read English; the common language is de"})
    thresholds = Thresholds(("number", "loaded"))
    assert unchecked(result, thresholds) == {"loaded": "its rules read English; the common language is de"}
    assert unchecked(result, Thresholds(("number",))) == {}
