"""Caps on the size of a pathway, so that no input can exhaust the service."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "Limits"]


@dataclass(frozen=True, slots=True)
class Limits:
    max_steps: int = 1000
    max_transitions: int = 3000
    max_checklist_items: int = 100
    max_messages: int = 50
    max_key_length: int = 64
    max_name_length: int = 300
    max_text_length: int = 10_000
    max_partnership_members: int = 100


DEFAULT_LIMITS = Limits()
