"""The corpus as one object: what is published, and the lookups every configuration's columns share."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Sequence

from mt.records import ArticleInfo, Event, Fact, Pair, Segment, event_id_for, headlines, outlet_label


@dataclass
class Provenance:
    """How the corpus was built, for the card: every setting that changes the data."""

    command: str
    toolkit_version: str
    translation_models: dict[str, str | None] = field(default_factory=dict)
    alignment: dict[str, Any] = field(default_factory=dict)
    created: str | None = None


@dataclass
class Corpus:
    """Articles, their segments, the pairs and facts found across them, and how they were made.

    `kinds` are the segment kinds that took part in alignment (`alignment.kinds`):
    the articles' `aligned` counts and the report's unmatched sentences use them.
    `events` are the groups alignment ran in (alignments/events.py); without them (a corpus built before events,
    or without grouping) the articles' own `event_id`s group them, and without those all the articles are one event.
    """

    articles: Sequence[ArticleInfo]
    segments: Sequence[Segment]
    pairs: Sequence[Pair]
    facts: Sequence[Fact]
    provenance: Provenance
    kinds: tuple[str, ...]
    events: Sequence[Event] = ()

    def __post_init__(self) -> None:
        missing = sorted({i for p in self.pairs for i in p.ids_a + p.ids_b} - set(self.by_id))
        if missing:
            raise ValueError(f"{len(missing)} aligned segment id(s) are not in the segments (first: {missing[0]}); "
                             "were the pairs made from another translated.jsonl?")

    @cached_property
    def by_id(self) -> dict[str, Segment]:
        return {s.id: s for s in self.segments}

    @cached_property
    def info(self) -> dict[str, ArticleInfo]:
        return {a.name: a for a in self.articles}

    @cached_property
    def headlines(self) -> dict[str, str]:
        """Each article's first headline: the stand-in for an unknown outlet when the article has no title."""
        return headlines((s.article, s.kind, s.text) for s in self.segments)

    @cached_property
    def labels(self) -> dict[str, str]:
        return {a.name: a.outlet_label(self.headlines.get(a.name)) for a in self.articles}

    def outlet(self, article: str) -> str:
        """Who published an article, as a reader sees it (mt.records.outlet_label), also with no metadata row."""
        return self.labels.get(article) or outlet_label(article, headline=self.headlines.get(article))

    def join(self, ids: Sequence[str], attribute: str) -> str:
        """The text (or English) of one side of a pair, its sentences joined."""
        return " ".join(getattr(self.by_id[i], attribute) or "" for i in ids)

    @cached_property
    def paired(self) -> set[str]:
        return {i for p in self.pairs for i in p.ids_a + p.ids_b}

    @cached_property
    def per_article(self) -> dict[str, Counter]:
        """Per article: its segments, those of aligned kinds, those paired, and the facts it is in."""
        return {
            "segments": Counter(s.article for s in self.segments),
            "aligned": Counter(s.article for s in self.segments if s.kind in self.kinds),
            "paired": Counter(s.article for s in self.segments if s.id in self.paired),
            "facts": Counter(article for f in self.facts for article in f.members),
        }

    @cached_property
    def event_list(self) -> list[Event]:
        """Every article in exactly one event, in the order grouping gave (derived ones: larger first, then by id).
        An article that no given event names is an event of its own: it was compared with nothing."""
        known = {a.name for a in self.articles} | {s.article for s in self.segments}
        present = sorted(known)
        if self.events:
            named: set[str] = set()
            events = []
            for event in self.events:
                members = [a for a in event.articles if a in known and a not in named]
                named.update(members)
                if members:
                    central = event.central if event.central in members else None
                    events.append(Event(event_id_for(members), sorted(members), central))
            return events + [Event(event_id_for([a]), [a], a) for a in present if a not in named]
        given = {a.name: a.event_id for a in self.articles if a.event_id}
        groups: dict[str | None, list[str]] = {}
        for article in present:
            groups.setdefault(given.get(article), []).append(article)
        events = [Event(event_id_for(members), members) for members in groups.values()]
        return sorted(events, key=lambda e: (-len(e.articles), e.event_id))

    @cached_property
    def event_of(self) -> dict[str, str]:
        """Each article's event id."""
        return {article: event.event_id for event in self.event_list for article in event.articles}

    def pair_event(self, pair: Pair) -> str | None:
        return self.event_of.get(pair.article_a)

    def fact_event(self, fact: Fact) -> str | None:
        return self.event_of.get(min(fact.members)) if fact.members else None

    @cached_property
    def per_event(self) -> dict[str, Counter]:
        """Per event: its pairs, its facts and their disagreements."""
        return {
            "pairs": Counter(self.pair_event(p) for p in self.pairs),
            "facts": Counter(self.fact_event(f) for f in self.facts),
            "disagreements": Counter(e for f in self.facts for e in [self.fact_event(f)] * len(f.disagreements)),
        }
