"""One module per feature. Every module here (not starting with ``_``) is loaded at start-up."""
