"""The last stage: the comparison corpus as a Hugging Face dataset folder, checked, readable and uploadable.

`corpus` holds what is published as one object; each configuration declares its
columns once (`columns`, `configurations/`), and the parquet files, the card
(`card`), the check (`check`) and the report (`report`) all read those
declarations. `dataset` writes the folder, `upload` sends it to the hub.
"""

from mt.publishing.check import check_corpus
from mt.publishing.corpus import Corpus, Provenance
from mt.publishing.dataset import publish, read_corpus, write_corpus
from mt.publishing.errors import PublishError, ReportError
from mt.publishing.report import write_report
from mt.publishing.upload import upload

__all__ = ["Corpus", "Provenance", "PublishError", "ReportError", "check_corpus", "publish", "read_corpus", "upload",
           "write_corpus", "write_report"]
