"""A fast start on your own articles: only the language models the input needs, one language means no detection,
a bad language code or a missing model is one line, and the model check comes before torch is imported.

No timings here (benchmarks/startup_time.py measures them): the tests check the behaviour that makes it fast.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest
from huggingface_hub import constants
from typer.testing import CliRunner

from mt.cli import app
from mt.config import load_config
from mt.errors import UserError
from mt.segmentation import Segmenter, segment_text
from mt.segmentation.detection import LanguageIdentifier
from mt.segmentation.reading import Source
from mt.translation.models import ModelRef, ModelUnavailableError, check_available

ROOT = Path(__file__).resolve().parents[1]
POLISH = (
    "W poniedziałek w Atenach ogłoszono stan wyjątkowy. Pożar lasu pod stolicą Grecji objął już kilka tysięcy "
    "hektarów. Strażacy walczą z ogniem od niedzieli rano. Na miejscu pracuje ponad 500 ludzi i 35 samolotów. "
    "Ewakuowano mieszkańców czterech miejscowości. Rząd poprosił o pomoc inne kraje Unii Europejskiej.\n"
)
JAPANESE = "カザフスタンでの抗議活動は続いており、政府は非常事態を宣言しました。軍隊が空港を守っています。\n"


def with_languages(*codes: str) -> dict:
    config = copy.deepcopy(load_config())
    config["segmentation"]["languages"] = list(codes)
    return config


def test_a_polish_paragraph_loads_no_other_languages_full_models():
    segmenter = Segmenter()
    article = segmenter.segment_source(Source(name="p", path=Path("p"), text=POLISH))
    assert [(s.kind, s.lang) for s in article.segments] == [("body", "pl")] * 6
    assert segmenter.identifier.weighed == set()


def test_a_text_in_another_language_loads_the_full_models_of_a_few_candidates_only():
    segmenter = Segmenter()
    article = segmenter.segment_source(Source(name="ja", path=Path("ja"), text=JAPANESE))
    assert article.lang == "ja"
    assert "ja" in segmenter.identifier.weighed and len(segmenter.identifier.weighed) <= 5, "not every language's"


def test_one_language_means_no_detection():
    """Every segment is the one language, an English sentence too: the user said so."""
    article = segment_text("El Gobierno pidió calma. The embassy stays open.\n", config=with_languages("es"))
    assert article.lang == "es"
    assert [s.lang for s in article.segments] == ["es", "es"]
    assert LanguageIdentifier(["ES"]).analyse(["anything at all", ""])[1].ranked == [("es", 1.0)]


@pytest.mark.parametrize("codes, named", [(["pl", "xx"], "xx"), (["pl", "zz", "qq"], "zz, qq"), ([], "empty")])
def test_bad_language_codes_are_one_line(codes, named):
    with pytest.raises(UserError) as error:
        Segmenter(with_languages(*codes))
    message = str(error.value)
    assert "\n" not in message and named in message
    if codes:
        assert "pl, pt" in message, "the message lists the codes lingua knows"


def test_bad_language_code_on_the_command_line(tmp_path):
    article = tmp_path / "pl.txt"
    article.write_text(POLISH, encoding="utf-8")
    result = CliRunner().invoke(app, ["segment", str(article), "-o", str(tmp_path / "s.jsonl"), "--languages", "pl,xx"])
    assert result.exit_code == 1
    assert "unknown language code(s) xx" in result.output and "Traceback" not in result.output
    single = CliRunner().invoke(app, ["segment", str(article), "-o", str(tmp_path / "s.jsonl"), "--languages", "pl"])
    assert single.exit_code == 0, single.output


def run_python(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"), "HF_HUB_CACHE": str(tmp_path / "hf" / "hub")}
    return subprocess.run([sys.executable, "-c", code], check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("model", ["/no/such/folder/opus-mt-pl-en", "Helsinki-NLP/opus-mt-pl-en", "EMPTY_FOLDER"])
def test_a_missing_model_is_reported_before_torch_is_imported(model, tmp_path):
    (tmp_path / "empty").mkdir()
    model = str(tmp_path / "empty") if model == "EMPTY_FOLDER" else model
    code = f"""
import sys
from mt.translation import ModelUnavailableError, RoutingTranslator, Translator
router = RoutingTranslator({{"pl": {model!r}}}, None)
for translate in (lambda: router.translate(["Ala ma kota."], ["pl"]), lambda: Translator({model!r}).translate("Ala ma kota.")):
    try:
        translate()
    except ModelUnavailableError as error:
        print(str(error).splitlines()[1])
assert "torch" not in sys.modules and "transformers" not in sys.modules, "imported before the model check"
"""
    result = run_python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and all(model in line for line in lines), result.stdout


def test_a_cached_hub_model_passes_the_quick_check_offline(tmp_path, monkeypatch):
    """Offline, a hub id is available when the Hugging Face cache holds it, and missing when it does not."""
    cache = tmp_path / "hub"
    snapshot = cache / "models--owner--opus-mt-pl-en" / "snapshots" / "0123abcd"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}", encoding="utf-8")
    (cache / "models--owner--opus-mt-pl-en" / "refs").mkdir()
    (cache / "models--owner--opus-mt-pl-en" / "refs" / "main").write_text("0123abcd", encoding="utf-8")

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    check_available([ModelRef("owner/opus-mt-pl-en")])
    with pytest.raises(ModelUnavailableError, match="owner/opus-mt-es-en: not in the local Hugging Face cache"):
        check_available([ModelRef("owner/opus-mt-pl-en"), ModelRef("owner/opus-mt-es-en")])


READ_TWICE = """
import sys
from alignments.numbers import find_numbers, readings_kept_in
with readings_kept_in(sys.argv[1]):
    print(find_numbers(sys.argv[2], parser="rules"))
print(sorted({name.split(".")[0] for name in sys.modules} & {"quantulum3", "inflect", "sklearn"}))
"""


@pytest.mark.parametrize("sentence", ["More than 600 firefighters fought the fire, and 3 were hurt.",
                                      "The storm cut power to 2,000 homes 5 miles from the coast."])
def test_numbers_read_once_are_kept_so_the_next_run_loads_no_number_parser(tmp_path, sentence):
    """`mt build --into` aligns old sentences again: their readings come from the cache, not from quantulum3 and
    inflect, which take seconds to import."""
    runs = [subprocess.run([sys.executable, "-c", READ_TWICE, str(tmp_path), sentence], capture_output=True, text=True,
                           check=True).stdout.splitlines() for _ in range(2)]
    assert runs[0][0] == runs[1][0] and "NumberMention(value=" in runs[0][0]
    assert runs[0][1] == "['inflect', 'quantulum3', 'sklearn']"
    assert runs[1][1] == "[]", "the second run read the cache"


INFLECT_ANSWERS = """
import sys
if sys.argv[1] == "unchecked":
    from alignments.numbers import import_inflect
    inflect = import_inflect()
    assert "typeguard" not in sys.modules, "typeguard was put back as it was: not imported"
    import typeguard
    assert hasattr(typeguard, "check_type"), "a later import gets the real typeguard"
else:
    import inflect
engine = inflect.engine()
print([engine.singular_noun(w) for w in ("firefighters", "casualties", "people", "miles", "troops")],
      engine.plural("mile"), engine.number_to_words(2600), engine.ordinal(21))
"""


def test_inflect_without_typeguards_checks_answers_as_with_them():
    """inflect 7 spends 2.3 s of each run that reads new numbers in typeguard's instrumentation; alignments.numbers
    imports it without (`import_inflect`), which must change none of its answers."""
    answers = [subprocess.run([sys.executable, "-c", INFLECT_ANSWERS, mode], capture_output=True, text=True, check=True,
                              cwd=ROOT).stdout for mode in ("unchecked", "checked")]
    assert answers[0] == answers[1] and "firefighter" in answers[0] and "two thousand, six hundred" in answers[0]


THREADS_IMPORT = """
import sys, threading
from alignments.numbers import import_inflect
found = []
threads = [threading.Thread(target=lambda: found.append(hasattr(import_inflect(), "engine"))) for _ in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
print(found.count(True), "typeguard" in sys.modules)
"""


def test_inflect_imported_from_many_threads_at_once_leaves_typeguard_as_it_was():
    """The swap of typeguard is under a lock: no thread sees a half-imported inflect, and the stand-in never stays."""
    out = subprocess.run([sys.executable, "-c", THREADS_IMPORT], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.split() == ["8", "False"]
