"""Facts: pairs grouped into n-way groups across articles, and the numbers outlets disagree on.

Pairs are merged best first, but a group only grows when it stays coherent:
the newcomer must score at least `fact_coherence` with every member in other
articles (the same combined score as pairs, so counting the same quantity or
sharing rare names counts here too), and an article contributes one unit (one
sentence, or two adjacent ones) to a group. So a hub sentence cannot chain
unrelated sentences together; a pair refused by a group becomes a fact of its own.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Callable, Mapping, Sequence

from alignments.evidence import find_numbers
from mt.records import Disagreement, Fact, Pair, Segment


class _Group:
    def __init__(self) -> None:
        self.units: dict[str, tuple[str, ...]] = {}  # article -> its member ids
        self.merged_into: "_Group | None" = None

    def final(self) -> "_Group":
        group = self
        while group.merged_into is not None:
            group = group.merged_into
        return group

    def ids(self) -> list[str]:
        return [i for unit in self.units.values() for i in unit]


Closeness = Callable[[int, int], float]
"""How well two segments (indices into the aligned segments) report one fact; the pairs' combined score."""


def group_facts(pairs: Sequence[Pair], segments: Sequence[Segment], closeness: Closeness | None, coherence: float,
                quantities: Mapping[str, Sequence[str]], on: str = "english") -> list[Fact]:
    """Facts from pairs (best first); sets `fact_id` on every pair. Without `closeness`, pairs that share
    a member always merge (parallel mode, where links are already exclusive)."""
    row = {s.id: i for i, s in enumerate(segments)}
    by_id = {s.id: s for s in segments}
    group_of: dict[str, _Group] = {}
    groups: list[_Group] = []
    pair_group: list[_Group] = []

    def cohesive(new: Mapping[str, tuple[str, ...]], group: _Group) -> bool:
        for article, unit in new.items():
            if article in group.units and group.units[article] != unit:
                return False
        if closeness is None:
            return True
        others = [(unit, [i for a, u in group.units.items() if a != article for i in u]) for article, unit in new.items()]
        return all(closeness(row[x], row[y]) >= coherence for unit, rest in others for x in unit for y in rest)

    ranked = sorted(pairs, key=lambda p: -p.score)
    for pair in ranked:
        side_a, side_b = (pair.article_a, tuple(pair.ids_a)), (pair.article_b, tuple(pair.ids_b))
        group_a, group_b = group_of.get(pair.ids_a[0]), group_of.get(pair.ids_b[0])
        if group_a is None and group_b is None:
            group = _Group()
            group.units = dict([side_a, side_b])
            groups.append(group)
        elif group_a is not None and group_a is group_b:
            group = group_a
        elif group_b is None and cohesive(dict([side_b]), group_a) and _unit_free(side_b, group_of):
            group = group_a
            group.units[side_b[0]] = side_b[1]
        elif group_a is None and cohesive(dict([side_a]), group_b) and _unit_free(side_a, group_of):
            group = group_b
            group.units[side_a[0]] = side_a[1]
        elif group_a is not None and group_b is not None and cohesive(group_b.units, group_a):
            group = group_a
            group.units.update(group_b.units)
            group_b.merged_into = group
            groups.remove(group_b)
        else:
            group = _Group()  # refused: this pair stands as a fact of its own
            group.units = dict([side_a, side_b])
            groups.append(group)
            pair_group.append(group)
            continue
        for i in group.ids():
            group_of[i] = group
        pair_group.append(group)

    facts: dict[int, Fact] = {}
    for group in groups:
        facts[id(group)] = _fact(group, by_id, quantities, on)
    for pair, group in zip(ranked, pair_group):
        pair.fact_id = facts[id(group.final())].fact_id
    return sorted(facts.values(), key=lambda f: (-f.n_articles, f.fact_id))


def _unit_free(side: tuple[str, tuple[str, ...]], group_of: Mapping[str, _Group]) -> bool:
    return all(i not in group_of for i in side[1])


def _fact(group: _Group, by_id: Mapping[str, Segment], quantities: Mapping[str, Sequence[str]], on: str) -> Fact:
    members = {article: list(unit) for article, unit in sorted(group.units.items())}
    digest = hashlib.sha1("|".join(sorted(group.ids())).encode()).hexdigest()[:12]
    numbers: dict[str, list[str]] = {}
    counted: dict[str, dict[str, list]] = defaultdict(dict)  # quantity -> article -> mentions
    for article, ids in members.items():
        text = " ".join((by_id[i].english if on == "english" else by_id[i].text) or "" for i in ids)
        mentions = find_numbers(text, quantities)
        if mentions:
            numbers[article] = [m.text for m in mentions]
        for mention in mentions:
            if mention.quantity:
                counted[mention.quantity].setdefault(article, []).append(mention)
    disagreements = []
    for quantity, per_article in sorted(counted.items()):
        values = {article: frozenset(m.value for m in mentions) for article, mentions in per_article.items()}
        if len(values) > 1 and len(set(values.values())) > 1:
            disagreements.append(Disagreement(quantity, {a: ", ".join(m.text for m in ms) for a, ms in per_article.items()}))
    return Fact(fact_id=f"fact-{digest}", members=members, numbers=numbers, disagreements=disagreements)
