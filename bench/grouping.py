"""How fast, in how much memory and how well the idea grouping runs (services/ideas/).

    .venv/bin/python bench/grouping.py [--sizes 10000,100000] [--corpus-only]

First the labelled corpora (tests/meaning_corpus.py: French, Arabic, darija in both scripts;
tests/idea_corpus.py): pairwise precision and recall of the letters alone (character n-grams),
the sentence vectors alone, and both (what ships), overall and on the pairs in two languages.

For each size, in its own process (so that peak memory is its own), a tour's items are made:
70 % say one of the demo's recurring ideas (demo/ideas.py, French and Arabic, with a
few words of the respondent's own around it and up to four made-up words after it, so
that nearly every text is distinct), 30 % say something of their own (random
sentences over a vocabulary of 4,000 made-up words). They are grouped kind by kind exactly as the
regrouper does (sentence vectors encoded first, as the regrouping task stores them; then
n-gram vectors, top-k neighbours, average linkage, twins). Printed: the encoder's throughput,
wall and CPU seconds and peak resident memory of the grouping (vectors included), groups found,
the pairwise precision and recall against the ideas the items were made from (sampled pairs;
an idea said in French and in Arabic is one idea), and the incremental assignment of new items
(encode + nearest group centre) per item, p50/p95.
Goals: 100,000 items grouped in <= 60 s and <= 1.5 GB; incremental p95 <= 20 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import string
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CITIES = ("Marrakech", "Agadir", "Ouarzazate", "Dakhla", "Tanger", "Fès", "Oujda", "Rabat")


def make_items(count: int, seed: int = 7) -> list[tuple[str, str, str, str]]:
    """(kind, text, label, the idea's wording without the made-up words); label '' for an
    item that says something of its own."""
    from feedback_app.demo.ideas import pick
    from feedback_app.models import ItemKind

    rng = random.Random(seed)
    # Words of random letters: unrelated sentences share n-grams only by chance.
    vocabulary = [
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 9)))
        for _ in range(4000)
    ]
    kinds = list(ItemKind)
    items = []
    for _ in range(count):
        kind = rng.choice(kinds)
        if rng.random() < 0.7:
            arabic = rng.random() < 0.2
            city = rng.choice(CITIES)
            state = rng.getstate()
            text, _theme = pick(rng, kind, city, arabic=arabic)
            # The label is the idea: replay the pick's idea choice without wording or lead.
            rng2 = random.Random()
            rng2.setstate(state)
            ideas = _ideas(kind, arabic)
            idea = rng2.choices(ideas, weights=[1 / (n + 1) for n in range(len(ideas))])[0]
            # Most people add details of their own: nearly every text is distinct.
            own = " ".join(rng.choice(vocabulary) for _ in range(rng.choice((0, 1, 2, 3, 4))))
            items.append((kind.value, f"{text} {own}".strip(), f"{kind.value}:{id(idea)}", text))
        else:
            words = rng.randint(5, 14)
            text = " ".join(rng.choice(vocabulary) for _ in range(words))
            items.append((kind.value, text, "", text))
    return items


def _ideas(kind, arabic: bool):
    from feedback_app.demo.ideas import IDEAS

    ideas = IDEAS[kind]
    return (tuple(i for i in ideas if i.arabic) or ideas) if arabic else ideas


def _pairwise(
    labels: list[str], found: list[int], rng: random.Random, samples: int = 20_000
) -> tuple[float, float]:
    """Pairwise precision and recall estimated on random pairs (100,000 items make 5e9).

    Pairs are drawn uniformly among the grouped pairs (a group of m items weighs m(m-1)/2)
    for precision, and among the same-idea pairs for recall.
    """

    def draw(groups: list[list[int]]) -> list[tuple[int, int]]:
        weights = [len(g) * (len(g) - 1) / 2 for g in groups]
        if not groups or not sum(weights):
            return []
        chosen = rng.choices(groups, weights=weights, k=samples)
        return [tuple(rng.sample(g, 2)) for g in chosen]  # type: ignore[misc]

    by_label: dict[str, list[int]] = {}
    by_group: dict[int, list[int]] = {}
    for i, (label, group) in enumerate(zip(labels, found, strict=True)):
        if label:
            by_label.setdefault(label, []).append(i)
        by_group.setdefault(group, []).append(i)
    same = draw([g for g in by_label.values() if len(g) > 1])
    grouped = draw([g for g in by_group.values() if len(g) > 1])
    recall = sum(found[i] == found[j] for i, j in same) / max(len(same), 1)
    precision = sum(bool(labels[i]) and labels[i] == labels[j] for i, j in grouped)
    return precision / max(len(grouped), 1), recall


def run_one(size: int, encode_sample: int) -> dict:
    import numpy as np

    from feedback_app.services.ideas import vectors as vec
    from feedback_app.services.ideas.clustering import assigner, cluster_vectors, vectorise

    items = make_items(size)
    vec.encoder().encode(["warm-up"])  # loading the weights is not encoding
    # Encoding is what the regrouping task does once per item, long before a regrouping:
    # timed on a sample (all of them when encode_sample >= size), each text its own.
    sample = min(encode_sample, size)
    started, cpu = time.perf_counter(), time.process_time()
    encoded = vec.encode([item[1] for item in items[:sample]])
    throughput = sample / (time.perf_counter() - started)
    throughput_cpu = sample / (time.process_time() - cpu)
    if sample < size:
        # The others stand in for stored vectors, to save the bench an hour of encoding: an
        # item saying a demo idea gets the vector of its wording without its made-up words (a
        # few hundred distinct texts to encode), one saying something of its own a random
        # direction (unrelated to every other, as its random words are).
        rest = items[sample:]
        meaning = np.zeros((size, vec.DIMENSIONS), dtype=np.float32)
        meaning[:sample] = encoded
        said = [n for n, item in enumerate(rest) if item[2]]
        meaning[sample + np.asarray(said, dtype=np.int64)] = vec.encode([rest[n][3] for n in said])
        own = [n for n, item in enumerate(rest) if not item[2]]
        noise = np.random.default_rng(3).standard_normal((len(own), vec.DIMENSIONS))
        noise /= np.linalg.norm(noise, axis=1)[:, None]
        meaning[sample + np.asarray(own, dtype=np.int64)] = noise
    else:
        meaning = encoded
    # What the regrouping holds: the stored float16 bytes, turned back into float32 rows.
    blobs = [vec.to_blob(v) for v in meaning]
    del meaning, encoded
    started, cpu = time.perf_counter(), time.process_time()
    found = [0] * size
    groups = 0
    next_id = 0
    assign_times: list[float] = []
    assign_cpu: list[float] = []
    centres_wall = centres_cpu = 0.0
    for kind in ("need", "opportunity", "challenge", "proposal"):
        positions = [i for i, item in enumerate(items) if item[0] == kind]
        meaning_rows = vec.from_blobs([blobs[i] for i in positions])
        vectors = vectorise([items[i][1] for i in positions], meaning_rows)
        clusters = cluster_vectors(vectors)
        for members in clusters:
            groups += len(members) > 1
            for m in members:
                found[positions[m]] = next_id
            next_id += 1
        # What a placement run did before it cached them (groups.place_new): the centres
        # rebuilt from the kind's grouped items, their stored vectors read back and a TF-IDF
        # fitted over their texts. Not part of a full regrouping's time either.
        rebuild_wall, rebuild_cpu = time.perf_counter(), time.process_time()
        kept = [c for c in clusters if len(c) > 1]
        grouped = [positions[m] for c in kept for m in c]
        member_rows, start = {}, 0
        for number, c in enumerate(kept):
            member_rows[number] = list(range(start, start + len(c)))
            start += len(c)
        assigner(
            vectorise([items[i][1] for i in grouped], vec.from_blobs([blobs[i] for i in grouped])),
            member_rows,
        )
        centres_wall += time.perf_counter() - rebuild_wall
        centres_cpu += time.process_time() - rebuild_cpu
        started += time.perf_counter() - rebuild_wall
        cpu += time.process_time() - rebuild_cpu
        if kind == "need":
            wall_before = time.perf_counter()
            centres = assigner(vectors, {n: c for n, c in enumerate(clusters) if len(c) > 1})
            build = time.perf_counter() - wall_before
            started_assign, cpu_assign = time.perf_counter(), time.process_time()
            for text in [items[i][1] for i in positions[:200]]:
                one, one_cpu = time.perf_counter(), time.process_time()
                centres.nearest(text, vec.encode([text])[0])
                assign_times.append(time.perf_counter() - one)
                assign_cpu.append(time.process_time() - one_cpu)
            # The assignment is not part of a full regrouping's time.
            started += time.perf_counter() - started_assign
            cpu += time.process_time() - cpu_assign
    wall, cpu_s = time.perf_counter() - started, time.process_time() - cpu
    precision, recall = _pairwise([i[2] for i in items], found, random.Random(1))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assign_times.sort()
    assign_cpu.sort()
    return {
        "items": size,
        "encoded": sample,
        "encode_per_s": round(throughput),
        "encode_per_cpu_s": round(throughput_cpu),
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu_s, 1),
        "peak_mb": round(peak),
        "groups": groups,
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "assign_build_s": round(build, 2),
        "centres_rebuild_s": round(centres_wall, 1),
        "centres_rebuild_cpu_s": round(centres_cpu, 1),
        "assign_p50_ms": round(assign_times[len(assign_times) // 2] * 1000, 1),
        "assign_p95_ms": round(assign_times[int(len(assign_times) * 0.95)] * 1000, 1),
        "assign_p95_cpu_ms": round(assign_cpu[int(len(assign_cpu) * 0.95)] * 1000, 1),
    }


def corpus_scores() -> list[str]:
    import numpy as np

    from feedback_app.services.ideas.arabizi import for_encoder
    from feedback_app.services.ideas.clustering import Settings, cluster
    from feedback_app.services.ideas.vectors import encode, encoder
    from tests import meaning_heldout
    from tests.idea_corpus import CORPUS, idea_of
    from tests.meaning_corpus import Item, items, pairwise

    older = [
        Item("" if label.startswith("solo-") else idea_of(label), kind, "x", text)
        for label, kind, text in CORPUS
    ]
    # The method before darija was rewritten in MSA (darija.py): two scripts centred, links
    # at a centred 0.30.
    before = Settings(darija_apart=False, centred_threshold=0.3)
    lines = []
    for name, corpus in (
        ("cross-language corpus, tuned on", items()),
        ("held-out cross-language corpus, never tuned on", meaning_heldout.items()),
        ("both cross-language corpora in one tour", items() + meaning_heldout.items()),
        ("French/Arabic corpus", older),
    ):
        texts = [i.text for i in corpus]
        shipped = encode(texts)
        # What the encoder gave before darija.py: darija read as said (arabizi in Arabic
        # letters), and before arabizi.py: as typed.
        as_read = np.asarray(encoder().encode([for_encoder(t) for t in texts]), dtype=np.float32)
        as_typed = np.asarray(encoder().encode(texts), dtype=np.float32)
        row = {id(i): n for n, i in enumerate(corpus)}
        lines.append(f"{name} ({len(corpus)} items):")
        for method, settings, vectors in (
            ("letters (n-grams)", Settings(), None),
            ("sentence vectors", Settings(lexical_weight=0.0), shipped),
            ("both, uncentred, arabizi as typed", Settings(centre_from=None), as_typed),
            ("both, before darija.py", before, as_read),
            ("both + darija in MSA", before, shipped),
            ("both + darija in MSA, centred apart", replace(before, darija_apart=True), shipped),
            ("both (shipped: + links at 0.28)", Settings(), shipped),
        ):

            def grouped(
                chosen: list[Item], settings=settings, vectors=vectors, row=row
            ) -> list[list[int]]:
                rows = vectors[[row[id(i)] for i in chosen]] if vectors is not None else None
                return cluster([i.text for i in chosen], settings, meaning=rows)

            every, across = pairwise(corpus, grouped)
            line = f"  {method:<37} precision {every.precision:.3f}, recall {every.recall:.3f}"
            if name != "French/Arabic corpus":
                line += (
                    f" | two languages: precision {across.precision:.3f}, "
                    f"recall {across.recall:.3f}"
                )
            lines.append(line)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument(
        "--encode", type=int, default=20000, help="items actually encoded (throughput sample)"
    )
    parser.add_argument("--corpus-only", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.encode)))
        return
    print("\n".join(corpus_scores()))
    if args.corpus_only:
        return
    print("load average:", Path("/proc/loadavg").read_text().split()[:3])
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(size), "--encode", str(args.encode)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(
            f"{r['items']:>7} items: encoder {r['encode_per_s']} items/s wall, "
            f"{r['encode_per_cpu_s']} per CPU second (on {r['encoded']}); "
            f"grouping {r['wall_s']} s wall, {r['cpu_s']} s CPU, peak {r['peak_mb']} MB "
            f"(vectors included), {r['groups']} groups, sampled pairwise precision "
            f"{r['precision']}, recall {r['recall']}; incremental assignment "
            f"p50 {r['assign_p50_ms']} ms, p95 {r['assign_p95_ms']} ms wall "
            f"({r['assign_p95_cpu_ms']} ms CPU) per item "
            f"(centres built in {r['assign_build_s']} s); a placement run's centres "
            f"rebuilt from the grouped items (4 kinds): {r['centres_rebuild_s']} s wall, "
            f"{r['centres_rebuild_cpu_s']} s CPU"
        )


if __name__ == "__main__":
    main()
