"""Where each part of a published corpus lives in its folder, and the names and notes it carries."""

from __future__ import annotations

SPLIT = "train"
DATA_FILE = "data/{config}/train-00000-of-00001.parquet"
CARD_FILE = "README.md"
LICENSE_FILE = "LICENSE"
REPORT_FILE = "report.html"
PRETTY_NAME = "Cross-lingual news comparison corpus"
LICENSE_NOTE = (
    "The source articles remain the copyright of their publishers; the corpus reproduces sentences from them "
    "for research on cross-lingual news comparison. The toolkit's own annotations (translations, alignments, "
    "facts) may be used freely. Check the publishers' terms before redistributing the texts."
)
