"""The automatic grouping itself: plain texts (and their sentence vectors) in, clusters out.

Method, chosen by measurement (tests/test_idea_quality.py, bench/grouping.py, README):
1. letters: each text is normalised (services/ideas/text.py: accents, Arabic letter forms, stop
   words, Snowball stems) and turned into a TF-IDF vector of character 4-grams (inside words)
   with scikit-learn: stems that differ by a few letters, darija typed in Latin letters and
   misspellings still share most n-grams;
2. meaning: each item's multilingual sentence vector (services/ideas/vectors.py, stored once per
   item) places a French and an Arabic wording of one idea close together although they share
   no letter (darija is also read in MSA: darija.py); once a kind has enough texts in each
   script, each variety's mean vector (French, MSA, darija: `variety`) is taken out first
   (`_centre`) and the thresholds are those of centred vectors (`Settings.for_vectors`);
3. two texts' similarity is the larger of `LEXICAL_WEIGHT` × their n-gram cosine and their
   sentence-vector cosine. Each text's nearest neighbours by either measure (top
   `NEIGHBOURS`, sparse products and dense products taken `CHUNK` rows at a time: never an
   n × n matrix of the corpus) above `THRESHOLD` are linked;
4. the connected components of those links are then cut by average linkage at `THRESHOLD`
   (a group's members are on average at least that close to each other): chains A~B~C no
   longer glue unrelated ideas together. A component too large for that (`MAX_LINKAGE`
   texts) is first split again at a stricter threshold.
Only items of one kind are ever compared (the caller runs this once per kind).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfVectorizer
from sparse_dot_topn import sp_matmul_topn

from feedback_app.services.ideas.arabizi import is_arabizi
from feedback_app.services.ideas.darija import is_darija
from feedback_app.services.ideas.text import language_of, normalise

# Measured on tests/meaning_corpus.py and tests/idea_corpus.py (bench/grouping.py, README).
THRESHOLD = 0.5
LEXICAL_WEIGHT = 1.5
# Once each script has CENTRE_FROM texts of the kind, its mean sentence vector is taken out
# of its texts' vectors (`_centre`; darija's own mean once MSA and darija each have that many:
# DARIJA_APART), and texts are linked at a centred cosine of CENTRED_THRESHOLD, twins at
# CENTRED_TWINS, n-grams weighted LEXICAL_WEIGHT × CENTRED_LEXICAL_SCALE (0.9, as at a centred
# 0.30 before; scaled down with the threshold, 0.84, the demonstration tour's two French
# wordings of "ecotourism" fell in two groups and its Arabic twin joined one of them:
# tests/test_idea_meaning.py; the corpora's figures are the same with either).
CENTRE_FROM = 15
CENTRED_THRESHOLD = 0.28
CENTRED_LEXICAL_SCALE = 0.6
CENTRED_TWINS = 0.3
DARIJA_APART = True
NEIGHBOURS = 10
CHUNK = 2000
THREADS = 2
COMMON_FROM = 1000
MAX_LINKAGE = 3000
# Rows of dense products at a time: a block of 500 × n floats and its top-k index (measured:
# 2,000-row blocks made the 100,000-item grouping peak at 1.57 GB).
MEANING_CHUNK = 500
TWIN_THRESHOLD = 0.4
_STEP = 0.05
# The varieties `_centre` takes apart (index of their mean in `Vectors.shift`).
FRENCH, MSA, DARIJA = 0, 1, 2


@dataclass(frozen=True)
class Settings:
    threshold: float = THRESHOLD
    lexical_weight: float = LEXICAL_WEIGHT
    neighbours: int = NEIGHBOURS
    chunk: int = CHUNK
    max_linkage: int = MAX_LINKAGE
    twin_threshold: float = TWIN_THRESHOLD
    centre_from: int | None = CENTRE_FROM  # None: sentence vectors always used as encoded
    centred_threshold: float = CENTRED_THRESHOLD
    centred_twins: float = CENTRED_TWINS
    centred_lexical_scale: float = CENTRED_LEXICAL_SCALE
    darija_apart: bool = DARIJA_APART  # False: darija centred with MSA (the former method)

    def for_vectors(self, vectors: Vectors) -> Settings:
        """The thresholds for these vectors: lower once they are centred (their cosines are),
        the n-grams weighted as they were at a centred 0.30 (0.9: a cut of 0.31)."""
        if vectors.shift is None:
            return self
        return replace(
            self,
            threshold=self.centred_threshold,
            lexical_weight=self.lexical_weight * self.centred_lexical_scale,
            twin_threshold=self.centred_twins,
        )


@dataclass(frozen=True)
class Vectors:
    """One TF-IDF row per distinct normalised text, its sentence vector, and each item's row.

    Texts said word for word by many people are compared once: it saves the time of comparing
    them again and again, and their copies do not fill every slot of each other's top-k
    neighbours (which would cut them off from the paraphrases around them).
    """

    matrix: csr_matrix
    row_of: np.ndarray  # item index -> matrix row
    # L2-normalised sentence vectors per row (float32), each script's mean taken out
    # (`_centre`), or None: letters only.
    meaning: np.ndarray | None = None
    # per row: written mostly in Arabic letters, or darija in Latin letters (arabizi.py)
    arabic: np.ndarray | None = None
    vectoriser: TfidfVectorizer | None = None  # fitted: places a new text in the same space
    shift: np.ndarray | None = None  # (3, d): what `_centre` took out of each `variety`


def variety(text: str) -> int:
    """FRENCH (Latin letters), MSA (Arabic letters) or DARIJA (in either script: arabizi.py,
    darija.py): each has its own mean direction in the encoder's space (`_centre`)."""
    if is_arabizi(text):
        return DARIJA
    if language_of(text) != "ar":
        return FRENCH
    return DARIJA if is_darija(text) else MSA


def _centre(
    meaning: np.ndarray, varieties: np.ndarray, settings: Settings
) -> tuple[np.ndarray, np.ndarray | None]:
    """The sentence vectors with their variety's mean taken out, normalised again (in place:
    25,000 rows are 51 MB), and the means taken out (one row per variety: French, MSA, darija).

    The encoder puts every Arabic text a little towards one direction and every French one
    towards another, whatever they say: the same idea in two languages is then less close than
    two ideas in one language (measured: median cosine 0.55 against up to 0.79). Taking each
    script's mean out leaves what the texts say (README "Recurring ideas" gives the figures).
    Darija, even rewritten towards MSA (darija.py), keeps a direction of its own: once both
    MSA and darija have `centre_from` texts, each loses its own mean, else the Arabic side's.
    But the mean of a handful of texts is mostly those texts (measured: in an 8-item tour it
    brought "parking near the sites" to "signs to the sites"): below `centre_from` texts on
    either side (Latin letters; Arabic letters or darija), the vectors stay as encoded (None).
    Rows of zeros (no vector) stay zeros.
    """
    known = np.linalg.norm(meaning, axis=1) > 0
    french = known & (varieties == FRENCH)
    arabic = known & (varieties != FRENCH)
    if settings.centre_from is None or min(int(french.sum()), int(arabic.sum())) < (
        settings.centre_from
    ):
        return meaning, None
    shift = np.zeros((3, meaning.shape[1]), dtype=np.float32)
    shift[FRENCH] = meaning[french].mean(axis=0)
    own = [known & (varieties == side) for side in (MSA, DARIJA)]
    if settings.darija_apart and min(int(rows.sum()) for rows in own) >= settings.centre_from:
        for side, rows in zip((MSA, DARIJA), own, strict=True):
            shift[side] = meaning[rows].mean(axis=0)
    else:
        shift[MSA] = shift[DARIJA] = meaning[arabic].mean(axis=0)
    meaning[known] -= shift[varieties[known]]
    lengths = np.linalg.norm(meaning, axis=1)
    meaning /= np.where(lengths > 0, lengths, 1.0)[:, None]
    return meaning, shift


def vectorise(
    texts: Sequence[str], meaning: np.ndarray | None = None, settings: Settings | None = None
) -> Vectors:
    """L2-normalised TF-IDF rows over character 4-grams of the normalised distinct texts;
    `meaning` (one sentence vector per text, rows of zeros where unknown) follows the rows,
    each script's mean taken out when there are enough of them (`_centre`)."""
    raw: dict[str, int] = {}
    raw_row = [raw.setdefault(t, len(raw)) for t in texts]
    distinct: dict[str, int] = {}
    row_of_raw = [distinct.setdefault(normalise(t), len(distinct)) for t in raw]
    row_of = np.asarray([row_of_raw[r] for r in raw_row], dtype=np.int64)
    rows: np.ndarray | None = None
    arabic: np.ndarray | None = None
    shift: np.ndarray | None = None
    if meaning is not None and len(texts):
        rows = np.zeros((len(distinct), meaning.shape[1]), dtype=np.float32)
        rows[row_of] = meaning  # texts that normalise alike share a row: one of their vectors
        varieties = np.zeros(len(distinct), dtype=np.int64)
        varieties[row_of] = [variety(t) for t in texts]
        # Darija typed in Latin letters is Arabic said in other letters: on the Arabic side of
        # the twin join (measured: precision 0.858 -> 0.882 on tests/meaning_corpus.py).
        arabic = varieties != FRENCH
        rows, shift = _centre(rows, varieties, settings or Settings())
    matrix, vectoriser = _tfidf(list(distinct))
    return Vectors(matrix, row_of, rows, arabic, vectoriser, shift)


def _tfidf(normalised: list[str]) -> tuple[csr_matrix, TfidfVectorizer | None]:
    # N-grams in more than half the texts say nothing and only cost time; in a handful of
    # texts, though, "half" is two texts that may well say the same thing.
    vectoriser = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(4, 4),
        sublinear_tf=True,
        min_df=1,
        max_df=0.5 if len(normalised) >= COMMON_FROM else 1.0,
        dtype=np.float32,
    )
    if not any(normalised):
        return csr_matrix((len(normalised), 1), dtype=np.float32), None
    try:
        return csr_matrix(vectoriser.fit_transform(normalised)), vectoriser
    except ValueError:  # every n-gram pruned (tiny inputs): fall back to no pruning
        vectoriser.set_params(max_df=1.0)
        return csr_matrix(vectoriser.fit_transform(normalised)), vectoriser


def _lexical_edges(matrix: csr_matrix, settings: Settings) -> coo_matrix:
    """Each row's closest rows by n-grams, weighted, at or above the threshold.

    sparse_dot_topn multiplies and keeps only each row's top `neighbours` products above the
    threshold as it goes (compiled, multi-threaded), so a chunk never becomes a dense block.
    """
    n = matrix.shape[0]
    transposed = matrix.T.tocsr()
    top = settings.neighbours + 1  # a row is its own closest neighbour
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for start in range(0, n, settings.chunk):
        stop = min(start + settings.chunk, n)
        block = sp_matmul_topn(
            matrix[start:stop],
            transposed,
            top_n=top,
            threshold=settings.threshold / settings.lexical_weight,
            n_threads=THREADS,
        ).tocoo()
        keep = block.row + start != block.col
        parts.append(
            (block.data[keep] * settings.lexical_weight, block.row[keep] + start, block.col[keep])
        )
    return _edges(parts, n)


def _meaning_edges(meaning: np.ndarray, settings: Settings) -> coo_matrix:
    """Each row's closest rows by sentence vector at or above the threshold (dense products,
    `MEANING_CHUNK` rows at a time, never n × n).

    Only the products at or above the threshold are ranked: selecting each row's top k over
    the whole block (argpartition of 500 × n floats) cost more than the product itself
    (measured: 0.19 s against 0.16 s a block at 25,000 rows), while a comparison costs 0.01 s
    and leaves a few candidates per row.
    """
    n = meaning.shape[0]
    k = min(settings.neighbours, n - 1)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    if k <= 0:
        return coo_matrix((n, n), dtype=np.float32)
    for start in range(0, n, MEANING_CHUNK):
        stop = min(start + MEANING_CHUNK, n)
        block = meaning[start:stop] @ meaning.T
        block[np.arange(stop - start), np.arange(start, stop)] = -1.0
        rows, cols = np.nonzero(block >= settings.threshold)
        values = block[rows, cols]
        del block
        keep = _top_per_row(rows, values, k)
        parts.append((values[keep], rows[keep] + start, cols[keep]))
    return _edges(parts, n)


def _top_per_row(rows: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """Indexes of the `k` largest values of each row (`rows` ascending, as np.nonzero gives)."""
    if len(rows) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((-values, rows))
    ranked = rows[order]
    rank = np.arange(len(ranked)) - np.searchsorted(ranked, ranked, side="left")
    return order[rank < k]


def _edges(parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]], n: int) -> coo_matrix:
    if not parts:
        return coo_matrix((n, n), dtype=np.float32)
    data = np.concatenate([p[0] for p in parts]).astype(np.float32)
    rows = np.concatenate([p[1] for p in parts])
    cols = np.concatenate([p[2] for p in parts])
    return coo_matrix((data, (rows, cols)), shape=(n, n))


def neighbour_edges(vectors: Vectors, settings: Settings) -> csr_matrix:
    """Links between each row and its closest rows by letters or by meaning (the larger)."""
    n = vectors.matrix.shape[0]
    edges = (
        csr_matrix(_lexical_edges(vectors.matrix, settings))
        if settings.lexical_weight > 0
        else csr_matrix((n, n), dtype=np.float32)
    )
    if vectors.meaning is not None:
        edges = csr_matrix(edges.maximum(csr_matrix(_meaning_edges(vectors.meaning, settings))))
    return edges


def similarity(vectors: Vectors, rows: np.ndarray, settings: Settings) -> np.ndarray:
    """The dense combined similarity between the given rows (a component, never the corpus)."""
    chosen = vectors.matrix[rows]
    combined = np.asarray((chosen @ chosen.T).todense(), dtype=np.float32)
    combined *= settings.lexical_weight
    if vectors.meaning is not None:
        meaning = vectors.meaning[rows]
        np.maximum(combined, meaning @ meaning.T, out=combined)
    return combined


def _components(edges: csr_matrix, threshold: float, members: np.ndarray) -> list[np.ndarray]:
    """Connected components of `members` over the edges at or above `threshold`."""
    sub = edges[members][:, members]
    sub.data[sub.data < threshold] = 0.0
    sub.eliminate_zeros()
    count, labels = connected_components(sub, directed=False)
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    return [members[part] for part in np.split(order, bounds)] if count else []


def _average_linkage(vectors: Vectors, members: np.ndarray, settings: Settings) -> list[np.ndarray]:
    distance = 1.0 - similarity(vectors, members, settings)
    distance = np.clip((distance + distance.T) / 2, 0.0, None)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    labels = fcluster(tree, 1.0 - settings.threshold, criterion="distance")
    return [members[labels == label] for label in np.unique(labels)]


def cluster(
    texts: Sequence[str], settings: Settings | None = None, meaning: np.ndarray | None = None
) -> list[list[int]]:
    """Indexes of `texts` grouped by idea; every index appears once (singletons included)."""
    return cluster_vectors(vectorise(texts, meaning, settings), settings)


def cluster_vectors(vectors: Vectors, settings: Settings | None = None) -> list[list[int]]:
    """`cluster` over texts already vectorised (the regrouper reuses them for closeness)."""
    settings = (settings or Settings()).for_vectors(vectors)
    matrix = vectors.matrix
    n = matrix.shape[0]
    if n == 0:
        return []
    edges = neighbour_edges(vectors, settings)
    pending = [(np.arange(n), settings.threshold)]
    row_clusters: list[np.ndarray] = []
    while pending:
        members, threshold = pending.pop()
        for part in _components(edges, threshold, members):
            if len(part) <= 2:
                row_clusters.append(part)
            elif len(part) <= settings.max_linkage:
                row_clusters.extend(_average_linkage(vectors, part, settings))
            elif threshold >= 0.95:
                # Still too large: at that closeness, 1.5 × letters can chain different ideas
                # that share a lead and a place (measured: precision 0.48 at 100,000 items when
                # such a component was kept whole). Precision first: left alone.
                row_clusters.extend(part[i : i + 1] for i in range(len(part)))
            else:  # too large to compare every pair: split at a stricter threshold first
                pending.append((part, threshold + _STEP))
    row_clusters = _join_twins(vectors, row_clusters, settings)
    # Back from distinct texts to items.
    cluster_of_row = np.empty(n, dtype=np.int64)
    for number, rows in enumerate(row_clusters):
        cluster_of_row[rows] = number
    labels = cluster_of_row[vectors.row_of]
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    clusters = [sorted(int(i) for i in part) for part in np.split(order, bounds)]
    clusters.sort(key=lambda c: c[0])
    return clusters


def _join_twins(
    vectors: Vectors, row_clusters: list[np.ndarray], settings: Settings
) -> list[np.ndarray]:
    """A cluster said in Arabic (in Arabic letters, or darija in Latin ones) and one said in
    French that are each other's closest by mean sentence vector (and close enough) are one
    idea: its two languages.

    One wording against another, French and Arabic, is often only fairly close (0.4–0.6),
    below what links two texts; the mean of a cluster's vectors drops what each wording says
    of its own, and "each other's closest in the other language" is far more telling than
    any absolute closeness.
    """
    if vectors.meaning is None or vectors.arabic is None or len(row_clusters) < 2:
        return row_clusters
    centres = np.stack([vectors.meaning[rows].mean(axis=0) for rows in row_clusters])
    norms = np.linalg.norm(centres, axis=1)
    centres /= np.where(norms > 0, norms, 1.0)[:, None]
    arabic = np.asarray([vectors.arabic[rows].mean() >= 0.5 for rows in row_clusters])
    sides = np.flatnonzero(arabic), np.flatnonzero(~arabic)
    if not all(len(side) for side in sides):
        return row_clusters
    left, right = sides
    nearest_right = np.empty(len(left), dtype=np.int64)
    best = np.empty(len(left), dtype=np.float32)
    nearest_left = np.full(len(right), -1, dtype=np.int64)
    best_left = np.full(len(right), -2.0, dtype=np.float32)
    for start in range(0, len(left), settings.chunk):
        block = centres[left[start : start + settings.chunk]] @ centres[right].T
        nearest_right[start : start + len(block)] = block.argmax(axis=1)
        best[start : start + len(block)] = block.max(axis=1)
        column_best = block.max(axis=0)
        better = column_best > best_left
        nearest_left[better] = block.argmax(axis=0)[better] + start
        best_left[better] = column_best[better]
    # An item said once is a cluster of one: its own words weigh fully in its "mean", so it
    # must be as close as two texts must be to be linked.
    alone = np.asarray([len(rows) == 1 for rows in row_clusters])
    parent = list(range(len(row_clusters)))
    for i, j in enumerate(nearest_right):
        needed = (
            settings.threshold if alone[left[i]] or alone[right[j]] else settings.twin_threshold
        )
        if nearest_left[j] == i and best[i] >= needed:
            parent[right[j]] = int(left[i])
    merged: dict[int, list[np.ndarray]] = {}
    for number, rows in enumerate(row_clusters):
        merged.setdefault(parent[number], []).append(rows)
    return [np.concatenate(parts) for parts in merged.values()]


def closeness(vectors: Vectors, members: Sequence[int]) -> np.ndarray:
    """Each member's similarity to the members' centre (1.0: the most typical), by letters
    or by meaning, whichever is larger (as for the grouping itself)."""
    rows = vectors.row_of[list(members)]
    chosen = vectors.matrix[rows]
    centre = np.asarray(chosen.mean(axis=0)).ravel()
    norm = float(np.linalg.norm(centre)) or 1.0
    close = np.asarray(chosen @ (centre / norm)).ravel()
    if vectors.meaning is not None:
        meaning = vectors.meaning[rows]
        middle = meaning.mean(axis=0)
        middle /= float(np.linalg.norm(middle)) or 1.0
        close = np.maximum(close, meaning @ middle)
    return close


@dataclass(frozen=True)
class Assigner:
    """Where a new item goes between two full groupings: the group whose centre is closest
    (by letters or by meaning, the larger, as for the grouping), if it is close enough."""

    vectoriser: TfidfVectorizer | None
    lexical: csr_matrix  # one L2-normalised n-gram centre per group
    meaning: np.ndarray | None  # one L2-normalised sentence-vector centre per group
    labels: tuple[int, ...]  # the caller's name of each group
    settings: Settings
    shift: np.ndarray | None = None  # the scripts' means the grouping took out (`_centre`)

    def _scores(self, text: str, vector: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Each group's n-gram cosine and sentence-vector cosine with the text (unweighted)."""
        lexical = np.zeros(len(self.labels), dtype=np.float32)
        meaning = np.zeros(len(self.labels), dtype=np.float32)
        if self.vectoriser is not None and self.settings.lexical_weight > 0:
            row = self.vectoriser.transform([normalise(text)])
            lexical = np.asarray((self.lexical @ row.T).todense(), dtype=np.float32).ravel()
        if self.meaning is not None and vector is not None:
            if self.shift is not None:  # centred as the grouping's vectors were
                vector = vector - self.shift[variety(text)]
                vector = vector / (float(np.linalg.norm(vector)) or 1.0)
            meaning = np.asarray(self.meaning @ vector, dtype=np.float32)
        return lexical, meaning

    def nearest(self, text: str, vector: np.ndarray | None = None) -> tuple[int | None, float]:
        """The closest group and its similarity; None when no group is close enough."""
        label, score, _close = self.place(text, vector)
        return label, score

    def place(self, text: str, vector: np.ndarray | None = None) -> tuple[int | None, float, float]:
        """The closest group (None when none is close enough), its combined similarity, and
        the text's closeness to that group's centre as the regrouping measures it (the larger
        of the two cosines, unweighted: what ranks the group's most typical member)."""
        if not self.labels:
            return None, 0.0, 0.0
        lexical, meaning = self._scores(text, vector)
        scores = np.maximum(lexical * self.settings.lexical_weight, meaning)
        best = int(scores.argmax())
        if scores[best] < self.settings.threshold:
            return None, float(scores[best]), 0.0
        return self.labels[best], float(scores[best]), float(max(lexical[best], meaning[best]))


def assigner(
    vectors: Vectors, groups: Mapping[int, Sequence[int]], settings: Settings | None = None
) -> Assigner:
    """The centres of `groups` (label -> item indexes of `vectors`), for `Assigner.nearest`."""
    settings = (settings or Settings()).for_vectors(vectors)
    labels = tuple(groups)
    rows = [vectors.row_of[list(groups[label])] for label in labels]
    indicator = csr_matrix(
        (
            np.concatenate([np.full(len(r), 1.0 / len(r), dtype=np.float32) for r in rows])
            if rows
            else np.zeros(0, dtype=np.float32),
            (
                np.repeat(np.arange(len(rows)), [len(r) for r in rows]),
                np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64),
            ),
        ),
        shape=(len(rows), vectors.matrix.shape[0]),
    )
    lexical = csr_matrix(indicator @ vectors.matrix)
    norms = np.sqrt(np.asarray(lexical.multiply(lexical).sum(axis=1)).ravel())
    lexical = csr_matrix(lexical.multiply(1.0 / np.where(norms > 0, norms, 1.0)[:, None]))
    meaning = None
    if vectors.meaning is not None:
        meaning = np.asarray(indicator @ vectors.meaning, dtype=np.float32)
        lengths = np.linalg.norm(meaning, axis=1)
        meaning /= np.where(lengths > 0, lengths, 1.0)[:, None]
    return Assigner(vectors.vectoriser, lexical, meaning, labels, settings, vectors.shift)
