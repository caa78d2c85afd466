"""What an undo or redo changed, said in the annotator's words ("PERSON → LOC on “Bakhmut”"), not the action
log's ("update"); no Textual here."""

from __future__ import annotations

from annotator.display import safe_text
from annotator.session import DocumentState

# The action log's names for what an annotator did, as a person would say them.
ACTIONS = {
    "accept": "keeping a suggestion",
    "correct": "a corrected suggestion",
    "accept_all": "accept all",
    "reject": "a rejection",
    "remove": "a removal",
    "update": "a relabel or resize",
    "relabel": "a relabel",
    "add": "a new span",
    "link": "a claimant link",
    "claimant": "a new claimant",
    "done": "marking the document done",
    "skipped": "skipping the document",
    "note": "a note",
    "flag": "an unsure flag",
}


def excerpt(state: DocumentState, start: int, end: int, width: int = 40) -> str:
    text = safe_text(state.text[start:end]).replace("\n", " ")
    return f"“{text[:width]}{'…' if len(text) > width else ''}”"


def what_changed(action: str, before: DocumentState | None, after: DocumentState) -> str:
    """The action's name and, on the document shown before and after, the kept spans it added, took away or
    changed and the claimant links it made or broke (at most three, then how many more)."""
    name = ACTIONS.get(action, action.replace("_", " "))
    if before is None or before.document_id != after.document_id:
        return f"{name} (document {after.ext_id})"
    old = {span.id: span for span in before.spans if not span.pending}
    new = {span.id: span for span in after.spans if not span.pending}
    details = []
    for span_id in new.keys() - old.keys():
        span = new[span_id]
        details.append(f"+{span.label} {excerpt(after, span.start, span.end)}")
    for span_id in old.keys() - new.keys():
        span = old[span_id]
        details.append(f"−{span.label} {excerpt(before, span.start, span.end)}")
    for span_id in old.keys() & new.keys():
        was, now = old[span_id], new[span_id]
        if (was.kind, was.label) != (now.kind, now.label):
            details.append(f"{was.label} → {now.label} on {excerpt(after, now.start, now.end)}")
        if (was.start, was.end) != (now.start, now.end):
            details.append(f"{excerpt(before, was.start, was.end)} → {excerpt(after, now.start, now.end)}")
    links_before = {key: claimant.id for key, claimant in before.claimants.items() if key[0] == "kept"}
    links_after = {key: claimant.id for key, claimant in after.claimants.items() if key[0] == "kept"}
    for key in sorted(links_before.keys() | links_after.keys()):
        if links_before.get(key) != links_after.get(key) and key[1] in new:
            claim = new[key[1]]
            linked = after.claimants.get(key)
            to = f"claimant {excerpt(after, linked.start, linked.end, 30)}" if linked else "no claimant"
            details.append(f"{claim.label} {excerpt(after, claim.start, claim.end, 30)} has {to}")
    if before.status != after.status:
        details.append(f"status {before.status} → {after.status}")
    if not details:
        return name
    shown = "; ".join(details[:3]) + (f"; and {len(details) - 3} more" if len(details) > 3 else "")
    return f"{name}: {shown}"
