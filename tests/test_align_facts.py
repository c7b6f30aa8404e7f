"""Facts across three or more outlets (compare/align/facts.py) and the coverage grid built on them."""

from __future__ import annotations

import itertools
import random

from compare import DocumentInput, compare_documents
from compare.align.facts import group_facts
from compare.options import CompareOptions


def _prob(table):
    """group_facts' probability mapping from {frozenset({x, y}): p}."""
    return {tuple(sorted(key)): p for key, p in table.items()}


def test_a_chain_is_not_one_fact():
    # A0-B0 and B0-C0 are linked, but A0 and C0 have nothing in common (a lead B0 with two facts).
    # (A mean of JOIN = 0.45 over the two members would need a link of 0.9 to one and 0 to the other.)
    links = {(0, 1): [(0, 0)], (1, 2): [(0, 0)]}
    chain = {frozenset({(0, 0), (1, 0)}): 0.8, frozenset({(1, 0), (2, 0)}): 0.8}
    facts = group_facts(links, _prob(chain))
    assert facts == [{0: (0,), 1: (0,)}, {1: (0,), 2: (0,)}]  # B0 carries both facts
    # When A0 and C0 are likely linked too, the three sentences are one fact told by three outlets.
    closed = dict(chain) | {frozenset({(0, 0), (2, 0)}): 0.6}
    assert group_facts(links, _prob(closed)) == [{0: (0,), 1: (0,), 2: (0,)}]


def test_one_sentence_per_outlet_and_every_link_in_a_fact():
    # B splits A's fact in two sentences: two facts sharing A0, never one with two B sentences.
    links = {(0, 1): [(0, 0), (0, 1)], (0, 2): [(0, 0)], (1, 2): [(0, 0), (1, 0)]}
    p = {frozenset({(0, 0), (1, 0)}): 0.9, frozenset({(0, 0), (1, 1)}): 0.8, frozenset({(0, 0), (2, 0)}): 0.9,
         frozenset({(1, 0), (2, 0)}): 0.8, frozenset({(1, 1), (2, 0)}): 0.7}
    facts = group_facts(links, _prob(p))
    assert all(len(indices) == 1 for fact in facts for indices in fact.values())
    together = {frozenset(((d1, i1), (d2, i2))) for f in facts for (d1, (i1,)), (d2, (i2,)) in itertools.combinations(f.items(), 2)}
    for (da, db), pairs in links.items():
        for i, j in pairs:
            assert frozenset(((da, i), (db, j))) in together
    assert {0: (0,), 1: (0,), 2: (0,)} in facts and {0: (0,), 1: (1,), 2: (0,)} in facts


def test_facts_do_not_depend_on_the_order_of_the_documents():
    rng = random.Random(7)
    sizes = [6, 5, 7, 4]
    prob = {}
    for (da, db) in itertools.combinations(range(4), 2):
        for i in range(sizes[da]):
            for j in range(sizes[db]):
                prob[frozenset({(da, i), (db, j)})] = round(rng.random() ** 3, 3)
    links = {(da, db): [(i, j) for i in range(sizes[da]) for j in range(sizes[db])
                        if prob[frozenset({(da, i), (db, j)})] >= 0.35]
             for da, db in itertools.combinations(range(4), 2)}
    base = group_facts(links, _prob(prob))
    assert base and max(len(f) for f in base) >= 3
    canon = sorted(sorted(f.items()) for f in base)
    for order in itertools.permutations(range(4)):
        new = {old: k for k, old in enumerate(order)}  # document old is now at position new[old]
        moved_links = {}
        for (da, db), pairs in links.items():
            x, y = new[da], new[db]
            moved_links[(min(x, y), max(x, y))] = [(i, j) if x < y else (j, i) for i, j in pairs]
        moved_prob = {frozenset((new[d], i) for d, i in key): p for key, p in prob.items()}
        back = {k: old for old, k in new.items()}
        facts = group_facts(moved_links, _prob(moved_prob))
        assert sorted(sorted((back[d], idx) for d, idx in f.items()) for f in facts) == canon


def test_three_outlets_grid_has_no_blob_and_names_the_fact_specifically():
    # One wire lead with two facts; each of the other outlets tells them in two sentences.
    wire = ("The central bank raised its key rate to 5 percent on Tuesday, and the finance minister "
            "announced a freeze on fuel prices until March. Analysts had expected the move.")
    daily = ("The central bank lifted its main interest rate to 5 percent. Separately, the finance "
             "minister froze fuel prices until March. Shops reported long queues.")
    radio = ("Fuel prices will stay frozen until March, the finance minister said. The bank's rate "
             "rise to 5 percent came on Tuesday. Farmers protested in the north.")
    result = compare_documents(
        [DocumentInput(wire, "wire", "en"), DocumentInput(daily, "daily", "en"), DocumentInput(radio, "radio", "en")],
        CompareOptions(align_mode="fast", use_cache=False),
    )
    shared = [g for g in result.coverage if len(g.sentences) > 1]
    assert shared and all(len(idx) == 1 for g in shared for idx in g.sentences.values())  # one per outlet
    # Every linked pair shares a fact.
    for comp in result.comparisons:
        for link in comp.links:
            for i in link.a:
                for j in link.b:
                    assert any(i in g.sentences.get(comp.a, ()) and j in g.sentences.get(comp.b, ()) for g in shared)
    # The wire lead carries both facts: it is in two rows, and each row is worded by another outlet's
    # sentence, which tells only that fact.
    lead_rows = [g for g in shared if g.sentences.get("wire") == (0,)]
    assert len(lead_rows) >= 2
    wordings = {result.wordings()[g.id] for g in lead_rows}
    assert len(wordings) == len(lead_rows) and all(doc != "wire" for doc, _ in wordings)
    # Every sentence is in the grid: in a fact or on a row of its own.
    for doc in result.documents:
        for s in doc.sentences:
            assert any(s.index in g.sentences.get(doc.id, ()) for g in result.coverage)
