"""The agreement report as plain dataclasses: JSON-serialisable through to_dict, with None and a reason for every undefined figure."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from annotator.agreement.bootstrap import Interval
from annotator.agreement.ranking import DocumentDisagreement


@dataclass(frozen=True)
class Score:
    """A figure that may be undefined (value None, reason says why), with its bootstrap interval when computed."""

    value: float | None
    reason: str | None = None
    interval: Interval | None = None


@dataclass(frozen=True)
class SpanF1:
    """One pair's span F1 in one matching mode, micro over the documents both finished."""

    matched: int
    first_spans: int
    second_spans: int
    f1: Score


@dataclass(frozen=True)
class PairSpanAgreement:
    """Span F1 of two annotators in every mode."""

    first: str
    second: str
    shared_documents: int
    exact: SpanF1
    boundary: SpanF1
    overlap: SpanF1


@dataclass(frozen=True)
class LabelPairF1:
    """Two annotators' span F1 restricted to one label, micro over the documents both finished."""

    first: str
    second: str
    exact: Score
    overlap: Score


@dataclass(frozen=True)
class LabelSpanAgreement:
    """Span F1 restricted to one label, per pair and as a mean over pairs (boundary mode equals exact once the label is fixed)."""

    label: str
    spans_by_annotator: dict[str, int]
    exact: Score
    overlap: Score
    pairs: list[LabelPairF1]


@dataclass(frozen=True)
class SpanAgreement:
    """Pairwise span F1: each pair, each annotator's mean against the others, the mean over pairs, and per label."""

    modes: dict[str, str]  # mode -> how spans match in it
    pairs: list[PairSpanAgreement]
    annotator_means: dict[str, dict[str, Score]]
    mean: dict[str, Score]
    labels: list[LabelSpanAgreement]

    def matrix(self, mode: str) -> dict[str, dict[str, float | None]]:
        """F1 for every ordered pair of annotators in one mode; None on the diagonal and where undefined."""
        names = list(self.annotator_means)
        cells: dict[str, dict[str, float | None]] = {name: {other: None for other in names} for name in names}
        for pair in self.pairs:
            value = getattr(pair, mode).f1.value
            cells[pair.first][pair.second] = cells[pair.second][pair.first] = value
        return cells


@dataclass(frozen=True)
class PairKappa:
    """Cohen's kappa of two annotators over the tokens of the documents both finished."""

    first: str
    second: str
    tokens: int
    kappa: Score


@dataclass(frozen=True)
class ChanceAgreement:
    """Chance-corrected agreement on one tag set."""

    cohen: list[PairKappa]
    fleiss: Score
    alpha: Score


@dataclass(frozen=True)
class TokenAgreement:
    """Token-level agreement, saying which tokens and which tag scheme were used."""

    tokenizer: str
    scheme: str
    tags: list[str]
    tokens: int
    all_tags: ChanceAgreement
    per_label_scheme: str
    labels: dict[str, ChanceAgreement]


@dataclass(frozen=True)
class PairClaimantAgreement:
    """How often two annotators' matched claims have agreeing claimants."""

    first: str
    second: str
    matched_claims: int
    agreeing: int
    agreement: Score


@dataclass(frozen=True)
class ClaimantAgreement:
    """Claimant agreement for every pair, and its mean over pairs."""

    rule: str
    pairs: list[PairClaimantAgreement]
    mean: Score


@dataclass(frozen=True)
class AgreementReport:
    """Everything `annotator agree` shows, for one kind and optionally one label."""

    kind: str
    label: str | None
    annotators: list[str]
    documents: int
    documents_by_annotator: dict[str, int]
    bootstrap: dict[str, Any]
    spans: SpanAgreement
    tokens: TokenAgreement
    claimants: ClaimantAgreement | None
    documents_ranked: list[DocumentDisagreement]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain dicts, lists, strings, numbers and None, ready for json.dumps(allow_nan=False)."""
        return asdict(self)
