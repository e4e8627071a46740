"""Nothing silently wrong: honest language and kind tags, atomic stages, one clear error for every bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mt.cli import app
from mt.records import Segment, write_jsonl
from mt.segmentation import segment_text

runner = CliRunner()

JAPANESE = "カザフスタンでの抗議活動は続いており、政府は非常事態を宣言しました。軍隊が空港を守っています。"
GREEK = "Οι διαδηλώσεις στο Καζακστάν συνεχίζονται και η κυβέρνηση κήρυξε κατάσταση έκτακτης ανάγκης."
GERMAN = "Die Proteste in Kasachstan gehen weiter, und die Regierung hat den Ausnahmezustand ausgerufen."


@pytest.mark.parametrize("text, lang", [(JAPANESE, "ja"), (GREEK, "el"), (GERMAN, "de")])
def test_languages_outside_the_set_are_named(text, lang):
    article = segment_text(text + "\n")
    assert article.lang == lang
    assert {s.lang for s in article.segments} == {lang}


def test_polish_article_with_english_posts_keeps_both():
    text = ("Wojska rosyjskie przybyły do Ałmaty w czwartek wieczorem i pilnują lotniska oraz budynków rządowych.\n\n"
            "Prezydent Tokajew ogłosił stan wyjątkowy w całym kraju, a protesty trwają od kilku dni w wielu miastach.\n\n"
            "More than 200 people were detained during the riots in Almaty. pic.twitter.com/AAXEJsV2fC\n")
    article = segment_text(text)
    assert article.lang == "pl"
    assert [s.lang for s in article.segments if s.kind == "social"] == ["en"]


def test_unconfigured_language_goes_to_the_fallback_with_one_warning_per_article(tiny_model_dir, other_tiny_model_dir, tmp_path):
    segments = tmp_path / "segments.jsonl"
    write_jsonl(segments, [Segment(f"ja:{i}", "ja-article", i, "body", "ja", JAPANESE, 0, len(JAPANESE)) for i in range(2)]
                + [Segment("pl:0", "pl-article", 0, "body", "pl", "Wojska przybyły.", 0, 16)])
    result = runner.invoke(app, ["translate", str(segments), "-o", str(tmp_path / "t.jsonl"), "-m", f"pl={tiny_model_dir}",
                                 "--fallback-model", str(other_tiny_model_dir), "--max-new-tokens", "4", "--no-cache"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert text.count("warning: article ja-article: 2 segment(s) in Japanese (ja) have no model of their own") == 1
    assert "pl-article" not in text
    records = [json.loads(line) for line in (tmp_path / "t.jsonl").read_text().splitlines()]
    assert [r["translation_model"] for r in records] == [str(other_tiny_model_dir)] * 2 + [str(tiny_model_dir)]


@pytest.mark.parametrize(
    "paragraph, kinds",
    [
        ("By Thursday, more than 2,500 CSTO troops had arrived in Kazakhstan, officials said.", ["body"]),
        ("By wejść do świątyni, trzeba zdjąć buty. To stara zasada.", ["body", "body"]),
        ("Our team finished #1 in the ranking of 2021, with 120 points.", ["body"]),
        ("Read more: Protesters stormed the building. More than 200 people were detained.", ["teaser", "body"]),
        ("Zobacz także, jak zmieniała się sytuacja w Ałmaty przez ostatnie dni.", ["body"]),
        ("Read more about how 3,000 troops were sent and what they guard in the city of Almaty this week.", ["body"]),
        ("According to @Reuters, 2,500 troops arrived on Thursday.", ["body"]),
        ("By John Smith", ["dateline"]),
        ("By Anna Nowak and Jan Kowalski", ["dateline"]),
        ("Correspondent in Moscow", ["dateline"]),
        ("Read more: Kazakhstan protests explained", ["teaser"]),
        ("Przeczytaj więcej podobnych informacji na stronie głównej", ["teaser"]),
        ("#Kazakhstan #CSTO troops are landing now", ["social"]),
        ("Troops in Almaty pic.twitter.com/h7y8rHKGOx", ["social"]),
    ],
)
def test_kinds_need_the_whole_line(paragraph, kinds):
    article = segment_text("Wojska przybyły do Ałmaty w czwartek wieczorem.\n\n" + paragraph + "\n")
    assert [s.kind for s in article.segments[1:]] == kinds


@pytest.mark.parametrize(
    "text, lang, sentences",
    [
        ("Na Placu Św. Piotra zebrały się tłumy. Potem padał deszcz.", "pl", 2),
        ("Zmarł w Szpitalu im. Jamesa Pageta w Great Yarmouth.", "pl", 1),
        ("W 1956 r. Słania wyjechał do Szwecji.", "pl", 1),
        ("Wojska przybyły do Ałmaty w 2022 r. Potem wyjechały z kraju.", "pl", 2),
        ("Mieszka przy ul. Marszałkowskiej od lat.", "pl", 1),
        ("Urodził się w latach 70. XX wieku w Krakowie.", "pl", 1),
        ("Он жил на ул. Ленина долгие годы.", "ru", 1),
        ("El Sr. García llegó ayer a Madrid.", "es", 1),
        ("He worked for Lyndon B. Johnson for years.", "en", 1),
    ],
)
def test_no_split_after_an_abbreviation_that_never_ends_a_sentence(text, lang, sentences):
    from mt.config import load_config
    from mt.segmentation.sentences import SentenceSplitter

    settings = load_config()["segmentation"]
    splitter = SentenceSplitter(settings["abbreviations"], settings["never_final"], settings["year_abbreviations"],
                                settings["max_words_before_year_split"])
    assert len(splitter.split(text, lang)) == sentences


def translated_pair(tmp_path, flags_a=(), flags_b=()):
    """Two articles, each one sentence, their translations flagged as given."""
    text = "More than 2,500 CSTO troops arrived in Almaty on Thursday."
    rows = [Segment("a:0", "a", 0, "body", "pl", "Ponad 2500 żołnierzy.", 0, 21, english=text, mt_flags=list(flags_a)),
            Segment("b:0", "b", 0, "body", "en", text, 0, len(text), english=text, mt_flags=list(flags_b))]
    path = tmp_path / "translated.jsonl"
    write_jsonl(path, rows)
    return path


def test_flagged_translations_are_not_aligned_and_are_counted(tmp_path):
    from alignments import AlignmentSettings
    from mt.pipeline import align
    from mt.records import read_segments

    segments = read_segments(translated_pair(tmp_path))
    clean = align(segments, AlignmentSettings(threshold=0.5))
    assert len(clean.result.pairs) == 1
    flagged = read_segments(translated_pair(tmp_path, flags_a=["repetition"]))
    alone = align(flagged, AlignmentSettings(threshold=0.5))
    assert alone.result.pairs == [] and alone.result.skipped == {"repetition": ["a:0"]}, "one article left: no pair, no error"
    three = flagged + [Segment("c:0", "c", 0, "body", "en", segments[1].text, 0, 10, english=segments[1].text)]
    run = align(three, AlignmentSettings(threshold=0.5))
    assert run.result.skipped == {"repetition": ["a:0"]} and run.record["skipped_for_flags"] == {"repetition": 1}
    assert all("a:0" not in (p.id_a, p.id_b) for p in run.result.pairs)
    kept = align(flagged, AlignmentSettings(threshold=0.5, skip_flags=()))
    assert len(kept.result.pairs) == 1, "skip_flags is configurable"


def test_length_ratio_flag_lowers_the_score(tmp_path):
    from alignments import AlignmentSettings
    from mt.pipeline import align
    from mt.records import read_segments

    clean = align(read_segments(translated_pair(tmp_path)), AlignmentSettings(threshold=0.5)).result.pairs[0].score
    flagged = align(read_segments(translated_pair(tmp_path, flags_b=["length_ratio"])), AlignmentSettings(threshold=0.5)).result.pairs[0].score
    assert flagged == pytest.approx(clean * AlignmentSettings().length_ratio_factor, abs=1e-3)
    plain = align(read_segments(translated_pair(tmp_path, flags_b=["length_ratio"])), AlignmentSettings(threshold=0.5, length_ratio_factor=1.0))
    assert plain.result.pairs[0].score == pytest.approx(clean, abs=1e-3)


@pytest.fixture(scope="module")
def built_corpus(seeds_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("atomic")
    result = runner.invoke(app, ["build", str(seeds_dir), "-o", str(root / "corpus"), "--work", str(root / "work"),
                                 "--english-from", "reference", "--cache-dir", str(root / "cache"), "-q"])
    assert result.exit_code == 0, result.output
    return root


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_failed_publish_leaves_the_previous_corpus_untouched(built_corpus, tmp_path):
    work = tmp_path / "work"
    shutil.copytree(built_corpus / "work", work)
    corpus = tmp_path / "corpus"
    shutil.copytree(built_corpus / "corpus", corpus)
    before = snapshot(corpus)
    pairs = work / "alignment" / "pairs.jsonl"
    pairs.write_text(pairs.read_text().replace('"a_', '"x_', 1) + '{"broken": \n', encoding="utf-8")
    result = runner.invoke(app, ["publish", str(work), "-o", str(corpus)])
    assert result.exit_code == 1 and "pairs.jsonl:" in result.output
    assert snapshot(corpus) == before
    assert [p.name for p in corpus.parent.iterdir() if p.name.startswith(".")] == [], "no temporary folder left behind"


@pytest.mark.parametrize("damage, problem", [
    (lambda c: (c / "data" / "pairs" / "train-00000-of-00001.parquet").write_bytes(b"PAR1 not parquet"), "pairs: does not load"),
    (lambda c: (c / "data" / "facts" / "train-00000-of-00001.parquet").unlink(), "facts: does not load"),
])
def test_check_fails_on_a_broken_corpus(built_corpus, tmp_path, damage, problem):
    corpus = tmp_path / "corpus"
    shutil.copytree(built_corpus / "corpus", corpus)
    assert runner.invoke(app, ["publish", "--check", str(corpus)]).exit_code == 0
    damage(corpus)
    result = runner.invoke(app, ["publish", "--check", str(corpus)])
    assert result.exit_code == 1 and problem in result.output


def segment_line(**changes) -> str:
    record = {"id": "a:0000", "article": "a", "index": 0, "kind": "body", "lang": "pl", "text": "Ala ma kota.", "start": 0, "end": 12}
    record.update(changes)
    return json.dumps(record, ensure_ascii=False)


@pytest.mark.parametrize(
    "lines, message",
    [
        (["[1, 2, 3]"], "segments.jsonl:1: not a segment record: expected a JSON object, got list"),
        ([segment_line(), segment_line(id="a:0001", kind="bodyy")], "segments.jsonl:2: not a segment record: field 'kind' is 'bodyy'"),
        ([segment_line(index="x")], "segments.jsonl:1: not a segment record: field 'index' must be int, not \"x\""),
        ([segment_line(text=None)], "field 'text' must be str, not null"),
        ([json.dumps({"id": "a:0"})], "field 'article' is missing"),
        (["{not json"], "segments.jsonl:1: not a JSON line"),
    ],
)
def test_bad_segments_file_is_one_line(tmp_path, lines, message):
    path = tmp_path / "segments.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["translate", str(path), "-o", str(tmp_path / "t.jsonl"), "--no-cache"])
    assert result.exit_code == 1, result.output
    assert message in " ".join(result.output.split()) and "Traceback" not in result.output


def broken_model(tiny_model_dir, tmp_path, how):
    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    if how == "no weights":
        for weights in model.glob("*.safetensors"):
            weights.unlink()
    elif how == "no source.spm":
        (model / "source.spm").unlink()
    elif how == "bad config.json":
        (model / "config.json").write_text("{ not json", encoding="utf-8")
    elif how == "corrupt weights":
        for weights in model.glob("*.safetensors"):
            weights.write_bytes(b"\x00" * 64)
    return model


@pytest.mark.parametrize(
    "how, message",
    [
        ("no weights", "has no weights (model.safetensors or pytorch_model.bin)"),
        ("no source.spm", "lacks the tokenizer file(s) source.spm"),
        ("bad config.json", "config.json is not valid JSON"),
        ("corrupt weights", "transformers cannot load this model"),
    ],
)
def test_broken_model_folder_is_one_clear_error(tiny_model_dir, tmp_path, how, message):
    model = broken_model(tiny_model_dir, tmp_path, how)
    path = tmp_path / "segments.jsonl"
    path.write_text(segment_line() + "\n", encoding="utf-8")
    result = runner.invoke(app, ["translate", str(path), "-o", str(tmp_path / "t.jsonl"), "-m", f"pl={model}", "--no-cache", "-q"])
    assert result.exit_code == 1
    assert message in " ".join(result.output.split()) and "Traceback" not in result.output


def test_missing_model_folder_is_named_as_a_folder(tmp_path):
    path = tmp_path / "segments.jsonl"
    path.write_text(segment_line() + "\n", encoding="utf-8")
    result = runner.invoke(app, ["translate", str(path), "-o", str(tmp_path / "t.jsonl"), "-m", f"pl={tmp_path}/nowhere/opus-mt-pl-en", "--no-cache"])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "no such folder" in text and "hub" not in text.split("no such folder")[1][:80]


@pytest.mark.parametrize(
    "edit, message",
    [
        ("no english", "has no English; run `mt translate`"),
        ("duplicate id", "appears twice"),
        ("unknown fact member", "names segment 'zzz:0000', which"),
    ],
)
def test_publish_refuses_what_check_would_reject(built_corpus, tmp_path, edit, message):
    work = tmp_path / "work"
    shutil.copytree(built_corpus / "work", work)
    translated = work / "translated.jsonl"
    lines = translated.read_text(encoding="utf-8").splitlines()
    if edit == "no english":
        first = json.loads(lines[0])
        first["english"] = None
        lines[0] = json.dumps(first, ensure_ascii=False)
    elif edit == "duplicate id":
        lines.append(lines[0])
    else:
        facts = work / "alignment" / "facts.jsonl"
        fact = json.loads(facts.read_text(encoding="utf-8").splitlines()[0])
        fact["members"][next(iter(fact["members"]))].append("zzz:0000")
        facts.write_text(json.dumps(fact, ensure_ascii=False) + "\n", encoding="utf-8")
    translated.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["publish", str(work), "-o", str(tmp_path / "corpus")])
    assert result.exit_code == 1 and message in " ".join(result.output.split())
    assert not (tmp_path / "corpus").exists()


def test_yaml_syntax_error_through_the_cli(tmp_path, seeds_dir):
    config = tmp_path / "bad.yaml"
    config.write_text("alignment:\n  threshold: [1\n", encoding="utf-8")
    result = runner.invoke(app, ["segment", str(seeds_dir), "-o", str(tmp_path / "s.jsonl"), "--config", str(config)])
    assert result.exit_code == 1 and "not valid YAML (line" in result.output and "Traceback" not in result.output
