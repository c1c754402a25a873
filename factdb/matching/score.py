"""Whether two claims state the same thing, and the LSH keys that find the claims worth comparing.

A match needs all of:

- compatible speakers: the same speaker, or one of the two unresolved;
- the same polarity: as many negations modulo two, read together with the stance ("denied that
  X" says the opposite of "said that X"); "urges" only matches "urges";
- the same numbers ("two villages" is not "three villages");
- no name on one side only (a place, person or day; see :func:`_names_differ`);
- a similarity of the normalised content of at least :data:`MATCH_THRESHOLD`.

The similarity is the Jaccard index of the normalised term sets, chosen by measurement on the gold
set over rapidfuzz's ``token_set_ratio`` and ``token_sort_ratio`` and datasketch's MinHash estimate
(``python -m bench.matching_choice`` prints the comparison; the README has the figures). It is also
what MinHash LSH retrieves by, so the candidates and the decision agree.

Candidates are found by MinHash LSH (datasketch): each claim's term set gets :data:`LSH_BANDS`
keys, each a hash of :data:`LSH_ROWS` MinHash values and of the claim's :func:`signature` (its
numbers, polarity and stance, which the vetoes require to be equal); two claims sharing a key are
compared.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import threading
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass
from typing import Any

import numpy as np
from datasketch import MinHash
from datasketch import minhash as datasketch_minhash

from factdb.enums import Stance
from factdb.matching.text import Normalized, normalize_content

#: Jaccard (0-100) at or above which two claims that pass the vetoes are the same statement. On
#: the gold set 66 lets a one-verb change through ("targets" / "exempts"), 72 loses rewordings;
#: ``factdb eval-matching --threshold`` shows the trade.
MATCH_THRESHOLD = 70.0

#: MinHash LSH: bands of rows. A pair with term Jaccard s becomes a candidate with probability
#: 1 - (1 - s^ROWS)^BANDS: 0.82 at s = 0.5, 0.98 at s = 0.7, 0.13 at s = 0.15 (with 6 bands of 2).
LSH_BANDS = 6
LSH_ROWS = 2
#: Fixed so the keys stored by one run are the keys of the next.
MINHASH_SEED = 17

#: Names shorter than this must be equal to count as the same name; longer ones may differ in
#: their ending ("Russia" / "Russian", "Ukraine" / "Ukrainian").
NAME_PREFIX = 5


@dataclass(frozen=True, slots=True)
class Prepared:
    """A claim ready to be compared: who said it, how, and its normalised content.

    ``terms``, ``negative`` and ``own_names`` are what :func:`match_score` compares, computed once
    per claim by :func:`prepare` (a claim is compared with up to fifty others).
    """

    speaker_key: int | None
    stance: Stance
    norm: Normalized
    text: str
    #: The distinct terms of ``text`` (what :func:`jaccard` compares).
    terms: frozenset[str]
    #: :attr:`polarity`, computed once.
    negative: bool
    #: The names outside the subject's place (``norm.names - norm.lead_names``).
    own_names: frozenset[str]

    @property
    def polarity(self) -> bool:
        """True for a negative statement (an odd number of negations, or a denial of a positive one)."""
        return self.negative


#: Prepared claims kept in memory: the same recent claims are candidates for many new ones.
PREPARED_CACHE = 65_536


@functools.lru_cache(maxsize=PREPARED_CACHE)
def prepare(content: str, speaker_key: int | None, stance: Stance = Stance.ASSERTS) -> Prepared:
    """A claim's content, speaker (``None``: unresolved) and stance, ready for :func:`is_match`.

    Pure (and :class:`Prepared` immutable), so cached.
    """
    norm = normalize_content(content)
    text = " ".join(norm.terms)
    negative = (norm.negations % 2 == 1) != (stance is Stance.DENIES)
    return Prepared(
        speaker_key, stance, norm, text, frozenset(norm.terms), negative, norm.names - norm.lead_names
    )


def _same_name(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < NAME_PREFIX:
        return False
    return a[:NAME_PREFIX] == b[:NAME_PREFIX]


def _names_differ(a: Prepared, b: Prepared) -> bool:
    """True when one side names a place, person or day the other does not.

    A name in the subject's place may be added or dropped ("The Foreign Ministry summoned the
    ambassador" / "The ambassador was summoned"); anywhere else an added name makes another,
    narrower statement ("... in Geneva"), and a swapped one another statement.
    """
    names_a, names_b = a.norm.names, b.norm.names
    if a.own_names <= names_b and b.own_names <= names_a:
        return False  # every name found as it is (the common case, without comparing prefixes)
    only_a = [x for x in a.own_names if not any(_same_name(x, y) for y in names_b)]
    only_b = [y for y in b.own_names if not any(_same_name(x, y) for x in names_a)]
    return bool(only_a) or bool(only_b)


def veto(a: Prepared, b: Prepared) -> str | None:
    """Why ``a`` and ``b`` cannot be the same statement, or None."""
    if a.speaker_key is not None and b.speaker_key is not None and a.speaker_key != b.speaker_key:
        return "speaker"
    if (a.stance is Stance.URGES) != (b.stance is Stance.URGES):
        return "stance"
    if a.negative != b.negative:
        return "negation"
    if a.norm.numbers != b.norm.numbers:
        return "numbers"
    if _names_differ(a, b):
        return "names"
    return None


def jaccard(a: str, b: str) -> float:
    """Jaccard of the term sets, 0-100: the chosen similarity (what MinHash estimates)."""
    return _jaccard_of_sets(set(a.split()), set(b.split()))


#: The highest similarity: the same term sets.
PERFECT_SCORE = 100.0


def _jaccard_of_sets(sa: Set[str], sb: Set[str]) -> float:
    if not sa and not sb:
        return PERFECT_SCORE
    common = len(sa & sb)
    return PERFECT_SCORE * common / (len(sa) + len(sb) - common)


#: The similarity :func:`is_match` uses (``bench/matching_choice.py`` swaps in others to compare).
SIMILARITY: Callable[[str, str], float] = jaccard


def similarity(a: Prepared, b: Prepared) -> float:
    """How alike the normalised contents are, 0-100 (ignores the vetoes)."""
    if SIMILARITY is jaccard:
        return _jaccard_of_sets(a.terms, b.terms)  # the same value, from the sets prepared once
    return SIMILARITY(a.text, b.text)


def match_score(a: Prepared, b: Prepared, threshold: float = MATCH_THRESHOLD) -> float | None:
    """The similarity of ``a`` and ``b`` when they state the same thing (see the module's
    docstring), else None: :func:`is_match` and :func:`similarity` at once, the cheap vetoes first
    and the names last."""
    if a.speaker_key is not None and b.speaker_key is not None and a.speaker_key != b.speaker_key:
        return None
    if (a.stance is Stance.URGES) != (b.stance is Stance.URGES) or a.negative != b.negative:
        return None
    if a.norm.numbers != b.norm.numbers:
        return None
    if SIMILARITY is jaccard:
        small, large = sorted((len(a.terms), len(b.terms)))
        if 100.0 * small < threshold * large:
            return None  # the Jaccard is at most small / large: below the threshold unread
    score = similarity(a, b)
    if score < threshold or _names_differ(a, b):
        return None
    return score


def is_match(a: Prepared, b: Prepared, threshold: float = MATCH_THRESHOLD) -> bool:
    """True when ``a`` and ``b`` state the same thing (see the module's docstring)."""
    return match_score(a, b, threshold) is not None


#: The key of a claim with no terms at all (it is compared with nothing).
EMPTY_KEY = 0


@functools.cache
def _prototype() -> Any:
    """A MinHash for :data:`MINHASH_SEED` whose permutations every claim's MinHash reuses (drawing
    them costs more than hashing a claim's terms)."""
    return MinHash(num_perm=LSH_BANDS * LSH_ROWS, seed=MINHASH_SEED)


#: Terms whose MinHash row is kept in memory: a wire archive's vocabulary repeats, so most terms of
#: a new claim were hashed before.
TERM_CACHE = 262_144

_term_rows: dict[str, np.ndarray] = {}
#: Held while the cache changes (web workers may match in threads).
_term_rows_lock = threading.Lock()


def _rows_of_new_terms(terms: Sequence[str]) -> np.ndarray:
    """The MinHash values of each one-term set ``{term}`` (one row each): what datasketch's
    ``MinHash.update`` computes for one term, for all of ``terms`` in a few array operations.

    An object per term cost 40 µs, and most claims bring a new term (a number, a name). The same
    steps as ``update`` of datasketch's (pinned) MinHash, in the same integer width, so the values
    are exactly its values (``tests/matching/test_lsh_keys.py`` compares them); a scheme this does
    not know is left to datasketch, a term at a time.
    """
    prototype = _prototype()
    if prototype.scheme != _AFFINE32:
        return np.stack([_one_term_row(t) for t in terms])
    hashes = prototype._hash_input_array([prototype.hashfunc(t.encode("utf-8")) for t in terms])
    mixed = datasketch_minhash._fmix(hashes, _WIDTH32)
    a, b = prototype.permutations
    return np.asarray(a[None, :] * mixed[:, None] + b[None, :])


#: The datasketch scheme :func:`_rows_of_new_terms` computes in bulk (MinHash's default), and its width.
_AFFINE32 = "affine32"
_WIDTH32 = 32


def _one_term_row(term: str) -> np.ndarray:
    """The MinHash values of ``{term}`` from a datasketch MinHash of its own."""
    prototype = _prototype()
    minhash = MinHash(
        num_perm=prototype.num_perm, seed=MINHASH_SEED, permutations=prototype.permutations,
        scheme=prototype.scheme,
    )  # fmt: skip
    minhash.update(term.encode("utf-8"))
    row: np.ndarray = minhash.hashvalues.copy()
    return row


def _term_table(terms: Sequence[str]) -> np.ndarray:
    """The MinHash rows of ``terms`` (uint64), from the cache, the new ones computed in one go.

    The cache keeps the :data:`TERM_CACHE` most recently added terms (oldest dropped first).
    """
    with _term_rows_lock:
        new = [t for t in terms if t not in _term_rows]
        if new:
            for term, row in zip(new, _rows_of_new_terms(new), strict=True):
                row.setflags(write=False)
                _term_rows[term] = row
        # The table is taken before the cache is trimmed: trimming first could drop a term of this
        # very call (one cached earlier, now among the oldest) when a pass brings many new ones.
        table = np.stack([_term_rows[t] for t in terms]).astype(np.uint64)
        for old in list(itertools.islice(_term_rows, max(0, len(_term_rows) - TERM_CACHE))):
            del _term_rows[old]
        return table


def _minhash_matrix(term_sets: Sequence[Set[str]]) -> tuple[np.ndarray, np.ndarray]:
    """The MinHash values of each term set (one row each, uint64) and which sets have terms.

    A set's MinHash is the element-wise minimum of its members' one-term MinHashes (each value is a
    minimum over the members), so the values are exactly those of datasketch's ``MinHash`` updated
    with the terms, for one numpy reduction per batch instead of a MinHash object per claim. Each
    distinct term of the batch is looked up once and its row taken by index.
    """
    index: dict[str, int] = {}
    flat = [index.setdefault(t, len(index)) for terms in term_sets for t in terms]
    nonempty = np.fromiter((bool(terms) for terms in term_sets), dtype=bool, count=len(term_sets))
    if not flat:
        return np.zeros((len(term_sets), LSH_BANDS * LSH_ROWS), dtype=np.uint64), nonempty
    table = _term_table(list(index))
    counts = np.fromiter((len(terms) for terms in term_sets), dtype=np.int64, count=len(term_sets))
    starts = (np.cumsum(counts) - counts)[nonempty]
    values = np.zeros((len(term_sets), table.shape[1]), dtype=np.uint64)
    values[nonempty] = np.minimum.reduceat(table[np.array(flat, dtype=np.int64)], starts, axis=0)
    return values, nonempty


def minhash_values(texts: Sequence[str]) -> list[list[int] | None]:
    """Each prepared text's MinHash values (None for a text with no terms), computed in bulk."""
    values, nonempty = _minhash_matrix([set(text.split()) for text in texts])
    return [row if present else None for row, present in zip(values.tolist(), nonempty.tolist(), strict=True)]


# SplitMix64's finaliser constants (a well-mixed 64-bit hash from xor, shifts and two multiplies).
_MIX_A = np.uint64(0xBF58476D1CE4E5B9)
_MIX_B = np.uint64(0x94D049BB133111EB)
_SHIFTS = (np.uint64(30), np.uint64(27), np.uint64(31))


def mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser over an array of uint64 (array arithmetic wraps modulo 2**64)."""
    x = x ^ (x >> _SHIFTS[0])
    x = x * _MIX_A
    x = x ^ (x >> _SHIFTS[1])
    x = x * _MIX_B
    mixed: np.ndarray = x ^ (x >> _SHIFTS[2])
    return mixed


def signature(claim: Prepared) -> int:
    """What the exact vetoes compare, as 64 bits: the numbers, the polarity and whether it urges.

    Folded into every LSH key, so two claims share a key only when none of these vetoes parts them:
    the candidates a key finds are all worth comparing (before, most failed the numbers veto).
    """
    text = " ".join(sorted(claim.norm.numbers)) + f"|{int(claim.negative)}{int(claim.stance is Stance.URGES)}"
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


#: Stored keys are never these: :data:`EMPTY_KEY` marks a claim with no terms, and the smallest
#: 64-bit value pads the candidate lookups (``factdb.services.clusters.PAD_KEY``).
RESERVED_KEYS = {EMPTY_KEY: 1, -(2**63): 2}


def lsh_keys_many(claims: Sequence[Prepared]) -> list[list[int]]:
    """The LSH keys of many prepared claims, :data:`LSH_BANDS` each, computed in bulk.

    A band's key mixes the band's number, the claim's :func:`signature` and the band's
    :data:`LSH_ROWS` MinHash values (SplitMix64 over numpy arrays: a batch costs a few array
    operations, where a digest per band cost more than normalising the claim). A claim with no
    terms has the one key :data:`EMPTY_KEY`.
    """
    if not claims:
        return []
    values, nonempty = _minhash_matrix([claim.terms for claim in claims])
    signatures = np.array([signature(claim) for claim in claims], dtype=np.uint64)
    bands = mix64(np.arange(1, LSH_BANDS + 1, dtype=np.uint64))
    mixed = mix64(signatures[:, None] ^ bands[None, :])
    rows = values.reshape(len(claims), LSH_BANDS, LSH_ROWS)
    for row in range(LSH_ROWS):
        mixed = mix64(mixed ^ rows[:, :, row])
    keys: list[list[int]] = []
    for band_keys, present in zip(mixed.view(np.int64).tolist(), nonempty.tolist(), strict=True):
        if not present:
            keys.append([EMPTY_KEY])
            continue
        keys.append(list(dict.fromkeys(RESERVED_KEYS.get(k, k) for k in band_keys)))
    return keys


def lsh_keys(claim: Prepared) -> list[int]:
    """The LSH keys of one prepared claim."""
    return lsh_keys_many([claim])[0]


def clear_caches() -> None:
    """Forget the prepared claims and the terms' MinHash rows kept in memory (see
    :func:`factdb.matching.clear_caches`)."""
    prepare.cache_clear()
    with _term_rows_lock:
        _term_rows.clear()
