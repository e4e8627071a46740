"""Text from articles and sidecars is data, never markup: hostile values in the dataset card and in report.html.

A small corpus is made in memory (two articles, one pair, one fact with a disagreement) and one value at a time is
replaced by hostile text. The card and the page are rendered with the real code; no browser is needed here
(tests/test_report.py opens such a page in Chromium).
"""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest
from huggingface_hub import DatasetCard
from markdown_it import MarkdownIt

from mt.publishing.card import dataset_card
from mt.publishing.configurations import tables as corpus_tables
from mt.publishing.corpus import Corpus, Provenance
from mt.publishing.report import report_pages, safe_link
from mt.records import ArticleInfo, Count, Disagreement, Event, Fact, Pair, Segment, event_id_for

PLAIN = {"outlet": "Daily News", "article": "daily", "published": "2022-01-06", "title": "Troops arrive",
         "language": "en", "url": "plain", "summary": "2,500 troops arrived.", "sentence": "Banks are closed.",
         "quantity": "troops", "command": "mt build seeds -o corpus", "model": "Helsinki-NLP/opus-mt-pl-en", "lang": "en"}
"""The corpus's values where a case puts hostile text; each case's page and card are compared with these."""
SIGNALS = {"margin": 1.4, "chrf": 0.5, "entities": 0.2, "quantities": 0.0, "cosine": 0.8}
ALIGNMENT = {"mode": "comparable", "on": "english", "kinds": ["body", "headline"], "embedder": "minilm",
             "weights": {"margin": 1.0, "chrf": 1.0, "entities": 0.2, "quantities": 0.4}, "neighbours": 4,
             "threshold": 1.5, "split_bonus": 0.15, "fact_coherence": 1.2, "fact_alone_score": 1.6}


def corpus(**hostile: str) -> Corpus:
    """The small corpus, with the values of PLAIN that `hostile` names replaced."""
    v = {**PLAIN, **hostile}
    a, b = v["article"], "z-gazeta"  # after every name a case gives, so that the columns keep their order
    segments = [
        Segment(f"{a}:0000", a, 0, "body", v["lang"], v["summary"], 0, 10, english=v["summary"], translation_model=v["model"]),
        Segment(f"{a}:0001", a, 1, "body", v["lang"], v["sentence"], 11, 20, english=v["sentence"], translation_model=v["model"]),
        Segment(f"{b}:0000", b, 0, "body", "pl", "Przybyło 3000 żołnierzy.", 0, 24, english="3,000 soldiers arrived.",
                translation_model=v["model"]),
    ]
    articles = [
        ArticleInfo(a, f"{a}.txt", lang=v["lang"], outlet=v["outlet"], url=v["url"], published=v["published"],
                    title=v["title"], language=v["language"], segments=2),
        ArticleInfo(b, f"{b}.txt", lang="pl", outlet="Gazeta.pl", url="https://gazeta.example/a", segments=1),
    ]
    pair = Pair(f"{a}:0000", f"{b}:0000", a, b, [f"{a}:0000"], [f"{b}:0000"], 2.0, SIGNALS, fact_id="fact-1")
    fact = Fact("fact-1", {a: [f"{a}:0000"], b: [f"{b}:0000"]}, central=[f"{a}:0000"],
                counts=[Count(a, f"{a}:0000", 2500.0, "2,500", None, v["quantity"]),
                        Count(b, f"{b}:0000", 3000.0, "3,000", None, v["quantity"])],
                disagreements=[Disagreement(v["quantity"], {a: "2,500", b: "3,000"}, compatible=False)])
    provenance = Provenance(command=v["command"], toolkit_version="0.1.0", translation_models={v["model"]: "main"},
                            alignment=ALIGNMENT)
    return Corpus(articles, segments, [pair], [fact], provenance, ("body", "headline"))


def card(**hostile: str) -> str:
    made = corpus(**hostile)
    tables = corpus_tables(made)
    counts = {name: len(rows) for name, rows in tables.items()}
    return dataset_card(tables, counts, {name: (1000, 1000) for name in tables}, made.provenance)


def page(**hostile: str) -> str:
    [(_, text)] = report_pages(corpus_tables(corpus(**hostile)), title="Report", kinds=("body", "headline")).items()
    return text


def with_second_event(**hostile: str) -> Corpus:
    """The small corpus with a second event (an article of its own)."""
    one = corpus(**hostile)
    other = ArticleInfo("other", "other.txt", lang="en", outlet="Other", segments=1)
    names = sorted({a.name for a in one.articles})
    return Corpus([*one.articles, other], [*one.segments, Segment("other:0000", "other", 0, "body", "en", "Rain.", 0, 5, english="Rain.")],
                  one.pairs, one.facts, one.provenance, one.kinds,
                  [Event(event_id_for(names), names, names[0]), Event(event_id_for(["other"]), ["other"], "other")])


def two_events(**hostile: str) -> dict[str, str]:
    """The pages of the corpus with a second event: the list of events and a page each."""
    return report_pages(corpus_tables(with_second_event(**hostile)), title="Report", kinds=("body", "headline"))


def test_a_hostile_event_title_is_text_in_the_cards_table_of_events():
    made = with_second_event(title=f"{SCRIPT} | [x](javascript:alert(1))")
    tables = corpus_tables(made)
    text = dataset_card(tables, {name: len(rows) for name, rows in tables.items()}, {name: (1, 1) for name in tables}, made.provenance)
    row = next(line for line in text.splitlines() if "alert(1)" in line and line.startswith("| &lt;script"))
    assert row.startswith("| &lt;script&gt;alert(1)&lt;/script&gt; &#124; &#91;x&#93;(javascript:alert(1)) | 2 |")
    assert "<script" not in card_as_html(text) and 'href="javascript' not in card_as_html(text)


class Elements(HTMLParser):
    """The elements of an HTML document with their attribute names, and the text of each script and style."""

    def __init__(self, document: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[str, ...]]] = []
        self.attributes: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"script": [], "style": []}
        self._inside: str | None = None
        self.feed(document)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, tuple(sorted(name for name, _ in attrs))))
        self.attributes.append((tag, dict(attrs)))
        if tag in self.raw:
            self._inside = tag
            self.raw[tag].append("")

    def handle_endtag(self, tag):
        self._inside = None

    def handle_data(self, data):
        if self._inside:
            self.raw[self._inside][-1] += data


MARKDOWN = MarkdownIt("commonmark").enable("table")
"""A CommonMark renderer with GFM tables and raw HTML on, as a card viewer would be at its most trusting."""


def card_as_html(text: str) -> str:
    return MARKDOWN.render(text.split("\n---\n", 1)[1])


SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
ARABIC = "القوات الروسية تصل إلى كازاخستان"
HEBREW = "כוחות רוסיים הגיעו לקזחסטן"

CASES = [
    # (field, hostile value, where: card (its Markdown), card-html (as a viewer renders it) or report, must be in, must not be in)
    ("outlet", SCRIPT, "card", "| &lt;script&gt;alert(1)&lt;/script&gt; |", "<script"),
    ("outlet", IMAGE, "card", "&lt;img src=x onerror=alert(1)&gt;", "<img"),
    ("published", "</textarea><b>x</b>", "card", "| &lt;/textarea&gt;&lt;b&gt;x&lt;/b&gt; |", "</textarea>"),
    ("article", "a</textarea>b", "card", "| a&lt;/textarea&gt;b |", "</textarea>"),
    ("language", "pl<b>", "card", "| pl&lt;b&gt; |", "<b>"),
    ("outlet", 'The "Daily" & \'Co\'', "card", "| The &quot;Daily&quot; &amp; &#x27;Co&#x27; |", '"Daily"'),
    ("outlet", "left|right", "card", "| left&#124;right |", "| left|right |"),
    ("article", "left|right", "card", "| left&#124;right |", "| left|right |"),
    ("outlet", "two\nlines\r\nand\u2028more", "card", "| two lines and more |", "two\n"),
    ("published", "2022\n\n# Heading", "card", "| 2022 # Heading |", "\n# Heading"),
    ("outlet", "[click](javascript:alert(1))", "card", "| &#91;click&#93;(javascript:alert(1)) |", "| [click]"),
    ("outlet", "![x](https://tracker.example/p.png)", "card", "| !&#91;x&#93;(https://tracker.example/p.png) |", "| ![x]"),
    ("outlet", "`code` \\| escaped", "card", "| &#96;code&#96; &#92;&#124; escaped |", "| `code`"),
    ("summary", f"{SCRIPT} 2,500 & more", "card", "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e 2,500 \\u0026 more", "<script"),
    ("article", "</textarea>", "card", '"article": "\\u003c/textarea\\u003e"', "</textarea>"),
    ("command", "mt build 'a`b' seeds", "card", "Command: ``mt build 'a`b' seeds``", "Command: `mt"),
    ("command", "mt build '```' seeds", "card", "Command: ````mt build '```' seeds````", "Command: ```m"),
    ("command", "mt build seeds\n\n<b>x</b>", "card", "Command: `mt build seeds '<b>x</b>'`", "\n<b>"),
    ("command", "mt build '</textarea>' seeds", "card-html", "<code>mt build '&lt;/textarea&gt;' seeds</code>", "</textarea>"),
    ("model", "`m`", "card", "Translation: `` `m` ``", "Translation: ``m"),
    ("model", "<b>m</b>", "card-html", "<code>&lt;b&gt;m&lt;/b&gt;</code>", "<b>"),
    ("outlet", SCRIPT, "card-html", "&lt;script&gt;alert(1)&lt;/script&gt;", "<script"),
    ("outlet", "[click](https://evil.example)", "card-html", "[click](https://evil.example)", 'href="https://evil.example"'),
    ("title", "{{ 7*7 }}", "report", '<span class="meta title" dir="auto">{{ 7*7 }}</span>', ">49<"),
    ("title", "{% raw %}x", "report", '<span class="meta title" dir="auto">{% raw %}x</span>', None),
    ("outlet", SCRIPT, "report", '<span class="outlet" dir="auto">&lt;script&gt;alert(1)&lt;/script&gt;</span>', "<script>alert"),
    ("outlet", IMAGE, "report", "&lt;img src=x onerror=alert(1)&gt;", "<img"),
    ("published", "</textarea><b>x</b>", "report", '<span dir="auto">&lt;/textarea&gt;&lt;b&gt;x&lt;/b&gt;</span>', "<b>x"),
    ("article", '" onmouseover="alert(1)', "report", 'data-article="&#34; onmouseover=&#34;alert(1)"', ' onmouseover="'),
    ("summary", f"{SCRIPT} 2,500", "report", "&lt;script&gt;alert(1)&lt;/script&gt; <mark>2,500</mark>", "<script>alert"),
    ("sentence", "</li><li>injected", "report", "&lt;/li&gt;&lt;li&gt;injected", "<li>injected"),
    ("quantity", IMAGE, "report", '<span class="quantity" dir="auto">&lt;img', "<img"),
    ("url", "javascript:alert(1)", "report", '<span class="url" dir="auto">javascript:alert(1)</span>', 'href="javascript'),
    ("url", "https://example.org/?a=1&b=<2>", "report", 'href="https://example.org/?a=1&amp;b=&lt;2&gt;" rel="noreferrer"', None),
    ("url", '" onclick="alert(1)', "report", "&#34; onclick=&#34;alert(1)", ' onclick="'),
    ("title", ARABIC, "report", f'<span class="meta title" dir="auto">{ARABIC}</span>', None),
    ("outlet", HEBREW, "report", f'<span class="outlet" dir="auto">{HEBREW}</span>', None),
    ("sentence", ARABIC, "report", f'<span dir="auto">{ARABIC}</span>', None),
]


def rendered(where: str, field: str, value: str) -> str:
    return {"card": card, "card-html": lambda **v: card_as_html(card(**v)), "report": page}[where](**{field: value})


@pytest.mark.parametrize("field, value, where, present, absent", CASES)
def test_hostile_text_is_shown_as_text(field, value, where, present, absent):
    output = rendered(where, field, value)
    assert present in output
    if absent is not None:
        assert absent not in output


HOSTILE = sorted({(field, value) for field, value, *_ in CASES if field not in ("url", "command", "model")})
"""Every hostile value of a field that the report and the card show as text."""


@pytest.mark.parametrize("field, value", HOSTILE)
def test_hostile_text_adds_no_element_or_attribute_to_the_report(field, value):
    """The page has the same elements, with the same attributes, as with the plain value in that place."""
    assert Elements(page(**{field: value})).tags == Elements(page()).tags


@pytest.mark.parametrize("field, value", HOSTILE)
def test_hostile_text_adds_no_element_to_the_list_of_events_or_an_events_page(field, value):
    plain, hostile = two_events(), two_events(**{field: value})
    assert len(hostile) == 3, "the list and a page for each of the two events"
    for (name, text), (_, expected) in zip(hostile.items(), plain.items()):
        assert Elements(text).tags == Elements(expected).tags, name


@pytest.mark.parametrize("field, value", HOSTILE + [(f, v) for f, v, *_ in CASES if f in ("command", "model")])
def test_hostile_text_adds_no_element_cell_or_row_to_the_card(field, value):
    """Rendered as a viewer would, the card has the same elements (table cells, code spans, no links) as with the
    plain value in that place, and its YAML still reads."""
    hostile, plain = card(**{field: value}), card()
    assert Elements(card_as_html(hostile)).tags == Elements(card_as_html(plain)).tags
    assert DatasetCard(hostile).data.pretty_name == DatasetCard(plain).data.pretty_name


@pytest.mark.parametrize("lang", ["x\n---\npretty_name: owned", "'; <script>alert(1)</script>", "a: b", "- [x]", "\u2028---\u2029", "!!python/object:os.system"])
def test_the_card_yaml_stays_valid_with_hostile_values(lang):
    """The card's YAML (yaml.safe_dump) keeps a hostile language code as one string, and the front matter ends where it should."""
    data = DatasetCard(card(lang=lang)).data
    assert lang in data.language and data.pretty_name == "Cross-lingual news comparison corpus"
    assert {c["config_name"] for c in data.configs} == {"pairs", "facts", "events", "articles", "segments"}


@pytest.mark.parametrize("url, link", [
    ("https://example.org/a", True),
    ("HTTPS://EXAMPLE.ORG/A", True),
    ("http://example.org:8080/x?y=1&z=2#part", True),
    ("javascript:alert(1)", False),
    ("JavaScript:alert(1)", False),
    (" javascript:alert(1)", False),
    ("java\tscript:alert(1)", False),
    ("java\nscript:alert(1)", False),
    ("\x01javascript:alert(1)", False),
    ("javascript\u200b:alert(1)", False),
    ("data:text/html,<script>alert(1)</script>", False),
    ("vbscript:msgbox(1)", False),
    ("//evil.example/x", False),
    ("https:evil.example", False),
    ("http:///path", False),
    ("ftp://example.org/file", False),
    ("file:///etc/passwd", False),
    ("https://exa mple.org", False),
    ("http://[::1", False),
    ("/relative/path", False),
    ("example.org", False),
    ("", False),
    (None, False),
])
def test_only_http_and_https_urls_become_links(url, link):
    assert safe_link(url) == (url if link else None)


def test_the_report_allows_only_its_own_script_and_style():
    """The Content-Security-Policy comes before anything it governs and allows exactly the page's inline script and
    style by their hashes: no inline script from elsewhere, no remote script, no form, no base URL."""
    document = page(title=SCRIPT)
    elements = Elements(document)
    metas = [attrs for tag, attrs in elements.attributes if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"]
    assert len(metas) == 1
    policy = dict(directive.strip().split(" ", 1) for directive in metas[0]["content"].split(";"))
    (script,), (style,) = elements.raw["script"], elements.raw["style"]

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"

    assert policy == {"default-src": "'none'", "script-src": digest(script), "style-src": digest(style),
                      "base-uri": "'none'", "form-action": "'none'"}
    assert not any(tag == "script" and "src" in attrs for tag, attrs in elements.attributes)
    assert document.index("Content-Security-Policy") < document.index("<style>") < document.index("<script>")
    assert not re.search(r"\son[a-z]+=", document), "no inline event handler anywhere"
