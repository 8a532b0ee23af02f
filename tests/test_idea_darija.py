"""Darija is rewritten towards MSA before the sentence encoder reads it (services/ideas/
darija.py); MSA and French are left as they are."""

from __future__ import annotations

import numpy as np
import pytest

from feedback_app.demo.ideas import IDEAS
from feedback_app.services.ideas.arabizi import for_encoder
from feedback_app.services.ideas.clustering import DARIJA, FRENCH, MSA, variety
from feedback_app.services.ideas.darija import is_darija, to_msa
from tests.idea_corpus import CORPUS
from tests.meaning_corpus import items

# (darija, what the encoder also reads) — general words, not sentences of the corpora.
CASES = [
    # function words
    ("خاصنا الما", "نحتاج الماء"),
    ("الناس بزاف", "الناس كثيرا"),
    ("الدار ديالنا", "البيت لنا"),
    ("ماكاينش الخدمة", "لا يوجد العمل"),
    ("ما كايناش الفلوس", "لا توجد المال"),
    ("واش كاين طوبيس", "هل يوجد حافلة"),
    ("فين كاين السبيطار", "أين يوجد المستشفى"),
    # "ف" glued to a noun with its article
    ("الضو مقطوع فالدوار", "الكهرباء مقطوع في القرية"),
    # verbs: present prefix ك-, persons, the plural -و, the negation ما ...ش
    ("كيجيو", "يأتون"),
    ("كنبغيو", "نريد"),
    ("كتجيب", "تجلب"),
    ("الدراري ما كيلقاوش الخدمة", "الأطفال لا يجدون العمل"),
    ("مانلقاوش", "لا نجد"),
    ("حنا نديرو", "نحن نصنع"),
    ("وكيبيعو", "ويبيعون"),
    # French words inside darija stay French
    ("نديرو label ديال qualité", "نصنع label qualité"),
]


@pytest.mark.parametrize(("darija", "msa"), CASES)
def test_darija_words_are_rewritten_in_msa(darija: str, msa: str) -> None:
    assert to_msa(darija) == msa


def test_darija_in_latin_letters_is_rewritten_after_its_letters() -> None:
    assert to_msa(for_encoder("khassna lflous bzaf")) == "نحتاج المال كثيرا"
    assert to_msa(for_encoder("les touristes kayjiw f sif")) == "les touristes يأتون في الصيف"


@pytest.mark.parametrize(
    "text",
    [
        "Les touristes viennent en été",  # French
        "ma khassna walo",  # Latin letters, read by arabizi.py first, never here
        "قطاع خاص",  # MSA "private", not darija "must"
        "المنافسة غير الشريفة للإيواء غير المرخص",
        "النقل العام بلا تأخير",
        "يبيع الحرفيون منتوجاتهم",
    ],
)
def test_french_and_msa_are_left_alone(text: str) -> None:
    assert not is_darija(text)
    assert to_msa(text) == text


def test_no_msa_or_french_sentence_of_the_corpora_or_the_demo_is_rewritten() -> None:
    texts = [i.text for i in items() if i.language in ("fr", "ar")]
    texts += [t for _label, _kind, t in CORPUS if "الدواوير" not in t]  # one darija word there
    texts += [t for ideas in IDEAS.values() for idea in ideas for t in idea.french + idea.arabic]
    assert len(texts) > 250
    assert [t for t in texts if to_msa(for_encoder(t)) != for_encoder(t)] == []


def test_every_darija_wording_of_the_corpus_is_told_darija() -> None:
    corpus = items()
    assert all(variety(i.text) == DARIJA for i in corpus if i.language == "dar")
    # In Latin letters, darija is what arabizi.py recognises (all but one mixed sentence).
    latin = [variety(i.text) == DARIJA for i in corpus if i.language == "lat"]
    assert latin.count(False) == 1 and len(latin) == 29
    assert all(variety(i.text) == MSA for i in corpus if i.language == "ar")
    assert all(variety(i.text) == FRENCH for i in corpus if i.language == "fr")


def test_a_darija_vector_mixes_the_text_as_said_and_its_msa() -> None:
    from feedback_app.services.ideas.vectors import encode, encoder

    said = "خاصنا طوبيسات كثر"
    mixed = encode([said])[0]
    alone, msa = np.asarray(encoder().encode([said, to_msa(said)]), dtype=np.float32)
    expected = (alone + msa) / np.linalg.norm(alone + msa)
    assert np.allclose(mixed, expected, atol=1e-5)
    french = "Plus de bus vers les sites"
    assert np.allclose(encode([french])[0], encoder().encode([french])[0], atol=1e-6)
