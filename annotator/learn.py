"""Learning while people annotate (annotate --learn): train on the annotator's finished documents in a background process,
then suggest again for the documents nobody has touched, so the next documents come with a model that learned from this run."""

from __future__ import annotations

# Training steps for a model learned on this many documents: enough for a few documents to be learned from (each seen
# many times), few enough that a retraining ends while the annotator does the next documents (about 4 minutes here at 1,000).
MIN_STEPS = 200
MAX_STEPS = 1000
STEPS_PER_DOCUMENT = 20


def learning_steps(documents: int) -> int:
    """The training steps a retraining on this many finished documents runs for."""
    return min(MAX_STEPS, max(MIN_STEPS, STEPS_PER_DOCUMENT * documents))
