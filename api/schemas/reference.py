"""Reference data on the wire: the national handover messages and the gap rules.

Both are the same for every client and change only with the service's own version, so
they are answered with a strong ETag and may be cached.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from pathways.findings import Severity
from pathways.gaps import DEFAULT_DEADLINES, RULES
from pathways.message_catalogue import CATALOGUE, MOMENTS, CatalogueMessage
from pathways.model import Level
from pathways.wording import deadline_text

__all__ = ["MessageRead", "ReferenceRead", "RuleRead"]


class Names(BaseModel):
    en: str
    nb: str
    nn: str


class MessageRead(BaseModel):
    """One national handover message, as the gap rules recognise it."""

    code: str = Field(description="The message's code, e.g. LOG_INNLAGT")
    names: Names = Field(description="Its name in English, bokmål and nynorsk")
    synonyms: list[str] = Field(description="Other words that name it in free text")
    sender: Level | None = Field(description="The level that sends it; null: either level")
    moment: str = Field(
        description="When in the pathway it is sent",
        json_schema_extra={"enum": list(MOMENTS)},
    )

    @classmethod
    def of(cls, message: CatalogueMessage) -> MessageRead:
        return cls(
            code=message.code,
            names=Names(**message.names),
            synonyms=list(message.synonyms),
            sender=message.sender,
            moment=message.moment,
        )


class RuleRead(BaseModel):
    """One gap rule: its stable code, rule set, default severity and what it checks."""

    code: str
    rule_set: str
    severity: Severity = Field(description="Its default; a partnership or pathway may change it")
    summary: str = Field(description="What it checks, in the language of Accept-Language")


class DeadlineRead(BaseModel):
    name: str
    default: str = Field(description="ISO 8601 duration, e.g. PT24H")
    text: str = Field(description="The default as people say it, e.g. 'innen 24 timer'")


class ReferenceRead(BaseModel):
    """The gap rules and the deadlines they use."""

    language: str
    rules: list[RuleRead]
    deadlines: list[DeadlineRead]

    @classmethod
    def of(cls, language: str) -> ReferenceRead:
        return cls(
            language=language,
            rules=[
                RuleRead(
                    code=rule.code,
                    rule_set=rule.rule_set,
                    severity=rule.severity,
                    summary=rule.summary.get(language, rule.summary["en"]),
                )
                for rule in RULES
            ],
            deadlines=[
                DeadlineRead(name=name, default=value, text=deadline_text(value, language))
                for name, value in DEFAULT_DEADLINES.items()
            ],
        )


def every_message() -> list[MessageRead]:
    return [MessageRead.of(message) for message in CATALOGUE]
