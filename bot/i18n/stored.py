"""Text written to the database now and shown to a moderator later, in the reader's language.

A daily post's failure reason is recorded when it happens and read in `/config show` days later,
perhaps by a moderator whose Discord is Korean. So the record holds the catalog message, not a
sentence in one language: :func:`stored` turns a msgid and its fields into one stable string,
and :func:`shown` turns that back into text in any language (English for logs).

The stored form (stable: rows outlive releases) is a JSON object, keys sorted, no spaces::

    {"fields":{"channel":"#daily"},"msgid":"kpops-bot is missing {permissions} in {channel}",
     "terms":{"permissions":["Send Messages"]}}

- ``msgid``: the English message, as extracted into the catalog (mark it with ``N_``);
- ``fields`` (optional): values filled in as they are (names, numbers, codes);
- ``terms`` (optional): fields whose values are themselves catalog msgids (a permission's name),
  each translated when shown and joined with ", ".

Anything else in the column (rows written by older versions: plain English sentences) is not a
JSON object with a ``msgid`` and is shown exactly as it was written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from bot.i18n.catalog import Language
from bot.i18n.messages import t

Field = str | int


def stored(
    msgid: str, /, *, terms: Mapping[str, Sequence[str]] | None = None, **fields: Field
) -> str:
    """The stable stored form of ``msgid`` with its fields (see the module's documentation)."""
    record: dict[str, object] = {"msgid": msgid}
    if fields:
        record["fields"] = dict(fields)
    if terms:
        record["terms"] = {name: list(values) for name, values in terms.items()}
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def shown(language: Language, text: str | None) -> str:
    """Stored text in ``language``; text not in the stored form (an older row) as it is."""
    if not text:
        return ""
    record = _parsed(text)
    if record is None:
        return text
    msgid, fields, terms = record
    values: dict[str, object] = dict(fields)
    for name, msgids in terms.items():
        values[name] = ", ".join(t(language, term) for term in msgids)
    try:
        return t(language, msgid, **values) if values else t(language, msgid)
    except (KeyError, IndexError, ValueError):  # a field lost between versions: never fail a view
        return t(language, msgid)


def _parsed(
    text: str,
) -> tuple[str, dict[str, Field], dict[str, list[str]]] | None:
    if not text.startswith("{"):
        return None
    try:
        record = json.loads(text)
    except ValueError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("msgid"), str):
        return None
    fields = record.get("fields", {})
    terms = record.get("terms", {})
    if not isinstance(fields, dict) or not isinstance(terms, dict):
        return None
    clean_fields: dict[str, Field] = {
        str(k): v if isinstance(v, int | str) else str(v) for k, v in fields.items()
    }
    clean_terms: dict[str, list[str]] = {
        str(k): [str(x) for x in v] if isinstance(v, list) else [str(v)] for k, v in terms.items()
    }
    return record["msgid"], clean_fields, clean_terms


__all__ = ["stored", "shown"]
