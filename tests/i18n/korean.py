"""What counts as Korean in a reply: the bot's own words are Korean; English may remain only in
proper names, titles, links, code, mentions, timestamps and quoted material (issue 15)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# Names and words that stay as they are in a Korean reply: the film, the bot, people and places,
# and the English search words the replies suggest (the content they search is English).
KEPT = (
    "K-Pops!",
    "kpops-bot",
    "PRIVACY.md",
    "Discord Developer Portal",
    "Anderson .Paak",
    "Teddy Riley",
    "Motown",
    "hip-hop",
    "Seoul",
    "drummer",
    "Toronto",
    "family",
    "https://",
    "https",
    "ID",
)
_SET_OFF = re.compile(
    r"\[[^\]]*\]\([^)]*\)"  # a markdown link, label included (the label names a source)
    r"|https?://\S+"  # a bare link
    r"|`[^`]*`"  # code
    r"|<[@#&!:t/][^>]*>"  # mentions, channels, timestamps, command mentions
    r"|“[^”]*”|\"[^\"]*\""  # quoted material
    r"|\[[^\]]*\]"  # an option in brackets
)
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+|\n+")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z]")


def english_sentences(text: str, data: Iterable[str] = ()) -> list[str]:
    """The sentences of ``text`` written in Latin letters with no Hangul at all, once ``data``
    (content shown as it is: a fact, a name, a quote) and everything set off is taken out."""
    for item in sorted((d for d in data if d), key=len, reverse=True):
        text = text.replace(item, " ")
    for name in KEPT:
        text = text.replace(name, " ")
    text = _SET_OFF.sub(" ", text)
    return [
        sentence.strip()
        for sentence in _SENTENCE_END.split(text)
        if _LATIN.search(sentence) and not _HANGUL.search(sentence)
    ]


def embed_texts(embed: dict[str, Any]) -> list[str]:
    """Every piece of text an embed shows."""
    texts = [embed.get("title") or "", embed.get("description") or ""]
    texts += [part for f in embed.get("fields", []) for part in (f["name"], f["value"])]
    texts.append((embed.get("footer") or {}).get("text") or "")
    return [text for text in texts if text]


def message_texts(message: Any) -> list[str]:
    """A sent message's content, every embed's text and every button's label."""
    texts = [message.content or ""] if getattr(message, "content", None) else []
    for embed in message.embeds:
        texts += embed_texts(embed)
    texts += [b.get("label") or "" for b in message.buttons()]
    return [text for text in texts if text]


def assert_korean(texts: Iterable[str], data: Iterable[str] = ()) -> None:
    data = list(data)
    english = [s for text in texts for s in english_sentences(text, data)]
    assert english == [], f"English left in a Korean reply: {english}"
