"""Suggestion engines: texts in, spans out. Only this package (and training) imports spaCy."""
