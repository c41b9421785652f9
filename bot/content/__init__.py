"""Curated, sourced content: loading and validation of the files in data/.

Each kind of content has one module here with frozen dataclasses, a ``load_*`` function that
returns typed objects, and a ``check_*`` function that returns every problem found in the raw
TOML (used by ``python -m bot data check`` and by the content tests).
"""
