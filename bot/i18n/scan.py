"""A source check: user-facing words written as plain literals instead of going through the catalog.

Two rules, checked on the syntax tree (no code runs):

* **display sinks** (``send_message``, ``Embed(title=...)``, ``Button(label=...)``, ...) must not be
  given text written in place: a string literal, an f-string, a concatenation, or a module constant
  assigned a bare literal. They take ``t(...)``/``tn(...)`` results, names, or data.
* **msgid arguments** (``t``, ``tn``, ``N_``, ``UserFacingError``, ``guild_id_of``) must be a plain
  literal, so that extraction sees them, or a name (a constant marked with ``N_``); never an
  f-string or other built string, which no catalog can hold.

Command metadata (``@app_commands.command(description=...)``, ``describe``, ``rename``, static
``Choice`` lists) is not flagged: discord.py passes it through the tree's Translator at sync.
Choices built inside a function (autocomplete answers) are display text and are flagged.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# callee name -> (positional indexes, keyword names) that carry display text
DISPLAY_SINKS: dict[str, tuple[tuple[int, ...], frozenset[str]]] = {
    "send_message": ((0,), frozenset({"content"})),
    "send": ((0,), frozenset({"content"})),
    "edit_message": ((), frozenset({"content"})),
    "edit_original_response": ((), frozenset({"content"})),
    "edit": ((), frozenset({"content"})),
    "send_ephemeral": ((1,), frozenset({"text"})),
    "Embed": ((), frozenset({"title", "description"})),
    "add_field": ((), frozenset({"name", "value"})),
    "insert_field_at": ((), frozenset({"name", "value"})),
    "set_field_at": ((), frozenset({"name", "value"})),
    "set_footer": ((), frozenset({"text"})),
    "set_author": ((), frozenset({"name"})),
    "Button": ((), frozenset({"label"})),
    "SelectOption": ((), frozenset({"label", "description"})),
    "Select": ((), frozenset({"placeholder"})),
    "TextInput": ((), frozenset({"label", "placeholder", "default"})),
    "Modal": ((), frozenset({"title"})),
    "Choice": ((0,), frozenset({"name"})),
}
# callee name -> positional indexes of msgids (kept in step with the pybabel keywords in docs/i18n.md)
MSGID_ARGS: dict[str, tuple[int, ...]] = {
    "t": (1,),
    "tn": (1, 2),
    "N_": (0,),
    "UserFacingError": (0,),
    "guild_id_of": (1,),
}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    call: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.call}(): {self.problem}"


def _callee(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _has_words(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def _is_literal_text(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _written_in_place(node: ast.expr, constants: dict[str, ast.expr]) -> bool:
    """True if ``node`` is display text typed into the source rather than looked up."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _has_words(node.value)
    if isinstance(node, ast.JoinedStr):
        return any(_written_in_place(part, constants) for part in node.values)
    if isinstance(node, ast.BinOp):
        return _written_in_place(node.left, constants) or _written_in_place(node.right, constants)
    if isinstance(node, ast.IfExp):
        return _written_in_place(node.body, constants) or _written_in_place(node.orelse, constants)
    if isinstance(node, ast.Name) and node.id in constants:
        return _written_in_place(constants[node.id], constants)
    if isinstance(node, ast.Call) and _callee(node) == "N_":
        return True  # N_ only marks a message: it still needs t() where it is shown
    return False


def _module_constants(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level ``NAME = <expr>`` assignments (the only ones a sink argument is traced to)."""
    constants: dict[str, ast.expr] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if isinstance(target, ast.Name):
                constants[target.id] = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
            constants[stmt.target.id] = stmt.value
    return constants


def _function_calls(tree: ast.Module) -> set[int]:
    """ids of Call nodes inside function bodies (not in decorators or at module/class level)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            body = node.body if isinstance(node.body, list) else [node.body]
            for stmt in body:
                inside.update(id(n) for n in ast.walk(stmt) if isinstance(n, ast.Call))
    return inside


def _arguments(
    call: ast.Call, positions: tuple[int, ...], keywords: frozenset[str]
) -> Iterator[ast.expr]:
    for index in positions:
        if index < len(call.args) and not isinstance(call.args[index], ast.Starred):
            yield call.args[index]
    for keyword in call.keywords:
        if keyword.arg in keywords:
            yield keyword.value


def scan_source(source: str, path: str = "<source>") -> list[Finding]:
    """Every place in ``source`` where user-facing text bypasses the catalog."""
    tree = ast.parse(source, filename=path)
    constants = _module_constants(tree)
    in_functions = _function_calls(tree)
    findings: list[Finding] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _callee(node)
        if name in MSGID_ARGS:
            for arg in _arguments(node, MSGID_ARGS[name], frozenset()):
                if not (_is_literal_text(arg) or isinstance(arg, ast.Name | ast.Attribute)):
                    findings.append(
                        Finding(path, node.lineno, name, "the message must be a plain literal")
                    )
                elif isinstance(arg, ast.Name) and _is_literal_text(constants.get(arg.id, arg)):
                    findings.append(
                        Finding(path, node.lineno, name, f"mark {arg.id} with N_() for extraction")
                    )
        elif name in DISPLAY_SINKS:
            if name == "Choice" and id(node) not in in_functions:
                continue  # a static choice: translated at sync by the tree's Translator
            for arg in _arguments(node, *DISPLAY_SINKS[name]):
                if _written_in_place(arg, constants):
                    findings.append(
                        Finding(path, node.lineno, name, "text written in place: use t() or tn()")
                    )
    return findings


def scan_file(path: Path) -> list[Finding]:
    return scan_source(path.read_text(encoding="utf-8"), str(path))
