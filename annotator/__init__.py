"""annotator: keyboard-first annotation of entities and claims in news articles."""

__version__ = "0.1.0"
