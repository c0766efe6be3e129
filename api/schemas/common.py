"""Shapes shared by several resources."""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pathways.errors import Bilingual, InvalidValue

__all__ = ["Input", "Page", "PartialInput", "without_null"]

T = TypeVar("T")


def without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` without its ``null`` alternative, nor a ``null`` default."""
    options = schema.get("anyOf")
    if not options:
        return schema
    kept = [option for option in options if option.get("type") != "null"]
    rest = {
        key: value
        for key, value in schema.items()
        if key != "anyOf" and not (key == "default" and value is None)
    }
    return {**kept[0], **rest} if len(kept) == 1 else {**rest, "anyOf": kept}


def _nullable_only(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """The JSON schema of a :class:`PartialInput`: only its ``NULLABLE`` fields take null."""
    nullable: frozenset[str] = getattr(model, "NULLABLE", frozenset())
    properties = schema.get("properties", {})
    for name, field in model.model_fields.items():
        key = field.alias or name
        if name not in nullable and key in properties:
            properties[key] = without_null(properties[key])


class Input(BaseModel):
    """Base of request bodies: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class PartialInput(Input):
    """Base of PATCH bodies: every field is optional, but only ``NULLABLE`` ones take null
    (as the schema says)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_nullable_only)

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_null_for_required(self) -> PartialInput:
        for name in self.model_fields_set:
            if getattr(self, name) is None and name not in self.NULLABLE:
                raise InvalidValue(
                    Bilingual(f"{name} cannot be null", f"{name} kan ikke være null (tomt)")
                )
        return self

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, by name."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="How many items match, over all pages")
    limit: int
    offset: int
