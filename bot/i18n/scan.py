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


Names = dict[str, list[ast.expr]]  # what each name is given, in one scope
_BUILDERS = ("append", "extend", "insert")  # lines.append("...") then " ".join(lines)


def _written_in_place(node: ast.expr, names: Names, seen: frozenset[str] = frozenset()) -> bool:
    """True if ``node`` is display text typed into the source rather than looked up."""

    def check(child: ast.expr) -> bool:
        return _written_in_place(child, names, seen)

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _has_words(node.value)
    if isinstance(node, ast.JoinedStr):
        return any(check(part) for part in node.values)
    if isinstance(node, ast.BinOp):
        return check(node.left) or check(node.right)
    if isinstance(node, ast.IfExp):
        return check(node.body) or check(node.orelse)
    if isinstance(node, ast.List | ast.Tuple):
        return any(check(element) for element in node.elts)
    if isinstance(node, ast.Name) and node.id in names and node.id not in seen:
        seen = seen | {node.id}
        return any(check(value) for value in names[node.id])
    if isinstance(node, ast.Call):
        func = node.func
        if _callee(node) == "N_":
            return True  # N_ only marks a message: it still needs t() where it is shown
        if isinstance(func, ast.Attribute) and func.attr in ("join", "format"):
            # "sep".join(parts) is as written as its parts; "Text {x}".format() as its template
            return check(func.value) if func.attr == "format" else any(map(check, node.args))
    return False


def _assignments(statements: list[ast.stmt]) -> Names:
    """Names assigned in ``statements`` (not inside nested functions), with every value given."""
    names: Names = {}
    todo: list[ast.AST] = list(statements)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
            if node.value is not None:
                names.setdefault(node.target.id, []).append(node.value)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _BUILDERS
            and isinstance(node.func.value, ast.Name)
        ):
            names.setdefault(node.func.value.id, []).extend(node.args)
        todo.extend(ast.iter_child_nodes(node))
    return names


def _module_constants(tree: ast.Module) -> Names:
    """Module-level ``NAME = <expr>`` assignments."""
    return _assignments([s for s in tree.body if isinstance(s, ast.Assign | ast.AnnAssign)])


def _function_scopes(tree: ast.Module, constants: Names) -> dict[int, Names]:
    """For each Call inside a function body (not in decorators, not at module or class level):
    the names it can see, its innermost function's own first, then the module's."""
    scopes: dict[int, Names] = {}
    for node in ast.walk(tree):  # outer functions come first, so inner ones overwrite
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            body: list[ast.stmt] = (
                node.body if isinstance(node.body, list) else [ast.Expr(node.body)]
            )
            names = {**constants, **_assignments(body)}
            for stmt in body:
                for inner in ast.walk(stmt):
                    if isinstance(inner, ast.Call):
                        scopes[id(inner)] = names
    return scopes


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
    scopes = _function_scopes(tree, constants)
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
                elif isinstance(arg, ast.Name) and any(
                    _is_literal_text(value) for value in constants.get(arg.id, [])
                ):
                    findings.append(
                        Finding(path, node.lineno, name, f"mark {arg.id} with N_() for extraction")
                    )
        elif name in DISPLAY_SINKS:
            if name == "Choice" and id(node) not in scopes:
                continue  # a static choice: translated at sync by the tree's Translator
            for arg in _arguments(node, *DISPLAY_SINKS[name]):
                if _written_in_place(arg, scopes.get(id(node), constants)):
                    findings.append(
                        Finding(path, node.lineno, name, "text written in place: use t() or tn()")
                    )
    return findings


def scan_file(path: Path) -> list[Finding]:
    return scan_source(path.read_text(encoding="utf-8"), str(path))
