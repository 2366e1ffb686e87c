"""Routing: each notification kind and recipient role goes to the channels a city chooses.

Configuration is data (a dict, or a TOML table)::

    fallback = ["webhook"]

    [[routes]]
    kinds = ["approval.requested", "frequency.*"]   # fnmatch patterns over catalogued kinds
    roles = ["supervisor"]                          # empty or absent: every role
    channels = ["dingtalk", "email"]
    require = "all"                                 # or "any"

Semantics of `RoutingNotifier.send`:

- The FIRST route whose ``kinds`` and ``roles`` match is used; none matching, the
  ``fallback`` channels are used with ``require = "all"``.
- Every channel of the route is tried, in order. A channel that has already delivered this
  key (in this process) is not tried again, so a re-send reaches only the channels that failed.
- ``require = "all"``: the notification counts as delivered only when every channel delivered
  it. ``require = "any"``: one delivering channel is enough; the others' failures are logged.
- When the requirement is not met and some failure was transient, `DeliveryFailed` is raised:
  the relay keeps the notification pending and re-sends it later.
- When every failure was permanent (no address, 4xx, robot refusal), the fallback channels
  are tried once more; if they deliver, the notification is delivered, else
  `DeliveryRejected` is raised (wrap the router in `DeadLetters` to settle it).
"""

from __future__ import annotations

import enum
import fnmatch
import logging
import threading
import tomllib
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import cattrs

from jointinspect.errors import DeliveryFailed, DeliveryRejected, NotifyConfigError
from jointinspect.model.notification import Notification, Role
from jointinspect.notices import CATALOGUE
from jointinspect.ports import Notifier

_log = logging.getLogger("jointinspect.notify")


class Require(enum.StrEnum):
    """How many of a route's channels must deliver."""

    ALL = "all"
    ANY = "any"


def _nonempty(_: object, attribute: attrs.Attribute[Any], value: tuple[object, ...]) -> None:
    if not value:
        raise NotifyConfigError(reason=f"{attribute.name} must not be empty")


@attrs.frozen
class Route:
    """Kinds (fnmatch patterns) and roles (empty: all) sent to ``channels``."""

    channels: tuple[str, ...] = attrs.field(validator=_nonempty)
    kinds: tuple[str, ...] = ("*",)
    roles: tuple[Role, ...] = ()
    require: Require = Require.ALL

    def matches(self, notification: Notification) -> bool:
        """Whether this route takes ``notification``."""
        if self.roles and notification.role not in self.roles:
            return False
        return any(fnmatch.fnmatchcase(notification.kind, k) for k in self.kinds)


@attrs.frozen
class RoutingConfig:
    """Routes tried in order, and the channels used when none matches."""

    routes: tuple[Route, ...] = ()
    fallback: tuple[str, ...] = attrs.field(default=(), validator=_nonempty)

    def route_for(self, notification: Notification) -> Route:
        """The route ``notification`` takes (the fallback as a route when none matches)."""
        for route in self.routes:
            if route.matches(notification):
                return route
        return Route(channels=self.fallback)

    def channels(self) -> set[str]:
        """Every channel named."""
        return {c for r in self.routes for c in r.channels} | set(self.fallback)


_converter = cattrs.Converter(forbid_extra_keys=True)


def _strings(value: object, _: object) -> tuple[str, ...]:
    # A bare string would otherwise become a tuple of its characters.
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"expected a list of strings, got {value!r}")
    return tuple(value)


_converter.register_structure_hook_func(lambda t: t == tuple[str, ...], _strings)


def _describe(exc: BaseException, type_: object) -> str:
    if isinstance(exc, NotifyConfigError):
        return str(exc.details.get("reason", exc))
    default = cattrs.v.format_exception(exc, type_)  # type: ignore[arg-type]
    return f"{default} ({exc})" if isinstance(exc, ValueError) else default


def load_routing(data: Mapping[str, Any]) -> RoutingConfig:
    """Build and check a `RoutingConfig` from plain data.

    Raises:
        NotifyConfigError: unknown keys, wrong types, unknown roles, empty channel lists, or
            a kind pattern matching no catalogued kind (a typo would silently route nothing).
    """
    try:
        config = _converter.structure(dict(data), RoutingConfig)
    except NotifyConfigError:
        raise
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError) as exc:
        if isinstance(exc, cattrs.BaseValidationError):
            reason = "; ".join(cattrs.transform_error(exc, format_exception=_describe))
        else:
            reason = str(exc)
        raise NotifyConfigError(reason=reason) from exc
    for route in config.routes:
        for pattern in route.kinds:
            if not fnmatch.filter(CATALOGUE, pattern):
                raise NotifyConfigError(reason=f"kind pattern {pattern!r} matches no notification kind")
    return config


def load_routing_toml(text: str, table: str | None = None) -> RoutingConfig:
    """`load_routing` from TOML text, optionally from one ``table`` of it (e.g. ``"notify"``)."""
    try:
        data: Mapping[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise NotifyConfigError(reason=f"TOML: {exc}") from exc
    if table is not None:
        if not isinstance(data.get(table), dict):
            raise NotifyConfigError(reason=f"no [{table}] table")
        data = data[table]
    return load_routing(data)


class RoutingNotifier:
    """A :class:`jointinspect.ports.Notifier` dispatching to named channels (see the module).

    Args:
        config: the routes.
        channels: channel name -> notifier.

    Raises:
        NotifyConfigError: a route names a channel that is not given.
    """

    def __init__(self, config: RoutingConfig, channels: Mapping[str, Notifier]) -> None:
        if missing := config.channels() - set(channels):
            raise NotifyConfigError(reason=f"unknown channels {sorted(missing)}")
        self.config = config
        self._channels = dict(channels)
        self._done: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def _try(self, notification: Notification, names: tuple[str, ...]) -> dict[str, Exception | None]:
        outcome: dict[str, Exception | None] = {}
        for name in names:
            with self._lock:
                if name in self._done.get(notification.key, ()):
                    outcome[name] = None
                    continue
            try:
                self._channels[name].send(notification)
            except Exception as exc:  # any channel failure is reported below, never lost
                _log.warning("channel %s failed for %s: %s", name, notification.key, exc)
                outcome[name] = exc
                continue
            with self._lock:
                self._done.setdefault(notification.key, set()).add(name)
            outcome[name] = None
        return outcome

    def send(self, notification: Notification) -> None:
        """Send through the matching route's channels (see the module for when it raises)."""
        route = self.config.route_for(notification)
        outcome = self._try(notification, route.channels)
        failures = {n: e for n, e in outcome.items() if e is not None}
        met = not failures if route.require is Require.ALL else len(failures) < len(outcome)
        if met:
            self._forget(notification.key)
            return
        key = notification.key
        if any(not isinstance(e, DeliveryRejected) for e in failures.values()):
            reason = "; ".join(f"{n}: {e}" for n, e in failures.items())
            raise DeliveryFailed(key=key, channel="routing", reason=reason)
        rest = tuple(c for c in self.config.fallback if c not in route.channels)
        fallback = self._try(notification, rest) if rest else {}
        if fallback and all(e is None for e in fallback.values()):
            self._forget(key)
            return
        if any(e is not None and not isinstance(e, DeliveryRejected) for e in fallback.values()):
            raise DeliveryFailed(key=key, channel="routing", reason="fallback failed")
        reason = "; ".join(f"{n}: {e}" for n, e in {**failures, **fallback}.items() if e is not None)
        self._forget(key)  # settled for good (e.g. by DeadLetters): no progress to keep
        raise DeliveryRejected(key=key, channel="routing", reason=reason)

    def _forget(self, key: str) -> None:
        # Delivered: the relay will mark it; per-channel progress is no longer needed.
        with self._lock:
            self._done.pop(key, None)


class DeadLetters:
    """Wraps a notifier so that a permanent refusal settles the notification: it is kept
    here (or handed to ``on_rejected``) and the relay marks it delivered instead of retrying
    it, and stalling the outbox behind it, forever. Transient failures still propagate."""

    def __init__(
        self, inner: Notifier, on_rejected: Callable[[Notification, DeliveryRejected], None] | None = None
    ) -> None:
        self.inner = inner
        self.rejected: list[tuple[Notification, DeliveryRejected]] = []
        self._on_rejected = on_rejected

    def send(self, notification: Notification) -> None:
        """Send through ``inner``; keep permanent refusals."""
        try:
            self.inner.send(notification)
        except DeliveryRejected as exc:
            self.rejected.append((notification, exc))
            if self._on_rejected is not None:
                self._on_rejected(notification, exc)
