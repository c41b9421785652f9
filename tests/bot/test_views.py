"""static_view: views of DynamicItems only, safe to cache and send with many messages."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from bot.views import static_view


class Go(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"test:go:(?P<n>[0-9]+)"):
    def __init__(self, n: int) -> None:
        super().__init__(discord.ui.Button(label=f"Go {n}", custom_id=f"test:go:{n}"))


async def test_a_static_view_sends_its_buttons_but_listens_to_nothing() -> None:
    view = static_view(Go(n) for n in range(3))
    assert view.is_finished() and view.timeout is None
    ids = [c["custom_id"] for row in view.to_components() for c in row["components"]]
    assert ids == ["test:go:0", "test:go:1", "test:go:2"]


async def test_plain_buttons_are_refused() -> None:
    with pytest.raises(TypeError):
        static_view([discord.ui.Button(label="plain", custom_id="x")])  # type: ignore[list-item]
