"""The agreement report as rich tables for the terminal; every cell is a Text, so article text is never read as markup."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from annotator.agreement.ranking import DocumentDisagreement
from annotator.agreement.results import AgreementReport, ChanceAgreement, Score, SpanAgreement
from annotator.agreement.spans import MODES

UNDEFINED = "n/a"


def render_report(report: AgreementReport, *, matrix_mode: str = "overlap", top_documents: int = 10, spans_per_document: int = 5) -> Group:
    """Summary, span F1 by pair and as a matrix, per label, token agreement, claimants, and the most disputed documents."""
    parts = [_summary(report), _pairs_table(report.spans), _matrix_table(report.spans, matrix_mode), _labels_table(report), _tokens_table(report)]
    if report.claimants is not None:
        parts.append(_claimants_table(report))
    parts.append(_documents_table(report.documents_ranked[:top_documents], spans_per_document, report.kind))
    return Group(*parts)


def score_text(score: Score, digits: int = 3) -> Text:
    """A figure with its interval, or 'n/a' when undefined."""
    if score.value is None:
        return Text(UNDEFINED, style="dim")
    text = Text(f"{score.value:.{digits}f}")
    if score.interval is not None:
        # Compact ([.812-.881], no leading zeros) so a figure with its interval fits an 80-column table cell.
        text.append(f" [{_bare(score.interval.low, digits)}\u2013{_bare(score.interval.high, digits)}]", style="dim")
    return text


def _bare(value: float, digits: int) -> str:
    """0.812 as .812 and -0.050 as -.050: an interval bound without its leading zero."""
    shown = f"{value:.{digits}f}"
    return shown.replace("0.", ".", 1) if shown.lstrip("-").startswith("0.") else shown


def _summary(report: AgreementReport) -> Table:
    table = Table(title="Agreement", show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    table.add_row(Text("kind"), Text(report.kind + (f", label {report.label}" if report.label else "")))
    finished = ", ".join(f"{name} ({count})" for name, count in report.documents_by_annotator.items())
    table.add_row(Text("annotators"), Text(finished))
    table.add_row(Text("documents"), Text(str(report.documents)))
    bootstrap = report.bootstrap
    if bootstrap["resamples"]:
        intervals = (
            f"{bootstrap['confidence']:.0%} percentile bootstrap over documents, "
            f"{bootstrap['resamples']} resamples, seed {bootstrap['seed']}"
        )
        table.add_row(Text("intervals"), Text(intervals))
    for note in report.notes:
        table.add_row(Text("note"), Text(note, style="yellow"))
    return table


def _pairs_table(spans: SpanAgreement) -> Table:
    table = Table(title="Span F1 by pair (micro over shared documents)", caption=Text("; ".join(spans.modes.values())))
    for header in ("pair", "documents", *MODES):
        table.add_column(header, justify="left" if header == "pair" else "right")
    for pair in spans.pairs:
        table.add_row(Text(f"{pair.first} ~ {pair.second}"), Text(str(pair.shared_documents)), *(score_text(getattr(pair, mode).f1) for mode in MODES))
    table.add_row(Text("mean over pairs", style="bold"), Text(""), *(score_text(spans.mean[mode]) for mode in MODES))
    return table


def _matrix_table(spans: SpanAgreement, mode: str) -> Table:
    table = Table(title=f"Span F1 matrix ({mode})")
    names = list(spans.annotator_means)
    table.add_column("")
    for name in names:
        table.add_column(Text(name), justify="right")
    table.add_column("mean vs others", justify="right")
    cells = spans.matrix(mode)
    for name in names:
        row = [Text("—", style="dim") if other == name else score_text(Score(cells[name][other])) for other in names]
        table.add_row(Text(name, style="bold"), *row, score_text(spans.annotator_means[name][mode]))
    return table


def _labels_table(report: AgreementReport) -> Table:
    table = Table(title="Per label (mean over pairs; token figures one label against the rest)")
    table.add_column("label")
    table.add_column(Text(f"spans ({' / '.join(report.annotators)})"), justify="right")
    for header in ("exact F1", "overlap F1", "alpha", "Fleiss"):
        table.add_column(header, justify="right")
    for label in report.spans.labels:
        token_figures = report.tokens.labels.get(label.label)
        table.add_row(
            Text(label.label),
            Text(" / ".join(str(count) for count in label.spans_by_annotator.values())),
            score_text(label.exact),
            score_text(label.overlap),
            score_text(token_figures.alpha) if token_figures else Text(UNDEFINED),
            score_text(token_figures.fleiss) if token_figures else Text(UNDEFINED),
        )
    return table


def _tokens_table(report: AgreementReport) -> Table:
    tokens = report.tokens
    table = Table(title=Text(f"Token agreement ({tokens.tokens} tokens; tags {', '.join(tokens.tags)})"), caption=Text(f"{tokens.tokenizer}. {tokens.scheme}."))
    table.add_column("measure")
    table.add_column("tokens", justify="right")
    table.add_column("value", justify="right")
    table.add_column("why undefined")
    _chance_rows(table, tokens.all_tags)
    return table


def _chance_rows(table: Table, figures: ChanceAgreement) -> None:
    for pair in figures.cohen:
        table.add_row(
            Text(f"Cohen's kappa {pair.first} ~ {pair.second}"),
            Text(str(pair.tokens)),
            score_text(pair.kappa),
            Text(pair.kappa.reason or "", style="dim"),
        )
    table.add_row(Text("Fleiss' kappa"), Text(""), score_text(figures.fleiss), Text(figures.fleiss.reason or "", style="dim"))
    table.add_row(Text("Krippendorff's alpha (nominal)"), Text(""), score_text(figures.alpha), Text(figures.alpha.reason or "", style="dim"))


def _claimants_table(report: AgreementReport) -> Table:
    claimants = report.claimants
    table = Table(title="Claimant agreement on matched claims", caption=claimants.rule)
    for header in ("pair", "matched claims", "agreeing", "agreement"):
        table.add_column(header, justify="left" if header == "pair" else "right")
    for pair in claimants.pairs:
        table.add_row(Text(f"{pair.first} ~ {pair.second}"), Text(str(pair.matched_claims)), Text(str(pair.agreeing)), score_text(pair.agreement))
    table.add_row(Text("mean over pairs", style="bold"), Text(""), Text(""), score_text(claimants.mean))
    return table


def _documents_table(documents: list[DocumentDisagreement], spans_per_document: int, kind: str = "entity") -> Table:
    rule = "1 - mean pairwise overlap F1" + (", a match counting when claimants agree" if kind == "claim" else "")
    table = Table(title=f"Documents with the most disagreement ({rule})")
    table.add_column("document")
    table.add_column("disagreement", justify="right")
    table.add_column("differing spans", justify="right")
    table.add_column("spans (who marked them)")
    for document in documents:
        shown = Text()
        for number, span in enumerate(document.differing_spans[:spans_per_document]):
            if number:
                shown.append("\n")
            shown.append(span.text, style="bold")
            shown.append(f" {span.label} ", style="cyan")
            if span.claimants:
                named = "; ".join(f"{name}: {' / '.join(texts) or 'none'}" for name, texts in span.claimants.items())
                shown.append(f"claimant {named}", style="dim")
            else:
                shown.append(", ".join(span.annotators), style="dim")
        hidden = len(document.differing_spans) - spans_per_document
        if hidden > 0:
            shown.append(f"\n… {hidden} more", style="dim")
        table.add_row(Text(document.document), Text(f"{document.disagreement:.3f}"), Text(str(len(document.differing_spans))), shown)
    return table
