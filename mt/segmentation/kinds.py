"""What a line of a scraped page is, from its own words: a photo credit, a byline, a teaser, an embedded post,
a dateline. The segmenter (segmenter.py) combines these with a line's neighbours; every kind is in mt.records.KINDS.

Wire copy (PAP, ТАСС, РИА Новости, EFE, AP, Reuters, dpa) opens its first paragraph with a dateline:
`Warszawa (PAP) -`, `МОСКВА, 5 января. /ТАСС/.`, `МОСКВА, 5 янв — РИА Новости.`, `Madrid, 5 ene (EFE).-`,
`KYIV, Ukraine (AP) —`, `LONDON (Reuters) -`, `Berlin (dpa) -`. Alone on its line it is a `dateline`. At the
start of a paragraph it is split off as its own `dateline` segment, separator included, and the paragraph's
sentences follow as body: "LONDON (Reuters) - The Bank of England raised rates." gives the dateline
"LONDON (Reuters) -" and the sentence "The Bank of England raised rates.", whole, as it would be translated
and aligned; the offsets of both still cover every character but the space between them.

Credits (`Фото: ТАСС`, `Foto: dpa`, `Fot. PAP/…`, `PAP/EPA/…`) are captions. A line right above a credit is
its caption, except at the end of an article: there a credit belongs to the article's photo, and the line
above is a caption only when it is short and does not end like a sentence (is_caption_shaped).
"""

from __future__ import annotations

import re

from mt.languages import MONTHS, WEEKDAYS

DATE_WORDS = set(MONTHS + WEEKDAYS) | set(
    "posted published modified updated update am pm utc gmt cet cest msk "
    "opublikowano aktualizacja aktualizacja: опубликовано обновлено publicado actualizado".split()
)
WORD = re.compile(r"[^\W\d_]+")

AGENCIES = (
    "PAP|IAR|ТАСС|ИТАР-ТАСС|TASS|РИА Новости|RIA Novosti|Интерфакс|Interfax|EFE|Europa Press|AP|AFP|Reuters|dpa|KNA|"
    "epd|APA|ANSA|Bloomberg|УНИАН|Укрінформ|БелТА|BelTA"
)
"""News agencies whose names mark a dateline or a credit (case-insensitive)."""
CREDIT = re.compile(
    r"^\s*((photos?|fotos?|фото|zdjęci[ea]|image|source|credit|źródło|источник|fuente|quelle|bild)\s*:|fot\.\s"
    rf"|(?:{AGENCIES}|EPA)/)",
    re.I,
)
"""A photo credit: 'Photo: …', 'Фото: ТАСС', 'Fot. PAP/Jan Nowak', 'PAP/EPA/ORESTIS PANAGIOTOU'."""
MAX_CAPTION_WORDS = 20
"""The longest line that a credit at the end of an article makes a caption (is_caption_shaped)."""
PLACE = r"(?P<place>[^\W\d_][\w.'’]*(?:[ /-][^\W\d_][\w.'’]*){0,3})"
WIRE_DATELINES = (
    # Warszawa (PAP) -, LONDON (Reuters) -, KYIV, Ukraine (AP) —, Madrid, 5 ene (EFE).-, Berlin (dpa/lbn) -
    re.compile(rf"{PLACE}(?:,[^()\n]{{1,40}}?)?\s*\((?:{AGENCIES})(?:/[^()\n]{{1,20}})?\)(?:\s*\.?\s*[-—–]+|\.?\s*$)", re.I),
    # МОСКВА, 5 января. /ТАСС/.  and  АФИНЫ, 12 августа. /Корр. ТАСС Иван Петров/.
    re.compile(rf"{PLACE},\s*\d{{1,2}}\s+[^\W\d_]{{3,12}}\.?\s*/[^/\n]{{0,60}}(?:{AGENCIES})[^/\n]{{0,60}}/\.?", re.I),
    # МОСКВА, 5 янв — РИА Новости.  and  МОСКВА, 5 янв — РИА Новости, Иван Петров.
    re.compile(rf"{PLACE},\s*\d{{1,2}}\s+[^\W\d_]{{3,12}}\.?\s*[-—–]+\s*(?:{AGENCIES})(?:,[^.\n]{{1,40}})?\.", re.I),
)
"""Agency datelines that open a paragraph; the place's words must be capitalised (checked in wire_dateline)."""
SOURCE_LINE = re.compile(rf"^\s*\((?:{AGENCIES})(?:/[^()\n]{{1,20}})?\)\.?\s*$", re.I)
"""'(PAP)' alone on a line: the agency signing the article, a byline."""
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
MAX_TITLE_SENTENCES = 2
"""The first headline-shaped line may hold a full stop ('Pożar w Grecji. Strażacy walczą z ogniem'); a later one
must be one sentence."""


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


def wire_dateline(text: str) -> int:
    """The length of the agency dateline that opens `text` ('LONDON (Reuters) -', 'МОСКВА, 5 января. /ТАСС/.'),
    0 when there is none. The place must be capitalised words: 'The deal was announced (Reuters) -' is no dateline."""
    for pattern in WIRE_DATELINES:
        match = pattern.match(text)
        if match and all(word[:1].isupper() for word in re.split(r"[ /-]", match["place"])):
            return len(text[: match.end()].rstrip())
    return 0


def is_wire_dateline(text: str) -> bool:
    """A whole line that is an agency dateline, or the agency's name alone in brackets ('(PAP)')."""
    return wire_dateline(text) == len(text.strip()) or bool(SOURCE_LINE.match(text))


def is_caption_shaped(text: str) -> bool:
    """Short and not ending like a sentence: 'Strażacy w Atenach', not 'W akcji bierze udział 35 samolotów.'"""
    return len(text.split()) <= MAX_CAPTION_WORDS and not TERMINAL.search(text.strip())


def is_social(text: str) -> bool:
    """An embedded post: a twitter link, a flag emoji, or at least two handles or hashtags ('#1' is not one)."""
    return bool(SOCIAL_LINK.search(text) or FLAG.search(text) or len(SOCIAL_MARK.findall(text)) >= 2)


def is_date_only(text: str) -> bool:
    """A line made of dates, times and words such as 'Posted': a dateline or timestamp."""
    words = [w.lower() for w in WORD.findall(text)]
    has_date = any(ch.isdigit() for ch in text) or any(w in DATE_WORDS for w in words)
    return has_date and all(w in DATE_WORDS for w in words)
