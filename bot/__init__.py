"""kpops-bot: a Discord bot for the fan community of the film *K-Pops!*."""

from importlib import resources
from pathlib import Path

__version__ = "0.1.0"

# The folder that holds this package's parent: a checkout's root, or site-packages once installed.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _packaged_content() -> Path | None:
    """The curated content an installed wheel carries as ``bot/data`` (see setup.py), if any."""
    folder = resources.files(__name__) / "data"
    return folder if isinstance(folder, Path) and folder.is_dir() else None


_PACKAGED = _packaged_content()
#: True when running from a source checkout (plain or ``pip install -e .``), not an installed wheel.
FROM_CHECKOUT = _PACKAGED is None
#: The curated content files (film.toml, quotes.toml, ...): the repository's top-level data/ in a
#: checkout, the copy packaged with the code in an installed wheel. Content loaders read from here.
DATA_DIR = PROJECT_ROOT / "data" if _PACKAGED is None else _PACKAGED
