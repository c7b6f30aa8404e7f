"""compare.graph.connected_components."""

from __future__ import annotations

from compare.graph import connected_components


def test_components_and_singletons():
    comps = connected_components([(1, 2), (3, 4), (2, 5)], nodes=[0, 1, 2, 3, 4, 5, 6])
    assert sorted(sorted(c) for c in comps) == [[0], [1, 2, 5], [3, 4], [6]]


def test_empty_and_self_loops():
    assert connected_components([]) == []
    assert connected_components([("a", "a")]) == [["a"]]


def test_every_node_once_and_chains_merge():
    edges = [(k, k + 1) for k in range(0, 50, 2)] + [(k, k + 2) for k in range(1, 49, 2)]
    comps = connected_components(edges)
    nodes = [n for c in comps for n in c]
    assert sorted(nodes) == list(range(50)) and len(nodes) == len(set(nodes))
    assert len(comps) == 1
