"""Loaded by pytest before Django (see addopts in pyproject.toml): the suite always runs with the
sandboxes mounted, and never against the real platforms, however pytest is started."""

import os

os.environ["ARCHIVOX_SANDBOX"] = "1"
os.environ.setdefault("ARCHIVOX_VAR_DIR", "var/test")
