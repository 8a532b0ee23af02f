"""The automatic grouping itself: plain texts in, clusters out (no database here).

Method, chosen by measurement (tests/test_idea_quality.py, bench/grouping.py, README):
1. each text is normalised (services/ideas/text.py: accents, Arabic letter forms, stop words,
   Snowball stems) and turned into a TF-IDF vector of character 4-grams (inside words)
   with scikit-learn: stems that differ by a few letters, as Arabic stems often do, still share
   most n-grams;
2. for every item its nearest neighbours (cosine similarity, top `NEIGHBOURS`) are found by
   sparse products taken `CHUNK` rows at a time, so memory stays bounded: never a dense
   n × n matrix;
3. items closer than `THRESHOLD` are linked and the connected components are the groups;
   a component that is not cohesive (an item further than `COHESION` from the group's
   centre) is split again with a stricter threshold, so that chains A~B~C do not glue
   unrelated ideas together.
Only items of one kind are ever compared (the caller runs this once per kind).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer
from sparse_dot_topn import sp_matmul_topn

from feedback_app.services.ideas.text import normalise

THRESHOLD = 0.28
COHESION = 0.30
NEIGHBOURS = 10
CHUNK = 5000
THREADS = 2
COMMON_FROM = 1000
_STEP = 0.05


@dataclass(frozen=True)
class Settings:
    threshold: float = THRESHOLD
    cohesion: float = COHESION
    neighbours: int = NEIGHBOURS
    chunk: int = CHUNK


@dataclass(frozen=True)
class Vectors:
    """One TF-IDF row per distinct normalised text, and each item's row.

    Texts said word for word by many people are compared once: it saves the time of comparing
    them again and again, and their copies do not fill every slot of each other's top-k
    neighbours (which would cut them off from the paraphrases around them).
    """

    matrix: csr_matrix
    row_of: np.ndarray  # item index -> matrix row


def vectorise(texts: Sequence[str]) -> Vectors:
    """L2-normalised TF-IDF rows over character 4-grams of the normalised distinct texts."""
    raw: dict[str, int] = {}
    raw_row = [raw.setdefault(t, len(raw)) for t in texts]
    distinct: dict[str, int] = {}
    row_of_raw = [distinct.setdefault(normalise(t), len(distinct)) for t in raw]
    row_of = np.asarray([row_of_raw[r] for r in raw_row], dtype=np.int64)
    return Vectors(_tfidf(list(distinct)), row_of)


def _tfidf(normalised: list[str]) -> csr_matrix:
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
        return csr_matrix((len(normalised), 1), dtype=np.float32)
    try:
        return csr_matrix(vectoriser.fit_transform(normalised))
    except ValueError:  # every n-gram pruned (tiny inputs): fall back to no pruning
        vectoriser.set_params(max_df=1.0)
        return csr_matrix(vectoriser.fit_transform(normalised))


def neighbour_edges(matrix: csr_matrix, settings: Settings) -> coo_matrix:
    """Links between each row and its closest rows above the threshold, chunk by chunk.

    sparse_dot_topn multiplies and keeps only each row's top `neighbours` products above the
    threshold as it goes (compiled, multi-threaded), so a chunk never becomes a dense block.
    """
    n = matrix.shape[0]
    parts: list[coo_matrix] = []
    transposed = matrix.T.tocsr()
    top = settings.neighbours + 1  # a row is its own closest neighbour
    for start in range(0, n, settings.chunk):
        stop = min(start + settings.chunk, n)
        block = sp_matmul_topn(
            matrix[start:stop],
            transposed,
            top_n=top,
            threshold=settings.threshold,
            n_threads=THREADS,
        ).tocoo()
        keep = block.row + start != block.col
        parts.append(
            coo_matrix((block.data[keep], (block.row[keep] + start, block.col[keep])), shape=(n, n))
        )
    if not parts:
        return coo_matrix((n, n), dtype=np.float32)
    rows = np.concatenate([p.row for p in parts])
    cols = np.concatenate([p.col for p in parts])
    data = np.concatenate([p.data for p in parts])
    return coo_matrix((data, (rows, cols)), shape=(n, n))


def _cohesive(matrix: csr_matrix, members: np.ndarray, cohesion: float) -> bool:
    vectors = matrix[members]
    centre = np.asarray(vectors.mean(axis=0)).ravel()
    norm = float(np.linalg.norm(centre))
    if norm == 0.0:
        return False
    closeness = vectors @ (centre / norm)
    return bool(np.min(closeness) >= cohesion)


def _components(edges: coo_matrix, threshold: float, members: np.ndarray) -> list[np.ndarray]:
    """Connected components of `members` over the edges at or above `threshold`."""
    sub = csr_matrix(edges)[members][:, members]
    sub.data[sub.data < threshold] = 0.0
    sub.eliminate_zeros()
    count, labels = connected_components(sub, directed=False)
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    return [members[part] for part in np.split(order, bounds)] if count else []


def cluster(texts: Sequence[str], settings: Settings | None = None) -> list[list[int]]:
    """Indexes of `texts` grouped by idea; every index appears once (singletons included)."""
    return cluster_vectors(vectorise(texts), settings)


def cluster_vectors(vectors: Vectors, settings: Settings | None = None) -> list[list[int]]:
    """`cluster` over texts already vectorised (the regrouper reuses them for closeness)."""
    settings = settings or Settings()
    matrix = vectors.matrix
    n = matrix.shape[0]
    if n == 0:
        return []
    edges = neighbour_edges(matrix, settings)
    pending = [(np.arange(n), settings.threshold)]
    row_clusters: list[np.ndarray] = []
    while pending:
        members, threshold = pending.pop()
        for part in _components(edges, threshold, members):
            if len(part) <= 2 or threshold >= 0.95 or _cohesive(matrix, part, settings.cohesion):
                row_clusters.append(part)
            else:
                pending.append((part, threshold + _STEP))
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


def closeness(vectors: Vectors, members: Sequence[int]) -> np.ndarray:
    """Each member's cosine similarity to the members' centre (1.0: the most typical)."""
    rows = vectors.row_of[list(members)]
    chosen = vectors.matrix[rows]
    centre = np.asarray(chosen.mean(axis=0)).ravel()
    norm = float(np.linalg.norm(centre)) or 1.0
    return np.asarray(chosen @ (centre / norm)).ravel()
