"""One-to-one matching of overlapping spans: the most pairs, then the most shared characters.

Two spans may match when they have the same label and share at least one character. Among all
one-to-one matchings we take one with the largest number of pairs (so overlap F1 is as high as
the annotations allow, and the same whichever annotator is the reference), and among those one
with the largest total of shared characters. That is a maximum-weight assignment (Hungarian
algorithm, below) with weight BIG + shared characters per overlapping pair, BIG exceeding any
possible total of shared characters. The assignment runs only inside groups of spans chained by
overlaps, which are tiny in practice; a lone pair is matched directly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from annotator.agreement.corpus import SpanKey

OVERLAP_RULE = (
    "overlap: spans with the same label sharing at least one character, matched one-to-one to give the most pairs, "
    "then the most shared characters (maximum-weight assignment)"
)


def match_overlapping(first: Sequence[SpanKey], second: Sequence[SpanKey]) -> list[tuple[int, int]]:
    """Index pairs (into first, into second) of a maximum one-to-one matching of same-label overlapping spans."""
    tagged = sorted(
        [(span[2], span[0], span[1], 0, index) for index, span in enumerate(first)]
        + [(span[2], span[0], span[1], 1, index) for index, span in enumerate(second)]
    )
    pairs: list[tuple[int, int]] = []
    group: list[tuple[int, int, int, int, int]] = []
    group_label, group_end = None, -1
    for item in tagged:
        label, start, end = item[0], item[1], item[2]
        if label != group_label or start >= group_end:
            pairs.extend(_match_group(group, first, second))
            group, group_label, group_end = [], label, end
        group.append(item)
        group_end = max(group_end, end)
    pairs.extend(_match_group(group, first, second))
    return sorted(pairs)


def count_overlap_matches(first_rows: np.ndarray, second_rows: np.ndarray, documents: int, labels: int) -> np.ndarray:
    """Size of the matching per document and label, for spans laid out corpus-wide (rows: document, start, end, label).

    The same groups as match_overlapping, found for all documents at once: a lone pair in a group
    is one match, a group with one side empty none, and only the rare larger groups are assigned.
    """
    rows = np.concatenate([first_rows, second_rows])
    if len(rows) == 0:
        return np.zeros((documents, labels), dtype=np.int64)
    side = np.repeat([0, 1], [len(first_rows), len(second_rows)])
    order = np.lexsort((rows[:, 2], rows[:, 1], rows[:, 3]))
    rows, side = rows[order], side[order]
    # Shift each label into its own stretch of positions, so one running maximum separates labels too.
    label_shift = rows[:, 3] * (int(rows[:, 2].max()) + 1)
    running_end = np.maximum.accumulate(rows[:, 2] + label_shift)
    opens_group = np.ones(len(rows), dtype=bool)
    opens_group[1:] = rows[1:, 1] + label_shift[1:] >= running_end[:-1]
    group = np.cumsum(opens_group) - 1
    group_starts = np.flatnonzero(opens_group)
    first_count = np.bincount(group, weights=side == 0).astype(np.int64)
    second_count = np.bincount(group, weights=side == 1).astype(np.int64)
    matches = ((first_count == 1) & (second_count == 1)).astype(np.int64)
    larger = np.flatnonzero((first_count >= 1) & (second_count >= 1) & ((first_count > 1) | (second_count > 1)))
    group_ends = np.append(group_starts[1:], len(rows))
    for number in larger.tolist():
        members = range(group_starts[number], group_ends[number])
        firsts = [tuple(rows[index, 1:].tolist()) for index in members if side[index] == 0]
        seconds = [tuple(rows[index, 1:].tolist()) for index in members if side[index] == 1]
        matches[number] = len(match_overlapping(firsts, seconds))
    cells = rows[group_starts, 0] * labels + rows[group_starts, 3]
    return np.bincount(cells, weights=matches, minlength=documents * labels).astype(np.int64).reshape(documents, labels)


def _match_group(group: list[tuple[int, int, int, int, int]], first: Sequence[SpanKey], second: Sequence[SpanKey]) -> list[tuple[int, int]]:
    """Best matching inside one chain of overlapping spans of one label."""
    rows = [item[4] for item in group if item[3] == 0]
    columns = [item[4] for item in group if item[3] == 1]
    if not rows or not columns:
        return []
    if len(rows) == 1 and len(columns) == 1:
        return [(rows[0], columns[0])]
    shared = [[_shared_characters(first[row], second[column]) for column in columns] for row in rows]
    big = sum(first[row][1] - first[row][0] for row in rows) + 1
    weights = [[big + count if count > 0 else 0 for count in line] for line in shared]
    return [(rows[r], columns[c]) for r, c in maximum_weight_assignment(weights) if shared[r][c] > 0]


def _shared_characters(first: SpanKey, second: SpanKey) -> int:
    return max(0, min(first[1], second[1]) - max(first[0], second[0]))


def maximum_weight_assignment(weights: Sequence[Sequence[int]]) -> list[tuple[int, int]]:
    """Row-column pairs of a maximum-weight assignment of a rectangular matrix (every row or every column assigned)."""
    if not weights or not weights[0]:
        return []
    if len(weights) > len(weights[0]):
        transposed = [list(column) for column in zip(*weights)]
        return sorted((row, column) for column, row in maximum_weight_assignment(transposed))
    rows, columns = len(weights), len(weights[0])
    # Shortest augmenting paths with potentials on costs = -weights (rows <= columns); index 0 is a sentinel.
    infinity = float("inf")
    row_potential = [0] * (rows + 1)
    column_potential = [0] * (columns + 1)
    row_of_column = [0] * (columns + 1)
    way = [0] * (columns + 1)
    for row in range(1, rows + 1):
        row_of_column[0] = row
        column = 0
        slack = [infinity] * (columns + 1)
        used = [False] * (columns + 1)
        while True:
            used[column] = True
            current_row = row_of_column[column]
            delta, next_column = infinity, 0
            for candidate in range(1, columns + 1):
                if used[candidate]:
                    continue
                reduced = -weights[current_row - 1][candidate - 1] - row_potential[current_row] - column_potential[candidate]
                if reduced < slack[candidate]:
                    slack[candidate], way[candidate] = reduced, column
                if slack[candidate] < delta:
                    delta, next_column = slack[candidate], candidate
            for candidate in range(columns + 1):
                if used[candidate]:
                    row_potential[row_of_column[candidate]] += delta
                    column_potential[candidate] -= delta
                else:
                    slack[candidate] -= delta
            column = next_column
            if row_of_column[column] == 0:
                break
        while column:
            previous = way[column]
            row_of_column[column] = row_of_column[previous]
            column = previous
    return sorted((row_of_column[column] - 1, column - 1) for column in range(1, columns + 1) if row_of_column[column])
