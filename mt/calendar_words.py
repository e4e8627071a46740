"""Month and weekday names in the languages the toolkit reads: what tells a dateline from text, and a date from a count."""

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
