"""The grouping's quality on a labelled corpus at the shipped settings (run with -s to see it).

Pairwise measure: over every pair of items of one kind, precision is the share of the pairs put
together that say the same idea, recall the share of the same-idea pairs put together.
"""

from __future__ import annotations

from collections import Counter

from feedback_app.services.ideas.clustering import cluster
from feedback_app.services.ideas.text import normalise
from tests.idea_corpus import CORPUS, pairwise_scores


def test_the_corpus_is_what_the_issue_asks_for() -> None:
    labels = Counter(label for label, _k, _t in CORPUS if not label.startswith("solo-"))
    assert len(CORPUS) >= 60
    assert sum(1 for n in labels.values() if n >= 3) >= 12
    assert {k for _l, k, _t in CORPUS} == {"need", "challenge", "proposal", "opportunity"}
    assert any(label.endswith("-ar") for label in labels)
    assert sum(1 for label, _k, _t in CORPUS if label.startswith("solo-")) >= 8


def test_paraphrases_are_grouped_with_precision_and_recall() -> None:
    precision, recall, together, same = pairwise_scores()
    print(
        f"\nidea grouping on {len(CORPUS)} labelled items: pairwise precision "
        f"{precision:.3f}, recall {recall:.3f} ({together} pairs grouped, {same} true pairs)"
    )
    # Measured 0.992 / 1.000 (0.923 / 0.930 before darija.py: one item says "الدواوير", the
    # villages in darija, now also read "القرى").
    assert precision >= 0.99
    assert recall >= 0.99


def test_arabic_letter_forms_and_french_accents_do_not_matter() -> None:
    assert normalise("إعادة تأهيل المدينة") == normalise("اعاده تاهيل المدينه")
    assert normalise("Hôtellerie ÉCOLOGIQUE") == normalise("hotellerie ecologique")
    assert normalise("Former les guides") == normalise("formés, des guides !")


def test_items_that_share_only_a_topic_stay_apart() -> None:
    texts = [
        "Former les guides touristiques aux langues étrangères",
        "Des cours de langues étrangères pour les guides touristiques",
        "Former les réceptionnistes à l'accueil des personnes handicapées",
    ]
    groups = cluster(texts)
    assert [0, 1] in groups and [2] in groups


def test_meaning_finds_what_letters_cannot_across_languages() -> None:
    """On the cross-language corpus (French, Arabic, darija in both scripts): the shipped
    combination keeps its measured precision and finds far more same-idea pairs than letters,
    most of them in two languages (README "Recurring ideas" gives the figures)."""
    from feedback_app.services.ideas.clustering import Settings
    from feedback_app.services.ideas.vectors import encode
    from tests.meaning_corpus import Item, items, pairwise

    corpus = items()
    vectors = encode([i.text for i in corpus])
    row = {id(i): n for n, i in enumerate(corpus)}

    def both(chosen: list[Item]) -> list[list[int]]:
        return cluster([i.text for i in chosen], meaning=vectors[[row[id(i)] for i in chosen]])

    def letters(chosen: list[Item]) -> list[list[int]]:
        return cluster([i.text for i in chosen], Settings())

    every, across = pairwise(corpus, both)
    _lexical, lexical_across = pairwise(corpus, letters)
    print(
        f"\ncross-language corpus: precision {every.precision:.3f} recall {every.recall:.3f}; "
        f"two languages: precision {across.precision:.3f} recall {across.recall:.3f}"
    )
    # Measured 0.945 / 0.643, two languages 0.961 / 0.659 (0.952 / 0.488 and 0.956 / 0.478
    # before darija was also read in MSA, darija.py, and centred apart; 0.862 / 0.427 and
    # 0.885 / 0.414 before darija in Latin letters was read in Arabic letters, arabizi.py, and
    # each script's mean vector taken out, clustering._centre).
    assert every.precision >= 0.94 and across.precision >= 0.96
    assert every.recall >= 0.64 and across.recall >= 0.65
    assert across.recall > 10 * lexical_across.recall


def test_what_was_tuned_holds_on_a_corpus_it_never_saw() -> None:
    """tests/meaning_heldout.py was written before any tuning and never tuned on: alone (a
    small tour, compared as encoded) and in one tour with the tuned-on corpus (centred)."""
    from tests import meaning_heldout
    from tests.meaning_corpus import Item, items, pairwise

    def grouped(corpus: list[Item]):
        from feedback_app.services.ideas.vectors import encode

        vectors = encode([i.text for i in corpus])
        row = {id(i): n for n, i in enumerate(corpus)}

        def both(chosen: list[Item]) -> list[list[int]]:
            rows = vectors[[row[id(i)] for i in chosen]]
            return cluster([i.text for i in chosen], meaning=rows)

        return pairwise(corpus, both)

    alone, alone_across = grouped(meaning_heldout.items())
    together, together_across = grouped(items() + meaning_heldout.items())
    print(
        f"\nheld out: {alone.precision:.3f} / {alone.recall:.3f} "
        f"(two languages {alone_across.precision:.3f} / {alone_across.recall:.3f}); "
        f"in one tour with the other: {together.precision:.3f} / {together.recall:.3f} "
        f"(two languages {together_across.precision:.3f} / {together_across.recall:.3f})"
    )
    # Measured 0.987 / 0.428 and 0.903 / 0.628 (0.983 / 0.317 and 0.895 / 0.473 before).
    assert alone.precision >= 0.98 and alone.recall >= 0.42
    assert together.precision >= 0.9 and together.recall >= 0.62


def test_a_new_item_joins_the_nearest_group_or_none() -> None:
    from feedback_app.services.ideas.clustering import assigner, vectorise
    from feedback_app.services.ideas.vectors import encode

    texts = [
        "Former les guides touristiques aux langues étrangères",
        "Des cours de langues étrangères pour les guides touristiques",
        "Améliorer la signalétique routière vers les sites touristiques",
        "Installer une signalétique touristique sur les routes d'accès",
    ]
    centres = assigner(vectorise(texts, encode(texts)), {1: [0, 1], 2: [2, 3]})
    arabic = "تكوين المرشدين السياحيين في اللغات الأجنبية"
    assert centres.nearest(arabic, encode([arabic])[0])[0] == 1
    misspelt = "signaletique routiere vers les sites"
    assert centres.nearest(misspelt, None)[0] == 2  # letters alone, without a vector
    unrelated = "Le golf attire une clientèle européenne l'hiver"
    assert centres.nearest(unrelated, encode([unrelated])[0])[0] is None


def test_a_new_item_is_centred_like_the_groups_it_joins() -> None:
    """Past 15 texts a script, the grouping takes each script's mean out of the vectors; a new
    item placed between two regroupings is compared after the same subtraction: each held-out
    wording of an idea of the cross-language corpus joins its idea's group."""
    from feedback_app.services.ideas.clustering import assigner, vectorise
    from feedback_app.services.ideas.vectors import encode
    from tests.meaning_corpus import items

    need = [i for i in items() if i.kind == "need"]
    held = [n for n, i in enumerate(need) if i.label and i.language in ("ar", "lat")][::3]
    kept = [i for n, i in enumerate(need) if n not in held]
    vectors = vectorise([i.text for i in kept], encode([i.text for i in kept]))
    assert vectors.shift is not None  # 15 texts or more on each side: centred
    groups: dict[str, list[int]] = {}
    for n, item in enumerate(kept):
        if item.label:
            groups.setdefault(item.label, []).append(n)
    labels = sorted(groups)
    centres = assigner(vectors, {n: groups[label] for n, label in enumerate(labels)})
    placed = [centres.nearest(need[n].text, encode([need[n].text])[0])[0] for n in held]
    right = sum(
        p is not None and labels[p] == need[n].label for p, n in zip(placed, held, strict=True)
    )
    wrong = sum(
        p is not None and labels[p] != need[n].label for p, n in zip(placed, held, strict=True)
    )
    print(f"\n{len(held)} held out: {right} placed right, {wrong} wrong")
    # Measured: 10 of 10 right since darija is also read in MSA and centred apart (9 right and
    # 1 wrong before: "public transport to the sites" in Arabic joined the parking idea);
    # comparing the new vector as encoded with the centred groups: 8 right.
    assert len(held) == 10
    assert right >= 9 and wrong <= 1
