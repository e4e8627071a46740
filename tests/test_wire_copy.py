"""Ordinary wire copy gets its kinds right: agency datelines, photo credits, titles with a full stop.

Each case is a short article in the shape PAP, ТАСС, РИА Новости, EFE, AP, Reuters and dpa publish, with the
kinds (and, where they matter, the languages) of its segments in order. Every case also checks that every
character lands in exactly one segment.
"""

from __future__ import annotations

import pytest

from mt.segmentation import segment_text

TASS_FIRE = """Греция запросила помощь ЕС в тушении лесных пожаров

АФИНЫ, 12 августа. /ТАСС/.
Лесной пожар к северу от Афин за сутки распространился на 10 тыс. гектаров. Власти эвакуировали жителей четырех населенных пунктов.

В тушении участвуют 35 самолетов и вертолетов, а также более 500 пожарных.
Фото: ТАСС
"""

PAP_TITLE = """Pożar w Grecji. Strażacy walczą z ogniem

Ateny (PAP) - Pożar lasu pod Atenami objął już kilka tysięcy hektarów. Na miejscu pracuje ponad 500 strażaków.

Fot. PAP/EPA/Orestis Panagiotou
"""

PAP_SEJM = """Sejm przyjął ustawę o obronie ojczyzny

Warszawa (PAP) – Sejm przyjął w piątek ustawę o obronie ojczyzny. Za jej przyjęciem głosowało 450 posłów.
PAP/Leszek Szymański

(PAP)
"""

PAP_CAPTION = """Warszawa (PAP) - Do Grecji poleciało w środę 140 polskich strażaków. Pomogą gasić pożary lasów pod Atenami.

Polscy strażacy na lotnisku Okęcie
Fot. PAP/Paweł Supernak
"""

TASS_LEAD = """МОСКВА, 5 января. /ТАСС/. Первые подразделения миротворцев ОДКБ прибыли в Казахстан. Об этом сообщили в Минобороны России.
"""

RIA_LEAD = """МОСКВА, 5 янв — РИА Новости. Президент Казахстана объявил режим чрезвычайного положения в Алматы. Об этом сообщает пресс-служба главы государства.
"""

EFE_LEAD = """Madrid, 5 ene (EFE).- El Gobierno de España ha pedido a sus ciudadanos en Kazajistán que permanezcan en sus casas. La embajada sigue abierta.

Foto: EFE/Juanjo Martín
"""

AP_LEAD = """KYIV, Ukraine (AP) — Russian forces shelled the city overnight, regional officials said. Two people were wounded.
"""

REUTERS_LEAD = """WASHINGTON, Jan 5 (Reuters) - The Federal Reserve kept interest rates unchanged on Wednesday. Markets barely moved.
"""

DPA_LEAD = """Berlin (dpa) - Die Bundesregierung hat ihre Bürger aufgefordert, Kasachstan zu verlassen. Das Auswärtige Amt richtete einen Krisenstab ein.
Foto: dpa
"""

DATELINE_ALONE = """LONDON (Reuters) -
The Bank of England raised interest rates for the third time this year on Thursday.
"""

MID_ARTICLE_CREDIT = """Wojska rosyjskie przybyły do Ałmaty w czwartek wieczorem.

Żołnierze na lotnisku w Ałmaty. 6 stycznia 2022.
Fot. PAP/EPA/Stringer

Pilnują lotniska oraz budynków rządowych.
"""

NOT_A_DATELINE = """Wojska rosyjskie przybyły do Ałmaty w czwartek wieczorem.

Dziennikarze agencji (PAP) - i nie tylko oni - byli na miejscu od rana.
"""

CASES = {
    "tass closing credit, dateline alone": (TASS_FIRE, ["headline", "dateline", "body", "body", "body", "caption"],
                                            [None, None, "ru", "ru", "ru", None]),
    "polish title with a full stop": (PAP_TITLE, ["headline", "dateline", "body", "body", "caption"], ["pl", None, "pl", "pl", None]),
    "pap credit under the last paragraph, (PAP) sign-off": (PAP_SEJM, ["headline", "dateline", "body", "body", "caption", "dateline"],
                                                            ["pl", None, "pl", "pl", None, None]),
    "pap caption-shaped line above a closing credit": (PAP_CAPTION, ["dateline", "body", "body", "caption", "caption"],
                                                       [None, "pl", "pl", "pl", None]),
    "tass dateline opens the paragraph": (TASS_LEAD, ["dateline", "body", "body"], [None, "ru", "ru"]),
    "ria dateline opens the paragraph": (RIA_LEAD, ["dateline", "body", "body"], [None, "ru", "ru"]),
    "efe dateline and credit": (EFE_LEAD, ["dateline", "body", "body", "caption"], [None, "es", "es", None]),
    "ap dateline": (AP_LEAD, ["dateline", "body", "body"], [None, "en", "en"]),
    "reuters dateline with a date": (REUTERS_LEAD, ["dateline", "body", "body"], [None, "en", "en"]),
    "dpa dateline and closing credit": (DPA_LEAD, ["dateline", "body", "body", "caption"], [None, "de", "de", None]),
    "dateline alone on its line": (DATELINE_ALONE, ["dateline", "body"], [None, "en"]),
    "credit inside the article keeps its caption": (MID_ARTICLE_CREDIT, ["body", "caption", "caption", "body"],
                                                    ["pl", None, None, "pl"]),
    "agency in brackets inside a sentence": (NOT_A_DATELINE, ["body", "body"], ["pl", "pl"]),
}


def assert_every_character_once(text, segments):
    owner = [0] * len(text)
    for segment in segments:
        assert text[segment.start : segment.end] == segment.text
        for i in range(segment.start, segment.end):
            owner[i] += 1
    assert all(count == 1 for count, ch in zip(owner, text) if not ch.isspace())
    assert all(count <= 1 for count in owner)


@pytest.mark.parametrize("text, kinds, langs", CASES.values(), ids=CASES.keys())
def test_wire_copy_kinds(text, kinds, langs):
    article = segment_text(text)
    assert [s.kind for s in article.segments] == kinds, [(s.kind, s.text) for s in article.segments]
    assert [s.lang if lang else None for s, lang in zip(article.segments, langs)] == langs
    assert_every_character_once(text, article.segments)


@pytest.mark.parametrize(
    "text, dateline, sentence",
    [
        ("LONDON (Reuters) - The Bank of England raised rates on Thursday.", "LONDON (Reuters) -",
         "The Bank of England raised rates on Thursday."),
        ("Warszawa (PAP) - Premier zapowiedział w piątek nowe przepisy.", "Warszawa (PAP) -", "Premier zapowiedział w piątek nowe przepisy."),
        ("АФИНЫ, 12 августа. /ТАСС/. Лесной пожар к северу от Афин усилился.", "АФИНЫ, 12 августа. /ТАСС/.",
         "Лесной пожар к северу от Афин усилился."),
    ],
)
def test_dateline_split_off_keeps_the_sentence_whole(text, dateline, sentence):
    """The dateline is its own segment; the sentence after it is the sentence, whole, with its own offsets."""
    first, second = segment_text(text + "\n").segments
    assert (first.kind, first.text, first.start) == ("dateline", dateline, 0)
    assert (second.kind, second.text) == ("body", sentence)
    assert text[second.start : second.end] == sentence
