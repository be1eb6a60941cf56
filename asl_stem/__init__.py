"""asl-stem: the toolkit for the ASL STEM Wiki corpus."""

__version__ = "0.1.0"
