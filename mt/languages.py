"""Language data every stage shares: language names for readers, and month and weekday names in the languages
the toolkit reads (what tells a dateline from text, and a date from a count)."""

from __future__ import annotations

from lingua import IsoCode639_1, Language

UNDETERMINED = "und"
"""ISO 639-2 'undetermined': an article with no letters to judge."""

MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia "
    "styczeń luty marzec kwiecień maj czerwiec lipiec sierpień wrzesień październik listopad grudzień "
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря "
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
).split()
WEEKDAYS = (
    "monday tuesday wednesday thursday friday saturday sunday "
    "poniedziałek wtorek środa czwartek piątek sobota niedziela "
    "понедельник вторник среда четверг пятница суббота воскресенье "
    "lunes martes miércoles jueves viernes sábado domingo"
).split()


def language_name(code: str) -> str:
    """'Japanese' for 'ja'; the code itself when lingua does not know it."""
    if hasattr(IsoCode639_1, code.upper()):
        return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())).name.title()
    return "undetermined" if code == UNDETERMINED else code
