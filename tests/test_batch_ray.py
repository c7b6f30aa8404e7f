"""`compare batch --executor ray` on a local Ray cluster started by the run (loopback only).

What matters to a user: the same outputs, byte for byte, and the same exit status as the local
executor; a worker that dies is recovered; a story that fails is reported, never lost; no Ray
means one clear line. Each run starts and stops a 2-CPU cluster (a few seconds).
"""

from __future__ import annotations

import json
import shutil
import signal
from pathlib import Path

import pytest

from .conftest import FIXTURES, SAMPLES
from .translate_fixtures import toy_env, toy_pair, toy_store  # noqa: F401  (pytest fixtures)

pytest.importorskip("ray")

pytestmark = pytest.mark.slow


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def stories(tmp_path: Path, toy_env) -> Path:  # noqa: F811
    """An English story, a translated one (the toy model), and one that cannot run."""
    root = tmp_path / "stories"
    (root / "summit").mkdir(parents=True)
    for name in ("meridian-wire.txt", "harbor-review.txt"):
        shutil.copy(SAMPLES / name, root / "summit" / name)
    (root / "toy").mkdir()
    pairs = [toy_pair(k) for k in range(12)]
    (root / "toy" / "agency.txt").write_text(" ".join(src for src, _ in pairs) + "\n", encoding="utf-8")
    (root / "toy" / "wire.txt").write_text(" ".join(eng for _, eng in pairs[2:]) + "\n", encoding="utf-8")
    (root / "toy" / "story.toml").write_text('languages = { agency = "qtx" }\n', encoding="utf-8")
    (root / "trade").mkdir()
    shutil.copy(FIXTURES / "summit_a.txt", root / "trade" / "a.txt")
    shutil.copy(FIXTURES / "summit_b.txt", root / "trade" / "b.txt")
    # A language with no installed model: a broken story (exit 2), the others go on.
    (root / "trade" / "story.toml").write_text('languages = { b = "qtz" }\n', encoding="utf-8")
    return root


def test_ray_executor_gives_the_local_executors_outputs_and_status(
    stories: Path, tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = run_cli("batch", str(stories), "--out", str(tmp_path / "local"), "--fail-on", "number")
    monkeypatch.setenv("COMPARE_CACHE_DIR", str(tmp_path / "cold"))  # the cluster translates and encodes afresh
    monkeypatch.setattr("compare.batch.ray_executor.CHUNK", 1)  # a story at a time through the stages
    remote = run_cli("batch", str(stories), "--out", str(tmp_path / "ray"), "--fail-on", "number", "--executor", "ray")
    assert local.exit_code == remote.exit_code == 2  # the broken story
    assert "compare: error: trade:" in remote.stderr and "qtz" in remote.stderr
    assert "threshold: summit: number:" in remote.stderr
    assert _tree(tmp_path / "ray") == _tree(tmp_path / "local")
    toy = json.loads((tmp_path / "ray" / "toy" / "result.json").read_text(encoding="utf-8"))
    assert toy["documents"][0]["translated"] and toy["signature"]["models"]
    # a second run is answered from the caches the driver filled, with the same bytes
    again = run_cli("batch", str(stories), "--out", str(tmp_path / "ray"), "--fail-on", "number", "--executor", "ray")
    assert again.exit_code == 2 and _tree(tmp_path / "ray") == _tree(tmp_path / "local")


def test_a_worker_that_dies_is_recovered(stories: Path, tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.rmtree(stories / "trade")
    assert run_cli("batch", str(stories), "--out", str(tmp_path / "local")).exit_code == 0
    monkeypatch.setenv("COMPARE_CACHE_DIR", str(tmp_path / "cold"))
    marker = tmp_path / "crashed"
    monkeypatch.setenv("COMPARE_RAY_CRASH_ONCE", str(marker))  # the first actor call kills its worker
    res = run_cli("batch", str(stories), "--out", str(tmp_path / "ray"), "--executor", "ray")
    assert marker.exists()  # a worker did die
    assert res.exit_code == 0, res.stderr
    assert _tree(tmp_path / "ray") == _tree(tmp_path / "local")


def test_without_ray_installed_it_is_one_line(stories: Path, tmp_path: Path, run_cli, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "ray", None)  # import ray fails
    res = run_cli("batch", str(stories), "--out", str(tmp_path / "out"), "--executor", "ray")
    assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1
    assert "pip install 'compare-news[ray]'" in res.stderr
    assert not (tmp_path / "out").exists()


def test_the_cluster_leaves_the_drivers_signal_handlers_as_they_were(monkeypatch) -> None:
    import ray

    from compare.batch.ray_executor import _cluster
    from compare.batch.run import BatchOptions

    def mine(signum, frame):  # the CLI's: SIGTERM ends the run with its own status
        raise SystemExit(143)

    previous = signal.signal(signal.SIGTERM, mine)
    try:
        with _cluster(ray, BatchOptions(jobs=2)):
            assert signal.getsignal(signal.SIGTERM) is mine
        assert not ray.is_initialized()
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_sigterm_shuts_the_cluster_down_and_keeps_the_previous_run(stories: Path, tmp_path: Path) -> None:
    from compare.batch import BatchOptions, find_stories, run_batch
    from compare.batch.run import MARKER, staging_dir
    from compare.options import CompareOptions

    from .slow_site import terminated_while_fetching

    shutil.rmtree(stories / "trade")
    out = tmp_path / "report"
    run_batch(find_stories(stories), out, BatchOptions(compare=CompareOptions(align_mode="fast")))
    before = _tree(out)
    status, err = terminated_while_fetching(stories, ["--out", str(out), "--fast", "--executor", "ray"])
    assert status == 143, err
    assert err.strip().splitlines()[-1] == "compare: terminated (SIGTERM)" and "Traceback" not in err
    assert _tree(out) == before and (staging_dir(out) / MARKER).is_file()
    assert not _raylets(), "the cluster the run started is still running"


def _raylets() -> list[str]:
    """Ray's node managers still running (from /proc: no dependency on procps)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if b"/raylet" in cmdline.read_bytes():
                found.append(cmdline.parent.name)
        except OSError:
            continue
    return found
