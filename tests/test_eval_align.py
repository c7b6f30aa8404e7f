"""The alignment evaluation harness: offsets mapping, the measure, gold loading."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "eval"))
import align_eval  # noqa: E402

sys.path.pop(0)


def _write_pair(folder: Path) -> None:
    data = {
        "id": "toy",
        "event": "toy",
        "phenomena": [],
        "a": {"label": "x", "sentences": ["The bank raised rates to 4.5 percent.", "Markets fell.", "It rained."]},
        "b": {"label": "y", "sentences": ["Rates went up to 4.5 percent.", "Stocks dropped sharply.", "Smith spoke."]},
        "links": [
            {"a": 0, "b": 0, "kind": "strong"},
            {"a": 1, "b": 1, "kind": "strong"},
            {"a": 2, "b": 2, "kind": "weak"},
        ],
    }
    (folder / "pair-01.json").write_text(json.dumps(data), encoding="utf-8")


def test_load_gold_spans(tmp_path):
    _write_pair(tmp_path)
    (gold,) = align_eval.load_gold(tmp_path)
    assert gold.strong == {(0, 0), (1, 1)} and gold.weak == {(2, 2)}
    for k, (s, e) in enumerate(gold.spans_a):
        assert gold.text_a[s:e] == gold.a[k]


def test_overlap_map_handles_merged_and_split_segments():
    gold = [(0, 10), (11, 20), (21, 30)]
    pred = [(0, 20), (21, 25), (25, 30)]  # first merges two gold sentences, last two split one
    assert align_eval.overlap_map(pred, gold) == [[0, 1], [2], [2]]


def test_measure_counts_weak_as_correct_but_not_recalled(tmp_path):
    _write_pair(tmp_path)
    (gold,) = align_eval.load_gold(tmp_path)
    c = align_eval.score_pairs(gold, {(0, 0), (2, 2), (0, 1)})
    assert (c.tp, c.ok, c.pred, c.strong) == (1, 2, 3, 2)
    assert c.precision == pytest.approx(2 / 3) and c.recall == pytest.approx(0.5)
    assert c.f1 == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))


def test_pipeline_run_maps_back_to_gold(tmp_path):
    _write_pair(tmp_path)
    (gold,) = align_eval.load_gold(tmp_path)
    seg = align_eval.segment(gold)
    assert all(m for m in seg.map_a) and all(m for m in seg.map_b)
    pred = align_eval.run_pipeline(seg, "fast")
    assert all(0 <= s <= 1 for s in pred.values())
    assert (0, 0) in pred


def test_baselines_and_fit_run(tmp_path):
    _write_pair(tmp_path)
    segs = [align_eval.segment(g) for g in align_eval.load_gold(tmp_path)]
    t, per = align_eval.baseline(segs, align_eval.tfidf_matrix)
    assert 0 < t < 1 and len(per) == 1
    model = align_eval.fit_model(segs, "fast")
    assert set(model.weights) == {"lex", "lex_margin", "tfidf", "tfidf_margin"}


def test_perturb_gold_varies_side_b_only_and_deterministically():
    gold = align_eval.load_gold()
    first = [align_eval.perturb_gold(g, seed=13) for g in gold]
    again = [align_eval.perturb_gold(g, seed=13) for g in gold]
    assert [p.b for p in first] == [p.b for p in again]
    assert all(p.a == g.a and p.strong == g.strong and p.weak == g.weak for p, g in zip(first, gold))
    assert sum(x != y for p, g in zip(first, gold) for x, y in zip(p.b, g.b)) > 20
    assert all(p.spans_b == align_eval._spans(p.b) for p in first)
    assert set(align_eval._spelling_variants("organisers", False)) >= {"organizers"}
    assert "Gdansk" in align_eval._spelling_variants("Gdańsk", True)


def test_event_groups_join_pairs_that_share_an_outlet_text():
    def pair(a: str, b: str) -> "align_eval.GoldPair":
        return align_eval.GoldPair(a + b, [a], [b], set(), set())

    # Three outlets x, y, z of one event (three pairs), two pairs of their own, one of another event.
    gold = [pair("x", "y"), pair("p", "q"), pair("x", "z"), pair("y", "z"), pair("r", "s")]
    assert align_eval.event_groups(gold) == [0, 1, 0, 0, 2]


sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "eval"))
import facts  # noqa: E402

sys.path.pop(0)


def test_fact_scores_reward_one_fact_per_group_and_punish_chains():
    """Three outlets: a0-b0-c0 is one fact told by all; b1-c1 another. A group that chains
    b1 and c1 into the first fact is impure; groups that keep them apart are pure."""
    event = facts.Event("toy")
    edge = frozenset
    event.strong = {edge({(0, 0), (1, 0)}), edge({(1, 0), (2, 0)}), edge({(0, 0), (2, 0)}), edge({(1, 1), (2, 1)})}
    event.linked = set(event.strong)
    good = facts.score_facts(event, [{(0, 0), (1, 0), (2, 0)}, {(1, 1), (2, 1)}])
    assert (good.purity, good.recall, good.triangle_recall) == (1.0, 1.0, 1.0)
    chained = facts.score_facts(event, [{(0, 0), (1, 0), (2, 0), (1, 1), (2, 1)}])
    assert chained.recall == 1.0 and chained.purity < 0.6 and chained.largest == 5
    # told once per pair (a-b and b-c apart): the triangle is not found
    split = facts.score_facts(event, [{(0, 0), (1, 0)}, {(1, 0), (2, 0)}, {(1, 1), (2, 1)}])
    assert split.triangle_recall == 0.0 and split.purity == 1.0


def test_realism_statistics_follow_the_shared_definitions():
    pair = align_eval.GoldPair(
        "p", ["Rescuers pulled survivors from the rubble overnight.", "Alpha beta."],
        ["Overnight, rescue crews freed people trapped under collapsed buildings.", "Gamma delta epsilon."],
        strong={(0, 0), (1, 0)}, weak=set())
    stats = facts.realism([pair])
    assert stats["1:many"] == 1.0 and stats["m:n"] == 0.0
    assert stats["linked"] == 0.75  # 3 of 4 sentences have a strong link
    assert stats["low overlap"] == 1.0  # both pairs share almost no 4+-letter words


def test_realistic_sets_are_consistent():
    """eval/real: every gold span slices its sentence out of the published text; the test
    split is the six events kept aside; strong links are the pairs both labellers call strong."""
    for split, n_events in (("dev", 12), ("test", 6)):
        gold = align_eval.load_gold(align_eval.ROOT / "eval" / "real" / split)
        assert len({g.event for g in gold}) == n_events and len(gold) == 3 * n_events
        for g in gold:
            for text, sents, spans in ((g.text_a, g.a, g.spans_a), (g.text_b, g.b, g.spans_b)):
                assert [text[s:e] for s, e in spans] == sents
            assert not g.strong & g.weak and g.strong
