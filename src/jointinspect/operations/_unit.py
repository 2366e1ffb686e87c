"""Unit-of-work plumbing shared by every operation.

An operation opens a unit of work, collects notifications and audit records in `Effects`,
commits — or raises having changed nothing. After commit it runs the separate ledger's
steps and relays the outbox to the notifier (at least once; the notifier deduplicates by
key). The ``require_*`` lookups raise `NotFoundError` instead of returning ``None``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import TypeVar

from jointinspect import validation as v
from jointinspect.auth import AuthContext, Principal, authorize
from jointinspect.errors import Forbidden, NotFoundError, ValidationError
from jointinspect.model.plan import Inspection, Plan
from jointinspect.model.reference import Department, Enterprise, Inspector, SupervisionItem
from jointinspect.operations import durability
from jointinspect.operations._context import Context, Effects
from jointinspect.ports import KeyStore, UnitOfWork

__all__ = [
    "Context",
    "Effects",
    "boundary",
    "deliver_notifications",
    "operation",
    "permit",
    "require_department",
    "require_enterprise",
    "require_inspection",
    "require_inspector",
    "require_item",
    "require_plan",
    "signing_keys",
]

T = TypeVar("T")

_log = logging.getLogger("jointinspect")
_auth_log = logging.getLogger("jointinspect.auth")


def permit(context: Context, operation: str, by: Principal, facts: AuthContext, record: str = "-") -> None:
    """Refuse (`Forbidden`, logged with the principal) unless ``by`` may perform
    ``operation`` on the record ``facts`` describe: the matrix first, then every extra
    authorizer; deny wins. Call it after loading the record and before any write."""
    try:
        authorize(operation, by, facts, policy=context.policy)
        for authorizer in context.authorizers:
            authorizer.authorize(operation, by, facts)
    except Forbidden as refusal:
        _auth_log.warning(
            "refused %s: %s on %s (%s)",
            by.actor,
            operation,
            record,
            refusal.code,
            extra={"actor": by.actor, "operation": operation, "record": record, "code": refusal.code},
        )
        raise


def boundary(operation: str, by: object) -> Principal:
    """The first check of every operation (issue 10): ``by`` is a `Principal`; the
    operation then checks its own arguments (`jointinspect.validation`) before any store.

    Raises:
        Forbidden: ``auth.no_principal`` when ``by`` is anything else.
    """
    if not isinstance(by, Principal):
        raise Forbidden("auth.no_principal", operation=operation, actual=type(by).__name__)
    return by


@contextlib.contextmanager
def operation(context: Context, by: Principal) -> Iterator[Effects]:
    """One unit of work performed by ``by``; commit on success, then relay notifications.

    Nothing after the commit raises: a failed ledger step, notifier or anchor sink is
    logged (and retried later), so a caller never sees an error for a committed change
    and never retries it into a duplicate.
    """
    effects: Effects | None = None
    committed = False
    try:
        with context.store.unit_of_work() as uow:
            effects = Effects(uow, context.clock.now(), by)
            yield effects
            anchor = durability.anchor_before_commit(context, effects)
            uow.commit()
            committed = True
    except BaseException:
        # No reservation without a plan: undo what the separate ledger recorded, unless
        # the store did commit (an error while closing must not drop a committed visit).
        if not committed:
            for undo in effects.on_failure if effects else ():
                undo()
        raise
    for step in effects.after_commit:
        try:
            step()
        except Exception:  # the operation succeeded; reconcile_reservations repairs the ledger
            _log.warning("post-commit ledger step failed; run reconcile_reservations", exc_info=True)
    durability.publish_after_commit(context, anchor)
    durability.prune_on_the_way(context)
    if context.auto_deliver and context.notifier is not None:
        durability.auto_deliver(context)


def deliver_notifications(context: Context, batch: int = 100, *, by: Principal) -> int:
    """Relay due outbox notifications to the notifier; return how many (the Engine's
    operation, authorized; `operation` relays after commit by itself, never raising).

    Raises:
        DeliveryFailed: a send failed; it stays pending and is retried after a backoff.
    """
    by = boundary("deliver_notifications", by)
    batch = v.integer(batch, "batch", minimum=1, maximum=10_000)
    permit(context, "deliver_notifications", by, AuthContext(), "-")
    return durability.deliver(context, batch)


def signing_keys(context: Context) -> KeyStore:
    """The key store, or a validation error when the engine was built without one."""
    if context.keys is None:
        raise ValidationError(
            "input.invalid",
            reason="the engine has no key store: pass keys= to Engine (the command line reads "
            "the JOINTINSPECT_SIGNING_SEED environment variable)",
            reason_zh="引擎未配置密钥库:创建 Engine 时须传入 keys(命令行从环境变量 JOINTINSPECT_SIGNING_SEED 读取)",
        )
    return context.keys


def _required(found: T | None, kind: str, key: str, code: str = "not_found") -> T:
    """``found``, or `NotFoundError` naming the kind of record and its key."""
    if found is None:
        raise NotFoundError(code, kind=kind, key=key)
    return found


def require_enterprise(uow: UnitOfWork, code: str) -> Enterprise:
    """The enterprise with this credit code, or `NotFoundError`."""
    return _required(uow.reference.get_enterprise(code), "enterprise", code, "reference.not_found")


def require_department(uow: UnitOfWork, code: str) -> Department:
    """The department with this code, or `NotFoundError`."""
    return _required(uow.reference.get_department(code), "department", code, "reference.not_found")


def require_inspector(uow: UnitOfWork, inspector_id: str) -> Inspector:
    """The inspector with this id, or `NotFoundError`."""
    return _required(uow.reference.get_inspector(inspector_id), "inspector", inspector_id, "reference.not_found")


def require_item(uow: UnitOfWork, code: str) -> SupervisionItem:
    """The supervision item with this code, or `NotFoundError`."""
    return _required(uow.reference.get_item(code), "item", code, "reference.not_found")


def require_plan(uow: UnitOfWork, plan_id: str) -> Plan:
    """The plan with this id, or `NotFoundError`."""
    return _required(uow.plans.get(plan_id), "plan", plan_id)


def require_inspection(uow: UnitOfWork, inspection_id: str) -> Inspection:
    """The inspection with this id, or `NotFoundError`."""
    return _required(uow.inspections.get(inspection_id), "inspection", inspection_id)
