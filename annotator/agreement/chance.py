"""Chance-corrected agreement on nominal tags: Cohen's kappa, Fleiss' kappa, Krippendorff's alpha.

Inputs are integer tag matrices (units x annotators, MISSING = -1 for no tag). Each function
returns a value and a reason: the value is None, with a reason, where the reference packages give NaN or
refuse (scikit-learn, statsmodels and krippendorff all do when expected disagreement is zero,
that is when every tag compared is the same one). Alpha is computed from the coincidence matrix
reduced to two sufficient statistics per unit, so it can be summed per document and bootstrapped.
"""

from __future__ import annotations

import numpy as np

MISSING = -1
Figure = tuple[float | None, str | None]


def same_tag_pairs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per unit: how many tags it has, and sum over tags c of (annotators giving c) squared, from pairwise column equality."""
    columns = [np.ascontiguousarray(values[:, index]) for index in range(values.shape[1])]
    present = [column != MISSING for column in columns]
    tags_per_unit = np.zeros(len(values), dtype=np.int32)
    for mask in present:
        tags_per_unit += mask
    squared_counts = tags_per_unit.copy()
    for first in range(len(columns)):
        for second in range(first + 1, len(columns)):
            same = (columns[first] == columns[second]) & present[first]
            squared_counts += same
            squared_counts += same
    return tags_per_unit, squared_counts


def alpha_statistics(values: np.ndarray, categories: int, groups: np.ndarray, group_count: int) -> tuple[np.ndarray, np.ndarray]:
    """Per group of units (e.g. per document): summed disagreement sum_(c != k) o_uck, and pairable tag counts (groups, categories)."""
    tags_per_unit, squared_counts = same_tag_pairs(values)
    pairable = tags_per_unit >= 2
    tags = tags_per_unit.astype(np.float64)
    # (m^2 - sum_c n_c^2) / (m - 1) for pairable units; the numerator is 0 whenever m < 2.
    unit_disagreement = (tags * tags - squared_counts) / np.maximum(tags - 1, 1)
    disagreement = np.bincount(groups, weights=unit_disagreement, minlength=group_count)
    counted = (values != MISSING) & pairable[:, None]
    if group_count == 1:
        cells = values[counted].astype(np.int64)
    else:
        cells = (groups[:, None].astype(np.int64) * categories + values)[counted]
    pairable_counts = np.bincount(cells, minlength=group_count * categories).reshape(group_count, categories)
    return disagreement, pairable_counts


def alpha_from_statistics(disagreement: float, pairable_counts: np.ndarray) -> Figure:
    """Krippendorff's alpha (nominal) from summed unit disagreement and summed pairable tag counts."""
    pairable_counts = np.asarray(pairable_counts, dtype=np.int64)
    total = int(pairable_counts.sum())
    if total == 0:
        return None, "no token was tagged by two annotators: no document with tokens was finished by two of them"
    expected = total * total - int((pairable_counts * pairable_counts).sum())
    if expected == 0:
        return None, "every token compared has the same tag, so expected disagreement is 0 and alpha is undefined"
    return 1.0 - (total - 1) * float(disagreement) / expected, None


def krippendorff_alpha(values: np.ndarray, categories: int) -> Figure:
    """Krippendorff's alpha (nominal) of a units x annotators tag matrix with missing tags."""
    if values.shape[1] < 2:
        return None, "alpha needs at least two annotators"
    disagreement, pairable_counts = alpha_statistics(values, categories, np.zeros(len(values), dtype=np.int64), 1)
    return alpha_from_statistics(float(disagreement[0]), pairable_counts[0])


def cohen_kappa(first: np.ndarray, second: np.ndarray, categories: int) -> tuple[float | None, str | None, int]:
    """Cohen's kappa of two annotators over the units both tagged, and how many units that is."""
    both = (first != MISSING) & (second != MISSING)
    units = int(both.sum())
    if units == 0:
        return None, "the two annotators finished no document in common", 0
    confusion = np.bincount(first[both].astype(np.int64) * categories + second[both], minlength=categories * categories)
    confusion = confusion.reshape(categories, categories)
    agreeing = int(np.trace(confusion))
    chance = int(confusion.sum(axis=1) @ confusion.sum(axis=0))
    if units * units == chance:
        return None, "both annotators gave every shared token the same single tag, so expected disagreement is 0 and kappa is undefined", units
    return (units * agreeing - chance) / (units * units - chance), None, units


def fleiss_kappa(values: np.ndarray, categories: int) -> Figure:
    """Fleiss' kappa of a complete design (every annotator tagged every unit)."""
    units, raters = values.shape
    if raters < 2:
        return None, "Fleiss' kappa needs at least two annotators"
    if units == 0:
        return None, "there are no tokens to compare"
    if (values == MISSING).any():
        missing_units = int((values == MISSING).any(axis=1).sum())
        return None, (
            f"Fleiss' kappa needs every annotator to tag every token, but {missing_units} of {units} tokens lack a tag "
            "because not every annotator finished every document; Krippendorff's alpha allows that"
        )
    _, squared_counts = same_tag_pairs(values)
    category_totals = np.bincount(values.ravel().astype(np.int64), minlength=categories)
    all_tags = units * raters
    chance_same = int(category_totals @ category_totals)
    if chance_same == all_tags * all_tags:
        return None, "every token has the same tag from every annotator, so expected disagreement is 0 and kappa is undefined"
    observed_same = (float(squared_counts.sum()) - all_tags) / (all_tags * (raters - 1))
    expected_same = chance_same / (all_tags * all_tags)
    return (observed_same - expected_same) / (1 - expected_same), None
