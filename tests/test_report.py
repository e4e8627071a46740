"""report.html: self-contained, and read in headless Chromium the way a person would see it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from datasets import load_dataset
from typer.testing import CliRunner

from mt.cli import app

runner = CliRunner()
HIGHLIGHT = (255, 241, 194)
"""The background of a fact row with a disagreement (--warn in the report's style)."""

PROBE = """<script>
window.addEventListener("load", function () {
  function visible(el) { var r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden"; }
  var result = {
    headers: Array.from(document.querySelectorAll("th.article")).map(function (th) {
      return {article: th.dataset.article, outlet: th.querySelector(".outlet").textContent.trim(), visible: visible(th)}; }),
    disputes: Array.from(document.querySelectorAll("tr.disagreement")).map(function (row) {
      return {fact: row.id, values: Array.from(row.querySelectorAll("tr.value")).map(function (tr) {
        return {article: tr.dataset.article, value: tr.querySelector("td").textContent.trim(), visible: visible(tr)}; })}; }),
  };
  var box = document.getElementById("search");
  box.value = "Nazarbayev";
  box.dispatchEvent(new Event("input"));
  var shown = Array.from(document.querySelectorAll("tr.fact")).filter(visible);
  result.search = {shown: shown.length, all_match: shown.every(function (row) { return row.textContent.indexOf("Nazarbayev") >= 0; }),
                   total: document.querySelectorAll("tr.fact").length};
  var pre = document.createElement("pre"); pre.id = "probe"; pre.textContent = JSON.stringify(result); document.body.appendChild(pre);
});
</script>"""


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium: installed here when missing and apt-get can (as root), else the tests skip."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found and shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        subprocess.run("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium",
                       shell=True, capture_output=True, timeout=900)
        found = shutil.which("chromium")
    if not found:
        pytest.skip("needs Debian's chromium package (apt-get install chromium) for the headless browser tests")
    return found


def run_chromium(chromium: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def corpus(seeds_dir, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("report")
    result = runner.invoke(app, ["build", str(seeds_dir), "-o", str(root / "corpus"), "--work", str(root / "work"),
                                 "--english-from", "reference", "--cache-dir", str(root / "cache"), "-q"])
    assert result.exit_code == 0, result.output
    return root / "corpus"


def test_the_report_is_one_self_contained_file(corpus):
    page = (corpus / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=|<link\b|@import|url\(", page), "no file, font or script from elsewhere"
    assert "http://" not in page and "https://" not in page, "the seeds have no URLs, so nothing links out"
    for fact in load_dataset(str(corpus), "facts", split="train"):
        assert f'id="{fact["fact_id"]}"' in page


def test_mt_report_rerenders_the_same_page(corpus, tmp_path):
    result = runner.invoke(app, ["report", str(corpus), "-o", str(tmp_path / "again.html"), "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "again.html").read_bytes() == (corpus / "report.html").read_bytes()


def test_mt_report_on_a_folder_that_is_not_a_corpus_is_one_line(tmp_path):
    result = runner.invoke(app, ["report", str(tmp_path)])
    assert result.exit_code != 0 and "not a corpus folder" in result.output and "Traceback" not in result.output


def test_in_chromium_disagreements_and_outlets_are_visible_and_search_filters(corpus, chromium, tmp_path):
    probed = tmp_path / "probed.html"
    probed.write_text((corpus / "report.html").read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = run_chromium(chromium, "--virtual-time-budget=5000", "--dump-dom", probed.as_uri()).stdout
    found = json.loads(re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S).group(1).replace("&quot;", '"').replace("&amp;", "&"))
    articles = {row["article"]: row for row in load_dataset(str(corpus), "articles", split="train")}
    assert {h["article"]: h["outlet"] for h in found["headers"]} == {name: row["outlet"] or "unknown outlet" for name, row in articles.items()}
    assert all(h["visible"] for h in found["headers"])
    facts = {row["fact_id"]: row for row in load_dataset(str(corpus), "facts", split="train")}
    expected = {fact_id: [(v["article"], v["value"]) for d in row["disagreements"] for v in d["values"]]
                for fact_id, row in facts.items() if row["disagreements"]}
    assert {d["fact"]: [(v["article"], v["value"]) for v in d["values"]] for d in found["disputes"]} == expected
    assert all(v["visible"] for d in found["disputes"] for v in d["values"]), "every disagreement's values are on screen"
    search = found["search"]
    assert 0 < search["shown"] < search["total"] and search["all_match"]


def test_the_seeds_report_renders_with_disagreements_highlighted(corpus, chromium, tmp_path):
    from PIL import Image

    shot = tmp_path / "report.png"
    run_chromium(chromium, "--window-size=1400,1800", f"--screenshot={shot}", (corpus / "report.html").as_uri())
    image = Image.open(shot).convert("RGB")
    assert image.size == (1400, 1800)
    colours = image.getcolors(maxcolors=1 << 20)
    highlighted = sum(n for n, colour in colours if colour == HIGHLIGHT)
    assert len(colours) > 50, "text rendered, not a blank page"
    assert highlighted > 1400 * 100, "the rows with disagreements at the top are highlighted"
