"""Discord's OpenAPI description as a second opinion on every request the bot sends.

The emulator's own rules (``validation.py``) check the limits Discord enforces; this module checks
the rest against Discord's published description (vendored in ``openapi/``): that the route exists,
and that a JSON body (or a multipart request's ``payload_json``) matches the operation's request
schema. Each operation's schema is compiled once, on first use, and reused.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import quote

import jsonschema_rs

SPEC_RESOURCE = ("bot.sandbox", "openapi/openapi.json")
#: The name the vendored document is registered under, so ``$ref``s resolve within it.
SPEC_URI = "urn:discord-api-spec"
#: How many problems one request reports (the first ones explain the rest).
MAX_ERRORS = 3

_PARAM = re.compile(r"\{[^/{}]+\}")


# Where stock discord.py sends what Discord accepts but its description types differently. This is
# the only place such allowances are made; each one widens exactly one definition.
#
# - Snowflakes as JSON integers. The description types every id as a decimal string
#   (``SnowflakeType``), but Discord stores ids as integers and reads an integer id as well
#   (Discord staff, github.com/discord/discord-api-docs/issues/1054, 2019-08-06), and discord.py
#   sends integers where it builds ids from Python ints: ``allowed_mentions.users`` and ``roles``,
#   ``message_reference.message_id``, ``sticker_ids`` and others. Only non-negative 64-bit
#   integers are let through; any other type is still refused.
def discord_py_allowances(schemas: dict[str, Any]) -> None:
    snowflake = schemas["SnowflakeType"]
    schemas["SnowflakeType"] = {
        "anyOf": [snowflake, {"type": "integer", "minimum": 0, "maximum": 2**64 - 1}]
    }


@dataclass(frozen=True)
class Operation:
    """One method on one path template of the description."""

    method: str
    template: str
    #: Where the schema of an ``application/json`` body sits in the document (a JSON pointer,
    #: escaped for a URI fragment), or None when the operation takes no body.
    body_pointer: str | None
    body_required: bool


@dataclass
class ApiSpec:
    """The description's routes and request schemas, with a compiled validator per operation."""

    document: dict[str, Any]
    #: Apply ``discord_py_allowances`` (off only to show, in a test, what each one lets through).
    allowances: bool = True
    _routes: dict[tuple[str, int], list[tuple[re.Pattern[str], Operation]]] = field(
        default_factory=dict, init=False, repr=False
    )
    _validators: dict[tuple[str, str], jsonschema_rs.Validator] = field(
        default_factory=dict, init=False, repr=False
    )
    _registry: jsonschema_rs.Registry | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.allowances:
            discord_py_allowances(self.document["components"]["schemas"])
        for template, item in self.document["paths"].items():
            segments = template.count("/")
            regex = re.compile(
                "^"
                + "/".join(
                    "[^/]+" if _PARAM.fullmatch(part) else re.escape(part)
                    for part in template.split("/")
                )
                + "$"
            )
            for method, op in item.items():
                if method == "parameters":
                    continue
                body = op.get("requestBody") or {}
                json_body = (body.get("content") or {}).get("application/json")
                pointer = _pointer("paths", template, method, "requestBody", "content")
                operation = Operation(
                    method.upper(),
                    template,
                    f"{pointer}/{_pointer_part('application/json')}/schema" if json_body else None,
                    bool(body.get("required")),
                )
                key = (method.upper(), segments)
                self._routes.setdefault(key, []).append((regex, operation))
        for candidates in self._routes.values():
            # A literal segment (``@original``, ``@me``) wins over a parameter in the same place.
            candidates.sort(key=lambda c: len(_PARAM.findall(c[1].template)))

    def operation(self, method: str, path: str) -> Operation | None:
        for regex, operation in self._routes.get((method, path.count("/")), []):
            if regex.match(path):
                return operation
        return None

    def validator(self, operation: Operation) -> jsonschema_rs.Validator:
        key = (operation.method, operation.template)
        validator = self._validators.get(key)
        if validator is None:
            if self._registry is None:
                self._registry = jsonschema_rs.Registry([(SPEC_URI, self.document)])
            # A reference into the registered document, so its own "#/components/..." resolve.
            validator = jsonschema_rs.Draft202012Validator(
                {"$ref": f"{SPEC_URI}#{operation.body_pointer}"}, registry=self._registry
            )
            self._validators[key] = validator
        return validator

    def check(self, method: str, path: str, body: Any | None) -> list[str]:
        """What the description finds wrong with this request; empty when it conforms.

        ``body`` is the decoded JSON body (None when the request has none).
        """
        operation = self.operation(method, path)
        if operation is None:
            return [f"{method} {path} is not in Discord's API description"]
        where = f"{method} {operation.template}"
        if operation.body_pointer is None:
            return [f"{where} takes no body, but one was sent"] if body is not None else []
        if body is None:
            return [f"{where} needs a body, but none was sent"] if operation.body_required else []
        validator = self.validator(operation)
        if validator.is_valid(body):
            return []
        problems = [explain(error) for error in validator.iter_errors(body)]
        return [f"{where}: {p}" for p in problems[:MAX_ERRORS]]


def _pointer_part(part: str) -> str:
    return quote(part.replace("~", "~0").replace("/", "~1"), safe="~@")


def _pointer(*parts: str) -> str:
    return "".join("/" + _pointer_part(p) for p in parts)


def explain(error: jsonschema_rs.ValidationError) -> str:
    """One line for an error; for a failed union, the branch that came closest to matching.

    The closest branch is the one whose errors lie deepest in the body: a button with a wrong
    label type fails the button branch at ``...label`` but the select-menu branches at ``type``.
    """
    branches = _branches(error)
    if branches:
        closest = max(branches, key=_closeness)
        if closest and max(map(_depth, closest)) > len(error.instance_path):
            return explain(max(closest, key=_depth))
    where = ".".join(str(part) for part in error.instance_path) or "(body)"
    message = error.message if len(error.message) <= 200 else error.message[:199] + "…"
    return f"{where}: {message}"


def _branches(error: jsonschema_rs.ValidationError) -> list[list[jsonschema_rs.ValidationError]]:
    """The errors of each branch of a failed anyOf or oneOf (empty for other errors)."""
    return getattr(error.kind, "context", None) or []


def _closeness(branch: list[jsonschema_rs.ValidationError]) -> tuple[int, bool, int]:
    """Deepest first; then a branch whose ``type`` matched (its kind of object); then fewest errors."""
    wrong_kind = any(
        e.instance_path and e.instance_path[-1] == "type" and e.kind.name in ("enum", "const")
        for e in branch
    )
    return max(map(_depth, branch), default=0), not wrong_kind, -len(branch)


def _depth(error: jsonschema_rs.ValidationError) -> int:
    """How deep into the body this error, or any error of its branches, reached."""
    nested = [_depth(e) for branch in _branches(error) for e in branch]
    return max([len(error.instance_path), *nested])


def load_document() -> dict[str, Any]:
    """A fresh copy of the vendored description, as published."""
    package, name = SPEC_RESOURCE
    return json.loads(resources.files(package).joinpath(name).read_text(encoding="utf-8"))


@cache
def discord_api_spec() -> ApiSpec:
    """The vendored description, read once per process."""
    return ApiSpec(load_document())
