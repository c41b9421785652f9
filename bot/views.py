"""Views made only of DynamicItems, rendered once and sent with any number of messages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import discord


def static_view(items: Iterable[discord.ui.DynamicItem[Any]]) -> discord.ui.View:
    """A view whose every button is a DynamicItem, ready to be cached and sent again and again.

    A click on a DynamicItem is dispatched by its class (each cog registers its classes when it
    loads), so the view object itself has nothing to listen for. Stopping it at once makes
    discord.py send its components without storing it or giving it a timeout (an ephemeral send
    would), so one view can go with every message that shows the same rendered page.
    """
    view = discord.ui.View(timeout=None)
    for item in items:
        if not isinstance(item, discord.ui.DynamicItem):
            raise TypeError(f"{item!r} would need the view to listen: only DynamicItems here")
        view.add_item(item)
    view.stop()
    return view
