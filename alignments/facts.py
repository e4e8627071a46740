"""Facts: pairs grouped into n-way groups across articles, and the numbers outlets disagree on.

Pairs are merged best first, but a group only grows when it stays coherent:
the newcomer must score at least `fact_coherence` with every member in other
articles (the same combined score as pairs, so counting the same quantity or
sharing rare names counts here too), and an article contributes one unit (one
sentence, or two adjacent ones) to a group. So a hub sentence cannot chain
unrelated sentences together. A pair refused by a group becomes a fact of its
own only when it scores at least `alone_score`: below it, a sentence already in
one fact would be tied to a second one on weak evidence ("And the fighting is
still going on" paired with three different reports), so the pair stays in
`pairs` with no fact.

Facts are sorted for a reader: contradictions first (numbers that cannot all
be true, given their qualifiers), then other disagreements, then by the number
of articles. Each names its most central member (the one closest to
all others), whose English is the fact's summary, and lists every count its
members give (alignments/numbers.py). Counts are compared when they count the
same thing, read from each sentence: the same key ("firefighters" = "fire
fighters", "soldiers" = "troops" through a synonym group), or a key that ends
with another in the same fact ("police officers" and "officers"). A
disagreement is named by the words most of its counts use ("firefighters").
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Callable, Mapping, Sequence

from alignments.numbers import NumberMention, can_all_be_true, find_numbers, superseded, unnamed, whole
from mt.records import Count, Disagreement, Fact, Pair, Segment


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
                quantities: Mapping[str, Sequence[str]], on: str = "english", alone_score: float = 0.0,
                numbers: Sequence[Sequence[NumberMention]] | None = None, *, parser: str) -> list[Fact]:
    """Facts from pairs (best first); sets `fact_id` on every pair that is in one. Without `closeness`, pairs
    that share a member always merge (parallel mode, where links are already exclusive). `numbers`: the
    counts of each segment's English, when the scorer has read them already; `parser` reads the others
    (`alignment.counts_parser`)."""
    row = {s.id: i for i, s in enumerate(segments)}
    by_id = {s.id: s for s in segments}
    group_of: dict[str, _Group] = {}
    groups: dict[int, _Group] = {}  # by id(), in creation order: a merged group leaves in O(1)
    pair_group: list[_Group | None] = []

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
            groups[id(group)] = group
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
            del groups[id(group_b)]
        elif pair.score < alone_score and not pair.signals.get("quantities"):
            pair_group.append(None)  # refused, and too weak to stand alone: a pair with no fact
            continue
        else:
            group = _Group()  # refused: this pair stands as a fact of its own
            group.units = dict([side_a, side_b])
            groups[id(group)] = group
            pair_group.append(group)
            continue
        for i in group.ids():
            group_of[i] = group
        pair_group.append(group)

    facts: dict[int, Fact] = {}
    for group in groups.values():
        facts[id(group)] = _fact(group, by_id, quantities, on, _central(group, row, closeness),
                                 {i: numbers[row[i]] for i in group.ids()} if numbers is not None and on == "english" else {},
                                 parser)
    for pair, group in zip(ranked, pair_group):
        pair.fact_id = facts[id(group.final())].fact_id if group is not None else None
    return sorted(facts.values(), key=reading_order)


def _compatible(per_article: Mapping[str, Sequence[Count]]) -> bool:
    """Whether one true number fits every article, each article read by its first count of the quantity.

    An article that gives two counts of one quantity (before and after an update, or two places) is read by its
    first, so that its own two numbers do not make a contradiction between outlets.
    """
    return can_all_be_true([(found[0].value, found[0].qualifier) for found in per_article.values()])


def reading_order(fact: Fact) -> tuple:
    """Contradictions first, then other disagreements, then facts in more articles, then by id (stable)."""
    contradiction = any(d.compatible is False for d in fact.disagreements)
    return (not contradiction, not fact.disagreements, -fact.n_articles, fact.fact_id)


def _central(group: _Group, row: Mapping[str, int], closeness: Closeness | None) -> list[str]:
    """The unit closest to all the others (the first article's without scores)."""
    units = [unit for _, unit in sorted(group.units.items())]
    if closeness is None:
        return list(units[0])

    def total(unit: tuple[str, ...]) -> float:
        return sum(closeness(row[x], row[y]) for other in units if other is not unit for x in unit for y in other)

    return list(max(units, key=total))


def _unit_free(side: tuple[str, tuple[str, ...]], group_of: Mapping[str, _Group]) -> bool:
    return all(i not in group_of for i in side[1])


def _fact(group: _Group, by_id: Mapping[str, Segment], quantities: Mapping[str, Sequence[str]], on: str,
          central: list[str], known: Mapping[str, Sequence[NumberMention]], parser: str) -> Fact:
    members = {article: list(unit) for article, unit in sorted(group.units.items())}
    digest = hashlib.sha1("|".join(sorted(group.ids())).encode()).hexdigest()[:12]
    counts: list[Count] = []
    earlier: set[int] = set()  # the counts (by index) a live report has replaced (`superseded`): not compared
    said: dict[str, list[str]] = defaultdict(list)  # quantity -> the words each count names it by
    for article, ids in members.items():
        for i in ids:
            segment = by_id[i]
            # counts are read from the English wherever a segment has it (human or machine), whatever view aligned it
            text, lang = (segment.english, "en") if segment.english else (segment.text, segment.lang)
            found = known[i] if i in known else find_numbers(text, quantities, lang, parser=parser)
            for m in found:
                counts.append(Count(article, i, m.value, m.text, m.qualifier, m.quantity))
                if lang == "en" and superseded(text, m.start, m.end):
                    earlier.add(len(counts) - 1)
            for m in found:
                if m.quantity:
                    said[m.quantity].append(m.counted or m.quantity)
    same = _same_things(said, frozenset(quantities))
    counted: dict[str, dict[str, list[Count]]] = defaultdict(dict)  # quantity -> article -> its counts
    for k, count in enumerate(counts):
        if count.counts and k not in earlier:
            counted[same[count.counts]].setdefault(count.article, []).append(count)
    disagreements = []
    for quantity, per_article in sorted(counted.items()):
        values = {article: frozenset(c.value for c in found) for article, found in per_article.items()}
        if len(values) > 1 and len(set(values.values())) > 1:
            compatible = _compatible(per_article)
            names = [name for key, found in said.items() if same[key] == quantity for name in found]
            said_by = {a: ", ".join(dict.fromkeys(c.text for c in found)) for a, found in per_article.items()}  # a range once
            disagreements.append(Disagreement(_for_a_reader(names), said_by, compatible))
    return Fact(fact_id=f"fact-{digest}", members=members, central=central, counts=counts, disagreements=disagreements)


def _same_things(said: Mapping[str, Sequence[str]], groups: frozenset[str] = frozenset()) -> dict[str, str]:
    """Each quantity key of one fact mapped to the key it is compared under: itself, or a shorter key it ends
    with ("policeofficer" counts officers: "16 police officers" and "12 officers" in one fact are compared), or
    what happened alone ("9 passengers killed" and "at least 11 people were killed": killed). A configured group
    stays apart ("16 police officers killed" is not all the dead): outlets report it separately. A name part
    ("600 Spanish tourists") is the whole ("650 tourists") unless the fact names another part of it ("200 Russian
    tourists"), and then each part, and the whole, stand apart; a place ("three flights to Frankfurt") always does."""
    base = {key: unnamed(key) for key in said}
    named: dict[str, set[str]] = defaultdict(set)  # the key without its name part -> the name parts said of it
    for key in said:
        if key != base[key]:
            named[base[key]].add(key)
    plain = {key: base[key] if len(named[base[key]]) <= 1 else key for key in said}
    keys = sorted(set(plain.values()), key=len)
    same = {}
    for key in keys:
        shorter = [k for k in keys if len(k) < len(key) and len(k) >= 4 and " " not in key + k and key.endswith(k)]
        noun, _, state = key.partition(" ")
        if not shorter and state in same and noun not in groups and whole(noun) == noun:
            shorter = [state]
        same[key] = same[shorter[0]] if shorter else key
    return {key: same[plain[key]] for key in said}


def _for_a_reader(names: Sequence[str]) -> str:
    """The words most counts name a quantity by ("firefighters" over "fire fighters"); on a tie the whole before a
    named part ("civilians killed" over "Palestinian civilians killed"), then the first."""
    return max(dict.fromkeys(names), key=lambda name: (names.count(name), not any(w[:1].isupper() for w in name.split())))
