"""The learned proposer: a CRF tagger over tokens, trained from gold and from editors' reviews.

- :mod:`features`: tokens and the features each sees (the rule engine's signals among them);
- :mod:`training`: labelled sentences from gold documents and CRF training;
- :mod:`hybrid`: rules and tagger together, settled in one place.

Storing, listing and activating models is the database's business (``factdb.services.models``).
"""

from __future__ import annotations

from factdb.extract.model.hybrid import MODEL_PREFIX, Tagger, hybrid_extract
from factdb.extract.model.training import Example, fingerprint, gold_examples, train_crf

__all__ = ["MODEL_PREFIX", "Example", "Tagger", "fingerprint", "gold_examples", "hybrid_extract", "train_crf"]
