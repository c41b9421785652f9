"""One package per feature. Every package here (not starting with ``_``) is loaded at start-up."""
