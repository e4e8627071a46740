"""Where `mt evaluate` gets its sentences: a translated segments file, text files, or a sacrebleu test set."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from mt.errors import UserError
from mt.evaluation.scoring import EvalSet
from mt.records import read_segments
from mt.translation.references import REFERENCE_MODEL


class EvaluationInputError(UserError, ValueError):
    pass


def read_lines(path: Path | str) -> list[str]:
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    except (OSError, UnicodeDecodeError) as error:
        raise EvaluationInputError(f"{path}: cannot read ({error})") from None


def from_segments(path: Path | str) -> EvalSet:
    """Machine-translated segments that have a reference, grouped by article and source language."""
    rows = [
        s for s in read_segments(path)
        if s.reference and s.english is not None and s.translation_model not in (None, REFERENCE_MODEL)
    ]
    if not rows:
        raise EvaluationInputError(f"{path}: no machine-translated segment has a reference to score against")
    system = rows[0].translation_model if len({s.translation_model for s in rows}) == 1 else "mt"
    return EvalSet(
        references=[s.reference for s in rows],
        systems={system: [s.english for s in rows]},
        sources=[s.text for s in rows],
        ids=[s.id for s in rows],
        groups={"article": [s.article for s in rows], "lang": [s.lang for s in rows]},
    )


def from_files(hypotheses: Sequence[Path | str], reference: Path | str, source: Path | str | None = None) -> EvalSet:
    references = read_lines(reference)
    systems: dict[str, list[str]] = {}
    for path in hypotheses:
        name = Path(path).name
        while name in systems:
            name = f"{name}'"
        lines = read_lines(path)
        if len(lines) != len(references):
            raise EvaluationInputError(f"{path}: {len(lines)} lines, but the reference {reference} has {len(references)}")
        systems[name] = lines
    sources = read_lines(source) if source else None
    if sources is not None and len(sources) != len(references):
        raise EvaluationInputError(f"{source}: {len(sources)} lines, but the reference has {len(references)}")
    return EvalSet(references=references, systems=systems, sources=sources)


def testset_files(test_set: str, language_pair: str) -> tuple[Path, Path]:
    """Source and reference files of a sacrebleu test set, downloaded by sacrebleu when needed."""
    from sacrebleu.dataset import DATASETS  # lazy on purpose: sacrebleu's dataset index is only for --test-set

    if test_set not in DATASETS:
        raise EvaluationInputError(f"unknown sacrebleu test set '{test_set}' (see `sacrebleu --list`)")
    try:
        dataset = DATASETS[test_set]
        dataset.process_to_text(language_pair)
        files = dataset.get_files(language_pair)
    except Exception as error:  # network errors come in many types
        raise EvaluationInputError(
            f"cannot get test set {test_set} {language_pair} ({type(error).__name__}: {str(error)[:120]}); "
            "sacrebleu downloads test sets on first use and needs network access for that. "
            "Offline, pass the files instead: mt evaluate HYP --ref REF [--source SRC]"
        ) from None
    return Path(files[0]), Path(files[1])
