"""Plain text files, one document each, named by their file name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from annotator.formats.jsonio import SURROGATE
from annotator.model import Document, InputError


def text_files(path: Path) -> list[Path]:
    """The files to read: the file itself, or every .txt file under a folder, each one document."""
    if path.is_dir():
        return sorted(child for child in path.rglob("*.txt") if child.is_file())
    return [path]


def read_text_file(path: Path, root: Path | None = None) -> Iterator[tuple[int, Document | InputError]]:
    """One document named by its file name, or inside a folder by its path there (2024/story), so names stay unique."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        yield line, InputError("not UTF-8 text; save the file as UTF-8", str(path), line)
        return
    if not text.strip():
        yield 1, InputError("the file is empty", str(path), 1)
        return
    name = path.relative_to(root).with_suffix("").as_posix() if root is not None else path.stem
    if SURROGATE.search(name):
        # A name of bytes that are not UTF-8 comes from the file system as surrogates, which SQLite cannot store.
        yield 1, InputError("the file name is not UTF-8 (the document id comes from it); rename the file", str(path))
        return
    yield 1, Document(text=text, id=name, meta={"file": path.name})


def document_bytes(path: Path, document: Document) -> int:
    """How much a document read took (its whole file), for progress."""
    return path.stat().st_size
