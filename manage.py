#!/usr/bin/env python
"""Archivox's command line: Django's manage.py with one-line errors for expected mistakes."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archivox.settings")
    from archivox.cli import run_management_command

    sys.exit(run_management_command(sys.argv))


if __name__ == "__main__":
    main()
