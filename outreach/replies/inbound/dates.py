"""The date someone is back, read from an out-of-office message in English, German, French,
Spanish, Italian, Portuguese, Dutch, Polish, Czech, Swedish, Danish, Norwegian, Finnish or
Japanese ("back on Monday, March 10", "bis einschließlich 12.03.",
"de retour le 12 mars", "from 3 to 7 March")."""

import re
from datetime import date, timedelta

_MONTHS = {
    1: "january jan januar jänner janvier janv enero gennaio janeiro januari"
    " stycznia styczeń styczen ledna leden tammikuuta tammikuu",
    2: "february feb februar février fevrier févr fevr febrero febbraio fevereiro februari"
    " lutego luty února unora únor februari februar helmikuuta helmikuu",
    3: "march mar märz maerz mrz mars marzo março marco maart"
    " marca marzec března brezna březen marts maaliskuuta maaliskuu",
    4: "april apr avril avr abril aprile kwietnia kwiecień dubna duben huhtikuuta huhtikuu",
    5: "may mai mayo maggio maio mei maja maj května kvetna květen toukokuuta toukokuu",
    6: "june jun juni juin junio giugno junho"
    " czerwca czerwiec června cervna červen kesäkuuta kesäkuu",
    7: "july jul juli juillet juil julio luglio julho"
    " lipca lipiec července cervence červenec heinäkuuta heinäkuu",
    8: "august aug août aout agosto augustus sierpnia sierpień srpna srpen augusti elokuuta elokuu",
    9: "september sept sep septembre septiembre setiembre settembre setembro"
    " września wrzesień září zari syyskuuta syyskuu",
    10: "october oct oktober okt octobre octubre ottobre outubro"
    " października październik října rijna říjen lokakuuta lokakuu",
    11: "november nov novembre noviembre novembro"
    " listopada listopad listopadu marraskuuta marraskuu",
    12: "december dec dezember dez décembre decembre diciembre dicembre dezembro"
    " grudnia grudzień prosince prosinec joulukuuta joulukuu",
}
_WEEKDAYS = {
    0: "monday mon montag lundi lunes lunedì lunedi segunda-feira segunda maandag"
    " poniedziałek poniedzialek pondělí pondeli måndag mandag maanantaina maanantai",
    1: "tuesday tue tues dienstag mardi martes martedì martedi terça-feira terça terca dinsdag"
    " wtorek úterý utery tisdag tirsdag tiistaina tiistai",
    2: "wednesday wed mittwoch mercredi miércoles miercoles mercoledì mercoledi quarta-feira"
    " quarta woensdag"
    " środa środę sroda stredu středa středu onsdag keskiviikkona keskiviikko",
    3: "thursday thu thur thurs donnerstag jeudi jueves giovedì giovedi quinta-feira quinta"
    " donderdag"
    " czwartek čtvrtek ctvrtek torsdag torstaina torstai",
    4: "friday fri freitag vendredi viernes venerdì venerdi sexta-feira sexta vrijdag"
    " piątek piatek pátek patek fredag perjantaina perjantai",
    5: "saturday sat samstag sonnabend samedi sábado sabado zaterdag"
    " sobota sobotę lördag lørdag lauantaina lauantai",
    6: "sunday sun sonntag dimanche domingo domenica zondag"
    " niedziela niedzielę neděle nedele söndag søndag sunnuntaina sunnuntai",
}
_MONTH_OF = {name: number for number, names in _MONTHS.items() for name in names.split()}
_WEEKDAY_OF = {name: number for number, names in _WEEKDAYS.items() for name in names.split()}


def _alternation(names: dict[str, int]) -> str:
    return "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))


_MONTH = rf"(?P<month>{_alternation(_MONTH_OF)})\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th|er|e|º|°|\.)?"
_YEAR = r"(?:,?\s*(?:de\s+|del\s+)?(?P<year>(?:19|20)\d\d))?"
_DATE_PATTERNS = [
    re.compile(r"(?P<year>(?:19|20)\d\d)-(?P<mnum>[01]?\d)-(?P<day>[0-3]?\d)\b"),
    re.compile(rf"\b{_DAY}\s*(?:of\s+|de\s+|-\s*)?{_MONTH}(?![a-zà-ÿ]){_YEAR}", re.I),
    re.compile(rf"\b{_MONTH}(?![a-zà-ÿ])\s*(?:the\s+)?{_DAY}(?!\d){_YEAR}", re.I),
    re.compile(r"(?P<mnum>[01]?\d)\s*月\s*(?P<day>[0-3]?\d)\s*日"),
    re.compile(r"\b(?P<a>[0-3]?\d)[./](?P<b>[0-3]?\d)(?:[./](?P<year>(?:19|20)?\d\d))?(?![\d:])"),
]
_WEEKDAY = re.compile(rf"\b(?P<weekday>{_alternation(_WEEKDAY_OF)})\b", re.I)
_RELATIVE = re.compile(
    r"\b(?P<tomorrow>tomorrow|morgen|demain|mañana|manana|domani|amanhã|amanha)\b"
    r"|\b(?P<next_week>next week|nächste woche|naechste woche|la semaine prochaine"
    r"|la próxima semana|la semana que viene|la settimana prossima|la prossima settimana"
    r"|na próxima semana|volgende week)\b",
    re.I,
)

# What the date after a cue means: the day they are back, the last day away (back the day
# after), or "until" (read as the day they are back, as people mostly mean it).
_RETURN_CUES = re.compile(
    r"\b(?:back|return(?:ing|s)?|in the office|reachable again|available again|zurück"
    r"|wieder (?:im büro|im buero|erreichbar|da|verfügbar|zurück)|ab dem|ab"
    r"|de retour|retour|à partir du|a partir du|de vuelta|regres\w*|volver\w*|estaré de nuevo"
    r"|a partir del|rientr\w*|di ritorno|ritorno|de volta|retorno|regress\w*|terug"
    r"|weer (?:aanwezig|bereikbaar|op kantoor)|vanaf|wracam|wróc\w*|powrot\w*|vrátím se|vratim se"
    r"|zpět|zpet|tillbaka|tilbage|tilbake|palaan|takaisin)\b",
    re.I,
)
_THROUGH_CUES = re.compile(
    r"\b(?:through|thru|up to and including|bis einschließlich|bis einschl\.?|bis inkl\.?"
    r"|jusqu'au .{0,3}inclus|tot en met|t/m)\b",
    re.I,
)
_UNTIL_CUES = re.compile(
    r"\b(?:until|till|til|bis(?: zum| zur)?|jusqu'?(?:au|à|a)|hasta(?: el)?|fino al?"
    r"|até(?: ao| o| dia)?|ate(?: dia)?|tot|do|förrän|forran|før(?: den)?|indtil|inntil)\b",
    re.I,
)
_RANGE_START = re.compile(r"\b(?:from|vom|du|del|dal|dall'|van|de)\b", re.I)
_RANGE_SEP = re.compile(r"^\s*(?:to|till|until|-|bis|au|al|a|tot|t/m|through|thru)\s+", re.I)
_BARE_DAY = re.compile(
    r"\s*(?:the\s+)?[0-3]?\d(?:st|nd|rd|th|er|\.)?(?=\s*(?:to|-|bis|au|al|tot)\s)"
)
_INCLUSIVE = re.compile(
    r"^[\s,.(]{0,3}(?:\d{4})?[\s,.(]{0,3}(inclus\w*|inklusive|einschließlich|incluso|incluido"
    r"|incluída|incluído|compreso|inbegrepen)",
    re.I,
)
_WINDOW = 48
_AFTER_UNTIL = re.compile(r"^\.?\s*(?:asti|saakka|まで)")


def extract_return_date(text: str, *, received: date) -> date | None:
    """The first day the writer is back, if the message says; None otherwise."""
    text = " ".join(text.split())[:4000].replace("\u2019", "'").replace("\u2013", "-")
    english = bool(re.search(r"\b(the|until|back|office|return)\b", text, re.I))
    found: dict[str, date] = {}
    for kind, cues in (
        ("return", _RETURN_CUES),
        ("through", _THROUGH_CUES),
        ("until", _UNTIL_CUES),
    ):
        for cue in cues.finditer(text):
            parsed = _date_after(text, cue.end(), received=received, english=english)
            if parsed is not None:
                # "jusqu'au 12 mars inclus", "until the 14th inclusive": the last day away.
                if kind == "until" and _INCLUSIVE.match(text[parsed[1] :]):
                    kind = "through"
                found.setdefault(kind, parsed[0])
                break
    for start in _RANGE_START.finditer(text):
        first = _date_after(text, start.end(), received=received, english=english)
        bare_day = _BARE_DAY.match(text[start.end() :])
        if bare_day is not None:  # "from 3 to 7 March": the month comes once, at the end
            first = (received, start.end() + bare_day.end())
        if first is None:
            continue
        separator = _RANGE_SEP.match(text[first[1] :])
        if separator is None:
            continue
        second = _date_after(
            text, first[1] + separator.end(), received=received, english=english, window=24
        )
        if second is not None:
            found.setdefault("range_end", second[0])
            break
    if not found:
        # Finnish and Japanese put the cue after the date: "14.3. asti", "3月14日まで".
        for pattern in _DATE_PATTERNS:
            for match in pattern.finditer(text):
                if _AFTER_UNTIL.match(text[match.end() :]):
                    parsed = _to_date(match, received=received, english=english)
                    if parsed is not None:
                        found.setdefault("until", parsed)
    if "return" in found:
        candidate = found["return"]
    elif "through" in found:
        candidate = _next_working_day(found["through"])
    elif "range_end" in found:
        candidate = _next_working_day(found["range_end"])
    elif "until" in found:
        candidate = found["until"]
    else:
        return None
    if received < candidate <= received + timedelta(days=366):
        return candidate
    return None


def _date_after(
    text: str, position: int, *, received: date, english: bool, window: int = _WINDOW
) -> tuple[date, int] | None:
    """The earliest date expression starting within `window` characters after `position`."""
    fragment = text[position : position + window + 30]
    best: tuple[int, date, int] | None = None
    for pattern in _DATE_PATTERNS:
        match = pattern.search(fragment)
        if match is None or match.start() > window:
            continue
        parsed = _to_date(match, received=received, english=english)
        if parsed is not None and (best is None or match.start() < best[0]):
            best = (match.start(), parsed, position + match.end())
    if best is None:
        relative = _RELATIVE.search(fragment)
        if relative is not None and relative.start() <= 12:
            days = 1 if relative.group("tomorrow") else 7 - received.weekday()
            return received + timedelta(days=days), position + relative.end()
        weekday = _WEEKDAY.search(fragment)
        if weekday is not None and weekday.start() <= 12:
            wanted = _WEEKDAY_OF[weekday.group("weekday").lower()]
            days = (wanted - received.weekday()) % 7 or 7
            return received + timedelta(days=days), position + weekday.end()
        return None
    return best[1], best[2]


def _to_date(match: re.Match, *, received: date, english: bool) -> date | None:
    groups = match.groupdict()
    if groups.get("a"):
        first, second = int(groups["a"]), int(groups["b"])
        # 3/12 is 12 March in most of the world and 3 December in US English.
        if first > 12 or (not english and second <= 12):
            day, month = first, second
        else:
            month, day = first, second
            if month > 12:
                day, month = month, day
    else:
        day = int(groups["day"])
        month = int(groups["mnum"]) if groups.get("mnum") else _MONTH_OF[groups["month"].lower()]
    year_text = groups.get("year")
    try:
        if year_text:
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
            return date(year, month, day)
        candidate = date(received.year, month, day)
    except ValueError:
        return None
    # No year given: the next such day (a date a week or more ago means next year's).
    if candidate < received - timedelta(days=7):
        try:
            candidate = date(received.year + 1, month, day)
        except ValueError:
            return None
    return candidate


def _next_working_day(last_day_away: date) -> date:
    following = last_day_away + timedelta(days=1)
    while following.weekday() >= 5:
        following += timedelta(days=1)
    return following
