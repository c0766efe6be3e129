"""Handover event logs: what happened to real patients, in CSV, JSON lines or XES.

A log holds events of pseudonymous **episodes** (one patient's course, under an id that
is never a national identity number). Each event has

``episode``
    the pseudonymous id (1-64 letters, digits, ``.``, ``_``, ``:``, ``-``);
``type``
    ``message`` (a national message, by its code in the catalogue, or its name),
    ``item`` (a checklist item of the pathway done, by its key) or ``step`` (the patient
    reached a step, by its key: a key the pathway does not have means the episode left it);
``code``
    the message code, item key or step key;
``time``
    an ISO 8601 time with its UTC offset (``2024-03-01T10:15:00+01:00``);
``sender``, ``receiver``
    the organisations (their HER-id or organisation number, or a name; a step's
    ``sender`` is the organisation where it happens, its ``receiver`` may be empty);
``answer``
    optional, on ``LOG_TILBAKEMELDING`` only: ``yes`` (``ja``) when the municipality can
    receive the patient, ``no`` (``nei``) when it cannot.

The three formats, each read as a stream of rows (:func:`read_rows`), never whole:

- **CSV** (UTF-8, comma-separated): a header row naming the columns above (``answer``
  may be left out); the row number is the line's, the header being row 1;
- **JSON lines**: one object per line with those fields; the row number is the line's;
- **XES** (IEEE 1849): a ``trace`` per episode (its ``concept:name`` is the episode),
  an ``event`` per event with ``concept:name`` (the code), ``time:timestamp``,
  ``h2h:type`` (left out: a catalogue code is a message, else a step), ``h2h:sender``
  (or ``org:resource``), ``h2h:receiver`` and ``h2h:answer``; ``lifecycle:*`` attributes
  are allowed and ignored. The row number is the event's, counted from 1. It is parsed
  with entities left unresolved and nothing fetched from the network.

A row that cannot be read is refused with its number and the reason
(:class:`Refusal`); a **national identity number** in any id field (an 11-digit run
that passes the fødselsnummer control digits, :mod:`pathways.identity`) refuses the
whole file (:class:`IdentityNumberFound`): nothing of it may be stored.

>>> import io
>>> rows = read_rows(io.BytesIO(b"episode,type,code,time,sender,receiver\\n"
...     b"e1,message,LOG_INNLAGT,2024-03-01T10:00:00+01:00,HF,K\\n"), LogFormat.CSV)
>>> vocabulary = Vocabulary(steps=frozenset(), items=frozenset())
>>> [checked(row, vocabulary) for row in rows]  # doctest: +NORMALIZE_WHITESPACE
[HandoverEvent(episode='e1', kind='message', code='LOG_INNLAGT', at=1709283600,
               sender='HF', receiver='K', answer='', row=2)]
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import IO, Any

from lxml import etree

from pathways.errors import Bilingual, PathwayError
from pathways.identity import national_identity_numbers_in
from pathways.message_catalogue import CATALOGUE_BY_CODE, recognise
from pathways.text import printable

__all__ = [
    "COLUMNS",
    "EVENT_KINDS",
    "REQUIRED_COLUMNS",
    "HandoverEvent",
    "IdentityNumberFound",
    "LogError",
    "LogFormat",
    "RawRow",
    "Refusal",
    "Vocabulary",
    "checked",
    "read_rows",
]

COLUMNS = ("episode", "type", "code", "time", "sender", "receiver", "answer")
"""Every field of an event, in the order the CSV writer puts them."""
REQUIRED_COLUMNS = COLUMNS[:-1]
EVENT_KINDS = ("message", "item", "step")
MAX_FIELD = 200
"""Longest field read (a longer one refuses its row)."""
MAX_LINE = 4096
"""Longest JSON line read (a longer one refuses its row)."""
_EPISODE = re.compile(r"[A-Za-z0-9._:\-]{1,64}")
_KEY = re.compile(r"[a-z0-9][a-z0-9_\-]{0,99}")
_ANSWERS = {"": "", "yes": "yes", "ja": "yes", "no": "no", "nei": "no"}
_ID_FIELDS = ("episode", "code", "sender", "receiver")


class LogFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"
    XES = "xes"


class LogError(PathwayError):
    """The file as a whole cannot be read (its header, its encoding, its XML)."""

    def __init__(self, said: Bilingual, *, row: int | None = None) -> None:
        super().__init__(said.en)
        self.said = said
        self.row = row


class IdentityNumberFound(LogError):
    """A national identity number in an id field: the file is refused whole."""

    def __init__(self, row: int, field: str) -> None:
        super().__init__(
            Bilingual(
                f"row {row}: {field} holds what looks like a national identity number "
                "(11 digits with valid control digits); use a pseudonymous episode id and "
                "send the file again: nothing of it was stored",
                f"Rad {row}: {field} inneholder noe som ligner et fødselsnummer (11 sifre med "
                "gyldige kontrollsifre). Bruk en pseudonym episode-id og send filen på nytt. "
                "Ingenting fra den er lagret.",
            ),
            row=row,
        )
        self.field = field


@dataclass(frozen=True, slots=True)
class RawRow:
    """One row as read, before its values are checked: ``fields`` by column name, and
    ``unknown`` names of fields no event has."""

    row: int
    fields: Mapping[str, str]
    unknown: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Refusal:
    row: int
    reason: Bilingual


@dataclass(frozen=True, slots=True)
class HandoverEvent:
    """One checked event; ``at`` in whole seconds since the epoch (UTC)."""

    episode: str
    kind: str
    code: str
    at: int
    sender: str
    receiver: str
    answer: str = ""
    row: int = 0


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What codes a log of a pathway may use: its step keys and checklist item keys."""

    steps: frozenset[str]
    items: frozenset[str]


def _refusal(row: int, en: str, nb: str) -> Refusal:
    return Refusal(row, Bilingual(en, nb))


def _message_code(text: str) -> str | None:
    if text in CATALOGUE_BY_CODE:
        return text
    codes = recognise(text)
    return next(iter(codes)) if len(codes) == 1 else None


def checked(raw: RawRow, vocabulary: Vocabulary) -> HandoverEvent | Refusal:
    """The event of ``raw``, or why it is refused. Raises :class:`IdentityNumberFound`
    for a national identity number in an id field."""
    row, fields = raw.row, raw.fields
    for name in _ID_FIELDS:
        if national_identity_numbers_in(fields.get(name, "")):
            raise IdentityNumberFound(row, name)
    if raw.unknown:
        names = ", ".join(printable(name, max_length=40) for name in raw.unknown[:5])
        return _refusal(
            row,
            f"unknown fields: {names}; an event has {', '.join(COLUMNS)}",
            f"Ukjente felt: {names}. En hendelse har {', '.join(COLUMNS)}.",
        )
    missing = [name for name in REQUIRED_COLUMNS[:4] if not fields.get(name)]
    if missing:
        return _refusal(row, f"missing {', '.join(missing)}", f"Mangler {', '.join(missing)}.")
    episode = fields["episode"]
    if _EPISODE.fullmatch(episode) is None:
        return _refusal(
            row,
            "episode must be 1-64 letters, digits, '.', '_', ':' or '-'",
            "episode må være 1-64 bokstaver, sifre, «.», «_», «:» eller «-».",
        )
    kind, code = fields["type"], fields["code"]
    if kind == "message":
        found = _message_code(code)
        if found is None:
            return _refusal(
                row,
                f"{printable(code, max_length=60)!r} is no message of the catalogue "
                "(GET /reference/messages)",
                f"«{printable(code, max_length=60)}» er ingen melding i katalogen "
                "(GET /reference/messages).",
            )
        code = found
    elif kind == "item":
        if code not in vocabulary.items:
            return _refusal(
                row,
                f"{printable(code, max_length=60)!r} is no checklist item of this version",
                f"«{printable(code, max_length=60)}» er ikke et sjekklistepunkt i denne versjonen.",
            )
    elif kind == "step":
        if _KEY.fullmatch(code) is None:
            return _refusal(
                row,
                "a step's code is a key: lowercase letters, digits, '-' and '_'",
                "Koden til et steg er en nøkkel: små bokstaver, sifre, «-» og «_».",
            )
    else:
        return _refusal(
            row,
            f"type must be one of {', '.join(EVENT_KINDS)}",
            f"type må være en av {', '.join(EVENT_KINDS)}.",
        )
    try:
        moment = datetime.fromisoformat(fields["time"])
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        return _refusal(
            row,
            "time must be an ISO 8601 time with its UTC offset, e.g. 2024-03-01T10:15:00+01:00",
            "time må være et ISO 8601-tidspunkt med UTC-forskyvning, for eksempel "
            "2024-03-01T10:15:00+01:00.",
        )
    sender, receiver = fields.get("sender", ""), fields.get("receiver", "")
    if kind != "step" and not (sender and receiver):
        return _refusal(
            row,
            "a message or checklist item names its sender and receiver",
            "En melding eller et sjekklistepunkt må ha både avsender og mottaker.",
        )
    answer = _ANSWERS.get(fields.get("answer", "").strip().lower())
    if answer is None or (answer and code != "LOG_TILBAKEMELDING"):
        return _refusal(
            row,
            "answer is yes or no, and only on LOG_TILBAKEMELDING",
            "answer er yes (ja) eller no (nei), og bare på LOG_TILBAKEMELDING.",
        )
    return HandoverEvent(
        episode, kind, code, int(moment.timestamp()), sender, receiver, answer, row
    )


# -- the formats -------------------------------------------------------------------------


def read_rows(source: IO[bytes], form: LogFormat) -> Iterator[RawRow | Refusal]:
    """The rows of ``source`` as they are read; :class:`LogError` when the file as a whole
    cannot be (a header that is not the columns, bytes that are not UTF-8, broken XML)."""
    if form is LogFormat.CSV:
        return _csv_rows(source)
    if form is LogFormat.JSONL:
        return _jsonl_rows(source)
    return _xes_rows(source)


def _not_utf8(row: int | None) -> LogError:
    where = f"row {row}: " if row else ""
    where_nb = f"Rad {row}: " if row else ""
    return LogError(
        Bilingual(f"{where}the file is not UTF-8 text", f"{where_nb}Filen er ikke UTF-8-tekst."),
        row=row,
    )


def _csv_rows(source: IO[bytes]) -> Iterator[RawRow | Refusal]:
    lines = codecs.iterdecode(_bounded_lines(source), "utf-8-sig")
    yield from _csv_records(csv.reader(lines, strict=True))


_CONTINUATION = bytes(range(0x80, 0xC0))
"""The bytes that continue a UTF-8 character."""


def _bounded_lines(source: IO[bytes]) -> Iterator[bytes]:
    """``source``'s lines, a line longer than :data:`MAX_LINE` cut there (the rest read
    and dropped; its row is refused, a value being too long or too many), so that no line
    is ever held whole in memory, however long, and the rows after it keep their
    numbers."""
    while True:
        line = source.readline(MAX_LINE)
        if not line:
            return
        if len(line) == MAX_LINE and not line.endswith(b"\n"):
            rest = line
            while rest and not rest.endswith(b"\n"):
                rest = source.readline(MAX_LINE)
            line = line.rstrip(_CONTINUATION)  # no character cut in two at the end
            if line and line[-1] >= 0xC0:
                line = line[:-1]
            line += b"\n"
        yield line


def _csv_records(reader: Iterator[list[str]]) -> Iterator[RawRow | Refusal]:
    try:
        header = next(reader, None)
    except (UnicodeDecodeError, csv.Error):
        raise _not_utf8(1) from None
    if header is None:
        return
    names = [name.strip() for name in header]
    unknown = [name for name in names if name not in COLUMNS]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if unknown or missing or len(set(names)) != len(names):
        said = []
        said_nb = []
        if unknown:
            shown = ", ".join(printable(n, max_length=40) for n in unknown[:5])
            said.append(f"unknown columns: {shown}")
            said_nb.append(f"ukjente kolonner: {shown}")
        if missing:
            said.append(f"missing columns: {', '.join(missing)}")
            said_nb.append(f"mangler kolonnene {', '.join(missing)}")
        if not said:
            said.append("a column is named twice")
            said_nb.append("en kolonne er nevnt to ganger")
        raise LogError(
            Bilingual(
                f"row 1 (the header): {'; '.join(said)}; the columns are {', '.join(COLUMNS)} "
                "(answer may be left out)",
                f"Rad 1 (overskriften): {'; '.join(said_nb)}. Kolonnene er {', '.join(COLUMNS)} "
                "(answer kan utelates).",
            ),
            row=1,
        )
    width = len(names)
    number = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            raise _not_utf8(number + 1) from None
        except csv.Error as error:
            number += 1
            yield _refusal(number, f"not a CSV row ({error})", f"Ikke en CSV-rad ({error}).")
            continue
        number += 1
        if not values:
            continue
        if len(values) != width:
            yield _refusal(
                number,
                f"{len(values)} values for {width} columns",
                f"{len(values)} verdier for {width} kolonner.",
            )
            continue
        if any(len(value) > MAX_FIELD for value in values):
            yield _refusal(
                number,
                f"a value is longer than {MAX_FIELD} characters",
                f"En verdi er lengre enn {MAX_FIELD} tegn.",
            )
            continue
        yield RawRow(number, dict(zip(names, values, strict=True)))


def _jsonl_rows(source: IO[bytes]) -> Iterator[RawRow | Refusal]:
    decoder = codecs.getincrementaldecoder("utf-8")()
    number = 0
    while True:
        line = source.readline(MAX_LINE + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest of the long line
                line = source.readline(MAX_LINE + 1)
            yield _refusal(
                number,
                f"the line is longer than {MAX_LINE} bytes",
                f"Linjen er lengre enn {MAX_LINE} byte.",
            )
            continue
        try:
            text = decoder.decode(line, final=True)
        except UnicodeDecodeError:
            raise _not_utf8(number) from None
        if not text.strip():
            continue
        try:
            value: Any = json.loads(text)
        except ValueError:
            yield _refusal(number, "not a JSON object", "Ikke et JSON-objekt.")
            continue
        if not isinstance(value, dict):
            yield _refusal(number, "not a JSON object", "Ikke et JSON-objekt.")
            continue
        if not all(isinstance(v, str) and len(v) <= MAX_FIELD for v in value.values()):
            yield _refusal(
                number,
                f"every value is a string of at most {MAX_FIELD} characters",
                f"Hver verdi må være en tekst på høyst {MAX_FIELD} tegn.",
            )
            continue
        unknown = tuple(key for key in value if key not in COLUMNS)
        yield RawRow(number, value, unknown)


_XES_FIELDS = {
    "concept:name": "code",
    "time:timestamp": "time",
    "h2h:type": "type",
    "h2h:sender": "sender",
    "org:resource": "sender",
    "h2h:receiver": "receiver",
    "h2h:answer": "answer",
}


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _xes_rows(source: IO[bytes]) -> Iterator[RawRow | Refusal]:
    parser = etree.iterparse(
        source,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
    )
    number = 0
    episode = ""
    depth = 0
    try:
        for action, element in parser:
            name = _local(element.tag)
            if action == "start":
                depth += 1
                if name == "trace":
                    episode = ""
                continue
            depth -= 1
            parent = element.getparent()
            parent_name = _local(parent.tag) if parent is not None else ""
            if parent_name == "trace" and name != "event" and element.get("key") == "concept:name":
                episode = element.get("value") or ""
            elif name == "event":
                number += 1
                fields: dict[str, str] = {"episode": episode}
                unknown: list[str] = []
                for child in element:
                    key = child.get("key") or ""
                    value = (child.get("value") or "")[: MAX_FIELD + 1]
                    field = _XES_FIELDS.get(key)
                    if field is not None:
                        fields[field] = value
                    elif not key.startswith("lifecycle:"):
                        unknown.append(key)
                        if national_identity_numbers_in(value):
                            raise IdentityNumberFound(number, key)
                if "type" not in fields and "code" in fields:
                    fields["type"] = "message" if _message_code(fields["code"]) else "step"
                if any(len(value) > MAX_FIELD for value in fields.values()):
                    yield _refusal(
                        number,
                        f"a value is longer than {MAX_FIELD} characters",
                        f"En verdi er lengre enn {MAX_FIELD} tegn.",
                    )
                else:
                    yield RawRow(number, fields, tuple(unknown))
            if name in ("event", "trace") or depth <= 1:
                element.clear()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as error:
        raise LogError(
            Bilingual(
                f"event {number + 1}: not well-formed XES "
                f"({printable(str(error), max_length=200)})",
                f"Hendelse {number + 1}: ikke gyldig XES "
                f"({printable(str(error), max_length=200)}).",
            ),
            row=number + 1,
        ) from None
