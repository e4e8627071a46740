"""Numbers in news sentences: the value, its qualifier ("more than"), its words, and what it counts.

English numbers are read by quantulum3, which knows digits with separators
("2,600", "2 600"), scales ("1.5 million") and number words ("Two thousand six
hundred", "Thirteen"). Only what it does not do is written here: the Polish
forms ("ponad 2,5 tys."), used when aligning on the original text, and the
rules that say a number is not a count: years, dates, times, ordinals, and a
token glued to a name (`Jabar-24`, `An-124`, `Il-76`). What a number counts
(troops, killed...) comes from the configured keywords next to it.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Mapping, Sequence

from mt.atomic import atomic_file
from mt.config import default_cache_dir
from mt.languages import MONTHS

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
    words ("more than 2,600"), `quantity` what it counts (a configured name such as "troops") or None."""

    value: float
    text: str
    quantity: str | None
    qualifier: str | None = None
    start: int = 0
    end: int = 0


def find_numbers(text: str, quantities: Mapping[str, Sequence[str]] = {}, lang: str = "en") -> list[NumberMention]:
    """The counts in `text`, in order; years, dates, times, ordinals, labels and glued tokens are left out."""
    spans = _polish_numbers(text) if lang == "pl" else _english_numbers(text)
    kept = [(start, end, value) for start, end, value in spans if _is_count(text, start, end, value)]
    mentions = []
    for k, (start, end, value) in enumerate(kept):
        qualifier, start_with_qualifier = _qualifier(text, start, lang)
        after_end = kept[k + 1][0] if k + 1 < len(kept) else len(text)
        before_start = kept[k - 1][1] if k else 0
        after = text[end:after_end].split()[:8]
        before = text[before_start:start_with_qualifier].split()[-6:]
        quantity = _quantity(" ".join(after), quantities)
        if quantity is None and (not after or not after[0][:1].isalnum()):  # "... amounts to 3,600."
            quantity = _quantity(" ".join(before), quantities)
        mentions.append(NumberMention(value, text[start_with_qualifier:end], quantity, qualifier, start_with_qualifier, end))
    return mentions


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


def _english_numbers(text: str) -> list[tuple[int, int, float]]:
    """(start, end, value) of each dimensionless quantity quantulum3 finds ("a dozen" counts twelve)."""
    spans = []
    for found in _parse(text):
        unit = found.unit.name
        if unit not in ("dimensionless", "dozen"):
            continue
        start, end = found.span
        surface = text[start:end]
        if surface.lower().startswith("between "):  # a range: keep its words, read as its first number
            continue
        spans.append((start, end, float(found.value) * (12 if unit == "dozen" else 1)))
    return spans


def _parse(text: str) -> list:
    from quantulum3 import parser  # lazy on purpose: quantulum3 loads its classifier on import

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return parser.parse(text, classifier_path=str(unit_classifier()))


@lru_cache(maxsize=1)
def unit_classifier() -> Path:
    """quantulum3's unit classifier, trained for the installed scikit-learn the first time (about 5 s, once).

    The classifier quantulum3 ships is a pickle of one scikit-learn release that other releases cannot
    load, and its fallback without one fails on some sentences; retraining is quantulum3's own remedy.
    """

    path = default_cache_dir() / "quantulum3" / f"clf-{version('quantulum3')}-sklearn-{version('scikit-learn')}.joblib"
    if not path.is_file():
        from quantulum3 import classifier  # lazy on purpose: quantulum3 loads its classifier on import

        with atomic_file(path) as staging, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            classifier.train_classifier(store=True, output_path=str(staging), n_jobs=1)
    return path


def _polish_numbers(text: str) -> list[tuple[int, int, float]]:
    spans = []
    for match in POLISH_NUMBER.finditer(text):
        digits = re.sub(r"[ \u00a0\u202f]", "", match["value"]).replace(",", ".")
        value = float(digits) * POLISH_SCALES.get((match["scale"] or "").lower(), 1)
        spans.append((match.start(), match.end(), value))
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
    if re.match(r"[-‐‑](?!strong)|(?:st|nd|rd|th)\b|:\d|\.\d|[.,]?\s*(?:a\.m\.|p\.m\.|am\b|pm\b|GMT|UTC)", rest):
        return False  # two-fold, 11th, 10:00, 3 p.m.
    if re.fullmatch(r"\d{4}", surface) and 1900 <= value <= 2100:
        return False  # a year
    before = text[:start].lower().split()[-1:]
    after = rest.lower().split()[:1]
    near = {w.strip(".,;:()") for w in before + after} | {w.strip(",;:()") for w in before + after}
    return not (near & MONTH_WORDS or near & LABELS)


def _qualifier(text: str, start: int, lang: str) -> tuple[str | None, int]:
    """The qualifier right before a number, and where the mention then starts."""
    words = "|".join(re.escape(q) for q in sorted(QUALIFIERS.get(lang, QUALIFIERS["en"]), key=len, reverse=True))
    match = re.search(rf"(?<!\w)({words})\s+$", text[:start], re.IGNORECASE)
    if match is None:
        return None, start
    return match.group(1).lower(), match.start(1)


def _quantity(context: str, quantities: Mapping[str, Sequence[str]]) -> str | None:
    """The configured quantity whose keywords occur in `context`; with several, all of them ("police killed")."""
    context = f" {context.lower()} "
    found = [name for name, words in quantities.items() if any(re.search(rf"\b{re.escape(w)}", context) for w in words)]
    return " ".join(found) if found else None
