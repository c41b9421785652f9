"""Everything is in pyproject.toml except this one mapping, which its find directive cannot say:
the repository's top-level data/ folder (the curated content) ships inside the package as
bot/data, so a plain ``pip install .`` carries it and ``bot.DATA_DIR`` finds it there."""

from setuptools import find_namespace_packages, setup

setup(
    packages=[*find_namespace_packages(include=["bot*", "cogs*"]), "bot.data"],
    package_dir={"bot.data": "data"},
)
