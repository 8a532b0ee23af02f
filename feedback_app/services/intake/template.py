"""The intake template of one stop: a workbook to fill by hand or from another spreadsheet.

First sheet: the headers (the chosen language, then Arabic or French), a marked example row that
the importer ignores, and drop-down lists (data validation) for category, kind, theme, priority
and consent, drawn from the live reference data. Second sheet: instructions. A hidden third
sheet holds the lists.
"""

from __future__ import annotations

import io

import xlsxwriter
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_app.exports.labels import Labels
from feedback_app.labels import CODE_WORDS
from feedback_app.locales import LANGUAGE_CODES
from feedback_app.models import Category, ItemKind, Priority, Theme, TourStop
from feedback_app.services.intake.files import DEFAULT_MAX_ROWS
from feedback_app.services.intake.headers import FIELDS, header_label

_SHEETS = {
    "fr": ("Contributions", "Instructions", "Listes"),
    "ar": ("المساهمات", "التعليمات", "القوائم"),
    "en": ("Entries", "Instructions", "Lists"),
}
_YES_NO = {"fr": ("oui", "non"), "ar": ("نعم", "لا"), "en": ("yes", "no")}
_EXAMPLE = {
    "fr": ("[EXEMPLE] Riad Atlas", "Formation aux langues étrangères pour le personnel d'accueil."),
    "ar": ("[مثال] رياض الأطلس", "تكوين موظفي الاستقبال في اللغات الأجنبية."),
    "en": ("[EXAMPLE] Riad Atlas", "Foreign-language training for front-desk staff."),
}
_EXAMPLE_THEME = "formation-rh"
_INSTRUCTIONS = {
    "fr": (
        "Étape : {stop}",
        "Une ligne = une contribution (besoin, opportunité, défi ou proposition). Pour plusieurs "
        "contributions d'une même organisation, répétez l'organisation sur plusieurs lignes.",
        "Colonnes obligatoires : Organisation, Catégorie, Type, Texte. Choisissez Catégorie, "
        "Type, Thème et Priorité dans les listes déroulantes.",
        "Les coordonnées (nom, e-mail, téléphone) ne sont conservées que si la colonne "
        "Consentement vaut « oui » : la personne a accepté d'être recontactée.",
        "La ligne d'exemple (organisation commençant par [EXEMPLE]) est ignorée à l'import.",
        "Au plus {max_rows} lignes. Formats acceptés : .xlsx, .ods, .csv (UTF-8 ou Windows-1252, "
        "séparateur ; ou ,). Un aperçu est présenté avant tout enregistrement ; une ligne déjà "
        "importée n'est jamais enregistrée deux fois.",
    ),
    "ar": (
        "المحطة: {stop}",
        "سطر واحد = مساهمة واحدة (حاجة أو فرصة أو تحدٍّ أو مقترح). لعدة مساهمات من المؤسسة نفسها، "
        "كرّروا اسم المؤسسة في عدة أسطر.",
        "الأعمدة الإلزامية: المؤسسة، الفئة، النوع، النص. اختاروا الفئة والنوع والمحور والأولوية "
        "من القوائم المنسدلة.",
        "لا تُحفظ بيانات الاتصال (الاسم، البريد، الهاتف) إلا إذا كانت قيمة عمود الموافقة «نعم».",
        "سطر المثال (مؤسسة تبدأ بـ [مثال]) يُتجاهل عند الاستيراد.",
        "{max_rows} سطر على الأكثر. الصيغ المقبولة: ‎.xlsx و‎.ods و‎.csv. تُعرض معاينة قبل أي حفظ، "
        "ولا يُحفظ سطر مستورد مرتين.",
    ),
    "en": (
        "Stop: {stop}",
        "One row = one entry (need, opportunity, challenge or proposal). For several entries "
        "from the same organisation, repeat the organisation on several rows.",
        "Required columns: Organisation, Category, Kind, Text. Pick Category, Kind, Theme and "
        "Priority from the drop-down lists.",
        "Contact details (name, email, phone) are kept only when the Consent column says "
        '"yes": the person agreed to be contacted again.',
        "The example row (organisation starting with [EXAMPLE]) is ignored by the import.",
        "At most {max_rows} rows. Accepted formats: .xlsx, .ods, .csv (UTF-8 or Windows-1252, "
        "separator ; or ,). A preview is shown before anything is stored; a row already "
        "imported is never stored twice.",
    ),
}


def template_headers(language: str) -> list[str]:
    second = "fr" if language == "ar" else "ar"
    return [f"{header_label(f, language)} / {header_label(f, second)}" for f in FIELDS]


def build_template(
    session: Session, stop: TourStop, language: str = "fr", *, max_rows: int = DEFAULT_MAX_ROWS
) -> bytes:
    language = language if language in LANGUAGE_CODES else "fr"
    labels = Labels(language, CODE_WORDS)
    themes = list(
        session.scalars(
            select(Theme).where(Theme.retired.is_(False)).order_by(Theme.position, Theme.id)
        )
    )
    lists = {
        "category": [
            c.name_for(language)
            for c in session.scalars(select(Category).order_by(Category.position))
        ],
        "kind": [labels.kind(kind.value) for kind in ItemKind],
        "theme": [t.name_for(language) for t in themes],
        "priority": [
            labels.priority(p.value) for p in (Priority.HIGH, Priority.MEDIUM, Priority.LOW)
        ],
        "consent": list(_YES_NO[language]),
    }
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    data_name, help_name, lists_name = _SHEETS[language]
    sheet = workbook.add_worksheet(data_name)
    help_sheet = workbook.add_worksheet(help_name)
    list_sheet = workbook.add_worksheet(lists_name)
    if labels.rtl:
        sheet.right_to_left()
        help_sheet.right_to_left()
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True})
    example = workbook.add_format({"italic": True, "font_color": "#7F7F7F"})
    sheet.write_row(0, 0, template_headers(language), bold)
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, len(FIELDS) - 1, 22)
    sheet.set_column(FIELDS.index("text"), FIELDS.index("text"), 60)
    organisation, text = _EXAMPLE[language]
    sample = {
        "organisation": organisation,
        "category": lists["category"][0],
        "kind": lists["kind"][0],
        "text": text,
        # The example is about language training: filed under training, not the first theme.
        "theme": next(
            (t.name_for(language) for t in themes if t.code == _EXAMPLE_THEME),
            lists["theme"][0] if lists["theme"] else "",
        ),
        "priority": lists["priority"][0],
        "consent": lists["consent"][1],
    }
    sheet.write_row(1, 0, [sample.get(field, "") for field in FIELDS], example)
    for column, (field, values) in enumerate(lists.items()):
        list_sheet.write_column(0, column, values)
        if values:
            letter = chr(ord("A") + column)
            where = FIELDS.index(field)
            sheet.data_validation(
                1,
                where,
                max_rows + 1,
                where,
                {
                    "validate": "list",
                    "source": f"='{lists_name}'!${letter}$1:${letter}${len(values)}",
                },
            )
    list_sheet.hide()
    help_sheet.set_column(0, 0, 110)
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for row, line in enumerate(_INSTRUCTIONS[language]):
        help_sheet.write_string(
            row, 0, line.format(stop=f"{stop.city} ({stop.code})", max_rows=max_rows), wrap
        )
    workbook.close()
    return buffer.getvalue()
