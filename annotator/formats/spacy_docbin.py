"""spaCy DocBin files for ``spacy train``: FOLDER/train.spacy, and FOLDER/dev.spacy when a share is held out.

Each document is tokenised by ``spacy.blank("en")`` (no model needed) and holds:

- ``doc.ents``: entities, one layer for NER. Overlapping entities cannot all be there: the
  earliest (then the longest) is kept, the others are counted in the report;
- ``doc.spans["entities"]``: every entity, overlapping or not, so none is lost;
- ``doc.spans["claims"]`` and ``doc.spans["claimants"]``: claims and claimant spans, by label;
- ``doc.user_data["claimant_of"]``: the claim -> claimant links, a list of
  ``[claim index in doc.spans["claims"], "entities" or "claimants", index in that group]`` (indices
  rather than offsets, so a claimant that is also an entity is never ambiguous);
- ``doc.user_data["id"]``, ``["meta"]``, ``["annotator"]``, ``["source"]``.

Reading takes every span group: ``entities``, ``claims`` and ``claimants`` as written here, and any
other group (``sc``, the default key of spaCy's span categoriser, span finder and of Prodigy's
``data-to-spacy``, among them) span by span, each span's kind told by its label in the dataset's
schema (a label that is both an entity and a claim label takes the kind of the group's other labels).
A group that cannot be mapped so stops the document, naming the group and its labels.

Spans must sit on token boundaries in spaCy: each is trimmed of surrounding spaces (a spaCy span
never ends on a token's trailing space, and NER rejects entities that start or end on one), then
grown to whole tokens with ``char_span(alignment_mode="expand")``; the report counts every span
that changed and every span left out (covering only spaces). Span attributes and scores are left out.

Memory stays flat: at most ``docs_per_file`` documents are held at once, and the tokenizer's
vocabulary (which keeps every word it has seen) is renewed as often. A part with more
documents is written as a folder of numbered files (FOLDER/train/0001.spacy ...), which spaCy
reads the same way (``--paths.train FOLDER/train``). A document goes to dev when a hash of the
seed and its id (or text) falls under ``dev_fraction``, so the split is fixed by the seed and a
document keeps its side when the corpus grows. spaCy is imported inside the functions only.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from annotator.formats.kinds import SPACY, KindError, kind_of_label, schema_labels
from annotator.formats.registry import ExportReport, staged_folder
from annotator.model import AnnotatorError, Document, InputError, Relation, Span, span_identity
from annotator.schema import Schema

GROUPS = {"entity": "entities", "claim": "claims", "claimant": "claimants"}
KIND_OF_GROUP = {group: kind for kind, group in GROUPS.items()}
ID_PREFIX = {"entities": "e", "claims": "c", "claimants": "a"}
LABELS_SHOWN = 10
DOCS_PER_FILE = 1000
REASON = "spaCy spans cover whole tokens and doc.ents holds one layer"
# DocBin writes user_data with msgpack, which refuses lists and maps nested more than 511 deep; user_data is one of them.
META_DEPTH = 511 - 1


def write_spacy(
    documents: Iterable[Document], folder: Path, *, dev_fraction: float = 0.0, seed: int = 0, docs_per_file: int = DOCS_PER_FILE
) -> ExportReport:
    """Write train.spacy (and dev.spacy) into a new folder; the report says what changed and what was left out."""
    import spacy

    if not 0.0 <= dev_fraction < 1.0:
        raise ValueError(f"dev_fraction must be at least 0 and below 1, got {dev_fraction}")
    nlp = spacy.blank("en")
    report = ExportReport("spacy", REASON)
    folder = Path(folder)
    with staged_folder(folder) as partial:
        parts = {"train": _Part(partial, "train", docs_per_file), "dev": _Part(partial, "dev", docs_per_file)}
        for document in documents:
            if report.documents and report.documents % docs_per_file == 0:
                nlp = spacy.blank("en")  # a fresh vocab: the old one keeps every word ever seen, and grows with the corpus
            doc = doc_from_document(nlp, document, report)
            parts["dev" if _held_out(document, dev_fraction, seed) else "train"].add(doc)
            report.documents += 1
        for part in parts.values():
            written = part.close()
            if written:
                files = f" in {part.files} files" if part.files else ""
                report.outputs.append(f"{folder}/{written} ({part.count} documents{files})")
        if dev_fraction > 0 and parts["dev"].count == 0 and report.documents:
            report.change("times no document fell into dev (too few documents for this dev_fraction)")
    return report


def split_position(document: Document, seed: int) -> float:
    """The document's place in [0, 1) for a train/dev split: fixed by its id (or text) and the seed, so a
    document keeps its side as the corpus grows; export --split and annotator train both use it."""
    key = document.id if document.id is not None else document.text
    digest = hashlib.blake2b(f"{seed}\x00{key}".encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _held_out(document: Document, dev_fraction: float, seed: int) -> bool:
    return dev_fraction > 0 and split_position(document, seed) < dev_fraction


class _Part:
    """train or dev: one DocBin in memory, spilled to numbered files once it outgrows docs_per_file."""

    def __init__(self, folder: Path, name: str, docs_per_file: int):
        self.folder, self.name, self.docs_per_file = folder, name, max(1, docs_per_file)
        self.docbin: Any = None
        self.count = 0
        self.files = 0

    def add(self, doc: Any) -> None:
        from spacy.tokens import DocBin

        if self.docbin is not None and len(self.docbin) >= self.docs_per_file:
            self._spill()
        if self.docbin is None:
            self.docbin = DocBin(attrs=["ENT_IOB", "ENT_TYPE"], store_user_data=True)
        self.docbin.add(doc)
        self.count += 1

    def _spill(self) -> None:
        self.files += 1
        (self.folder / self.name).mkdir(exist_ok=True)
        self.docbin.to_disk(self.folder / self.name / f"{self.files:04d}.spacy")
        self.docbin = None

    def close(self) -> str | None:
        """Write what is left: NAME.spacy if it all fitted in one file, else the last numbered file."""
        if self.docbin is None:
            return f"{self.name}/" if self.files else None
        if self.files:
            self._spill()
            return f"{self.name}/"
        self.docbin.to_disk(self.folder / f"{self.name}.spacy")
        return f"{self.name}.spacy"


def doc_from_document(nlp: Any, document: Document, report: ExportReport) -> Any:
    """A spaCy Doc holding the document's spans in doc.ents, doc.spans and its links in user_data."""
    doc = nlp.make_doc(document.text)
    placed: dict[int, tuple[str, int]] = {}
    groups: dict[str, list[Any]] = {group: [] for group in GROUPS.values()}
    for span in document.spans:
        if span.kind not in GROUPS:
            report.leave_out(f"spans of unknown kind {span.kind!r}", document)
            continue
        aligned = _align(doc, span, document, report)
        if aligned is None:
            continue
        group = groups[GROUPS[span.kind]]
        if span.id is not None:
            placed[span.id] = (GROUPS[span.kind], len(group))
        group.append(aligned)
        report.wrote(span.kind)
        if span.attributes:
            report.leave_out("span attributes", document)
        if span.score is not None:
            report.leave_out("scores", document)
    for group, spans in groups.items():
        if spans:  # an empty group costs a msgpack call per document in DocBin.add, and reads back the same
            doc.spans[group] = spans
    doc.ents = _one_layer(groups["entities"], document, report)
    links = []
    for relation in document.relations:
        claim, claimant = placed.get(relation.from_id), placed.get(relation.to_id)
        if relation.type != "claimant" or claim is None or claimant is None or claim[0] != "claims" or claimant[0] == "claims":
            report.leave_out("claimant links whose spans were left out or are not claim -> entity or claimant", document)
            continue
        links.append([claim[1], claimant[0], claimant[1]])
        report.relations += 1
    doc.user_data["claimant_of"] = links
    doc.user_data["id"] = document.id
    depth = nesting_depth(document.meta)
    if depth > META_DEPTH:
        name = document.id if document.id is not None else f"document {report.documents + 1}"
        raise AnnotatorError(
            f"{name}: its meta nests {depth} levels deep, more than a spaCy DocBin holds ({META_DEPTH}; import reads about a "
            "thousand): export it as jsonl, which holds it, or flatten its meta"
        )
    doc.user_data["meta"] = document.meta
    doc.user_data["annotator"] = document.annotator
    doc.user_data["source"] = document.source
    return doc


def nesting_depth(value: Any) -> int:
    """How many lists and objects sit inside each other at the deepest point of a JSON value (counted without recursion)."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, (list, tuple)):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        pending.extend((child, depth + 1) for child in children)
    return deepest


def _align(doc: Any, span: Span, document: Document, report: ExportReport) -> Any:
    """Trim surrounding spaces (a spaCy span never ends on a token's trailing space), then grow to whole tokens."""
    covered = document.text[span.start : span.end]
    start = span.start + len(covered) - len(covered.lstrip())
    end = span.end - len(covered) + len(covered.rstrip())
    if start >= end:
        report.leave_out("spans covering only spaces", document)
        return None
    if (start, end) != (span.start, span.end):
        report.change("spans trimmed of surrounding spaces", document)
    aligned = doc.char_span(start, end, label=span.label, alignment_mode="expand")
    if aligned is None or len(aligned) == 0:
        report.leave_out("spans covering no token", document)
        return None
    if (aligned.start_char, aligned.end_char) != (start, end):
        report.change("spans grown to whole tokens", document)
    return aligned


def _one_layer(entities: list[Any], document: Document, report: ExportReport) -> list[Any]:
    kept: list[Any] = []
    for entity in sorted(entities, key=lambda entity: (entity.start, -entity.end)):
        if kept and entity.start < kept[-1].end:
            report.leave_out("overlapping entity spans kept out of doc.ents (they stay in doc.spans['entities'])", document)
            continue
        kept.append(entity)
    return kept


def read_spacy(path: Path, schema: Schema | None = None) -> Iterator[tuple[int, Document | InputError]]:
    """Read a .spacy file, or every .spacy file in a folder; a document is numbered by its place in its file.

    ``schema`` (the dataset's, given by the importer) tells the kind of each span in a group other than
    entities, claims and claimants; without it such a group is refused."""
    import spacy
    from spacy.tokens import DocBin

    path = Path(path)
    files = sorted(path.rglob("*.spacy")) if path.is_dir() else [path]
    if not files:
        yield 0, InputError("no .spacy files in this folder", str(path))
        return
    vocab = spacy.blank("en").vocab
    for file in files:
        try:
            docbin = DocBin().from_disk(file)
        except OSError:
            raise
        except Exception as error:  # noqa: BLE001 - zlib, msgpack, numpy and spaCy each fail their own way on a damaged file
            yield 0, InputError(f"not a spaCy DocBin file ({_reason(error)}); write it with DocBin.to_disk", str(file))
            continue
        docs = docbin.get_docs(vocab)
        for number in itertools.count(1):
            try:
                doc = next(docs)
            except StopIteration:
                break
            except Exception as error:  # noqa: BLE001 - the same, for a file whose header reads but whose documents do not
                yield number, InputError(f"document {number} is damaged ({_reason(error)}); write the file again with DocBin.to_disk", str(file), number)
                break
            try:
                document = document_from_doc(doc, schema)
            except ValueError as error:
                yield number, InputError(f"document {number}: {error}", str(file), number)
                continue
            except Exception as error:  # noqa: BLE001 - spaCy builds spans and labels lazily, so damage can show only now
                yield number, InputError(f"document {number} is damaged ({_reason(error)}); write the file again with DocBin.to_disk", str(file), number)
                continue
            yield number, document


def _reason(error: Exception) -> str:
    return f"{type(error).__name__}: {str(error)[:200]}"


def _refuse_unread_labels(doc: Any) -> None:
    """Raise ValueError naming labels the Doc holds where this reader does not read them, so none is dropped silently:
    entities in doc.ents missing from doc.spans["entities"] (which is read instead), doc.cats."""
    unread = []
    if "entities" in doc.spans:
        grouped = {(span.start_char, span.end_char, span.label_) for span in doc.spans["entities"]}
        missing = [span for span in doc.ents if (span.start_char, span.end_char, span.label_) not in grouped]
        if missing:
            unread.append(f"doc.ents ({len(missing)} entities not in doc.spans['entities'], which is read instead)")
    if doc.cats:
        unread.append(f"doc.cats ({len(doc.cats)} document labels)")
    if unread:
        raise ValueError(
            f"{'; '.join(unread)} would be lost: this reader reads spans (doc.ents or doc.spans['entities'], and span groups), "
            "not document labels; move those spans into doc.spans['entities'], or remove them"
        )


def _group_kinds(name: str, group: Any, schema: Schema | None) -> tuple[list[str], str | None]:
    """Each span's kind in a span group this tool does not write (``sc`` ...), by formats/kinds.py's one rule, the
    group being this reader's evidence: a label of two kinds (EVENT: an entity and a claim) takes the one of them that
    the group's other labels have, when they have exactly one of them (claims, or claims and claimants). Or why the
    group cannot be mapped."""
    labels = sorted({span.label_ for span in group})
    listed = ", ".join(map(repr, labels[:LABELS_SHOWN])) + (f" and {len(labels) - LABELS_SHOWN} more" if len(labels) > LABELS_SHOWN else "")
    shown = f"doc.spans[{name!r}] ({len(group)} spans, labels {listed})"
    if schema is None:
        return [], f"{shown} can be read only against a dataset's schema, which tells each label's kind (annotator import gives it)"
    kind_of: dict[str, str] = {}
    unknown: list[str] = []
    two_kinds: list[str] = []
    for label in labels:
        try:
            kind_of[label] = kind_of_label(label, schema, SPACY)
        except KindError as error:
            (unknown if error.problem == "no kind" else two_kinds).append(label)
    if unknown:
        verb = "is" if len(unknown) == 1 else "are"
        return [], (
            f"{shown}: {', '.join(map(repr, unknown))} {verb} not a label of schema {schema.name} ({schema_labels(schema)}; "
            "rename, or use a dataset whose schema has it)"
        )
    grouped_with = set(kind_of.values())
    for label in two_kinds:
        try:
            kind_of[label] = kind_of_label(label, schema, SPACY, grouped_with=grouped_with)
        except KindError:
            return [], (
                f"{shown}: {label!r} is both an entity and a claim label of schema {schema.name}, and {SPACY.unsaid} "
                f"({SPACY.fix})"
            )
    return [kind_of[span.label_] for span in group], None


def document_from_doc(doc: Any, schema: Schema | None = None) -> Document:
    """Our Document from a Doc written here or elsewhere (entities then come from doc.ents, other span groups through the schema)."""
    if not doc.text.strip():
        raise ValueError("its text is empty")
    _refuse_unread_labels(doc)
    spans: list[Span] = []
    ids: dict[tuple[str, int], int] = {}
    read: set[tuple[str, int, int, str]] = set()

    def add(aligned: Any, label: str, kind: str, ref: str) -> int:
        span = Span(aligned.start_char, aligned.end_char, label, kind, id=len(spans) + 1, ref=ref)
        spans.append(span)
        read.add(span_identity(span))
        return span.id

    sources = {"entities": list(doc.spans["entities"]) if "entities" in doc.spans else list(doc.ents)}
    for group in ("claims", "claimants"):
        sources[group] = list(doc.spans[group]) if group in doc.spans else []
    for group, group_spans in sources.items():
        for index, aligned in enumerate(group_spans):
            ids[(group, index)] = add(aligned, aligned.label_ or group, KIND_OF_GROUP[group], f"{ID_PREFIX[group]}{index + 1}")
    unmapped = []
    for name, group in doc.spans.items():
        if name in KIND_OF_GROUP or not len(group):
            continue
        kinds, problem = _group_kinds(name, group, schema)
        if problem:
            unmapped.append(problem)
            continue
        for index, (aligned, kind) in enumerate(zip(group, kinds)):
            # The same span in two groups (doc.ents and doc.spans["sc"], as a recogniser and a span categoriser both trained on it) is one span.
            if (kind, aligned.start_char, aligned.end_char, aligned.label_) not in read:
                add(aligned, aligned.label_, kind, f"{name}[{index}]")
    if unmapped:
        raise ValueError(
            f"{'; '.join(unmapped)}. {'This group' if len(unmapped) == 1 else 'These groups'} would be lost: a span in a group other "
            "than 'entities', 'claims' and 'claimants' takes the kind its label has in the dataset's schema"
        )
    relations = []
    user_data = doc.user_data
    links = user_data.get("claimant_of", []) or []
    if not isinstance(links, (list, tuple)):
        raise ValueError(f"user_data['claimant_of'] must be a list of links, got {type(links).__name__}")
    for link in links:
        usable = isinstance(link, (list, tuple)) and len(link) == 3 and all(isinstance(part, (str, int)) for part in link)
        if not usable or (link[1], link[2]) not in ids or ("claims", link[0]) not in ids:
            raise ValueError(f"user_data['claimant_of'] has a link {link!r} to no span; expected [claim index, 'entities' or 'claimants', index]")
        relations.append(Relation(ids[("claims", link[0])], ids[(link[1], link[2])], "claimant"))
    doc_id = user_data.get("id")
    meta = user_data.get("meta")
    annotator = user_data.get("annotator")
    source = user_data.get("source")
    if doc_id is not None and (not isinstance(doc_id, (str, int)) or isinstance(doc_id, bool)):
        raise ValueError(f"user_data['id'] must be a string or an integer, got {type(doc_id).__name__}")
    if isinstance(meta, dict):
        try:
            json.dumps(meta)
        except (TypeError, ValueError) as error:
            raise ValueError(f"user_data['meta'] holds what JSON cannot ({error})") from None
    return Document(
        text=doc.text,
        id=None if doc_id is None else str(doc_id),
        meta=dict(meta) if isinstance(meta, dict) else {},
        spans=spans,
        relations=relations,
        annotator=annotator if isinstance(annotator, str) else "",
        source=source if isinstance(source, str) else None,
    )
