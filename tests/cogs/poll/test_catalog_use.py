"""The weekly poll's, the chart's and the typed options' modules send no text past the catalog
(the source check of tests/i18n, run on the modules written for them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.i18n.scan import scan_file

ROOT = Path(__file__).resolve().parents[3]
MODULES = [
    ROOT / "cogs" / "poll" / name
    for name in ("chart.py", "closer.py", "hooks.py", "options.py", "weekly.py", "weekly_store.py")
] + [ROOT / "cogs" / "config" / name for name in ("options.py", "weekly.py")]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_new_modules_send_no_text_past_the_catalog(path: Path) -> None:
    assert path.is_file()
    assert scan_file(path) == []
