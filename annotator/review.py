"""Adjudication: turn several annotators' spans on one document into candidates for the gold."""

from __future__ import annotations

from typing import Any


def span_key(row: dict[str, Any]) -> tuple[str, int, int, str]:
    return (row["kind"], row["start"], row["end"], row["label"])


def candidates(per_annotator: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    """One candidate per distinct span (kind, start, end, label), with the annotators who had it and,
    for a claim, the claimant the first of them linked it to.

    `per_annotator` maps each annotator to their (annotations, relations) rows on the document.
    """
    groups: dict[tuple[str, int, int, str], dict[str, Any]] = {}
    for annotator in sorted(per_annotator):
        annotations, _ = per_annotator[annotator]
        for row in annotations:
            key = span_key(row)
            group = groups.get(key)
            if group is None:
                group = groups[key] = {
                    "id": row["id"], "kind": row["kind"], "start": row["start"], "end": row["end"], "label": row["label"],
                    "score": None, "source": "", "annotators": [], "claimant_id": None, "claimant": None,
                }
            group["id"] = min(group["id"], row["id"])
            group["annotators"].append(annotator)
    for annotator in sorted(per_annotator):
        annotations, relations = per_annotator[annotator]
        by_id = {row["id"]: row for row in annotations}
        for relation in relations:
            if relation["type"] != "claimant" or relation["from_id"] not in by_id or relation["to_id"] not in by_id:
                continue
            claim = groups[span_key(by_id[relation["from_id"]])]
            if claim["claimant"] is None:
                claimant = groups[span_key(by_id[relation["to_id"]])]
                claim["claimant"] = claimant
                claim["claimant_id"] = claimant["id"]
    for group in groups.values():
        group["source"] = ",".join(group["annotators"])
        group["attributes"] = {"annotators": list(group["annotators"])}
    return sorted(groups.values(), key=lambda group: (group["start"], -group["end"], group["kind"] != "claim", group["label"]))


def agreed(all_candidates: list[dict[str, Any]], annotators: list[str]) -> list[dict[str, Any]]:
    """The candidates every annotator had: pre-accepted when a document is first reviewed."""
    everyone = set(annotators)
    return [candidate for candidate in all_candidates if set(candidate["annotators"]) == everyone]
