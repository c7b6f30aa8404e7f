"""Facts across three or more outlets: are the coverage groups one fact each?

An event's outlets are compared all at once (as users run `compare A B C`),
and the result's coverage groups (facts) are scored against the pairwise gold
links of the event, as issue 10 defines:

- purity: of the cross-outlet sentence pairs that share a fact, the share that
  are gold links (strong or weak): a fact that chains unrelated sentences is impure;
- recall: of the strong gold links, the share whose two sentences share a fact;
- triangle recall: of the gold chains of two strong links across three outlets
  (a-b and b-c through one sentence of b), the share whose three sentences share
  one fact, so a fact told by every outlet shows once, not as a row per pair;
- largest: the most sentences in one fact.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from typing import Iterable, Sequence

from compare.options import CompareOptions
from compare.pipeline import DocumentInput, compare_documents

Node = tuple[int, int]  # (document index in the event, gold sentence index)
Edge = frozenset  # of two Nodes


@dataclass
class Event:
    name: str
    texts: list[str] = field(default_factory=list)
    spans: list[list[tuple[int, int]]] = field(default_factory=list)
    strong: set[Edge] = field(default_factory=set)
    linked: set[Edge] = field(default_factory=set)  # strong or weak

    def doc(self, text: str, spans: Sequence[tuple[int, int]]) -> int:
        if text not in self.texts:
            self.texts.append(text)
            self.spans.append(list(spans))
        return self.texts.index(text)


def events_of(gold: Sequence, groups: Sequence[int]) -> list[Event]:
    """Rebuild each event's documents and links from its gold pairs (only events of 3+ outlets)."""
    events: dict[int, Event] = {}
    for pair, group in zip(gold, groups):
        event = events.setdefault(group, Event(pair.event or pair.id))
        da, db = event.doc(pair.text_a, pair.spans_a), event.doc(pair.text_b, pair.spans_b)
        for i, j in pair.strong:
            event.strong.add(frozenset({(da, i), (db, j)}))
        for i, j in pair.strong | pair.weak:
            event.linked.add(frozenset({(da, i), (db, j)}))
    return [e for e in events.values() if len(e.texts) >= 3]


def predicted_facts(event: Event, mode: str) -> list[set[Node]]:
    """The coverage groups of one `compare` run over all the event's outlets, in gold sentences."""
    result = compare_documents(
        [DocumentInput(text, f"d{k}", language="en") for k, text in enumerate(event.texts)],
        CompareOptions(align_mode=mode, use_cache=False),  # type: ignore[arg-type]
    )
    to_gold: dict[str, tuple[int, list[list[int]]]] = {}
    for k, doc in enumerate(result.documents):
        spans = event.spans[k]
        to_gold[doc.id] = (k, [[g for g, (gs, ge) in enumerate(spans) if min(s.end, ge) - max(s.start, gs) > 0]
                               for s in doc.sentences])
    facts = []
    for group in result.coverage:
        nodes = {(to_gold[d][0], g) for d, idxs in group.sentences.items() for i in idxs for g in to_gold[d][1][i]}
        if len({doc for doc, _ in nodes}) > 1:
            facts.append(nodes)
    return facts


def triangles(strong: Iterable[Edge]) -> set[frozenset]:
    """Gold chains a-b, b-c of strong links through one sentence b, over three distinct outlets."""
    partners: dict[Node, set[Node]] = defaultdict(set)
    for edge in strong:
        x, y = tuple(edge)
        partners[x].add(y)
        partners[y].add(x)
    out = set()
    for b, others in partners.items():
        for a, c in combinations(sorted(others), 2):
            if len({a[0], b[0], c[0]}) == 3:
                out.add(frozenset({a, b, c}))
    return out


@dataclass
class FactCounts:
    pairs: int = 0  # cross-outlet sentence pairs sharing a fact
    pure: int = 0  # ... that are gold links
    strong: int = 0
    strong_found: int = 0
    triangles: int = 0
    triangles_found: int = 0
    largest: int = 0

    def add(self, other: "FactCounts") -> None:
        for name in ("pairs", "pure", "strong", "strong_found", "triangles", "triangles_found"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.largest = max(self.largest, other.largest)

    @property
    def purity(self) -> float:
        return self.pure / self.pairs if self.pairs else 1.0

    @property
    def recall(self) -> float:
        return self.strong_found / self.strong if self.strong else 1.0

    @property
    def triangle_recall(self) -> float:
        return self.triangles_found / self.triangles if self.triangles else 1.0

    def line(self) -> str:
        return (f"purity {self.purity:.3f} ({self.pure}/{self.pairs})  recall {self.recall:.3f}  "
                f"triangle recall {self.triangle_recall:.3f} ({self.triangles_found}/{self.triangles})  "
                f"largest fact {self.largest}")


def score_facts(event: Event, facts: Sequence[set[Node]]) -> FactCounts:
    together: set[Edge] = set()
    for fact in facts:
        together.update(frozenset({x, y}) for x, y in combinations(fact, 2) if x[0] != y[0])
    tris = triangles(event.strong)
    return FactCounts(
        pairs=len(together), pure=len(together & event.linked),
        strong=len(event.strong), strong_found=len(event.strong & together),
        triangles=len(tris), triangles_found=sum(any(t <= f for f in facts) for t in tris),
        largest=max((len(f) for f in facts), default=0),
    )


def fact_figures(events: Sequence[Event], mode: str) -> FactCounts:
    total = FactCounts()
    for event in events:
        total.add(score_facts(event, predicted_facts(event, mode)))
    return total


# --- how much a labelled set looks like real coverage ------------------------------------------
# The real column of ../shared/REAL-COVERAGE.md (33 pairs of real coverage, two labellers), and
# the same definitions as ../shared/tools/realism.py, so `make eval` can print both side by side.
REAL_COVERAGE = {"1:1": 0.27, "1:many": 0.51, "m:n": 0.22, "words mean": 26.9, "words median": 26.0,
                 "linked": 0.43, "low overlap": 0.36}


def realism(gold: Sequence) -> dict[str, float]:
    """Link shapes, sentence length, share of linked sentences, low-overlap links of a gold set."""
    import re
    import statistics
    from collections import Counter

    def content(s: str) -> set[str]:
        return {w.lower() for w in re.findall(r"[^\W\d_]{4,}", s)}

    shape: Counter[str] = Counter()
    words: list[int] = []
    linked: list[float] = []
    overlap: list[float] = []
    for pair in gold:
        ca, cb = Counter(i for i, _ in pair.strong), Counter(j for _, j in pair.strong)
        for i, j in pair.strong:
            shape["m:n" if ca[i] > 1 and cb[j] > 1 else "1:1" if ca[i] == cb[j] == 1 else "1:many"] += 1
            x, y = content(pair.a[i]), content(pair.b[j])
            overlap.append(len(x & y) / max(1, len(x | y)))
        words += [len(re.findall(r"\w+", s)) for s in pair.a + pair.b]
        linked.append((len(ca) + len(cb)) / max(1, len(pair.a) + len(pair.b)))
    total = sum(shape.values()) or 1
    return {"1:1": shape["1:1"] / total, "1:many": shape["1:many"] / total, "m:n": shape["m:n"] / total,
            "words mean": statistics.mean(words), "words median": statistics.median(words),
            "linked": statistics.mean(linked), "low overlap": sum(v < 0.1 for v in overlap) / max(1, len(overlap))}


def print_realism(named: Sequence[tuple[str, Sequence]]) -> dict[str, dict[str, float]]:
    stats = {name: realism(gold) for name, gold in named if gold}
    print(f"  {'statistic':<14}" + "".join(f"{name:>12}" for name in stats) + f"{'real':>12}")
    for key, real in REAL_COVERAGE.items():
        print(f"  {key:<14}" + "".join(f"{s[key]:12.2f}" for s in stats.values()) + f"{real:12.2f}")
    print()
    return stats
