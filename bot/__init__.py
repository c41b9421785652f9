"""kpops-bot: a Discord bot for the fan community of the film *K-Pops!*."""

from pathlib import Path

__version__ = "0.1.0"

# The project root (holds data/). Content ships beside the code, not inside site-packages.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
