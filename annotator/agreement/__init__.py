"""Inter-annotator agreement: pure functions over model objects (span F1, kappa, alpha, bootstrap, ranking).

Start with agreement_report(annotations, kind=..., label=...) and render_report(report); the
modules below expose each step for callers that need only one figure.
"""

from annotator.agreement.corpus import AgreementError, Corpus, select_spans
from annotator.agreement.render import render_report
from annotator.agreement.report import agreement_report
from annotator.agreement.results import AgreementReport, Score

__all__ = ["AgreementError", "AgreementReport", "Corpus", "Score", "agreement_report", "render_report", "select_spans"]
