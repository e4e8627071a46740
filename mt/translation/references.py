"""Human reference translations, kept apart from the segmentation that uses them.

References are keyed by article and source text (with the source's offsets in
the original file), not by segment id, so they survive re-segmentation: a
segment takes the reference whose source equals its text, or the references
of adjacent sources that together make up its text. Every non-English segment
of a covered article that finds none is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from mt.config import load_config
from mt.errors import UserError
from mt.records import Segment, parse_json_line

REFERENCES_BESIDE_INPUTS = Path("references") / "references.jsonl"
"""Where an input folder keeps its human references (the seeds do), used by `mt build --english-from reference`."""
REFERENCE_MODEL = "reference"
"""`translation_model` of a segment whose English is a human reference, not machine output."""


class ReferenceError(UserError, ValueError):
    pass


@dataclass(frozen=True)
class Reference:
    article: str
    start: int
    end: int
    source: str
    reference: str


@dataclass
class ReferenceReport:
    applied: int = 0
    english: int = 0
    missing: list[str] = field(default_factory=list)


def load_references(path: Path | str | Sequence[Path | str]) -> dict[str, list[Reference]]:
    """References per article, in source order. Several files (each input folder's own) are merged; an article with
    references in two of them is refused, as nothing says which to take."""
    if not isinstance(path, (str, Path)):
        merged: dict[str, list[Reference]] = {}
        found_in: dict[str, Path] = {}
        for one in map(Path, path):
            for article, refs in load_references(one).items():
                if article in merged:
                    raise ReferenceError(f"{one}: article '{article}' also has references in {found_in[article]}; keep them in one file")
                merged[article], found_in[article] = refs, one
        return merged
    path = Path(path)
    by_article: dict[str, list[Reference]] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ReferenceError(f"{path}: not UTF-8 text") from None
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            data, _ = parse_json_line(line)  # a lone surrogate becomes U+FFFD, as in every other input
            ref = Reference(data["article"], int(data["start"]), int(data["end"]), data["source"], data["reference"])
        except (KeyError, TypeError, ValueError) as error:
            raise ReferenceError(f"{path}:{number}: not a reference line ({error})") from None
        by_article.setdefault(ref.article, []).append(ref)
    for refs in by_article.values():
        refs.sort(key=lambda r: r.start)
    return by_article


def reference_for(segment: Segment, refs: list[Reference]) -> str | None:
    for ref in refs:
        if ref.source == segment.text:
            return ref.reference
    inside = [r for r in refs if segment.start <= r.start and r.end <= segment.end]
    if inside and " ".join(r.source for r in inside).split() == segment.text.split():
        return " ".join(r.reference for r in inside)
    return None


def apply_references(
    segments: list[Segment], references: dict[str, list[Reference]], *, as_english: bool = False, target: str | None = None
) -> ReferenceReport:
    """Fill `reference` (and with `as_english`, `english` too, labelled as a reference); `target`: the configured one."""
    target = target or load_config()["translation"]["target"]
    report = ReferenceReport()
    for segment in segments:
        refs = references.get(segment.article)
        found = reference_for(segment, refs) if refs else None
        if found is not None:
            segment.reference = found
        if as_english:
            if segment.lang == target:
                segment.english = segment.text
                segment.translation_model = segment.translation_model_revision = None
                report.english += 1
            elif found is not None:
                segment.english = found
                segment.translation_model, segment.translation_model_revision = REFERENCE_MODEL, None
                segment.translation_backend, segment.translation_compute_type = None, None
                segment.mt_score, segment.mt_flags = None, []
                report.applied += 1
        if found is None and segment.lang != target and (refs or as_english):
            report.missing.append(f"{segment.id} ({segment.lang}, {segment.kind}): {segment.text[:60]!r}")
    return report


def check_references(segments: list[Segment], references: dict[str, list[Reference]]) -> list[str]:
    """Non-English segments of covered articles that lost their reference."""
    return apply_references([Segment(**vars(s)) for s in segments], references).missing
