"""The whole agreement report: counts computed once per pair and per token, figures and bootstrap intervals from them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Mapping

import numpy as np

from annotator.agreement.bootstrap import alpha_samples, bootstrap_samples, f1_samples, percentile_interval
from annotator.agreement.chance import alpha_from_statistics, alpha_statistics, cohen_kappa, fleiss_kappa, krippendorff_alpha
from annotator.agreement.claims import CLAIMANT_RULE, claimant_counts
from annotator.agreement.corpus import AgreementError, Corpus, select_spans
from annotator.agreement.ranking import rank_documents
from annotator.agreement.results import (
    AgreementReport,
    ChanceAgreement,
    ClaimantAgreement,
    LabelPairF1,
    LabelSpanAgreement,
    PairClaimantAgreement,
    PairKappa,
    PairSpanAgreement,
    Score,
    SpanAgreement,
    SpanF1,
    TokenAgreement,
)
from annotator.agreement.spans import LABELLED_MODES, MODE_RULES, MODES, PairCounts, count_pairs, f1
from annotator.agreement.tags import SCHEME, TOKENIZER, TokenTable, binary_values, token_table
from annotator.model import Document

PER_LABEL_SCHEME = "binary per label: 1 where a span with that label covers the token (even under a shorter span of another label), else 0"


def agreement_report(
    annotations: Mapping[str, Mapping[str, Document]],
    *,
    kind: str = "entity",
    label: str | None = None,
    resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> AgreementReport:
    """Compare annotators' finished documents (annotator -> document key -> Document) for one kind and optionally one label."""
    if not isinstance(resamples, int) or resamples < 0:
        raise AgreementError(f"resamples must be a whole number >= 0 (0 skips confidence intervals), not {resamples!r}")
    if not 0 < confidence < 1:
        raise AgreementError(f"confidence must be between 0 and 1 (0.95 for a 95% interval), not {confidence!r}")
    corpus = select_spans(annotations, kind, label)
    pairs = count_pairs(corpus)
    table = token_table(corpus)
    document_disagreement, document_counts = _alpha_per_document(table, len(corpus.documents))
    figures: dict[Hashable, Callable[[np.ndarray], np.ndarray]] = {}
    for pair in pairs:
        for mode in MODES:
            figures[(mode, pair.first, pair.second)] = _f1_figure(pair, mode)
    figures["alpha"] = lambda weights: alpha_samples(weights, document_disagreement, document_counts)
    samples = bootstrap_samples(len(corpus.documents), resamples, seed, figures) if resamples and corpus.documents else {}
    alpha_value, alpha_reason = _alpha_value(corpus, document_disagreement, document_counts)
    alpha_interval = percentile_interval(samples["alpha"], confidence) if "alpha" in samples and alpha_value is not None else None
    all_tags = _chance_agreement(corpus, table.values, len(table.tags), Score(alpha_value, alpha_reason, alpha_interval))
    tokens = TokenAgreement(
        TOKENIZER, SCHEME, list(table.tags), int(len(table.values)), all_tags, PER_LABEL_SCHEME,
        {name: _chance_agreement(corpus, binary_values(table, label_id), 2) for label_id, name in enumerate(corpus.labels)},
    )
    return AgreementReport(
        kind=kind,
        label=label,
        annotators=list(corpus.annotators),
        documents=len(corpus.documents),
        documents_by_annotator={name: sum(name in spans for spans in corpus.spans) for name in corpus.annotators},
        bootstrap={"resamples": resamples, "seed": seed, "confidence": confidence, "unit": "document", "method": "percentile"},
        spans=_span_agreement(corpus, pairs, samples, confidence),
        tokens=tokens,
        claimants=_claimant_agreement(corpus) if kind == "claim" else None,
        documents_ranked=rank_documents(corpus, pairs),
        notes=corpus_notes(corpus),
    )


def _f1_figure(pair: PairCounts, mode: str) -> Callable[[np.ndarray], np.ndarray]:
    """The pair's micro F1 in each resample, from its per-document counts."""
    matched, first_spans, second_spans = (counts.sum(axis=1).astype(np.float64) for counts in (pair.matched[mode], pair.first_spans, pair.second_spans))
    return lambda weights: f1_samples(weights, matched, first_spans, second_spans)


def _alpha_per_document(table: TokenTable, documents: int) -> tuple[np.ndarray, np.ndarray]:
    """Krippendorff's sufficient statistics summed per document: disagreement (documents,) and pairable tag counts (documents, tags)."""
    disagreement, counts = alpha_statistics(table.values, len(table.tags), table.document_index, documents)
    return disagreement, counts.astype(np.float64)


def _alpha_value(corpus: Corpus, document_disagreement: np.ndarray, document_counts: np.ndarray) -> tuple[float | None, str | None]:
    if len(corpus.annotators) < 2:
        return None, "alpha needs at least two annotators"
    return alpha_from_statistics(float(document_disagreement.sum()), document_counts.sum(axis=0).astype(np.int64))


def _chance_agreement(corpus: Corpus, values: np.ndarray, categories: int, alpha: Score | None = None) -> ChanceAgreement:
    """Cohen's kappa per pair, Fleiss' kappa and Krippendorff's alpha of one tag matrix."""
    cohen = []
    for first_column, first in enumerate(corpus.annotators):
        for second_column in range(first_column + 1, len(corpus.annotators)):
            value, reason, tokens = cohen_kappa(values[:, first_column], values[:, second_column], categories)
            cohen.append(PairKappa(first, corpus.annotators[second_column], tokens, Score(value, reason)))
    return ChanceAgreement(cohen, Score(*fleiss_kappa(values, categories)), alpha or Score(*krippendorff_alpha(values, categories)))


def _span_agreement(corpus: Corpus, pairs: list[PairCounts], samples: dict, confidence: float) -> SpanAgreement:
    """Pair F1 in every mode with intervals, each annotator's mean, the mean over pairs, and per-label means."""
    results = []
    for pair in pairs:
        shared = int(pair.shared.sum())
        by_mode = {}
        for mode in MODES:
            matched, first_spans, second_spans = pair.totals(mode)
            value, reason = _f1_value(pair, matched, first_spans, second_spans, shared)
            found = samples.get((mode, pair.first, pair.second))
            interval = percentile_interval(found, confidence) if found is not None and value is not None else None
            by_mode[mode] = SpanF1(matched, first_spans, second_spans, Score(value, reason, interval))
        results.append(PairSpanAgreement(pair.first, pair.second, shared, **by_mode))
    means = {mode: _mean_over_pairs(results, mode, samples, confidence) for mode in MODES}
    annotator_means = {
        name: {
            mode: _mean_score(
                [getattr(pair, mode).f1.value for pair in results if name in (pair.first, pair.second)],
                _no_pairs_reason(corpus, name),
            )
            for mode in MODES
        }
        for name in corpus.annotators
    }
    labels = []
    label_counts = {annotator: Counter(span[2] for spans in corpus.spans for span in spans.get(annotator, ())) for annotator in corpus.annotators}
    for label_id, name in enumerate(corpus.labels):
        spans_by_annotator = {annotator: label_counts[annotator][label_id] for annotator in corpus.annotators}
        per_pair = {mode: [_label_f1(pair, mode, label_id, name) for pair in pairs] for mode in LABELLED_MODES}
        reason = (
            f"no annotator marked a span labelled {name!r}"
            if not any(spans_by_annotator.values())
            else "no pair of annotators shares a document with a span of this label"
        )
        label_means = {mode: _mean_score([score.value for score in scores], reason) for mode, scores in per_pair.items()}
        pair_scores = [LabelPairF1(pair.first, pair.second, exact, overlap) for pair, exact, overlap in zip(pairs, per_pair["exact"], per_pair["overlap"])]
        labels.append(LabelSpanAgreement(name, spans_by_annotator, label_means["exact"], label_means["overlap"], pair_scores))
    return SpanAgreement(dict(MODE_RULES), results, annotator_means, means, labels)


def _label_f1(pair: PairCounts, mode: str, label_id: int, label: str) -> Score:
    """One pair's F1 on one label's spans, or None with a reason."""
    matched, first_spans, second_spans = (int(counts[:, label_id].sum()) for counts in (pair.matched[mode], pair.first_spans, pair.second_spans))
    value = f1(matched, first_spans, second_spans)
    if value is not None:
        return Score(value)
    return Score(None, f"neither {pair.first} nor {pair.second} marked a span labelled {label!r} in a document both finished")


def _f1_value(pair: PairCounts, matched: int, first_spans: int, second_spans: int, shared: int) -> tuple[float | None, str | None]:
    if shared == 0:
        return None, f"{pair.first} and {pair.second} finished no document in common"
    value = f1(matched, first_spans, second_spans)
    if value is None:
        return None, f"neither {pair.first} nor {pair.second} marked a span in the documents both finished ({shared})"
    return value, None


def _mean_score(values: list[float | None], reason: str) -> Score:
    defined = [value for value in values if value is not None]
    return Score(sum(defined) / len(defined)) if defined else Score(None, reason)


def _no_pairs_reason(corpus: Corpus, name: str) -> str:
    if len(corpus.annotators) < 2:
        return "no other annotator to compare with"
    return f"F1 is undefined between {name} and every other annotator (no shared document, or no spans in them)"


def _mean_over_pairs(results: list[PairSpanAgreement], mode: str, samples: dict, confidence: float) -> Score:
    """Mean F1 over pairs with a defined F1, its interval from the same pairs' resampled F1."""
    defined = [pair for pair in results if getattr(pair, mode).f1.value is not None]
    if not defined:
        reason = "there is only one annotator" if not results else "no pair of annotators has a defined F1 (no shared document with spans)"
        return Score(None, reason)
    value = sum(getattr(pair, mode).f1.value for pair in defined) / len(defined)
    keys = [(mode, pair.first, pair.second) for pair in defined]
    if not all(key in samples for key in keys):
        return Score(value)
    stacked = np.stack([samples[key] for key in keys], axis=1)
    defined_counts = (~np.isnan(stacked)).sum(axis=1)
    sums = np.where(np.isnan(stacked), 0.0, stacked).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        resampled_means = np.where(defined_counts > 0, sums / np.maximum(defined_counts, 1), np.nan)
    return Score(value, None, percentile_interval(resampled_means, confidence))


def _claimant_agreement(corpus: Corpus) -> ClaimantAgreement:
    results = []
    for first_index, first in enumerate(corpus.annotators):
        for second in corpus.annotators[first_index + 1 :]:
            matched, agreeing = (int(counts.sum()) for counts in claimant_counts(corpus, first, second))
            score = Score(agreeing / matched) if matched else Score(None, f"{first} and {second} have no matched claims in the documents both finished")
            results.append(PairClaimantAgreement(first, second, matched, agreeing, score))
    reason = "there is only one annotator" if not results else "no pair of annotators has a matched claim"
    return ClaimantAgreement(CLAIMANT_RULE, results, _mean_score([pair.agreement.value for pair in results], reason))


def corpus_notes(corpus: Corpus) -> list[str]:
    """What about the data limits the figures: one annotator, no shared documents, unused labels, incomplete design."""
    notes = []
    if len(corpus.annotators) < 2:
        notes.append(f"only one annotator ({corpus.annotators[0]}) finished documents: there is nobody to compare with")
    shared = [index for index in range(len(corpus.documents)) if len(corpus.spans[index]) >= 2]
    if len(corpus.annotators) >= 2 and not shared:
        notes.append("no document was finished by two annotators, so no figure can be computed")
    unfinished = sum(len(spans) < len(corpus.annotators) for spans in corpus.spans)
    if len(corpus.annotators) >= 2 and unfinished:
        notes.append(
            f"{unfinished} of {len(corpus.documents)} documents were not finished by every annotator: pairs compare the documents both finished, "
            "alpha treats the rest as missing, and Fleiss' kappa is undefined"
        )
    used = {span[2] for spans in corpus.spans for marked in spans.values() for span in marked}
    for label_id, name in enumerate(corpus.labels):
        if label_id not in used:
            notes.append(f"no annotator used the label {name!r}")
    if not corpus.labels:
        notes.append(f"no annotator marked a span of kind {corpus.kind!r}")
    return notes
