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
    assert precision >= 0.9
    assert recall >= 0.8


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
