"""Precision, recall and F1 of alignments against gold.

Comparable mode compares unordered pairs of segment ids: a predicted pair with
a two-sentence side counts as both of its sentence pairs. Facts are scored the
same way, as every pair of their members from different articles: that shows
whether the groups are right, beyond the pairs that made them. Gold is JSON Lines,
each line either a pair (`{"id_a": ..., "id_b": ...}`) or a fact
(`{"members": [ids...]}`, which stands for every pair of its members from
different articles).

Parallel mode reads the `[i, j]:[k]` lines of vecalign and bertalign. Strict
counts an alignment as right only if the gold has exactly it; lax counts it
right if it shares a source and a target sentence with a gold alignment (the
definitions of vecalign's score.py). A predicted deletion (an empty side) is right only if the gold has it, as
vecalign and bertalign count; `--ignore-deletions` leaves deletions out of both sides instead.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Iterable, Sequence

from alignments.parallel import Link
from mt.errors import UserError
from mt.records import Fact, Pair, read_facts, read_pairs
from mt.workfolder import AlignmentFolder

IdPair = frozenset[str]


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float
    predicted: int
    gold: int
    correct: int
    """Predicted items that are right (precision's numerator)."""
    correct_gold: int = 0
    """Gold items that were found (recall's numerator; differs from `correct` for lax links)."""

    @classmethod
    def from_counts(cls, correct_predicted: int, predicted: int, correct_gold: int, gold: int) -> "PRF":
        precision = correct_predicted / predicted if predicted else 0.0
        recall = correct_gold / gold if gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return cls(round(precision, 4), round(recall, 4), round(f1, 4), predicted, gold, correct_predicted, correct_gold)


def article_of(segment_id: str) -> str:
    return segment_id.rsplit(":", 1)[0]


def pair_ids(pairs: Iterable[Pair]) -> set[IdPair]:
    """Every sentence-level pair the predicted pairs stand for."""
    return {frozenset((a, b)) for pair in pairs for a in pair.ids_a for b in pair.ids_b}


def fact_pair_ids(facts: Iterable[Fact]) -> set[IdPair]:
    """Every pair of sentences that a fact puts together from different articles."""
    found: set[IdPair] = set()
    for fact in facts:
        for (_, ids_a), (_, ids_b) in combinations(fact.members.items(), 2):
            found |= {frozenset((a, b)) for a in ids_a for b in ids_b}
    return found


def read_gold_pairs(path: Path | str) -> set[IdPair]:
    gold: set[IdPair] = set()
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        record = json.loads(line)
        if "members" in record:
            members = record["members"]
            gold |= {frozenset((a, b)) for a, b in combinations(members, 2) if article_of(a) != article_of(b)}
        elif "id_a" in record and "id_b" in record:
            gold.add(frozenset((record["id_a"], record["id_b"])))
        else:
            raise ValueError(f"{path}:{number}: expected 'members' or 'id_a'/'id_b'")
    return gold


def read_gold_facts(path: Path | str) -> list[set[str]]:
    """The member ids of each gold fact (lines with `members`; pair lines are facts of two)."""
    facts = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            facts.append(set(record["members"]) if "members" in record else {record["id_a"], record["id_b"]})
    return facts


@dataclass(frozen=True)
class Purity:
    """How many predicted fact members report the same gold fact as the rest of their fact.

    A fact's members are its article units (one or two sentences of one article). A unit belongs to a gold
    fact when one of its sentences does; a fact's pure members are the most units that belong to one gold
    fact, when at least two do (a lone unit shares nothing). `purity` is pure members over all members,
    over every fact; `pure_facts` counts the facts whose every member shares one gold fact.
    """

    purity: float
    members: int
    pure_members: int
    facts: int
    pure_facts: int


def fact_purity(facts: Iterable[Fact], gold_facts: Sequence[set[str]]) -> Purity:
    members = pure_members = n_facts = pure_facts = 0
    for fact in facts:
        units = list(fact.members.values())
        best = max((sum(any(i in gold for i in unit) for unit in units) for gold in gold_facts), default=0)
        best = best if best >= 2 else 0
        members += len(units)
        pure_members += best
        n_facts += 1
        pure_facts += best == len(units)
    return Purity(round(pure_members / members, 4) if members else 0.0, members, pure_members, n_facts, pure_facts)


def score_pairs(predicted: set[IdPair], gold: set[IdPair]) -> PRF:
    correct = len(predicted & gold)
    return PRF.from_counts(correct, len(predicted), correct, len(gold))


def parse_links(lines: Iterable[str]) -> list[Link]:
    """`[0]:[0]`, `[1, 2]:[1]:0.83`, `[3]:[]` -> links (the optional score is dropped)."""
    links = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        source, target = line.split(":")[:2]
        links.append((tuple(ast.literal_eval(source)), tuple(ast.literal_eval(target))))
    return links


def format_links(links: Sequence[Link], scores: Sequence[float] | None = None) -> list[str]:
    rows = []
    for n, (source, target) in enumerate(links):
        row = f"{list(source)}:{list(target)}"
        rows.append(f"{row}:{scores[n]:.4f}" if scores is not None else row)
    return rows


def score_links(predicted: Sequence[Link], gold: Sequence[Link], *, deletions: bool = True) -> dict[str, PRF]:
    """Strict and lax precision, recall and F1 of in-order links.

    As vecalign and bertalign score: a predicted deletion (1-0 or 0-1) is a link like any other, right only if
    the gold has the same deletion. `deletions=False` leaves deletions out on both sides (this toolkit's earlier
    convention, which reads higher when an aligner deletes too much).
    """
    if not deletions:
        predicted = [link for link in predicted if link[0] and link[1]]
        gold = [link for link in gold if link[0] and link[1]]
    gold_set, predicted_set = set(gold), set(predicted)
    strict_p = sum(link in gold_set for link in predicted)
    strict_r = sum(link in predicted_set for link in gold)

    def atoms(links: Sequence[Link]) -> set[tuple[int, int]]:
        return {(s, t) for source, target in links for s in source for t in target}

    def overlaps(link: Link, other_atoms: set[tuple[int, int]], others: set[Link]) -> bool:
        source, target = link
        if not source or not target:
            return link in others  # a deletion has no sentence pair to share
        return any((s, t) in other_atoms for s in source for t in target)

    gold_atoms, predicted_atoms = atoms(gold), atoms(predicted)
    lax_p = sum(overlaps(link, gold_atoms, gold_set) for link in predicted)
    lax_r = sum(overlaps(link, predicted_atoms, predicted_set) for link in gold)
    return {
        "strict": PRF.from_counts(strict_p, len(predicted), strict_r, len(gold)),
        "lax": PRF.from_counts(lax_p, len(predicted), lax_r, len(gold)),
    }


def evaluate_alignment(predicted: Path, gold: Path, mode: str = "comparable", *, deletions: bool = True) -> dict[str, PRF]:
    """P/R/F1 of an `mt align` output against gold, as `mt align-eval` reports them.

    comparable: `predicted` is the align folder (pairs, and facts scored as the pairs they imply) or a pairs.jsonl;
    gold holds pairs or facts. parallel: both are `[i, j]:[k]` link files, scored strict and lax.
    """

    try:
        if mode == "comparable":
            folder = AlignmentFolder(predicted)
            gold_pairs = read_gold_pairs(gold)
            scores = {"pairs": score_pairs(pair_ids(read_pairs(folder.pairs if predicted.is_dir() else predicted)), gold_pairs)}
            if predicted.is_dir() and folder.facts.exists():
                scores["facts"] = score_pairs(fact_pair_ids(read_facts(folder.facts)), gold_pairs)
            return scores
        if mode == "parallel":
            return score_links(parse_links(predicted.read_text(encoding="utf-8").splitlines()),
                               parse_links(gold.read_text(encoding="utf-8").splitlines()), deletions=deletions)
    except (OSError, ValueError, SyntaxError, KeyError, TypeError) as error:
        raise AlignmentEvaluationError(f"cannot read the alignments: {error}") from None
    raise AlignmentEvaluationError(f"--mode must be 'comparable' or 'parallel', not '{mode}'")


def evaluate_fact_purity(predicted: Path, gold: Path) -> Purity | None:
    """Fact purity of an `mt align` folder against gold facts; None without facts on either side."""

    folder = AlignmentFolder(predicted)
    if not predicted.is_dir() or not folder.facts.exists():
        return None
    try:
        return fact_purity(read_facts(folder.facts), read_gold_facts(gold))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise AlignmentEvaluationError(f"cannot read the facts: {error}") from None


class AlignmentEvaluationError(UserError, ValueError):
    """Predicted or gold alignments that cannot be read."""


@dataclass(frozen=True)
class GoldDisagreement:
    """Outlets that give different numbers for one counted thing of one gold fact.

    `segments`: article -> the id of its segment that gives the number; `values`: article -> the number
    (two or more different ones); `changed`: the article whose copy was changed (a generated dev set), if any;
    `counts`: what is counted ("firefighters"), where gold says it. JSON Lines of these fields (`fact` and
    `values` required) are what `read_gold_disagreements` reads.
    """

    fact: str
    segments: dict[str, str]
    values: dict[str, float]
    changed: str | None = None
    counts: str | None = None


@dataclass(frozen=True)
class DisagreementScore:
    """Gold disagreements found (recall) and predicted disagreements that are gold (precision).

    A gold disagreement is found when one predicted disagreement holds two of its articles that gold says differ,
    each with its gold value among the numbers the predicted fact reads for it, and the predicted fact holds each
    of those articles' gold segments. A predicted disagreement is right when it finds a gold one so.
    """

    recall: float
    precision: float
    gold: int
    found: int
    predicted: int
    correct: int


def read_gold_disagreements(path: Path | str) -> list[GoldDisagreement]:
    disagreements = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        record = json.loads(line)
        try:
            disagreements.append(GoldDisagreement(
                fact=record["fact"], segments=dict(record.get("segments", {})),
                values={article: float(value) for article, value in record["values"].items()},
                changed=record.get("changed"), counts=record.get("counts")))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ValueError(f"{path}:{number}: not a gold disagreement ({error})") from None
    return disagreements


_NUMBER_TEXT = re.compile(r"\d[\d,]*(?:\.\d+)?")
"""Digits in a quoted count, where the fact's counts do not say which number it is."""


def disagreement_values(fact: Fact, disagreement) -> dict[str, set[float]]:
    """The numbers a predicted disagreement gives for each of its articles, read from the fact's counts (the
    counts of its quantity, or whose text the disagreement quotes); digits in the quoted text where no count
    says more."""
    found: dict[str, set[float]] = {}
    for article, text in disagreement.values.items():
        quoted = {part.strip() for part in str(text).split(", ")}
        values = {count.value for count in fact.counts if count.article == article
                  and (count.counts == disagreement.quantity or count.text in quoted)}
        if not values:
            values = {float(d.replace(",", "")) for d in _NUMBER_TEXT.findall(str(text))}
        found[article] = values
    return found


def _matches(fact: Fact, values: dict[str, set[float]], gold: GoldDisagreement) -> bool:
    members = {article: set(ids) for article, ids in fact.members.items()}
    shared = [a for a in values if a in gold.values
              and (not gold.segments or gold.segments.get(a) in members.get(a, set()))]
    return any(gold.values[a] != gold.values[b] and gold.values[a] in values[a] and gold.values[b] in values[b]
               for a, b in combinations(shared, 2))


def score_disagreements(facts: Iterable[Fact], gold: Sequence[GoldDisagreement]) -> DisagreementScore:
    predicted = [(fact, disagreement_values(fact, d)) for fact in facts for d in fact.disagreements]
    found = sum(any(_matches(fact, values, g) for fact, values in predicted) for g in gold)
    correct = sum(any(_matches(fact, values, g) for g in gold) for fact, values in predicted)
    return DisagreementScore(round(found / len(gold), 4) if gold else 0.0,
                             round(correct / len(predicted), 4) if predicted else 0.0,
                             len(gold), found, len(predicted), correct)
