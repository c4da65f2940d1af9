"""What a reader reads on a page, and the rules that find a raw code or text of the other language in it: shared by
the test that renders every page in both languages (test_every_page_translated.py, whose docstring explains the
rules) and the browser walks of the main journeys (test_browser_journeys.py). The rules are built from the code and
the database's data (workflows, services, the registry's relationships), so build them with the data loaded."""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import F

from kotalive.agencies.models import Agency
from kotalive.cases.presenters import IKM_QUESTIONS
from kotalive.catalogue.models import Service, ServiceVersion
from kotalive.complaints.models import Category
from kotalive.coordination.models import KINDS as COORDINATION_KINDS
from kotalive.notifications.models import ContactPreference
from kotalive.registry.models import REGISTRY_FIELDS, Person
from kotalive.workflow.definitions import CATEGORIES, PUBLIC_STATUS
from kotalive.workflow.models import WorkflowDefinition, WorkflowSubject

PO = Path(settings.BASE_DIR) / "locale" / "id" / "LC_MESSAGES" / "django.po"


class _Text(HTMLParser):
    """The text a reader reads as the platform's words: no tags, attributes, scripts nor styles; nor what a page
    marks as code or hands over for editing (`<code>`, `<pre>`, a `<textarea>`'s value: identifiers and stored
    documents); nor what people wrote themselves, which a page marks `translate="no"` (HTML's own attribute for
    text that is not to be translated: a report's title and description, a message), in whatever language."""

    HIDDEN = frozenset({"script", "style", "template", "textarea", "code", "pre"})
    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0  # the depth of open elements inside a hidden one (0: text counts)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        if self._hidden or tag in self.HIDDEN or ("translate", "no") in attrs:
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if self._hidden and tag not in self.VOID:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def po_entries() -> list[tuple[str, str]]:
    """(msgid, msgstr) of the Indonesian catalogue, plural forms left out (a small reader: polib is no dependency)."""
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        if "msgid_plural" in block or "#~" in block:
            continue
        found = re.search(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', block + "\n", re.MULTILINE)
        if not found:
            continue
        msgid = "".join(re.findall(r'"(.*)"', found.group(1))).replace('\\"', '"').replace("\\n", " ")
        msgstr = "".join(re.findall(r'"(.*)"', found.group(2))).replace('\\"', '"').replace("\\n", " ")
        if msgid and msgstr:
            entries.append((msgid, msgstr))
    return entries


def _phrases(message: str) -> list[str]:
    """The literal parts of a message between its placeholders and tags, of two words or more."""
    parts = re.split(r"%\(\w+\)[sd]|%[sd]|\{\{.*?\}\}|<[^>]*>|[()\[\]:;·]", message)
    return [" ".join(p.split()).strip(" ,.") for p in parts if len(p.split()) >= 2]


def _label_pairs() -> list[tuple[str, str]]:
    """The bilingual labels kept as data, as (English, Indonesian)."""
    pairs: list[tuple[str, str]] = []

    def take(text: Any) -> None:
        if isinstance(text, dict) and text.get("id") and text.get("en"):
            pairs.append((str(text["en"]), str(text["id"])))

    for definition in WorkflowDefinition.objects.all():
        for state in definition.parsed.states.values():
            take(state.label)
        for t in definition.parsed.transitions:
            take(t.label)
    for version in ServiceVersion.objects.filter(service__current=F("pk")):
        pairs.append((version.name_en, version.name_id))
        for requirement in version.requirements:
            take(requirement.get("name"))
        for spec in (version.form_schema or {}).get("properties", {}).values():
            take(spec.get("x-label"))
            for label in (spec.get("x-enum-labels") or {}).values():
                take(label)
    for category in Category.objects.all():
        pairs.append((category.name_en, category.name))
    for agency in Agency.objects.exclude(name__startswith="Kecamatan ").exclude(name__startswith="Kelurahan "):
        pairs.append((agency.name_en, agency.name))  # (a kecamatan's office bears the region's name, in any language)
    pairs += [(q["en"], q["id"]) for q in IKM_QUESTIONS]
    return [(en, id_) for en, id_ in pairs if en and id_ and en.casefold() != id_.casefold()]


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    what: str


@dataclass(frozen=True)
class Rules:
    """A language's rules, with one pattern for them all: most pages match none, and one search says so."""

    each: list[Rule]
    any: re.Pattern[str]

    @classmethod
    def of(cls, each: list[Rule]) -> "Rules":
        return cls(each, re.compile("|".join(f"(?:{rule.pattern.pattern})" for rule in each)))


def _word(code: str, suffix: str = "") -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])" + re.escape(code) + (re.escape(suffix) if suffix else r"(?![\w-])"))


def _phrase(text: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(text) + r"(?!\w)")


# Official terms that stay Indonesian in English text (CONVENTIONS.md: NIK, KK, akta, kecamatan, kelurahan).
TERMS = frozenset({"kecamatan", "kelurahan", "akta", "desa"})


def _is_symbol(code: str) -> bool:
    """A code no sentence of either language contains: with `_` or `-`, or one or two upper-case letters."""
    return "_" in code or "-" in code or (code.isupper() and len(code) <= 2)


def rules() -> dict[str, list[Rule]]:
    """The rules of each language, from the code and the data (see the module's docstring)."""
    by_lang: dict[str, list[Rule]] = {"id": [], "en": []}

    def code(value: str, what: str, *, english: bool = False, indonesian: bool = False, event: bool = False) -> None:
        if not value:
            return
        if _is_symbol(value) or value.isupper():
            for lang in by_lang:
                by_lang[lang].append(Rule(_word(value), f"raw {what} {value!r}"))
        elif english:
            by_lang["id"].append(Rule(_word(value), f"raw {what} {value!r}"))
            if event:  # "resolved: Sudah diperbaiki." is a stored outcome with its reason
                by_lang["en"].append(Rule(_word(value, ":"), f"raw {what} {value + ':'!r}"))
        elif indonesian and value not in TERMS:
            by_lang["en"].append(Rule(_word(value), f"raw {what} {value!r}"))

    states: set[str] = set(CATEGORIES)
    actions: set[str] = set()
    for definition in WorkflowDefinition.objects.all():
        states |= set(definition.parsed.states)
        actions |= {t.action for t in definition.parsed.transitions}
    for value in sorted(states):
        code(value, "workflow state", english=True)
    for value in sorted(actions):
        code(value, "workflow action", english=True)
    for value in set(WorkflowDefinition.objects.values_list("code", flat=True)):
        code(value, "workflow code")
    for value, label in ServiceVersion.OUTPUT_KINDS:  # the stored codes and the model's English choice labels
        code(value, "output kind")
        code(label, "output kind", english=True)
    for value, _label in WorkflowSubject.SLA_STATUSES:
        code(value, "SLA status", english=True)
    for value in ("handed_off", "returned_to_operator", "resolved", "closed", "reassigned"):
        code(value, "holder outcome", english=True, event=True)
    for value in sorted(set(PUBLIC_STATUS.values()) | {"ditolak", "dibatalkan"}):
        code(value, "public status", indonesian=True)
    for value in COORDINATION_KINDS:
        code(value, "coordination kind", english=True)
    for value in ContactPreference.CHANNELS:  # written "E-mail", "SMS", "WhatsApp" in both languages
        for lang in by_lang:
            by_lang[lang].append(Rule(_word(value), f"raw notice channel {value!r}"))
    for value in sorted(set(Person.objects.values_list("relationship", flat=True)) | {"KEPALA KELUARGA"}):
        code(value, "family relationship")
        code(value.lower(), "family relationship", indonesian=True)
    for value in REGISTRY_FIELDS:
        if "_" in value:
            code(value, "registry field key")
    for service_code in Service.objects.values_list("code", flat=True):
        code(service_code, "service code")
    for version in ServiceVersion.objects.filter(service__current=F("pk")):
        for requirement in version.requirements:
            code(requirement["code"], "requirement code")
        for key, spec in (version.form_schema or {}).get("properties", {}).items():
            if "_" in key:
                code(key, "form field key")
            for value, label in (spec.get("x-enum-labels") or {}).items():
                if value not in (label.get("id"), label.get("en")):
                    code(value, "form option value", indonesian=value != label.get("en"))
    # Untranslated text: each side of a catalogue message or a bilingual label, when it differs from the other.
    pairs = [(msgid, msgstr) for msgid, msgstr in po_entries()] + _label_pairs()
    # A phrase found in a text of the other language (a term kept in Indonesian inside an English sentence, a name)
    # belongs to both; so do the languages' own names in the language menu.
    english_texts = "\n".join(en for en, _id in pairs)
    indonesian_texts = "\n".join(id_ for _en, id_ in pairs)
    own_names = {str(name) for _code, name in settings.LANGUAGES}
    for en, id_ in pairs:
        for phrase in {*_phrases(id_), *([id_] if len(id_.split()) >= 2 else [])} - own_names:
            if phrase not in english_texts:
                by_lang["en"].append(Rule(_phrase(phrase), f"untranslated Indonesian {phrase!r}"))
        for phrase in {*_phrases(en), *([en] if len(en.split()) >= 2 else [])} - own_names:
            if phrase not in indonesian_texts:
                by_lang["id"].append(Rule(_phrase(phrase), f"untranslated English {phrase!r}"))
    for question in IKM_QUESTIONS:  # the survey's questions, one word or more
        by_lang["en"].append(Rule(_phrase(question["id"]), f"untranslated IKM question {question['id']!r}"))
    return by_lang


def offending(text: str, lang_rules: Rules) -> list[str]:
    found: list[str] = []
    if not lang_rules.any.search(text):
        return found
    for rule in lang_rules.each:
        match = rule.pattern.search(text)
        if match:
            start, end = max(match.start() - 40, 0), match.end() + 40
            found.append(f"{rule.what} in «…{text[start:end]}…»")
    return found


def raw_text_problems(html: str, lang_rules: Rules) -> list[str]:
    """What on the page `html` breaks `lang_rules` (empty when nothing does)."""
    return offending(visible_text(html), lang_rules)
