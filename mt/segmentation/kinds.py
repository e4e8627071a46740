"""What a line of a scraped page is, from its own words: a photo credit, a byline, a teaser, an embedded post,
a dateline. The segmenter (segmenter.py) combines these with a line's neighbours; every kind is in mt.records.KINDS."""

from __future__ import annotations

import re

from mt.languages import MONTHS, WEEKDAYS

DATE_WORDS = set(MONTHS + WEEKDAYS) | set(
    "posted published modified updated update am pm utc gmt cet cest msk "
    "opublikowano aktualizacja aktualizacja: опубликовано обновлено publicado actualizado".split()
)
WORD = re.compile(r"[^\W\d_]+")

CREDIT = re.compile(r"^\s*((photos?|foto|фото|zdjęcie|image|source|credit|źródło|источник)\s*:|fot\.\s)", re.I)
BYLINE_START = re.compile(r"^\s*(?:by|autor:?|por)\s+", re.I)
CORRESPONDENT = re.compile(r"^\s*(?:correspondent in|корреспондент(?:ка)? в|correspon?sal en)\s+\w+(?:\s+\w+)?\s*$", re.I)
NAME_JOINERS = {"and", "i", "y", "&", "de", "van", "von", "der", "la", "und", "et"}
MAX_BYLINE_WORDS = 8
TEASER = re.compile(r"^\s*(przeczytaj|czytaj (też|także|więcej)|zobacz (też|także)|read (more|also)|see also|читайте также|lee también)\b(?!\s*,)", re.I)
MAX_TEASER_WORDS = 20
SOCIAL_LINK = re.compile(r"pic\.twitter\.com/|\bt\.co/")
SOCIAL_MARK = re.compile(r"(?:^|\s)[@#][^\W\d_]\w*")
FLAG = re.compile(r"[\U0001F1E6-\U0001F1FF]")
TERMINAL = re.compile(r"[.!?…:]['\"”’»)]*$")
MAX_HEADLINE_WORDS = 25


def is_byline(text: str) -> bool:
    """'By John Smith', 'By Reuters and AP', 'Autor: Jan Kowalski', 'Correspondent in Moscow': the whole line, names only."""
    if len(text.split()) > MAX_BYLINE_WORDS:
        return False
    if CORRESPONDENT.match(text):
        return True
    start = BYLINE_START.match(text)
    if not start:
        return False
    names = text[start.end():].replace(",", " ").split()
    return bool(names) and all(w[:1].isupper() or w.lower() in NAME_JOINERS for w in names)


def is_social(text: str) -> bool:
    """An embedded post: a twitter link, a flag emoji, or at least two handles or hashtags ('#1' is not one)."""
    return bool(SOCIAL_LINK.search(text) or FLAG.search(text) or len(SOCIAL_MARK.findall(text)) >= 2)


def is_date_only(text: str) -> bool:
    """A line made of dates, times and words such as 'Posted': a dateline or timestamp."""
    words = [w.lower() for w in WORD.findall(text)]
    has_date = any(ch.isdigit() for ch in text) or any(w in DATE_WORDS for w in words)
    return has_date and all(w in DATE_WORDS for w in words)
