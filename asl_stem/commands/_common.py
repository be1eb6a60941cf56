"""Helpers shared by the subcommand modules."""

from __future__ import annotations

import argparse
from typing import Any


def add_command(subparsers: Any, name: str, help_text: str) -> argparse.ArgumentParser:
    """Add a subcommand whose ``--help`` shows defaults."""
    return subparsers.add_parser(
        name,
        help=help_text,
        description=help_text,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
