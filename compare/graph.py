"""Small graph helpers."""

from __future__ import annotations

from typing import Hashable, Iterable, TypeVar

Node = TypeVar("Node", bound=Hashable)


def connected_components(edges: Iterable[tuple[Node, Node]], nodes: Iterable[Node] = ()) -> list[list[Node]]:
    """Connected components of an undirected graph (union-find with path halving).

    Args:
        edges: (u, v) pairs; their nodes join the graph.
        nodes: extra nodes (singletons unless an edge touches them), added first.

    Returns:
        One list per component. Each component's nodes are in first-seen order (nodes, then
        edges' u before v), and components are ordered by the first-seen order of their root
        at the end, i.e. of the first node seen among those whose representative the root is.
    """
    parent: dict[Node, Node] = {}

    def find(x: Node) -> Node:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for node in nodes:
        find(node)
    for u, v in edges:
        parent[find(u)] = find(v)
    groups: dict[Node, list[Node]] = {}
    for node in parent:
        groups.setdefault(find(node), []).append(node)
    return list(groups.values())
