"""Payload checks as Discord performs them, answering with Discord's error shape.

Each check returns a list of ``(path, message)`` pairs; an empty list means Discord would accept it.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot import limits
from bot.i18n import is_command_name

Errors = list[tuple[str, str]]

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
_NAME = re.compile(limits.COMMAND_NAME_PATTERN)


def _len_check(errors: Errors, path: str, value: Any, maximum: int, minimum: int = 0) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        errors.append((path, "Must be a string."))
        return
    if len(value) > maximum:
        errors.append((path, f"Must be {maximum} or fewer in length."))
    if len(value) < minimum:
        errors.append((path, f"Must be {minimum} or more in length."))


def embed_length(embed: dict[str, Any]) -> int:
    """Characters that count towards the 6,000 total, as Discord counts them."""
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    for fld in embed.get("fields") or []:
        total += len(fld.get("name") or "") + len(fld.get("value") or "")
    return total


def check_embeds(errors: Errors, embeds: list[dict[str, Any]]) -> None:
    if len(embeds) > limits.EMBEDS_MAX:
        errors.append(("embeds", f"Must be {limits.EMBEDS_MAX} or fewer in length."))
    total = 0
    for i, embed in enumerate(embeds):
        p = f"embeds.{i}"
        _len_check(errors, f"{p}.title", embed.get("title"), limits.EMBED_TITLE_MAX)
        _len_check(
            errors, f"{p}.description", embed.get("description"), limits.EMBED_DESCRIPTION_MAX
        )
        _len_check(
            errors,
            f"{p}.footer.text",
            (embed.get("footer") or {}).get("text"),
            limits.EMBED_FOOTER_MAX,
        )
        _len_check(
            errors,
            f"{p}.author.name",
            (embed.get("author") or {}).get("name"),
            limits.EMBED_AUTHOR_MAX,
        )
        fields = embed.get("fields") or []
        if len(fields) > limits.EMBED_FIELDS_MAX:
            errors.append((f"{p}.fields", f"Must be {limits.EMBED_FIELDS_MAX} or fewer in length."))
        for j, fld in enumerate(fields):
            name, value = fld.get("name"), fld.get("value")
            if not name:
                errors.append((f"{p}.fields.{j}.name", "This field is required"))
            if not value:
                errors.append((f"{p}.fields.{j}.value", "This field is required"))
            _len_check(errors, f"{p}.fields.{j}.name", name, limits.EMBED_FIELD_NAME_MAX)
            _len_check(errors, f"{p}.fields.{j}.value", value, limits.EMBED_FIELD_VALUE_MAX)
        url = embed.get("url")
        if url is not None and not str(url).startswith(("http://", "https://")):
            errors.append((f"{p}.url", "Scheme must be one of ('http', 'https')."))
        total += embed_length(embed)
    if total > limits.EMBED_TOTAL_MAX:
        errors.append(("embeds", f"Embed size exceeds maximum size of {limits.EMBED_TOTAL_MAX}"))


def check_components(errors: Errors, rows: list[dict[str, Any]]) -> None:
    if len(rows) > limits.ACTION_ROWS_MAX:
        errors.append(("components", f"Must be {limits.ACTION_ROWS_MAX} or fewer in length."))
    seen: set[str] = set()
    for i, row in enumerate(rows):
        p = f"components.{i}"
        if row.get("type") != 1:
            errors.append((f"{p}.type", "Top-level components must be action rows."))
            continue
        children = row.get("components") or []
        if not children:
            errors.append((f"{p}.components", "Must be 1 or more in length."))
        if len(children) > limits.BUTTONS_PER_ROW_MAX:
            errors.append(
                (f"{p}.components", f"Must be {limits.BUTTONS_PER_ROW_MAX} or fewer in length.")
            )
        for j, comp in enumerate(children):
            cp = f"{p}.components.{j}"
            ctype = comp.get("type")
            custom_id = comp.get("custom_id")
            if ctype == 2:
                _len_check(errors, f"{cp}.label", comp.get("label"), limits.BUTTON_LABEL_MAX)
                if not comp.get("label") and not comp.get("emoji"):
                    errors.append((f"{cp}.label", "A button needs a label or an emoji."))
                if comp.get("style") == 5:
                    if not comp.get("url") or custom_id:
                        errors.append((cp, "Link buttons need a url and no custom_id."))
                    continue
            elif ctype == 3:
                options = comp.get("options") or []
                if not 1 <= len(options) <= limits.SELECT_OPTIONS_MAX:
                    errors.append(
                        (f"{cp}.options", f"Must be between 1 and {limits.SELECT_OPTIONS_MAX}.")
                    )
            elif ctype not in (5, 6, 7, 8):
                errors.append((f"{cp}.type", "Unknown component type."))
            if not custom_id:
                errors.append((f"{cp}.custom_id", "This field is required"))
                continue
            _len_check(errors, f"{cp}.custom_id", custom_id, limits.CUSTOM_ID_MAX, 1)
            if custom_id in seen:
                errors.append((f"{cp}.custom_id", "Component custom id cannot be duplicated"))
            seen.add(custom_id)


def check_message(payload: dict[str, Any], *, edit: bool = False) -> Errors:
    """A message create or edit body, as Discord checks it."""
    errors: Errors = []
    _len_check(errors, "content", payload.get("content"), limits.CONTENT_MAX)
    embeds = payload.get("embeds") or []
    check_embeds(errors, embeds)
    check_components(errors, payload.get("components") or [])
    if not edit and not payload.get("content") and not embeds and not payload.get("components"):
        errors.append(("content", "Cannot send an empty message"))
    return errors


def pings(content: str, allowed_mentions: dict[str, Any] | None) -> list[str]:
    """Who a message's content would notify, given its allowed_mentions (absent = parse all)."""
    if not content:
        return []
    parse = (
        ["everyone", "users", "roles"]
        if allowed_mentions is None
        else allowed_mentions.get("parse", [])
    )
    users = set((allowed_mentions or {}).get("users") or [])
    roles = set((allowed_mentions or {}).get("roles") or [])
    result: list[str] = []
    if ("@everyone" in content or "@here" in content) and "everyone" in parse:
        result.append("everyone")
    for uid in _USER_MENTION.findall(content):
        if "users" in parse or uid in users:
            result.append(f"user:{uid}")
    for rid in _ROLE_MENTION.findall(content):
        if "roles" in parse or rid in roles:
            result.append(f"role:{rid}")
    return result


def check_localizations(errors: Errors, path: str, item: dict[str, Any], *, names: bool) -> None:
    """name_localizations / description_localizations of a command, option or choice, as Discord
    checks them: known locale keys only; names follow the naming rule (a choice's name is display
    text, 1-100); descriptions 1-100."""
    locales = {locale.value for locale in discord.Locale}
    for field, name_rule in (("name_localizations", names), ("description_localizations", False)):
        table = item.get(field)
        if table is None:
            continue
        if not isinstance(table, dict):
            errors.append((f"{path}.{field}", "Must be an object."))
            continue
        for locale, text in table.items():
            where = f"{path}.{field}.{locale}"
            if locale not in locales:
                errors.append((where, f"Invalid locale {locale!r}"))
            elif not isinstance(text, str):
                errors.append((where, "Must be a string."))
            elif name_rule and not is_command_name(text):
                errors.append((where, "Command name is invalid"))
            elif not name_rule and not 1 <= len(text) <= limits.COMMAND_DESCRIPTION_MAX:
                errors.append((where, "Must be between 1 and 100 in length."))


def check_command(errors: Errors, path: str, cmd: dict[str, Any], *, depth: int = 0) -> None:
    name = cmd.get("name")
    if not isinstance(name, str) or not _NAME.match(name) or name != name.lower():
        errors.append((f"{path}.name", f"Invalid command name {name!r}"))
    ctype = cmd.get("type", 1)
    if ctype == 1 or depth > 0:  # context-menu names follow other rules
        check_localizations(errors, path, cmd, names=True)
    desc = cmd.get("description")
    if ctype == 1 or depth > 0:
        if not isinstance(desc, str) or not 1 <= len(desc) <= limits.COMMAND_DESCRIPTION_MAX:
            errors.append((f"{path}.description", "Must be between 1 and 100 in length."))
    options = cmd.get("options") or []
    if len(options) > limits.COMMAND_OPTIONS_MAX:
        errors.append((f"{path}.options", "Must be 25 or fewer in length."))
    names: set[str] = set()
    optional_seen = False
    for i, opt in enumerate(options):
        op = f"{path}.options.{i}"
        otype = opt.get("type")
        if opt.get("name") in names:
            errors.append((f"{op}.name", "Option names must be unique"))
        names.add(opt.get("name"))
        if otype in (1, 2):
            if depth >= 2 or (otype == 2 and depth >= 1):
                errors.append((op, "Sub-command nesting too deep"))
            check_command(errors, op, opt, depth=depth + 1)
            continue
        if not isinstance(opt.get("name"), str) or not _NAME.match(opt["name"]):
            errors.append((f"{op}.name", "Invalid option name"))
        check_localizations(errors, op, opt, names=True)
        d = opt.get("description")
        if not isinstance(d, str) or not 1 <= len(d) <= limits.COMMAND_DESCRIPTION_MAX:
            errors.append((f"{op}.description", "Must be between 1 and 100 in length."))
        if opt.get("required"):
            if optional_seen:
                errors.append((op, "Required options must be placed before non-required options"))
        else:
            optional_seen = True
        choices = opt.get("choices") or []
        if len(choices) > limits.OPTION_CHOICES_MAX:
            errors.append((f"{op}.choices", "Must be 25 or fewer in length."))
        for k, choice in enumerate(choices):
            check_localizations(errors, f"{op}.choices.{k}", choice, names=False)
        if choices and opt.get("autocomplete"):
            errors.append((f"{op}.autocomplete", "Autocomplete cannot be set with choices"))


def check_commands(commands: list[dict[str, Any]], *, global_: bool) -> Errors:
    errors: Errors = []
    chat = [c for c in commands if c.get("type", 1) == 1]
    if global_ and len(chat) > limits.GLOBAL_COMMANDS_MAX:
        errors.append(("", "Maximum number of global chat input commands reached (100)"))
    seen: set[tuple[int, str]] = set()
    for i, cmd in enumerate(commands):
        key = (cmd.get("type", 1), cmd.get("name", ""))
        if key in seen:
            errors.append((f"{i}.name", "Application command names must be unique"))
        seen.add(key)
        check_command(errors, str(i), cmd)
    return errors


def error_body(errors: Errors) -> dict[str, Any]:
    """Discord's 50035 Invalid Form Body, with errors nested by path."""
    tree: dict[str, Any] = {}
    for path, message in errors:
        node = tree
        for part in [p for p in path.split(".") if p]:
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": "INVALID", "message": message})
    return {"code": 50035, "message": "Invalid Form Body", "errors": tree}


def check_choices(choices: list[dict[str, Any]]) -> Errors:
    errors: Errors = []
    if len(choices) > limits.AUTOCOMPLETE_MAX_CHOICES:
        errors.append(("data.choices", "Must be 25 or fewer in length."))
    for i, choice in enumerate(choices):
        name = choice.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= limits.AUTOCOMPLETE_CHOICE_NAME_MAX:
            errors.append((f"data.choices.{i}.name", "Must be between 1 and 100 in length."))
        value = choice.get("value")
        if isinstance(value, str) and not 1 <= len(value) <= limits.AUTOCOMPLETE_CHOICE_VALUE_MAX:
            errors.append((f"data.choices.{i}.value", "Must be between 1 and 100 in length."))
    return errors
