"""An organisation's webhooks, their delivery log and replays, and its event feed.

Who may do what:

* every token of an organisation reads its webhooks (never their secrets), their
  deliveries and its event feed; another organisation's webhooks and deliveries are
  404, as if there were none;
* an ``admin`` token (or ``operator``) creates, changes, deletes, replays and rotates
  the secret; any other token gets 403 before anything is looked up.

A webhook's URL is ``http`` or ``https`` with a host, no ``user:password@`` and no
fragment. A host that is an IP address (or ``localhost``) on loopback, link-local,
unspecified, multicast, reserved or shared (CGNAT) space, also carried in an IPv6
address, is refused unless ``webhook_allow_local`` is set (:func:`is_local_address`:
private networks are allowed, integration engines live there); names are
resolved, and their addresses checked the same way, at each delivery
(``api.services.delivery``). The secret is ``whsec_`` and the base64 of 24 random bytes
(Standard Webhooks); it is shown when the webhook is created and when it is rotated.
Changes name the webhook's ETag in If-Match (``"{revision}"``).
"""

from __future__ import annotations

import base64
import ipaddress
import re
import secrets
import socket
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from api.errors import Conflict, NotFound, RuleViolation, Unprocessable
from api.services.auth import Client, Scope
from api.services.editing import check_if_match
from db import models as orm
from db.repositories.events import EventRepository
from db.repositories.webhooks import DeliveryRow, WebhookRepository
from pathways.errors import Bilingual
from pathways.events import EventType

__all__ = [
    "SECRET_PREFIX",
    "check_url",
    "create_webhook",
    "delete_webhook",
    "event_feed",
    "get_webhook",
    "is_local_address",
    "list_deliveries",
    "list_webhooks",
    "new_secret",
    "replay_delivery",
    "rotate_secret",
    "update_webhook",
]

SECRET_PREFIX = "whsec_"  # noqa: S105 (the Standard Webhooks marker, not a secret)
_LEGACY_IPV4 = re.compile(r"[0-9a-fA-FxX.]+")
"""Forms such as ``127.1`` or ``0x7f000001`` that resolvers read as IPv4 addresses."""


def new_secret() -> str:
    """``whsec_`` and the base64 of 24 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_SHARED = ipaddress.ip_network("100.64.0.0/10")
"""Carrier-grade NAT's shared space; also where some clouds answer metadata requests."""
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_METADATA = frozenset({ipaddress.ip_address("fd00:ec2::254")})
"""A cloud's metadata service on an IPv6 unique-local address."""


def _carried(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one carries (IPv4-mapped, 6to4, Teredo, NAT64), or it."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address.teredo is not None:
            return address.teredo[1]
        if any(address in network for network in _NAT64):
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def is_local_address(address: IPAddress) -> bool:
    """Loopback, link-local (cloud metadata services among them), unspecified, multicast,
    reserved or carrier-grade NAT's shared space, also when an IPv6 address carries such
    an IPv4 one. Private networks (10/8, 172.16/12, 192.168/16, fc00::/7) are not: that is
    where hospital and municipal integration engines are found."""
    if address in _METADATA:
        return True
    carried = _carried(address)
    return any(
        (
            carried.is_loopback,
            carried.is_link_local,
            carried.is_unspecified,
            carried.is_multicast,
            carried.is_reserved,
            isinstance(carried, ipaddress.IPv4Address) and carried in _SHARED,
        )
    )


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _LEGACY_IPV4.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _bad_url(en: str, nb: str) -> RuleViolation:
    return RuleViolation(
        Bilingual(en, nb),
        errors=[{"loc": ["body", "url"], "pointer": "/url", "detail": Bilingual(en, nb)}],
    )


def check_url(url: str, *, allow_local: bool) -> None:
    """:class:`RuleViolation` unless ``url`` is one a webhook may have."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a port out of range raises ValueError)
        host = parts.hostname
    except ValueError as error:
        raise _bad_url(
            f"the URL cannot be read: {error}",
            "Adressen kan ikke leses. Sjekk vertsnavn, port og klammer rundt IPv6-adresser.",
        ) from None
    if parts.scheme.lower() not in {"http", "https"}:
        raise _bad_url(
            "a webhook's URL starts with http:// or https://",
            "Adressen til en webhook må begynne med http:// eller https://.",
        )
    if "@" in parts.netloc:
        raise _bad_url(
            "the URL may not hold a user name or password (user:password@); the receiver "
            "knows a delivery by its signature",
            "Adressen kan ikke inneholde brukernavn eller passord (bruker:passord@). "
            "Mottakeren kjenner igjen en levering på signaturen.",
        )
    if not host:
        raise _bad_url("the URL has no host", "Adressen mangler vertsnavn.")
    if parts.fragment or "#" in url:
        raise _bad_url(
            "the URL may not have a fragment (#...): it is never sent",
            "Adressen kan ikke ha et fragment (#...), for det blir aldri sendt.",
        )
    literal = _literal(host)
    name = host.rstrip(".")
    local = (literal is not None and is_local_address(literal)) or (
        name == "localhost" or name.endswith(".localhost")
    )
    if local and not allow_local:
        raise _bad_url(
            f"{host} is a loopback, link-local, unspecified, multicast, reserved or shared "
            "(CGNAT) address: this service does not deliver there "
            "(PATHWAYS_WEBHOOK_ALLOW_LOCAL allows it)",
            f"{host} er en lokal adresse (loopback, link-local, uspesifisert, multicast, "
            "reservert eller delt CGNAT-adresse). Tjenesten leverer ikke dit "
            "(PATHWAYS_WEBHOOK_ALLOW_LOCAL tillater det).",
        )


def _require_admin(client: Client, action: Bilingual) -> None:
    client.require(Scope.ADMIN, action)


def _not_found(webhook_id: int) -> NotFound:
    return NotFound(
        Bilingual(
            f"this organisation has no webhook {webhook_id}",
            f"Organisasjonen har ingen webhook {webhook_id}.",
        )
    )


def _events(events: Sequence[EventType]) -> list[str]:
    """The event types, each once, in the order given."""
    return list(dict.fromkeys(EventType(event).value for event in events))


def get_webhook(
    session: Session, *, client: Client, webhook_id: int, for_update: bool = False
) -> orm.Webhook:
    row = WebhookRepository(session).get(webhook_id, client.organization_id, for_update=for_update)
    if row is None:
        raise _not_found(webhook_id)
    return row


def list_webhooks(
    session: Session, *, client: Client, limit: int, offset: int
) -> tuple[list[orm.Webhook], int]:
    """The caller organisation's webhooks, oldest first."""
    return WebhookRepository(session).page(client.organization_id, limit=limit, offset=offset)


def create_webhook(
    session: Session,
    *,
    client: Client,
    url: str,
    events: Sequence[EventType],
    description: str,
    active: bool,
    allow_local: bool,
) -> orm.Webhook:
    """A webhook of the caller's organisation, with a new secret (``row.secret``)."""
    _require_admin(client, Bilingual("creating a webhook", "opprette en webhook"))
    check_url(url, allow_local=allow_local)
    return WebhookRepository(session).add(
        organization_id=client.organization_id,
        url=url,
        events=_events(events),
        description=description,
        secret=new_secret(),
        active=active,
    )


def _begin(
    session: Session, client: Client, webhook_id: int, if_match: str | None, action: Bilingual
) -> orm.Webhook:
    """The webhook, locked, at the revision If-Match names (403, 404, 428, 412 in turn)."""
    _require_admin(client, action)
    row = get_webhook(session, client=client, webhook_id=webhook_id, for_update=True)
    check_if_match(if_match, row.revision)
    return row


def update_webhook(
    session: Session,
    *,
    client: Client,
    webhook_id: int,
    if_match: str | None,
    changes: dict[str, Any],
    allow_local: bool,
) -> orm.Webhook:
    """Change the URL, the events, the description or whether it is active; the
    revision goes up when anything changed. Deliveries waiting while it is inactive are
    sent when it is active again."""
    row = _begin(
        session, client, webhook_id, if_match, Bilingual("changing a webhook", "endre en webhook")
    )
    if "url" in changes:
        check_url(changes["url"], allow_local=allow_local)
    after = {
        "url": changes.get("url", row.url),
        "events": _events(changes["events"]) if "events" in changes else row.events,
        "description": changes.get("description", row.description),
        "active": bool(changes.get("active", row.active)),
    }
    before = {
        "url": row.url,
        "events": row.events,
        "description": row.description,
        "active": row.active,
    }
    if after != before:
        row.url, row.events = after["url"], after["events"]
        row.description, row.active = after["description"], after["active"]
        WebhookRepository(session).bump(row)
    return row


def delete_webhook(
    session: Session, *, client: Client, webhook_id: int, if_match: str | None
) -> None:
    """Delete the webhook with its deliveries and their log."""
    row = _begin(
        session,
        client,
        webhook_id,
        if_match,
        Bilingual("deleting a webhook", "slette en webhook"),
    )
    WebhookRepository(session).delete(row)


def rotate_secret(
    session: Session, *, client: Client, webhook_id: int, if_match: str | None
) -> orm.Webhook:
    """A new secret (``row.secret``): every delivery from now on is signed with it."""
    row = _begin(
        session,
        client,
        webhook_id,
        if_match,
        Bilingual("rotating a webhook's secret", "bytte hemmeligheten til en webhook"),
    )
    row.secret = new_secret()
    WebhookRepository(session).bump(row)
    return row


def list_deliveries(
    session: Session, *, client: Client, webhook_id: int, limit: int, offset: int
) -> tuple[list[DeliveryRow], int]:
    """The delivery log: the webhook's deliveries, newest first, with their attempts."""
    row = get_webhook(session, client=client, webhook_id=webhook_id)
    return WebhookRepository(session).deliveries(row.id, limit=limit, offset=offset)


def replay_delivery(
    session: Session, *, client: Client, webhook_id: int, delivery_id: int
) -> DeliveryRow:
    """A new pending delivery of the same event (the same ``webhook-id``, so that a
    receiver that deduplicates by it can) to the webhook, due now."""
    _require_admin(client, Bilingual("replaying a delivery", "sende en levering på nytt"))
    row = get_webhook(session, client=client, webhook_id=webhook_id, for_update=True)
    repository = WebhookRepository(session)
    found = repository.delivery(row.id, delivery_id)
    if found is None:
        raise NotFound(
            Bilingual(
                f"webhook {webhook_id} has no delivery {delivery_id}",
                f"Webhook {webhook_id} har ingen levering {delivery_id}.",
            )
        )
    if not row.active:
        raise Conflict(
            Bilingual(
                f"webhook {webhook_id} is not active: activate it (PATCH active: true) to "
                "replay a delivery",
                f"Webhook {webhook_id} er ikke aktiv. Aktiver den (PATCH active: true) for å "
                "sende en levering på nytt.",
            )
        )
    return repository.replay(row.id, found.event)


def event_feed(
    session: Session,
    *,
    client: Client,
    after: int,
    limit: int | None,
    types: Sequence[EventType] = (),
    default_limit: int,
    max_limit: int,
) -> list[orm.Event]:
    """The caller organisation's events after the cursor ``after``, oldest first, at
    most ``limit`` (default ``default_limit``; more than ``max_limit`` is 422)."""
    size = default_limit if limit is None else limit
    if size > max_limit:
        raise Unprocessable(
            Bilingual(
                f"limit is {size}; at most {max_limit} events are served per page",
                f"limit er {size}, men en side har høyst {max_limit} hendelser.",
            ),
            errors=[
                {
                    "loc": ["query", "limit"],
                    "pointer": None,
                    "detail": Bilingual(f"at most {max_limit}", f"kan være høyst {max_limit}"),
                }
            ],
        )
    return EventRepository(session).feed(
        client.organization_id, after=after, limit=size, types=_events(types)
    )
