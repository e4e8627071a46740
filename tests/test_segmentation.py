"""`mt segment` on the seeds: kinds, languages, offsets, coverage and stable ids."""

from __future__ import annotations

import pytest

from mt.segmentation import segment, segment_text

A000, A001, A002, A003, A004 = (
    "000_9f9b6322790e96fd",
    "001_baf90a9d2919649a",
    "002_829cf68b9f031ec6",
    "003_80db3449a2ddbc1e",
    "004_3db6e44a03f11c32",
)


def find(segments, article, startswith):
    matches = [s for s in segments if s.article == article and s.text.startswith(startswith)]
    assert matches, f"no segment of {article} starts with {startswith!r}"
    return matches


@pytest.mark.parametrize(
    "article, startswith, kind, lang",
    [
        (A000, "Armenia od 1 stycznia 2022 roku", "body", "pl"),
        (A000, "#Kazakhstan #CSTO #RuAF An-124", "social", "en"),
        (A000, "An Il-76 is flying from Pskov", "social", "en"),
        (A000, "Photo from yesterday of Almaty", "social", "en"),
        (A000, "This video, filmed by @Tass_Agency", "social", "en"),
        (A000, "95 police officers were injured", "social", "en"),
        (A000, "A walki w Kazachstanie nadal trwają.", "body", "pl"),
        (A001, "Przeczytaj więcej podobnych informacji", "teaser", "pl"),
        (A001, "Według rosyjskich mediów, w Kazachstanie jest ponad 2 600", "body", "pl"),
        (A002, "Posted 6 января 2022,, 10:47", "dateline", None),
        (A002, "6 января 2022, 10:47", "dateline", "ru"),
        (A002, "Фото: LIGA.net", "caption", "ru"),
        (A002, "Russia sent airborne units to Kazakhstan.", "body", "en"),
        (A002, '"', "boilerplate", None),
        (A003, "Wednesday, January 26", "dateline", "en"),
        (A003, "Russian troops arrive in Kazakhstan to suppress protests", "headline", "en"),
        (A003, "Correspondent in Moscow", "dateline", "en"),
        (A003, "See them", "boilerplate", "en"),
        (A003, "Leave a Reply", "boilerplate", "en"),
        (A003, "Your email address will not be published.", "boilerplate", "en"),
        (A004, "CSTO sends ‘peacekeeping forces’", "headline", "en"),
        (A004, "Military in Almaty. 6 January 2022.", "caption", "en"),
        (A004, "Photo: Valery Sharifulin / TASS / Forum", "caption", "en"),
        (A004, "CSTO meeting: Lukashenka, Putin slam West", "teaser", "en"),
        (A004, "2020.12.03 11:00", "teaser", None),
        (A004, "Lukashenka wants to become Belarusian Nazarbayev", "teaser", "en"),
        (A004, "2021.02.12 17:08", "teaser", None),
    ],
)
def test_kind_and_language_of_seed_lines(seed_segments, article, startswith, kind, lang):
    segment = find(seed_segments, article, startswith)[0]
    assert segment.kind == kind
    if lang:
        assert segment.lang == lang


def test_repeated_headline_is_a_duplicate(seed_segments):
    first, second = find(seed_segments, A002, "Russian paratroopers flew into unrest-ridden Kazakhstan")
    assert (first.kind, second.kind) == ("headline", "duplicate")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Przybyło m.in. wojsko z Rosji. Potem odjechało.", ["Przybyło m.in. wojsko z Rosji.", "Potem odjechało."]),
        ("Tzw. siły pokojowe przybyły ok. 6 stycznia 2022 r. do Ałmaty. To koniec.",
         ["Tzw. siły pokojowe przybyły ok. 6 stycznia 2022 r. do Ałmaty.", "To koniec."]),
        ("Zatrzymano 5 135 osób. W kraju jest ponad 2 600 żołnierzy.", ["Zatrzymano 5 135 osób.", "W kraju jest ponad 2 600 żołnierzy."]),
        ("Powiedział: „To koniec. Naprawdę koniec.” Potem wyszedł.", ["Powiedział: „To koniec. Naprawdę koniec.”", "Potem wyszedł."]),
        ("Napisał «Koniec. Tak» i wyszedł. Drugie zdanie.", ["Napisał «Koniec. Tak» i wyszedł.", "Drugie zdanie."]),
        ("Mówi (to ważne. Bardzo) dalej. Drugie.", ["Mówi (to ważne. Bardzo) dalej.", "Drugie."]),
        ("He said “It is over. Really.” Then he left.", ["He said “It is over. Really.”", "Then he left."]),
    ],
)
def test_sentence_splitting(text, expected):
    article = segment_text(text + "\n", name="t")
    assert [s.text for s in article.segments] == expected


def test_offsets_reproduce_text(seed_segmentation):
    for article in seed_segmentation.articles:
        original = open(article.path, encoding="utf-8-sig").read()
        for s in article.segments:
            assert original[s.start : s.end] == s.text


def test_every_character_in_exactly_one_segment(seed_segmentation):
    for article in seed_segmentation.articles:
        original = open(article.path, encoding="utf-8-sig").read()
        owner = [0] * len(original)
        for s in article.segments:
            for i in range(s.start, s.end):
                owner[i] += 1
        for i, ch in enumerate(original):
            assert owner[i] == (0 if ch.isspace() and owner[i] == 0 else 1), (article.name, i, ch)
            if not ch.isspace():
                assert owner[i] == 1


def test_ids_are_stable_and_unique(seeds_dir, seed_segments):
    again = segment([seeds_dir]).segments
    assert [s.id for s in again] == [s.id for s in seed_segments]
    assert len({s.id for s in seed_segments}) == len(seed_segments)
    assert [s.index for s in seed_segments if s.article == A000] == list(range(len(find(seed_segments, A000, ""))))


def test_crlf_and_bom(tmp_path):
    path = tmp_path / "win.txt"
    path.write_bytes("\ufeffPierwsze zdanie tutaj.\r\n\r\nDrugie zdanie jest tutaj.\r\n".encode("utf-8"))
    result = segment([path])
    texts = [s.text for s in result.segments]
    assert texts == ["Pierwsze zdanie tutaj.", "Drugie zdanie jest tutaj."]
    original = path.read_bytes().decode("utf-8-sig")
    assert all(original[s.start : s.end] == s.text for s in result.segments)
