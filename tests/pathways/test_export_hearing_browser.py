"""The hearing summary as Chromium shows it: what invitees wrote is text, never markup
(no script runs, no element is injected, nothing is fetched), in Norwegian words."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from pathways.export.hearing import HearingReport, ReportAnswer, ReportComment, hearing_html
from tests.pathways.test_export_html_browser import PNG_SIGNATURE, _chromium, _script

HOSTILE = '<script>document.title="pwned"</script><img src="https://example.org/x.png">'


def _report() -> HearingReport:
    return HearingReport(
        title="Høring: Hoftebrudd hjem til hjem",
        pathway_title="Hoftebrudd hjem til hjem",
        revision=7,
        deadline=date(2027, 1, 15),
        closed=True,
        opened_by="Fjordvik kommune",
        opened_on=date(2026, 12, 1),
        closed_on=date(2027, 1, 16),
        description="Utkastet fra faglig samarbeidsutvalg.\nSvar innen fristen.",
        answers=(
            ReportAnswer(
                "Brukerutvalget",
                "agree_with_remarks",
                "Pasienten bør få skriftlig informasjon\nfør utskrivning.",
                "Tatt inn i sjekklisten.",
                (
                    ReportComment(
                        "sjekklistepunktet first-visit i overgangen to-home-nursing", HOSTILE
                    ),
                ),
            ),
            ReportAnswer(
                "Allmennlegeutvalget", "disagree", HOSTILE, "Fristen er satt til samme dag.", ()
            ),
            ReportAnswer("Nabovik kommune", None, "", "", ()),
        ),
    )


def test_the_summary_shows_what_invitees_wrote_as_text(tmp_path: Path) -> None:
    chromium = _chromium()
    page = tmp_path / "hearing.html"
    page.write_bytes(hearing_html(_report(), "nb"))
    probe = (
        "JSON.stringify({title: document.title, scripts: document.scripts.length,"
        " images: document.images.length, rows: document.querySelectorAll('tbody tr').length,"
        " text: document.body.textContent})"
    )
    result = _script().capture(
        page, tmp_path / "hearing.png", chromium=chromium, width=1000, height=800, evaluate=probe
    )
    assert result.errors == []
    assert result.requests == [result.requests[0]]  # the page itself, nothing else
    assert result.png.read_bytes().startswith(PNG_SIGNATURE)
    seen = json.loads(result.value)
    assert seen["title"] == "Høring: Hoftebrudd hjem til hjem"
    assert seen["scripts"] == 0
    assert seen["images"] == 0
    assert seen["rows"] == 3
    text = seen["text"]
    assert HOSTILE in text  # shown as written
    for words in (
        "Høringsoppsummering",
        "Enig, med merknader",
        "Uenig",
        "Ikke svart",
        "3 inviterte · 2 har svart · 1 har ikke svart · 1 uenig",
        "15.1.2027",
    ):
        assert words in text, words


def test_the_summary_in_english_and_nynorsk() -> None:
    english = hearing_html(_report(), "en").decode()
    assert "Hearing summary" in english
    assert "2027-01-15" in english
    nynorsk = hearing_html(_report(), "nn").decode()
    assert "Høyringsoppsummering" in nynorsk
    assert "Usamd" in nynorsk
