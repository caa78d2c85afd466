"""One module per interchange format, each with a reader and a writer."""
