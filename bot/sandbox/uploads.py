"""File uploads as Discord takes them: ``multipart/form-data`` with ``payload_json`` and ``files[n]``.

Checked as Discord does: the whole request within the upload limit (25 MiB for a server without
boosts: larger is 413, code 40005), at most 10 attachments, each ``attachments[i].id`` naming an
uploaded ``files[n]`` (or, on an edit, an attachment the message already has). An embed that shows
``attachment://name`` with no attachment of that name is accepted by Discord but shows no
picture: :func:`missing_references` lists those so the emulator can record them as violations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

UPLOAD_MAX_BYTES = 25 * 1024 * 1024
ATTACHMENTS_MAX = 10
_FILE_FIELD = re.compile(r"^files\[(\d{1,2})\]$")


class UploadError(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Upload:
    index: int
    filename: str
    content_type: str
    data: bytes


def read_files(fields: Iterator[tuple[str, Any]]) -> dict[int, Upload]:
    """The ``files[n]`` parts of a parsed form (aiohttp ``FileField``s), by ``n``."""
    uploads: dict[int, Upload] = {}
    for name, value in fields:
        match = _FILE_FIELD.match(name)
        if match is None or not hasattr(value, "file"):
            continue
        data = value.file.read()
        index = int(match.group(1))
        uploads[index] = Upload(index, value.filename or f"file{index}", value.content_type, data)
    return uploads


def attachments(
    payload: dict[str, Any],
    uploads: dict[int, Upload],
    *,
    new_id: Callable[[], int],
    base_url: str,
    stored: dict[int, bytes],
    existing: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The message's attachment objects after this request (``UploadError`` if Discord refuses);
    each new file's bytes go into ``stored`` under its attachment id."""
    if sum(len(u.data) for u in uploads.values()) > UPLOAD_MAX_BYTES:
        raise UploadError(413, 40005, "Request entity too large")
    kept = {str(a["id"]): a for a in existing or []}
    wanted = payload.get("attachments")
    if wanted is None:  # no list: every uploaded file, as named in its part
        wanted = [{"id": index} for index in sorted(uploads)]
    if len(wanted) > ATTACHMENTS_MAX:
        raise UploadError(400, 50035, f"attachments: at most {ATTACHMENTS_MAX}")
    result: list[dict[str, Any]] = []
    for position, entry in enumerate(wanted):
        ref = str(entry.get("id", ""))
        if ref in kept:
            result.append(kept[ref])
            continue
        if not ref.isdigit() or int(ref) not in uploads:
            raise UploadError(
                400, 50035, f"attachments.{position}.id: no files[{ref}] in this request"
            )
        upload = uploads[int(ref)]
        filename = str(entry.get("filename") or upload.filename)
        snowflake = new_id()
        stored[snowflake] = upload.data
        result.append(
            {
                "id": str(snowflake),
                "filename": filename,
                "size": len(upload.data),
                "content_type": upload.content_type,
                "url": f"{base_url}/attachments/{snowflake}/{filename}",
                "proxy_url": f"{base_url}/attachments/{snowflake}/{filename}",
            }
        )
    return result


def _references(embeds: list[dict[str, Any]]) -> Iterator[str]:
    for embed in embeds:
        for key, url_key in (
            ("image", "url"),
            ("thumbnail", "url"),
            ("author", "icon_url"),
            ("footer", "icon_url"),
        ):
            url = str((embed.get(key) or {}).get(url_key) or "")
            if url.startswith("attachment://"):
                yield url.removeprefix("attachment://")


def missing_references(embeds: list[dict[str, Any]], files: list[dict[str, Any]]) -> list[str]:
    """``attachment://`` names in the embeds that no attachment of the message carries."""
    names = {str(a.get("filename")) for a in files}
    return [name for name in _references(embeds) if name not in names]
