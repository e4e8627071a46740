"""MT quality evaluation with sacrebleu: BLEU, chrF, chrF++, TER, intervals and paired tests."""

from mt.evaluation.inputs import EvaluationInputError, from_files, from_segments, testset_files
from mt.evaluation.scoring import EvalSet, EvaluationReport, evaluate

__all__ = ["EvalSet", "EvaluationInputError", "EvaluationReport", "evaluate", "from_files", "from_segments", "testset_files"]
