"""Helpers shared by the subcommand modules."""

from __future__ import annotations

import argparse
from typing import Any


class DefaultsFormatter(argparse.HelpFormatter):
    """Help that shows a default only where it tells something.

    Not for flags (``--no-probe`` would say "default: True"), required or unset options
    ("default: None"), empty lists, or help texts that already say their default.
    """

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        flag = isinstance(action, argparse._StoreTrueAction | argparse._StoreFalseAction)
        silent = (
            flag
            or action.required
            or default in (None, argparse.SUPPRESS, [], ())
            or "default" in text
            or (not action.option_strings and action.nargs in ("?", "*") and default is None)
        )
        return text if silent else f"{text} (default: %(default)s)"


def add_command(subparsers: Any, name: str, help_text: str) -> argparse.ArgumentParser:
    """Add a subcommand whose ``--help`` shows the defaults worth showing."""
    return subparsers.add_parser(
        name, help=help_text, description=help_text, formatter_class=DefaultsFormatter
    )
