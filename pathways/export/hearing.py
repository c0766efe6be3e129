"""A hearing round as a page a secretariat can publish (*høringsoppsummering*).

Who was invited, who answered what and who did not, the remarks, the working group's
replies, and the comments the answers came with on elements of the revision heard. A
self-contained HTML5 document (inline CSS, no script, no external resource), printable
on A4, in English, bokmål or nynorsk. Every text is escaped: what invitees write is
shown as they wrote it, never as markup.

>>> page = hearing_html(HearingReport("Høring: KOLS", "KOLS", 4, date(2027, 1, 15), False,
...     "Helse Nord HF", date(2026, 12, 1), None, "", (ReportAnswer("Brukerutvalget",
...     "disagree", "<b>Nei</b>", "", ()),)), "nb").decode()
>>> "&lt;b&gt;Nei&lt;/b&gt;" in page, "Uenig" in page, "15.1.2027" in page
(True, True, True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from pathways.export._text import escape
from pathways.wording import date_text, language_or_default

__all__ = ["HearingReport", "ReportAnswer", "ReportComment", "hearing_html"]


@dataclass(frozen=True, slots=True)
class ReportComment:
    element: str
    """The element in words, in the report's language (``sjekklistepunktet …``)."""
    text: str


@dataclass(frozen=True, slots=True)
class ReportAnswer:
    organization: str
    position: str | None
    """``agree``, ``agree_with_remarks``, ``disagree``; None: no answer."""
    text: str
    reply: str
    comments: tuple[ReportComment, ...]


@dataclass(frozen=True, slots=True)
class HearingReport:
    title: str
    pathway_title: str
    revision: int
    deadline: date
    closed: bool
    opened_by: str
    opened_on: date
    closed_on: date | None
    description: str
    answers: tuple[ReportAnswer, ...]
    """Every invitee, in the order invited."""


_WORDS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "kicker": "Hearing summary",
        "pathway": "Pathway",
        "revision": "Revision heard",
        "deadline": "Deadline",
        "status": "Status",
        "open": "open",
        "closed": "closed",
        "opened": "Sent on hearing",
        "by": "by",
        "closed_on": "Closed",
        "summary": "Summary",
        "invited": "invited",
        "invited_many": "invited",
        "answered": "answered",
        "unanswered": "did not answer",
        "disagreed": "disagreed",
        "disagreed_many": "disagreed",
        "answers": "Answers",
        "organisation": "Organisation",
        "answer": "Answer",
        "remarks": "Remarks",
        "reply": "The working group's reply",
        "agree": "Agrees",
        "agree_with_remarks": "Agrees, with remarks",
        "disagree": "Disagrees",
        "none": "No answer",
        "comments": "Comments on the pathway",
        "no_comments": "The answers came with no comments on the pathway's elements.",
        "on": "On",
    },
    "nb": {
        "kicker": "Høringsoppsummering",
        "pathway": "Forløp",
        "revision": "Revisjon på høring",
        "deadline": "Høringsfrist",
        "status": "Status",
        "open": "åpen",
        "closed": "avsluttet",
        "opened": "Sendt på høring",
        "by": "av",
        "closed_on": "Avsluttet",
        "summary": "Oppsummering",
        "invited": "invitert",
        "invited_many": "inviterte",
        "answered": "har svart",
        "unanswered": "har ikke svart",
        "disagreed": "uenig",
        "disagreed_many": "uenige",
        "answers": "Høringssvar",
        "organisation": "Organisasjon",
        "answer": "Svar",
        "remarks": "Merknader",
        "reply": "Arbeidsgruppens svar",
        "agree": "Enig",
        "agree_with_remarks": "Enig, med merknader",
        "disagree": "Uenig",
        "none": "Ikke svart",
        "comments": "Kommentarer til forløpet",
        "no_comments": "Svarene kom ikke med kommentarer til elementer i forløpet.",
        "on": "Om",
    },
    "nn": {
        "kicker": "Høyringsoppsummering",
        "pathway": "Forløp",
        "revision": "Revisjon på høyring",
        "deadline": "Høyringsfrist",
        "status": "Status",
        "open": "open",
        "closed": "avslutta",
        "opened": "Sendt på høyring",
        "by": "av",
        "closed_on": "Avslutta",
        "summary": "Oppsummering",
        "invited": "invitert",
        "invited_many": "inviterte",
        "answered": "har svart",
        "unanswered": "har ikkje svart",
        "disagreed": "usamd",
        "disagreed_many": "usamde",
        "answers": "Høyringssvar",
        "organisation": "Organisasjon",
        "answer": "Svar",
        "remarks": "Merknader",
        "reply": "Svaret frå arbeidsgruppa",
        "agree": "Samd",
        "agree_with_remarks": "Samd, med merknader",
        "disagree": "Usamd",
        "none": "Ikkje svart",
        "comments": "Kommentarar til forløpet",
        "no_comments": "Svara kom ikkje med kommentarar til element i forløpet.",
        "on": "Om",
    },
}

_CSS = """
:root { color-scheme: light; --line: #d0d7de; }
* { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
  "DejaVu Sans", sans-serif; font-size: 15px; line-height: 1.45; color: #1b1b1b; }
body { margin: 0 auto; padding: 24px 32px 48px; max-width: 1100px; }
h1 { font-size: 1.8rem; line-height: 1.2; margin: 0.2rem 0 1rem; }
h2 { font-size: 1.3rem; margin: 1.8rem 0 0.6rem; padding-bottom: 0.25rem;
  border-bottom: 2px solid #263238; }
.kicker { margin: 0; text-transform: uppercase; letter-spacing: 0.08em; font-size: 0.78rem;
  color: #546e7a; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1.2rem; margin: 0; }
dt { font-weight: 600; color: #37474f; }
dd { margin: 0; }
.prose, td { white-space: pre-line; }
table { border-collapse: collapse; width: 100%; font-size: 0.93rem; }
th, td { text-align: left; vertical-align: top; padding: 0.4rem 0.5rem;
  border-bottom: 1px solid var(--line); }
th { background: #f5f7f8; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
.position { display: inline-block; padding: 0 0.5rem; border-radius: 0.8rem;
  font-weight: 600; white-space: nowrap; background: #eceff1; }
.position.agree { background: #e8f5e9; color: #1b5e20; }
.position.agree_with_remarks { background: #fff8e1; color: #8d6e00; }
.position.disagree { background: #ffebee; color: #b71c1c; }
.muted { color: #607d8b; }
ul.comments { margin: 0; padding-left: 1.2rem; }
@page { size: A4; margin: 16mm 14mm; }
@media print { body { padding: 0; max-width: none; } }
"""


def _counted(count: int, word: str, words: Mapping[str, str]) -> str:
    """``1 uenig``, ``2 uenige``: the adjective agrees with the number."""
    return f"{count} {words[word if count == 1 else word + '_many']}"


def _position(answer: ReportAnswer, words: Mapping[str, str]) -> str:
    key = answer.position or "none"
    return f'<span class="position {escape(key)}">{escape(words[key])}</span>'


def _answers(answers: Sequence[ReportAnswer], words: Mapping[str, str]) -> str:
    rows = "".join(
        "<tr>"
        f"<td>{escape(a.organization)}</td>"
        f"<td>{_position(a, words)}</td>"
        f"<td>{escape(a.text)}</td>"
        f"<td>{escape(a.reply)}</td>"
        "</tr>"
        for a in answers
    )
    head = "".join(
        f"<th>{escape(words[k])}</th>" for k in ("organisation", "answer", "remarks", "reply")
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _comments(answers: Sequence[ReportAnswer], words: Mapping[str, str]) -> str:
    items = [
        f"<li><strong>{escape(a.organization)}</strong>, {escape(words['on'].lower())} "
        f'{escape(c.element)}: <span class="prose">{escape(c.text)}</span></li>'
        for a in answers
        for c in a.comments
    ]
    if not items:
        return f'<p class="muted">{escape(words["no_comments"])}</p>'
    return f'<ul class="comments">{"".join(items)}</ul>'


def hearing_html(report: HearingReport, language: str) -> bytes:
    """The report as a self-contained HTML5 document in ``language``."""
    lang = language_or_default(language)
    words = _WORDS[lang]
    answered = [a for a in report.answers if a.position is not None]
    disagreed = [a for a in answered if a.position == "disagree"]
    facts = [
        (words["pathway"], report.pathway_title),
        (words["revision"], str(report.revision)),
        (words["deadline"], date_text(report.deadline, lang)),
        (words["status"], words["closed" if report.closed else "open"]),
        (
            words["opened"],
            f"{date_text(report.opened_on, lang)} {words['by']} {report.opened_by}",
        ),
    ]
    if report.closed_on is not None:
        facts.append((words["closed_on"], date_text(report.closed_on, lang)))
    summary = " · ".join(
        [
            _counted(len(report.answers), "invited", words),
            f"{len(answered)} {words['answered']}",
            f"{len(report.answers) - len(answered)} {words['unanswered']}",
            _counted(len(disagreed), "disagreed", words),
        ]
    )
    description = f'<p class="prose">{escape(report.description)}</p>' if report.description else ""
    page = (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(report.title)}</title><style>{_CSS}</style></head><body>"
        f'<p class="kicker">{escape(words["kicker"])}</p>'
        f"<h1>{escape(report.title)}</h1>"
        "<dl>"
        + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
        + "</dl>"
        + description
        + f"<h2>{escape(words['summary'])}</h2><p>{escape(summary)}</p>"
        + f"<h2>{escape(words['answers'])}</h2>"
        + _answers(report.answers, words)
        + f"<h2>{escape(words['comments'])}</h2>"
        + _comments(report.answers, words)
        + "</body></html>\n"
    )
    return page.encode("utf-8")
