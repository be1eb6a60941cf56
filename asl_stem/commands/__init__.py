"""Subcommands of ``asl-stem``: one module each, with ``register(subparsers)``."""
