"""The first stage: raw scraped articles -> typed, language-tagged segments.

Each non-blank line of an article is a block; a block's kind (caption, social
post, teaser, ...) comes from its own text and its neighbours, and body blocks
are split into sentences. Every non-whitespace character of the input ends up
in exactly one segment: nothing is dropped, only labelled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from mt.config import load_config
from mt.errors import UserError
from mt.progress import Progress
from mt.records import Article, Segment
from mt.segmentation.detection import Detection, LanguageIdentifier
from mt.segmentation.kinds import (
    CREDIT,
    MAX_HEADLINE_WORDS,
    MAX_TITLE_SENTENCES,
    MAX_TEASER_WORDS,
    SOURCE_LINE,
    TEASER,
    TERMINAL,
    is_byline,
    is_caption_shaped,
    is_date_only,
    is_social,
    is_wire_dateline,
    wire_dateline,
)
from mt.segmentation.reading import Problem, Source, read_sources
from mt.segmentation.sentences import SentenceSplitter, strip_span

CHUNK_SHARE = 0.01
"""A long article is worked through in chunks of this share of its text: progress moves about every 1%."""
MIN_CHUNK_CHARS = 20_000
"""Smallest chunk: batches big enough to keep every core busy; an ordinary article is a single chunk."""


class NoArticlesError(UserError, ValueError):
    """None of the inputs could be read as an article."""


@dataclass
class Block:
    """One non-blank line, with what is around it."""

    start: int
    end: int
    text: str
    blank_before: bool
    blank_after: bool


@dataclass
class Piece:
    """A segment-to-be: its span and kind, and the language of its block."""

    start: int
    end: int
    kind: str
    lang: str
    own_language: bool
    """A sentence of a block with several gets its own language; a block's only piece keeps the block's."""


@dataclass
class SegmentationResult:
    articles: list[Article]
    problems: list[Problem]

    @property
    def segments(self) -> list[Segment]:
        return [s for article in self.articles for s in article.segments]


class Segmenter:
    """Turns article texts into segments; build once, use for many articles."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        settings = (config or load_config())["segmentation"]
        self.identifier = LanguageIdentifier(settings["languages"], settings["min_language_confidence"])
        self.splitter = SentenceSplitter(settings["abbreviations"], settings["never_final"],
                                         settings["year_abbreviations"], settings["max_words_before_year_split"])
        self.boilerplate = {line.strip().lower() for line in settings["boilerplate"]}

    def segment_source(self, source: Source, progress: Callable[[int], None] | None = None) -> Article:
        """One article's segments.

        Lingua is nearly all of the time, so the work goes in chunks of blocks (CHUNK_SHARE of the text, at least
        MIN_CHUNK_CHARS): each chunk is one batch for the detector and one call of `progress`, with the characters
        done since its last call. Every block's language comes first (the article's language needs them all),
        then the blocks are split and their sentences' languages found; each pass counts for half of the text,
        so the calls add up to its length.
        """
        text = source.text
        blocks = _blocks(text)
        chunks = _chunks(blocks, len(text))
        steps = _Steps(progress)
        detections: list[Detection] = []
        for chunk in chunks:
            detections += self.identifier.analyse([blocks[i].text for i in chunk])
            steps.reach(blocks[chunk[-1]].end // 2)
        steps.reach(len(text) // 2)
        article_lang = self.identifier.vote([b.text for b in blocks], detections)
        block_langs = [self.identifier.decide(detection, fallback=article_lang) for detection in detections]
        kinds = self._block_kinds(blocks)
        segments: list[Segment] = []
        seen: set[str] = set()
        seen_body = seen_headline = False
        for chunk in chunks:
            pieces: list[Piece] = []
            for i in chunk:
                kind = kinds[i]
                lead = wire_dateline(blocks[i].text) if kind is None else 0
                if kind is None and not lead and not seen_body and self._is_headline(blocks[i], block_langs[i], first=not seen_headline):
                    kind = "headline"
                found = self._pieces(text, blocks[i], kind, block_langs[i], seen, lead)
                seen_body = seen_body or any(piece.kind == "body" for piece in found)
                seen_headline = seen_headline or kind == "headline"
                pieces += found
            sentences = iter(self.identifier.analyse([text[p.start : p.end] for p in pieces if p.own_language]))
            for piece in pieces:
                index = len(segments)
                segments.append(
                    Segment(
                        id=f"{source.name}:{index:04d}",
                        article=source.name,
                        index=index,
                        kind=piece.kind,
                        lang=self.identifier.decide(next(sentences), fallback=piece.lang) if piece.own_language else piece.lang,
                        text=text[piece.start : piece.end],
                        start=piece.start,
                        end=piece.end,
                    )
                )
            steps.reach(len(text) // 2 + blocks[chunk[-1]].end // 2)
        steps.reach(len(text))
        return Article(name=source.name, path=str(source.path), lang=article_lang, segments=segments, metadata=dict(source.metadata))

    def _pieces(self, text: str, block: Block, kind: str | None, lang: str, seen: set[str], lead: int = 0) -> list[Piece]:
        """A block's sentences (body and social blocks) or the block whole; a repeat of a text in `seen` is a
        duplicate, and every piece's text joins `seen`. `lead` characters of an agency dateline that opens a body
        block are a `dateline` piece of their own, and the sentences are those of the rest (kinds.py)."""
        pieces: list[Piece] = []
        if lead:
            pieces.append(Piece(block.start, block.start + lead, "dateline", lang, own_language=False))
            start, end = strip_span(text, block.start + lead, block.end)
            block = Block(start, end, text[start:end], block.blank_before, block.blank_after)
        spans = (
            self.splitter.split(block.text, lang, offset=block.start)
            if kind in (None, "social")
            else [(block.start, block.end)]
        )
        for start, end in spans:
            piece = text[start:end]
            piece_kind = kind or (self._sentence_kind(piece) if len(spans) > 1 else "body")
            if piece in seen and piece_kind in ("body", "headline"):
                piece_kind = "duplicate"
            seen.add(piece)
            pieces.append(Piece(start, end, piece_kind, lang, own_language=len(spans) > 1))
        return pieces

    def _block_kinds(self, blocks: list[Block]) -> list[str | None]:
        """Kinds decided by a block's own text and its neighbours; None = body or headline."""
        kinds: list[str | None] = []
        furniture = [bool(CREDIT.match(b.text) or SOURCE_LINE.match(b.text)) or is_byline(b.text) or self._is_boilerplate(b.text)
                     for b in blocks]
        last_text = max((i for i, is_furniture in enumerate(furniture) if not is_furniture), default=-1)
        for i, block in enumerate(blocks):
            previous = blocks[i - 1] if i else None
            following = blocks[i + 1] if i + 1 < len(blocks) else None
            attached_to_previous = previous is not None and not block.blank_before
            attached_to_next = following is not None and not block.blank_after
            kinds.append(self._block_kind(block, previous if attached_to_previous else None, following if attached_to_next else None,
                                          ends_article=i == last_text))
        # A related-article headline is the line a teaser timestamp hangs from.
        for i, kind in enumerate(kinds):
            if kind == "teaser" and i and is_date_only(blocks[i].text) and not blocks[i].blank_before and kinds[i - 1] is None:
                kinds[i - 1] = "teaser"
        return kinds

    def _block_kind(self, block: Block, previous: Block | None, following: Block | None, ends_article: bool = False) -> str | None:
        """`ends_article`: only credits, sign-offs and boilerplate follow this block, so a credit below it is the
        article's."""
        text = block.text
        if self._is_boilerplate(text):
            return "boilerplate"
        if CREDIT.match(text):
            return "caption"
        if is_wire_dateline(text):
            return "dateline"
        if self._is_teaser(text):
            return "teaser"
        if is_date_only(text):
            hangs_from_text = previous is not None and not is_date_only(previous.text) and not CREDIT.match(previous.text)
            return "teaser" if hangs_from_text else "dateline"
        if is_byline(text):
            return "dateline"
        if following is not None and CREDIT.match(following.text) and (not ends_article or is_caption_shaped(text)):
            return "caption"
        if is_social(text):
            return "social"
        return None

    def _is_boilerplate(self, text: str) -> bool:
        return text.strip().lower() in self.boilerplate or not any(ch.isalnum() for ch in text)

    def _is_teaser(self, text: str) -> bool:
        """'Read more: <headline>' as a whole line: the phrase, then a short title (a colon or no full stop at the
        end) in one sentence; not 'Zobacz także, jak…' nor 'Read more about how … this week.'"""
        match = TEASER.match(text)
        if not match or len(text.split()) > MAX_TEASER_WORDS or len(self.splitter.split(text, "en")) != 1:
            return False
        return text[match.end():].lstrip()[:1] in (":", "»", "–", "-", "→", "") or not TERMINAL.search(text.strip())

    def _sentence_kind(self, sentence: str) -> str:
        """A body sentence is body unless it is, as a whole, a byline or a teaser."""
        if is_byline(sentence):
            return "dateline"
        if self._is_teaser(sentence):
            return "teaser"
        return "body"

    def _is_headline(self, block: Block, lang: str, first: bool) -> bool:
        """A short line before the body that does not end like a sentence. The first such line is the title,
        one segment even with a full stop inside (MAX_TITLE_SENTENCES); a later one must be one sentence."""
        return (
            len(block.text.split()) <= MAX_HEADLINE_WORDS
            and not TERMINAL.search(block.text.strip())
            and len(self.splitter.split(block.text, lang)) <= (MAX_TITLE_SENTENCES if first else 1)
        )


def _blocks(text: str) -> list[Block]:
    lines: list[tuple[int, int]] = []
    position = 0
    for line in text.split("\n"):
        lines.append((position, position + len(line)))
        position += len(line) + 1
    blocks: list[Block] = []
    blank_run = True
    for start, end in lines:
        stripped_start, stripped_end = strip_span(text, start, end)
        if stripped_end == stripped_start:
            blank_run = True
            if blocks:
                blocks[-1].blank_after = True
            continue
        blocks.append(Block(stripped_start, stripped_end, text[stripped_start:stripped_end], blank_before=blank_run, blank_after=False))
        blank_run = False
    if blocks:
        blocks[-1].blank_after = True
    return blocks


def _chunks(blocks: list[Block], length: int) -> list[range]:
    """Consecutive runs of block indices, each covering CHUNK_SHARE of the text or MIN_CHUNK_CHARS, whichever is more."""
    size = max(int(length * CHUNK_SHARE), MIN_CHUNK_CHARS)
    chunks: list[range] = []
    first = 0
    for i, block in enumerate(blocks):
        if block.end - blocks[first].start >= size or i == len(blocks) - 1:
            chunks.append(range(first, i + 1))
            first = i + 1
    return chunks


class _Steps:
    """Turns characters reached into the increments a progress callback is called with."""

    def __init__(self, progress: Callable[[int], None] | None) -> None:
        self.progress = progress
        self.done = 0

    def reach(self, done: int) -> None:
        if self.progress is not None and done > self.done:
            self.progress(done - self.done)
            self.done = done


def segment(inputs: Iterable[Path | str], config: dict[str, Any] | None = None, progress: Progress | None = None) -> SegmentationResult:
    """Segment article files and directories (mt/segmentation/reading.py); unreadable inputs become problems.

    `progress` (mt/progress.py) is called once, after the inputs are read, with the characters of them all as
    its total; its steps are the characters done (Segmenter.segment_source).
    """
    sources, problems = read_sources(inputs)
    segmenter = Segmenter(config)
    if progress is None:
        return SegmentationResult([segmenter.segment_source(s) for s in sources], problems)
    with progress("segmenting", sum(len(s.text) for s in sources)) as step:
        return SegmentationResult([segmenter.segment_source(s, step) for s in sources], problems)


def segment_text(text: str, name: str = "article", config: dict[str, Any] | None = None, *, one_per_line: bool = False) -> Article:
    """Segment one article given as a string (notebooks, tests, stdin and plain text for `mt translate`).

    `one_per_line`: each non-empty line is one `body` segment, as given (a sentence-per-line file), its language
    detected on its own; otherwise the text is segmented like an article file.
    """
    text = text.lstrip("\ufeff")
    segmenter = Segmenter(config)
    if not one_per_line:
        return segmenter.segment_source(Source(name=name, path=Path(name), text=text))
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^\r\n]*\S[^\r\n]*", text)]
    spans = [(start + len(text[start:end]) - len(text[start:end].lstrip()), end - (len(text[start:end]) - len(text[start:end].rstrip())))
             for start, end in spans]
    lines = [text[start:end] for start, end in spans]
    detections = segmenter.identifier.analyse(lines)
    article_lang = segmenter.identifier.vote(lines, detections)
    segments = [
        Segment(id=f"{name}:{i:04d}", article=name, index=i, kind="body", lang=segmenter.identifier.decide(detection, fallback=article_lang),
                text=line, start=start, end=end)
        for i, (line, detection, (start, end)) in enumerate(zip(lines, detections, spans))
    ]
    return Article(name=name, path=name, lang=article_lang, segments=segments)
