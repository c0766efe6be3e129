"""The audit log of denied attempts: who tried what, and what they were told.

Every 401, 403, 404, 409, 412 and 428 answer is logged on the ``pathways.audit`` logger
as one line of ``key=value`` pairs: status, method, path, and the organisation, level
and token of the caller when its token was valid. (Changes themselves are in each
pathway's history, written in the same transaction as the change.)
"""

from __future__ import annotations

import logging

from fastapi import Request

from api.services.auth import Client

__all__ = ["AUDITED", "log_denied", "remember_client"]

AUDITED = frozenset({401, 403, 404, 409, 412, 428})
audit = logging.getLogger("pathways.audit")


def remember_client(request: Request, client: Client) -> None:
    """Note who is calling, for the audit line should the request be denied.

    Written to the scope's state dict (what ``request.state`` reads) without building a
    ``State`` object: this runs on the checklist hot path.
    """
    request.scope.setdefault("state", {})["client"] = client


def log_denied(request: Request, status: int, detail: str) -> None:
    if status not in AUDITED:
        return
    client: Client | None = getattr(request.state, "client", None)
    who = (
        f"organization={client.organization_id} "
        f"level={client.level.value if client.level else '-'} kind={client.kind.value} "
        f"token={client.token_id} token_name={client.token_name!r} scope={client.scope.value}"
        if client is not None
        else "organization=- token=-"
    )
    audit.warning(
        "denied status=%d method=%s path=%s %s detail=%r",
        status,
        request.method,
        request.url.path,
        who,
        detail[:300],
    )
