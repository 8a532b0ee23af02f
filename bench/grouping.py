"""How fast, in how much memory and how well the idea grouping runs (services/idea_clustering).

    .venv/bin/python bench/grouping.py [--sizes 10000,100000]

For each size, in its own process (so that peak memory is its own), a tour's items are made:
70 % say one of the demo's recurring ideas (demo/ideas.py, French and Arabic, with a
few words of the respondent's own around it and up to four made-up words after it, so
that nearly every text is distinct), 30 % say something of their own (random
sentences over a vocabulary of 4,000 made-up words). They are grouped kind by kind exactly as the
regrouper does (vectorise, sparse top-k neighbours, components). Printed: wall and CPU seconds,
peak resident memory, groups found, and the pairwise precision and recall against the ideas
the items were made from (sampled pairs), then the labelled corpus of the tests.
Goal: 100,000 items in <= 60 s and <= 1 GB on the 2-core machine.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CITIES = ("Marrakech", "Agadir", "Ouarzazate", "Dakhla", "Tanger", "Fès", "Oujda", "Rabat")


def make_items(count: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """(kind, text, label) triples; label '' for an item that says something of its own."""
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
            items.append((kind.value, f"{text} {own}".strip(), f"{kind.value}:{id(idea)}:{arabic}"))
        else:
            words = rng.randint(5, 14)
            items.append((kind.value, " ".join(rng.choice(vocabulary) for _ in range(words)), ""))
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


def run_one(size: int) -> dict:
    from feedback_app.services.ideas.clustering import cluster_vectors, vectorise

    items = make_items(size)
    started, cpu = time.perf_counter(), time.process_time()
    found = [0] * size
    groups = 0
    next_id = 0
    for kind in ("need", "opportunity", "challenge", "proposal"):
        positions = [i for i, item in enumerate(items) if item[0] == kind]
        clusters = cluster_vectors(vectorise([items[i][1] for i in positions]))
        for members in clusters:
            groups += len(members) > 1
            for m in members:
                found[positions[m]] = next_id
            next_id += 1
    wall, cpu_s = time.perf_counter() - started, time.process_time() - cpu
    precision, recall = _pairwise([i[2] for i in items], found, random.Random(1))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "items": size,
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu_s, 1),
        "peak_mb": round(peak),
        "groups": groups,
        "precision": round(precision, 3),
        "recall": round(recall, 3),
    }


def corpus_scores() -> str:
    from tests.idea_corpus import CORPUS, pairwise_scores

    precision, recall, _together, _same = pairwise_scores()
    return f"labelled corpus ({len(CORPUS)} items): precision {precision:.3f}, recall {recall:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return
    print(corpus_scores())
    print("load average:", Path("/proc/loadavg").read_text().split()[:3])
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(size)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(
            f"{r['items']:>7} items: {r['wall_s']:>6} s wall, {r['cpu_s']:>6} s CPU, "
            f"peak {r['peak_mb']} MB, {r['groups']} groups, sampled pairwise precision "
            f"{r['precision']}, recall {r['recall']}"
        )


if __name__ == "__main__":
    main()
