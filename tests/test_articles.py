"""Article metadata: sidecars, JSON Lines and HTML inputs, and where the metadata ends up."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from mt.cli import app
from mt.records import read_articles
from mt.segmentation import segment

runner = CliRunner()

BODY = ("More than 2,500 soldiers from the alliance arrived in Almaty on Friday, officials said. "
        "The president asked for help after protests over fuel prices turned violent in several cities.\n")
PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Troops arrive in Almaty | The Daily Example</title>
<meta property="og:site_name" content="The Daily Example">
<meta property="og:title" content="Troops arrive in Almaty">
<meta property="og:url" content="https://example.org/news/almaty-troops">
<meta property="article:published_time" content="2022-01-07T09:30:00+00:00">
</head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Troops arrive in Almaty</h1>
<p>More than 2,500 soldiers from the alliance arrived in Almaty on Friday, officials said.</p>
<p>The president asked for help after protests over fuel prices turned violent in several cities.</p>
<p>Residents reported gunfire near the central square throughout the night.</p></article>
<footer>Subscribe to our newsletter.</footer></body></html>"""


@pytest.mark.parametrize("sidecar, content", [
    ("articles.yaml", "news:\n  outlet: The Daily Example\n  published: 2022-01-07\n  url: unknown\n  language: en\n"),
    ("articles.csv", "article,outlet,published,url,language\nnews.txt,The Daily Example,2022-01-07,unknown,en\n"),
])
def test_a_sidecar_gives_each_article_its_metadata(tmp_path, sidecar, content):
    (tmp_path / "news.txt").write_text(BODY)
    (tmp_path / sidecar).write_text(content)
    [article] = segment([tmp_path]).articles
    info = article.info()
    assert (info.outlet, info.published, info.language, info.url, info.metadata_from) == ("The Daily Example", "2022-01-07", "en", None, sidecar)


@pytest.mark.parametrize("content, message", [
    ("news:\n  outelt: The Daily Example\n", "articles.yaml: article 'news': unknown field 'outelt' (did you mean 'outlet'?)"),
    ("news: [not, a, mapping]\n", "articles.yaml: expected a mapping of article name -> fields"),
    ("news:\n  outlet: [a, b\n", "articles.yaml: not valid YAML"),
])
def test_a_bad_sidecar_is_one_line_naming_the_file(tmp_path, content, message):
    (tmp_path / "news.txt").write_text(BODY)
    (tmp_path / "articles.yaml").write_text(content)
    result = runner.invoke(app, ["segment", str(tmp_path), "-o", str(tmp_path / "segments.jsonl")])
    assert result.exit_code != 0 and message in " ".join(result.output.split()) and "Traceback" not in result.output


def test_a_sidecar_entry_for_a_missing_article_is_reported(tmp_path):
    (tmp_path / "news.txt").write_text(BODY)
    (tmp_path / "articles.yaml").write_text("news:\n  outlet: A\nolds:\n  outlet: B\n")
    result = segment([tmp_path])
    assert [str(p) for p in result.problems] == [f"{tmp_path / 'articles.yaml'}: article 'olds' is not among the inputs; its metadata is unused"]


def test_jsonl_input_is_one_article_a_line_with_its_metadata(tmp_path):
    lines = [{"name": "first", "text": BODY, "outlet": "Outlet One", "url": "https://one.example/a"},
             {"text": BODY.replace("Almaty", "Astana"), "outlet": "Outlet Two", "published": "2022-01-08"}]
    (tmp_path / "batch.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    infos = [a.info() for a in segment([tmp_path]).articles]
    assert [(i.name, i.outlet, i.url, i.published) for i in infos] == [
        ("first", "Outlet One", "https://one.example/a", None), ("batch-0002", "Outlet Two", None, "2022-01-08")]


@pytest.mark.parametrize("line, message", [
    ('{"outlet": "A"}', "batch.jsonl:1: each line needs a 'text' field"),
    ('{"text": "x", "outlt": "A"}', "batch.jsonl:1: unknown field 'outlt' (did you mean 'outlet'?)"),
    ("not json", "batch.jsonl:1: not a JSON line"),
])
def test_a_bad_jsonl_input_is_a_problem_naming_file_and_line(tmp_path, line, message):
    (tmp_path / "batch.jsonl").write_text(line + "\n")
    result = segment([tmp_path])
    assert not result.articles and len(result.problems) == 1 and str(result.problems[0]).startswith(f"{tmp_path}/{message}")


def test_html_input_gives_the_main_text_and_the_pages_metadata(tmp_path):
    (tmp_path / "page.html").write_text(PAGE)
    [article] = segment([tmp_path]).articles
    text = " ".join(s.text for s in article.segments)
    assert "2,500 soldiers" in text and "Subscribe" not in text and "Home" not in text
    info = article.info()
    assert (info.outlet, info.title, info.url, info.published, info.metadata_from) == (
        "The Daily Example", "Troops arrive in Almaty", "https://example.org/news/almaty-troops", "2022-01-07", "html")


def test_a_sidecar_wins_over_what_the_html_says(tmp_path):
    (tmp_path / "page.html").write_text(PAGE)
    (tmp_path / "articles.yaml").write_text("page:\n  outlet: Example Daily (print edition)\n  notes: checked by hand\n")
    info = segment([tmp_path]).articles[0].info()
    assert (info.outlet, info.title, info.notes) == ("Example Daily (print edition)", "Troops arrive in Almaty", "checked by hand")


def test_html_with_no_article_text_is_a_problem(tmp_path):
    (tmp_path / "empty.html").write_text("<html><head><title>Nothing</title></head><body><script>var a = 1;</script></body></html>")
    result = segment([tmp_path])
    assert not result.articles and "no article text found in the HTML" in str(result.problems[0])


def test_mt_segment_writes_articles_jsonl_beside_the_segments(seeds_dir, tmp_path):
    out = tmp_path / "segments.jsonl"
    assert runner.invoke(app, ["segment", str(seeds_dir), "-o", str(out), "-q"]).exit_code == 0
    articles = {a.name: a for a in read_articles(tmp_path / "articles.jsonl")}
    assert len(articles) == 5 and articles["001_baf90a9d2919649a"].outlet == "Gazeta.pl"
    assert sum(a.segments for a in articles.values()) == sum(1 for _ in out.open())


def test_metadata_from_html_jsonl_and_a_csv_sidecar_reaches_the_published_corpus(tmp_path):
    from datasets import load_dataset

    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "daily.html").write_text(PAGE)
    wire = {"name": "wire-1", "outlet": "Example Wire", "url": "https://wire.example/1", "published": "2022-01-07",
            "text": "More than 2,600 troops from the alliance are in Kazakhstan, officials said on Friday.\n"
                    "The president asked the alliance for help after protests over fuel prices turned violent.\n"}
    (inputs / "wire.jsonl").write_text(json.dumps(wire) + "\n")
    (inputs / "articles.csv").write_text("article,notes\ndaily,checked by hand\n")
    result = runner.invoke(app, ["build", str(inputs), "-o", str(tmp_path / "corpus"), "--work", str(tmp_path / "work"),
                                 "--cache-dir", str(tmp_path / "cache"), "-q"])
    assert result.exit_code == 0, result.output
    articles = {row["article"]: row for row in load_dataset(str(tmp_path / "corpus"), "articles", split="train")}
    assert (articles["daily"]["outlet"], articles["daily"]["notes"], articles["daily"]["metadata_from"]) == (
        "The Daily Example", "checked by hand", "articles.csv")
    assert (articles["wire-1"]["url"], articles["wire-1"]["metadata_from"]) == ("https://wire.example/1", "wire.jsonl")
    pairs = load_dataset(str(tmp_path / "corpus"), "pairs", split="train")
    assert pairs.num_rows and {frozenset((r["outlet_a"], r["outlet_b"])) for r in pairs} == {frozenset(("The Daily Example", "Example Wire"))}
    [event] = load_dataset(str(tmp_path / "corpus"), "events", split="train")
    assert event["articles"] == ["daily", "wire-1"], "two paraphrased reports of one story are one event (scaling.md)"
    page = (tmp_path / "corpus" / "report.html").read_text(encoding="utf-8")
    assert "The Daily Example" in page and 'href="https://wire.example/1"' in page
