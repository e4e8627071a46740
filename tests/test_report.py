"""report.html: self-contained, and read in headless Chromium the way a person would see it."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from datasets import load_dataset
from typer.testing import CliRunner

from mt.cli import app

runner = CliRunner()
HIGHLIGHT = (255, 241, 194)
"""The background of a fact row with a disagreement (--warn in the report's style)."""

PROBE = """
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
"""
"""Run after the page's own script: what is on screen, and what a search for "Nazarbayev" leaves."""


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium; the tests never install it (.ci/run does), they skip naming the package."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip("needs Debian's chromium package for the headless browser tests: apt-get install -y chromium")
    return found


def with_scripts(page: str, *, head: str = "", body: str = "") -> str:
    """The page with a test's own inline scripts added, each allowed by its hash in the page's Content-Security-Policy
    (which otherwise runs only the page's script)."""
    sources = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()}'" for code in (head, body) if code)
    page, found = re.subn(r"script-src ", f"script-src {sources} ", page, count=1)
    assert found == 1, "the page has a Content-Security-Policy with a script-src"
    if head:
        page = page.replace("</head>", f"<script>{head}</script></head>", 1)
    return page.replace("</body>", f"<script>{body}</script></body>", 1) if body else page


def probe(chromium: str, page: str, tmp_path: Path, **scripts: str) -> dict:
    """Open the page with the test's scripts in headless Chromium and read what the body script left in <pre id="probe">."""
    probed = tmp_path / "probed.html"
    probed.write_text(with_scripts(page, **scripts), encoding="utf-8")
    dom = run_chromium(chromium, "--virtual-time-budget=5000", "--dump-dom", probed.as_uri()).stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, f"the probe did not run: {dom[:500]}"
    return json.loads(found.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


def run_chromium(chromium: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    """One folder, and so one translation and embedding cache, for this module's builds."""
    return tmp_path_factory.mktemp("report")


def build(inputs: Path, root: Path, name: str) -> Path:
    result = runner.invoke(app, ["build", str(inputs), "-o", str(root / name), "--work", str(root / f"{name}-work"),
                                 "--english-from", "reference", "--cache-dir", str(root / "cache"), "-q"])
    assert result.exit_code == 0, result.output
    return root / name


@pytest.fixture(scope="module")
def corpus(seeds_dir, root) -> Path:
    return build(seeds_dir, root, "corpus")


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
    found = probe(chromium, (corpus / "report.html").read_text(encoding="utf-8"), tmp_path, body=PROBE)
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


EVENTS_PROBE = """
window.addEventListener("load", function () {
  var rows = Array.from(document.querySelectorAll("tr.event"));
  var result = {events: rows.map(function (row) {
    return {id: row.id, title: row.querySelector(".event-title").textContent, page: row.querySelector("a").getAttribute("href")}; })};
  var box = document.getElementById("search");
  box.value = QUERY;
  box.dispatchEvent(new Event("input"));
  result.search = {shown: rows.filter(function (row) { return !row.hidden; }).map(function (row) { return row.id; }),
                   counter: document.getElementById("shown").textContent};
  var pre = document.createElement("pre"); pre.id = "probe"; pre.textContent = JSON.stringify(result); document.body.appendChild(pre);
});
"""
"""Run on the list of events: each event's row and link, and what a search for QUERY leaves."""


@pytest.fixture(scope="module")
def events_corpus(root) -> Path:
    """Three stories in five English articles (tests/data/events/dev.yaml): a flood, a marathon, a cup match."""
    from test_incremental import STORIES, write_articles

    return build(write_articles(root / "story-articles", STORIES), root, "stories")


def test_in_chromium_the_report_lists_the_events_and_links_each_to_its_page(events_corpus, chromium, tmp_path):
    events = {row["event_id"]: row for row in load_dataset(str(events_corpus), "events", split="train")}
    marathon = [i for i, e in events.items() if any("marathon" in a for a in e["articles"])]
    query = json.dumps(events[marathon[0]]["title"].upper())
    found = probe(chromium, (events_corpus / "report.html").read_text(encoding="utf-8"), tmp_path,
                  body=EVENTS_PROBE.replace("QUERY", query))
    assert [e["id"] for e in found["events"]] == list(events) and len(events) == 3
    facts = list(load_dataset(str(events_corpus), "facts", split="train"))
    for event in found["events"]:
        assert event["title"] == events[event["id"]]["title"] and event["page"] == f"report/{event['id']}.html"
        page = (events_corpus / event["page"]).read_text(encoding="utf-8")
        assert 'href="../report.html"' in page, "each page links back to the list"
        assert sorted(re.findall(r'<tr class="fact[^"]*" id="([^"]+)"', page)) == sorted(
            f["fact_id"] for f in facts if f["event_id"] == event["id"]), "an event's page holds its facts, and only them"
    assert found["search"]["shown"] == marathon and found["search"]["counter"] == "1 of 3 events shown"


SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
ARABIC = "القوات الروسية تصل إلى كازاخستان"
HEBREW = "כוחות רוסיים הגיעו לקזחסטן"
HOSTILE = {
    "000_9f9b6322790e96fd": {"url": "javascript:alert(1)", "outlet": SCRIPT + IMAGE, "title": "{{ 7*7 }}",
                             "published": "<script>document.title = 'owned'</script>"},
    "001_baf90a9d2919649a": {"url": "java\tscript:alert(1)", "outlet": "<img src=x onerror=\"document.title = 'owned'\">",
                             "title": ARABIC, "published": "<svg onload=\"document.body.appendChild(document.createElement('aside'))\">"},
    "002_829cf68b9f031ec6": {"url": "data:text/html,<script>alert(1)</script>", "title": HEBREW},
    "003_80db3449a2ddbc1e": {"url": "//evil.example/x", "outlet": "</th></tr></table><b id=owned>owned</b>"},
    "004_3db6e44a03f11c32": {"url": "https://example.org/news?a=1&b=2"},
}
"""Sidecar values that would run script, inject elements or link to script if the page took them as markup."""

RECORD_ALERTS = "window.alerts = []; window.alert = function (message) { window.alerts.push(String(message)); };"
"""Run first: an alert(1) from the data would be recorded here instead of opening a dialog."""

HOSTILE_PROBE = """
window.addEventListener("load", function () {
  function all(selector) { return Array.from(document.querySelectorAll(selector)); }
  var result = {
    title: document.title, alerts: window.alerts, owned: all("#owned, aside, b#owned").length,
    scripts: document.scripts.length, images: document.images.length, svgs: all("svg").length,
    links: all("a").map(function (a) { return a.getAttribute("href"); }),
    urls: all(".url").map(function (el) { return el.textContent; }),
    outlets: all("th .outlet").map(function (el) { return el.textContent; }),
    titles: all("th .title").map(function (el) { return {text: el.textContent, direction: getComputedStyle(el).direction}; }),
  };
  var box = document.getElementById("search"), rows = all("tr.fact");
  box.value = "Nazarbayev";
  box.dispatchEvent(new Event("input"));
  var shown = rows.filter(function (row) { return !row.hidden; });
  result.search = {shown: shown.length, total: rows.length, counter: document.getElementById("shown").textContent,
                   all_match: shown.every(function (row) { return row.textContent.indexOf("Nazarbayev") >= 0; })};
  var pre = document.createElement("pre"); pre.id = "probe"; pre.textContent = JSON.stringify(result); document.body.appendChild(pre);
});
"""
"""Run after the page's script: whether anything from the data ran or became an element or a link, and the search."""


@pytest.fixture(scope="module")
def hostile_corpus(seeds_dir, root) -> Path:
    """The seeds with HOSTILE in their articles.yaml, built like any corpus."""
    inputs = root / "hostile-seeds"
    shutil.copytree(seeds_dir, inputs)
    sidecar = yaml.safe_load((inputs / "articles.yaml").read_text(encoding="utf-8"))
    for name, fields in HOSTILE.items():
        sidecar[name].update(fields)
    (inputs / "articles.yaml").write_text(yaml.safe_dump(sidecar, allow_unicode=True), encoding="utf-8")
    return build(inputs, root, "hostile")


def test_hostile_sidecar_values_stay_text_in_the_report_and_the_card(hostile_corpus):
    page = (hostile_corpus / "report.html").read_text(encoding="utf-8")
    assert re.search(r'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; script-src \'sha256-[^\']+\';', page)
    assert page.count("<script") == 1 and "<img" not in page and "<svg" not in page and "<b id" not in page
    assert not re.search(r'href="(?!https://)', page), "only the https URL is a link"
    assert '<a href="https://example.org/news?a=1&amp;b=2" rel="noreferrer">' in page
    assert '<span class="url" dir="auto">javascript:alert(1)</span>' in page
    card = (hostile_corpus / "README.md").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in card and "<script" not in card
    result = runner.invoke(app, ["publish", "--check", str(hostile_corpus)])
    assert result.exit_code == 0, result.output


def test_in_chromium_no_script_from_the_data_runs_and_search_still_filters(hostile_corpus, chromium, tmp_path):
    found = probe(chromium, (hostile_corpus / "report.html").read_text(encoding="utf-8"), tmp_path,
                  head=RECORD_ALERTS, body=HOSTILE_PROBE)
    assert found["title"] == "Cross-lingual news comparison corpus", "a script from the data set the title"
    assert found["alerts"] == [] and found["owned"] == 0, "a script or element from the data ran or was added"
    assert (found["scripts"], found["images"], found["svgs"]) == (3, 0, 0), "the page's script and the test's two, nothing else"
    assert found["links"] == ["https://example.org/news?a=1&b=2"], "javascript:, data: and protocol-relative URLs are not links"
    assert {"javascript:alert(1)", "java\tscript:alert(1)", "//evil.example/x"} <= set(found["urls"]), "they are shown as text"
    assert SCRIPT + IMAGE in found["outlets"] and "</th></tr></table><b id=owned>owned</b>" in found["outlets"]
    titles = {t["text"]: t["direction"] for t in found["titles"]}
    assert titles["{{ 7*7 }}"] == "ltr" and titles[ARABIC] == "rtl" and titles[HEBREW] == "rtl"
    search = found["search"]
    assert 0 < search["shown"] < search["total"] and search["all_match"]
    assert search["counter"] == f"{search['shown']} of {search['total']} facts shown", "the page's own script ran"


CSP_PROBE = """
window.addEventListener("load", function () {
  document.getElementById("js-link").click();
  setTimeout(function () {
    var pre = document.createElement("pre"); pre.id = "probe";
    pre.textContent = JSON.stringify({title: document.title, shown: document.getElementById("shown").textContent});
    document.body.appendChild(pre);
  }, 500);
});
"""
"""Clicks a javascript: link, then reports the title the blocked scripts would have changed."""


def test_in_chromium_the_policy_blocks_any_script_the_page_did_not_bring(corpus, chromium, tmp_path):
    """A second line of defence: even markup that escaped escaping could not run script, inline or from a link."""
    injected = ('<script>document.title = "inline ran"</script><img src=x onerror="document.title = \'handler ran\'">'
                '<a id="js-link" href="javascript:document.title = \'link ran\'">x</a></main>')
    page = (corpus / "report.html").read_text(encoding="utf-8").replace("</main>", injected, 1)
    found = probe(chromium, page, tmp_path, body=CSP_PROBE)
    assert found["title"] == "Cross-lingual news comparison corpus"
    assert found["shown"].endswith("facts shown"), "the page's own script still runs"
