"""Who may do what on a pathway: organisation kinds, participant roles, one policy.

Organisations are care providers with a care level (a hospital trust, a municipality;
GPs are municipal), or have a kind without a level: a partnership's ``secretariat``, or
``user_representatives`` (brukerutvalg, brukerorganisasjon).

Each participant of a pathway has a role:

- ``editor``: a care provider of either level, with exactly the same rights whatever
  its level: it changes every part of the draft, adds participants, comments, holds
  hearing rounds and approves;
- ``commenter``: reads the draft and comments on it (user representatives, observers);
- ``secretariat``: reads the draft, comments, holds hearing rounds, records decisions,
  manages membership (adds
  participants, removes them, changes their roles) and takes the pathway out of its
  partnership. It comes with the partnership: the secretariat members of a pathway's
  partnership (organisations of kind ``secretariat``) hold it, and no one else; it is
  never given to a participant.

Every organisation may leave a pathway by itself.

>>> may(Role.EDITOR, Act.APPROVE), may(Role.SECRETARIAT, Act.APPROVE)
(True, False)
>>> role_problem(Role.COMMENTER, OrganizationKind.SECRETARIAT) is None
True
>>> Act.APPROVE.said.nb
'godkjenne en revisjon'
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from pathways.errors import Bilingual
from pathways.model import Level

__all__ = ["Act", "OrganizationKind", "Role", "kind_problem", "may", "role_problem"]


class OrganizationKind(StrEnum):
    CARE_PROVIDER = "care_provider"
    """A hospital trust or a municipality: it has a care level."""
    SECRETARIAT = "secretariat"
    """A partnership's secretariat: no care level."""
    USER_REPRESENTATIVES = "user_representatives"
    """A user committee or user organisation: no care level."""


class Role(StrEnum):
    EDITOR = "editor"
    COMMENTER = "commenter"
    SECRETARIAT = "secretariat"

    @property
    def said(self) -> Bilingual:
        """The role in words: ``editor`` and ``redaktør``."""
        return Bilingual(self.value, _ROLES_NB[self])


_ROLES_NB: Mapping[Role, str] = MappingProxyType(
    {Role.EDITOR: "redaktør", Role.COMMENTER: "kommentator", Role.SECRETARIAT: "sekretariat"}
)


class Act(StrEnum):
    """Things a participant does; each value says it in words, for messages (and
    :attr:`said` in bokmål too, as what one does: ``godkjenne en revisjon``)."""

    READ_DRAFT = "reading the draft"
    EDIT = "changing the draft"
    APPROVE = "approving a revision"
    ADD_PARTICIPANT = "adding a participant"
    LEAVE = "leaving the pathway"
    MANAGE_MEMBERS = "removing another participant or changing its role"
    RECORD_DECISION = "recording a decision"
    LEAVE_PARTNERSHIP = "taking the pathway out of its partnership"
    COMMENT = "commenting on the draft"
    HOLD_HEARING = "holding a hearing round"

    @property
    def said(self) -> Bilingual:
        """The act in words: English as a gerund, bokmål as an infinitive without *å*."""
        return Bilingual(self.value, _ACTS_NB[self])


_ACTS_NB: Mapping[Act, str] = MappingProxyType(
    {
        Act.READ_DRAFT: "lese utkastet",
        Act.EDIT: "endre utkastet",
        Act.APPROVE: "godkjenne en revisjon",
        Act.ADD_PARTICIPANT: "legge til en deltaker",
        Act.LEAVE: "forlate forløpet",
        Act.MANAGE_MEMBERS: "fjerne en annen deltaker eller endre rollen dens",
        Act.RECORD_DECISION: "registrere et vedtak",
        Act.LEAVE_PARTNERSHIP: "ta forløpet ut av helsefellesskapet",
        Act.COMMENT: "kommentere utkastet",
        Act.HOLD_HEARING: "sende forløpet på høring og følge opp høringen",
    }
)


_ALLOWED: Mapping[Role, frozenset[Act]] = MappingProxyType(
    {
        Role.EDITOR: frozenset(
            {
                Act.READ_DRAFT,
                Act.EDIT,
                Act.APPROVE,
                Act.ADD_PARTICIPANT,
                Act.LEAVE,
                Act.COMMENT,
                Act.HOLD_HEARING,
            }
        ),
        Role.COMMENTER: frozenset({Act.READ_DRAFT, Act.LEAVE, Act.COMMENT}),
        Role.SECRETARIAT: frozenset(
            {
                Act.READ_DRAFT,
                Act.ADD_PARTICIPANT,
                Act.LEAVE,
                Act.MANAGE_MEMBERS,
                Act.RECORD_DECISION,
                Act.LEAVE_PARTNERSHIP,
                Act.COMMENT,
                Act.HOLD_HEARING,
            }
        ),
    }
)


def may(role: Role, act: Act) -> bool:
    """Whether a participant with ``role`` may do ``act``."""
    return act in _ALLOWED[role]


_KINDS_NB: Mapping[OrganizationKind, str] = MappingProxyType(
    {
        OrganizationKind.CARE_PROVIDER: "En tjenesteyter",
        OrganizationKind.SECRETARIAT: "Et sekretariat",
        OrganizationKind.USER_REPRESENTATIVES: "Brukerrepresentanter",
    }
)


def kind_problem(kind: OrganizationKind, level: Level | None) -> Bilingual | None:
    """Why an organisation of ``kind`` cannot have ``level``, or None if it can.

    >>> print(kind_problem(OrganizationKind.SECRETARIAT, Level.HOSPITAL))
    an organisation of kind secretariat has no care level; leave level out
    """
    if kind is OrganizationKind.CARE_PROVIDER and level is None:
        return Bilingual(
            "a care provider has a care level: hospital or municipality",
            "En tjenesteyter hører til et omsorgsnivå: sykehus (hospital) eller kommune "
            "(municipality).",
        )
    if kind is not OrganizationKind.CARE_PROVIDER and level is not None:
        return Bilingual(
            f"an organisation of kind {kind.value} has no care level; leave level out",
            f"{_KINDS_NB[kind]} hører ikke til noe omsorgsnivå. Utelat level.",
        )
    return None


def role_problem(role: Role, kind: OrganizationKind) -> Bilingual | None:
    """Why an organisation of ``kind`` cannot be given ``role`` as a participant, or None."""
    if role is Role.EDITOR and kind is not OrganizationKind.CARE_PROVIDER:
        return Bilingual(
            "only a care provider (a hospital trust or a municipality) can be an editor; "
            "add it as a commenter",
            "Bare en tjenesteyter (et helseforetak eller en kommune) kan være redaktør. "
            "Legg den til som kommentator.",
        )
    if role is Role.SECRETARIAT:
        return Bilingual(
            "the secretariat role comes with the partnership: its secretariat members hold "
            "it on each of its pathways; add another organisation as a commenter",
            "Sekretariatsrollen følger med helsefellesskapet: sekretariatene i fellesskapet "
            "har den på alle forløpene der. Legg til en annen organisasjon som kommentator.",
        )
    return None
