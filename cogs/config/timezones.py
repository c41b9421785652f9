"""Time zones: IANA name validation and the autocomplete ranking for `/config schedule`.

Moderators type what they know ("seoul", "KST", "los angeles", "korea"); Discord needs one IANA name.
The index is built once from ``zoneinfo.available_timezones()`` plus tzdata's own tables
(``zone.tab`` for each zone's country, ``iso3166.tab`` for country names) and the abbreviations each
zone uses in winter and summer. Ambiguous abbreviations (CST, IST) rank the most-used zone first.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources

log = logging.getLogger(__name__)

MAX_QUERY = 100  # what is worth matching of a typed value (a client can send 6,000 characters)
MAX_NAME = 100  # Discord's limit for an autocomplete choice name and value

# Names zoneinfo lists that are not real places or that depend on the host.
_NOT_ZONES = {"Factory", "localtime", "posixrules", "leapseconds"}

# Zones most servers want, most used first: they win ties (empty input, "CST", "IST", "korea").
POPULAR = (
    "UTC",
    "Asia/Seoul",
    "America/New_York",
    "America/Los_Angeles",
    "America/Chicago",
    "America/Denver",
    "Europe/London",
    "Asia/Tokyo",
    "Europe/Paris",
    "Europe/Berlin",
    "Asia/Manila",
    "Asia/Jakarta",
    "Asia/Singapore",
    "Asia/Bangkok",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Kolkata",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "America/Mexico_City",
    "America/Toronto",
    "America/Phoenix",
    "Pacific/Honolulu",
    "America/Anchorage",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Istanbul",
    "Europe/Moscow",
    "Asia/Dubai",
    "Asia/Ho_Chi_Minh",
    "Asia/Kuala_Lumpur",
    "Pacific/Auckland",
    "America/Halifax",
    "America/Bogota",
    "America/Lima",
    "America/Argentina/Buenos_Aires",
    "Asia/Karachi",
)

# Words people type that are neither a zone's city nor its country's name.
ALIASES: dict[str, tuple[str, ...]] = {
    "America/Los_Angeles": ("pt", "pacific", "la", "san francisco", "seattle", "las vegas"),
    "America/New_York": ("et", "eastern", "nyc", "atlanta", "boston", "miami", "washington dc"),
    "America/Chicago": ("ct", "central", "houston", "dallas", "austin"),
    "America/Denver": ("mt", "mountain"),
    "Asia/Seoul": ("busan", "incheon", "south korea", "서울", "한국", "부산"),
    "Asia/Tokyo": ("osaka",),
    "Asia/Kolkata": ("india", "mumbai", "delhi", "new delhi", "bangalore"),
    "Asia/Shanghai": ("beijing", "china"),
    "Europe/London": ("uk", "united kingdom", "britain", "england"),
    "UTC": ("gmt", "utc", "zulu", "z"),
    "Australia/Sydney": ("aet",),
}

_WORD_SPLIT = re.compile(r"[\s/_\-(),.]+")


def fold(text: str) -> str:
    """Lower case, accents removed, separators as single spaces: 'São_Paulo' -> 'sao paulo'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = "".join(c for c in plain if c.isprintable() and unicodedata.category(c) != "Cf")
    return " ".join(_WORD_SPLIT.split(plain.casefold())).strip()


@dataclass(slots=True)
class ZoneEntry:
    name: str
    folded: str  # 'america los angeles'
    city: str  # 'los angeles'
    country: str = ""  # 'korea south'
    country_short: str = ""  # 'korea' (without the parenthesised part)
    abbreviations: set[str] = field(default_factory=set)  # folded: 'pst', 'pdt'
    aliases: set[str] = field(default_factory=set)
    canonical: bool = False
    popularity: int = len(POPULAR)


def _tzdata_table(name: str) -> list[list[str]]:
    try:
        text = (resources.files("tzdata.zoneinfo") / name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):  # pragma: no cover - tzdata missing
        log.warning("tzdata's %s is not available; time-zone search knows fewer countries", name)
        return []
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


def _abbreviations(zone: zoneinfo.ZoneInfo, year: int) -> set[str]:
    names = set()
    for month in (1, 7):
        abbr = datetime(year, month, 15, 12, tzinfo=zone).tzname() or ""
        if abbr.isalpha():  # skip numeric ones such as '+09'
            names.add(abbr.casefold())
    return names


@functools.cache
def zone_index() -> dict[str, ZoneEntry]:
    """Every usable IANA zone, keyed by its exact name."""
    names = sorted(zoneinfo.available_timezones() - _NOT_ZONES)
    countries = {row[0]: row[1] for row in _tzdata_table("iso3166.tab") if len(row) >= 2}
    canonical = {row[2]: row[0] for row in _tzdata_table("zone.tab") if len(row) >= 3}
    year = datetime.now(UTC).year
    index: dict[str, ZoneEntry] = {}
    for name in names:
        try:
            zone = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
        code = canonical.get(name)
        country = countries.get(code, "") if code else ""
        entry = ZoneEntry(
            name=name,
            folded=fold(name),
            city=fold(name.rsplit("/", 1)[-1]),
            country=fold(country),
            country_short=fold(re.sub(r"\(.*?\)", "", country)),
            canonical=code is not None or name == "UTC",
            popularity=POPULAR.index(name) if name in POPULAR else len(POPULAR),
        )
        if entry.canonical:
            entry.abbreviations = _abbreviations(zone, year)
        entry.aliases = {fold(a) for a in ALIASES.get(name, ())}
        index[name] = entry
    return index


@functools.cache
def _by_lower() -> dict[str, str]:
    return {name.casefold(): name for name in zone_index()}


def canonical_name(text: str) -> str | None:
    """The exact IANA name for ``text`` (any case, spaces for underscores), or None."""
    cleaned = text.strip()
    if not cleaned or len(cleaned) > MAX_NAME:
        return None
    return _by_lower().get(cleaned.replace(" ", "_").casefold())


def _score(entry: ZoneEntry, query: str) -> float | None:
    """Lower is better; None means no match."""
    if entry.folded == query:
        # An old fixed-offset name such as 'EST' must not beat the zone people mean (New York).
        return 0 if entry.canonical else 1.5
    if query in entry.aliases or query in entry.abbreviations:
        return 1
    country_words = entry.country.split()
    if entry.country and query in (entry.country, entry.country_short):
        return 1.8
    if entry.city == query:
        return 2
    if entry.city.startswith(query) or entry.folded.startswith(query):
        return 3
    if any(a.startswith(query) for a in entry.aliases) or any(
        w.startswith(query) for w in entry.city.split()
    ):
        return 4
    if len(query) >= 3 and (
        entry.country.startswith(query) or any(w.startswith(query) for w in country_words)
    ):
        return 4.5
    if len(query) >= 3 and (query in entry.folded or query in entry.country):
        return 5
    return None


def search(text: str, limit: int = 25) -> list[str]:
    """IANA names that match what was typed, best first (the most-used zones when ``text`` is empty)."""
    query = fold(text[:MAX_QUERY])
    index = zone_index()
    if not query:
        return [name for name in POPULAR if name in index][:limit]
    ranked: list[tuple[float, int, str]] = []
    for entry in index.values():
        score = _score(entry, query)
        if score is None:
            continue
        if not entry.canonical:
            score += 0.5  # old links such as 'ROK' or 'US/Pacific' after the zone they point to
        ranked.append((score, entry.popularity, entry.name))
    ranked.sort()
    return [name for _, _, name in ranked[:limit]]


def utc_offset(name: str, when: datetime) -> str:
    """'UTC+09:00' for Asia/Seoul at ``when``."""
    offset = when.astimezone(zoneinfo.ZoneInfo(name)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


def describe(name: str, when: datetime) -> str:
    """An autocomplete label: 'Asia/Seoul — KST, UTC+09:00', at most 100 characters."""
    local = when.astimezone(zoneinfo.ZoneInfo(name))
    abbr = local.tzname() or ""
    parts = [utc_offset(name, when)]
    if abbr.isalpha() and abbr not in ("UTC",):
        parts.insert(0, abbr)
    label = f"{name} — {', '.join(parts)}"
    return label[:MAX_NAME]


# A typed value names a zone outright when it is the zone's abbreviation, an alias, its country
# or its city (scores up to this); a mere prefix or substring only suggests one.
_NAMES_A_ZONE = 2.0


def resolve(text: str) -> str | None:
    """The IANA name ``text`` stands for: an IANA name in any case, or what people type for it
    ("KST", "seoul", "Los Angeles"); None when it only partly matches (then ``search`` suggests).

    Where several zones share the word (KST, CST, IST) the most-used wins, as in ``search``.
    """
    exact = canonical_name(text)
    if exact is not None:
        return exact
    query = fold(text[:MAX_QUERY])
    if not query:
        return None
    best: tuple[float, int, str] | None = None
    for entry in zone_index().values():
        score = _score(entry, query)
        if score is None or score > _NAMES_A_ZONE:
            continue
        if not entry.canonical:
            score += 0.5
        candidate = (score, entry.popularity, entry.name)
        if best is None or candidate < best:
            best = candidate
    return None if best is None else best[2]
