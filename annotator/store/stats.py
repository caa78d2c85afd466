"""Figures over a dataset: progress and time per annotator, and how suggestions fared."""

from __future__ import annotations

from typing import Any

from annotator.memory import MEMORY_SOURCE
from annotator.store.corpus import Corpus


class Stats(Corpus):
    """The figures `annotator stats` prints."""

    def stats(self) -> list[dict[str, Any]]:
        result = []
        for dataset in self.dataset_names():
            documents = self.document_count(dataset)
            suggested = self.conn.execute(
                # Documents a suggester ran on: the memory's runs (annotators' own labels, echoed) are not counted.
                "SELECT count(DISTINCT r.document_id) FROM suggestion_runs r JOIN documents d ON d.id = r.document_id WHERE d.dataset = ? AND r.source != ?",
                [dataset, MEMORY_SOURCE],
            ).fetchone()[0]
            per_annotator: dict[str, dict[str, Any]] = {}
            for annotator, status, count, seconds in self.conn.execute(
                "SELECT s.annotator, s.status, count(*), sum(s.seconds) FROM doc_status s JOIN documents d ON d.id = s.document_id "
                "WHERE d.dataset = ? GROUP BY s.annotator, s.status ORDER BY s.annotator",
                [dataset],
            ):
                entry = per_annotator.setdefault(annotator, {"done": 0, "skipped": 0, "in_progress": 0, "seconds": 0.0})
                if status in entry:
                    entry[status] = count
                entry["seconds"] += seconds or 0
            for annotator, spans in self.conn.execute(
                "SELECT a.annotator, count(*) FROM annotations a JOIN documents d ON d.id = a.document_id WHERE d.dataset = ? GROUP BY a.annotator",
                [dataset],
            ):
                per_annotator.setdefault(annotator, {"done": 0, "skipped": 0, "in_progress": 0, "seconds": 0.0})["spans"] = spans
            for annotator, median in self._median_seconds(dataset).items():
                entry = per_annotator.setdefault(annotator, {"done": 0, "skipped": 0, "in_progress": 0, "seconds": 0.0})
                entry["median_seconds"] = median
            for entry in per_annotator.values():
                hours = entry["seconds"] / 3600
                entry["documents_per_hour"] = round(entry["done"] / hours, 1) if hours > 0 else None
            schema = self.schema(dataset)
            result.append(
                {
                    "dataset": dataset, "schema": f"{schema.name} {schema.version}", "documents": documents, "suggested": suggested,
                    "annotators": per_annotator, "suggestion_outcomes": self.suggestion_outcomes(dataset),
                    "learner_outcomes": self.learner_outcomes(dataset),
                    "learned_models": self.learned_models(dataset),  # annotate --learn's versions (the Learned mixin of Store)
                }
            )
        return result

    def _median_seconds(self, dataset: str) -> dict[str, float]:
        """Median time spent on a finished document, per annotator."""
        times: dict[str, list[float]] = {}
        for annotator, seconds in self.conn.execute(
            "SELECT s.annotator, s.seconds FROM doc_status s JOIN documents d ON d.id = s.document_id "
            "WHERE d.dataset = ? AND s.status = 'done' AND s.seconds > 0",
            [dataset],
        ):
            times.setdefault(annotator, []).append(seconds)
        medians = {}
        for annotator, values in times.items():
            values.sort()
            middle = len(values) // 2
            medians[annotator] = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
        return medians

    def suggestion_outcomes(self, dataset: str) -> dict[str, dict[str, dict[str, int]]]:
        """How suggestions fared, per annotator and per label: accepted as is, corrected, rejected; and spans added by hand."""
        outcomes: dict[str, dict[str, dict[str, int]]] = {}

        def add(annotator: str, label: str, outcome: str, count: int) -> None:
            row = outcomes.setdefault(annotator, {}).setdefault(label, {"accepted": 0, "corrected": 0, "rejected": 0, "manual": 0})
            row[outcome] += count

        for annotator, label, origin, count in self.conn.execute(
            "SELECT a.annotator, coalesce(g.label, a.label), a.origin, count(*) FROM annotations a "
            "JOIN documents d ON d.id = a.document_id LEFT JOIN suggestions g ON g.id = a.suggestion_id "
            "WHERE d.dataset = ? AND a.origin IN ('accepted', 'corrected', 'manual') GROUP BY 1, 2, 3",
            [dataset],
        ):
            add(annotator, label, origin, count)
        for annotator, label, count in self.conn.execute(
            "SELECT r.annotator, g.label, count(*) FROM rejections r JOIN suggestions g ON g.id = r.suggestion_id "
            "JOIN documents d ON d.id = r.document_id WHERE d.dataset = ? "
            "AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.suggestion_id = r.suggestion_id AND a.annotator = r.annotator) "
            "GROUP BY 1, 2",
            [dataset],
        ):
            add(annotator, label, "rejected", count)
        return outcomes

    def learner_outcomes(self, dataset: str) -> dict[str, dict[str, int]]:
        """How the suggestions each learner made or changed fared (attributes.learner: gazetteer, short_form, title,
        claim_tagger), over every annotator: suggested, accepted as is, corrected, rejected."""
        outcomes: dict[str, dict[str, int]] = {}

        def row(learner: str) -> dict[str, int]:
            return outcomes.setdefault(learner, {"suggested": 0, "accepted": 0, "corrected": 0, "rejected": 0})

        learner = "json_extract(g.attributes, '$.learner')"
        for name, count in self.conn.execute(
            f"SELECT {learner}, count(*) FROM suggestions g JOIN documents d ON d.id = g.document_id "
            f"WHERE d.dataset = ? AND json_valid(g.attributes) AND {learner} IS NOT NULL GROUP BY 1",
            [dataset],
        ):
            row(str(name))["suggested"] += count
        for name, origin, count in self.conn.execute(
            f"SELECT {learner}, a.origin, count(*) FROM annotations a JOIN suggestions g ON g.id = a.suggestion_id "
            f"JOIN documents d ON d.id = a.document_id WHERE d.dataset = ? AND a.origin IN ('accepted', 'corrected') "
            f"AND json_valid(g.attributes) AND {learner} IS NOT NULL GROUP BY 1, 2",
            [dataset],
        ):
            row(str(name))[origin] += count
        for name, count in self.conn.execute(
            f"SELECT {learner}, count(*) FROM rejections r JOIN suggestions g ON g.id = r.suggestion_id "
            f"JOIN documents d ON d.id = r.document_id WHERE d.dataset = ? AND json_valid(g.attributes) AND {learner} IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.suggestion_id = r.suggestion_id AND a.annotator = r.annotator) GROUP BY 1",
            [dataset],
        ):
            row(str(name))["rejected"] += count
        return outcomes
