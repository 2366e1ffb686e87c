"""Test support for jointinspect and for integrators writing their own adapters.

* `jointinspect.testing.city` — a deterministic example city.
* `jointinspect.testing.contract` — the store contract suite (subclass it with a
  factory for your store).
* `jointinspect.testing.ledger` — the frequency-ledger and replay-guard contract suites
  (the replay-guard suite lives in `jointinspect.testing.replay_guard`).
* `jointinspect.testing.notifier` — the notifier contract suite (keyed, at-least-once
  delivery through the outbox relay).
* `jointinspect.testing.tamper` — the audit tamper suite (raw edits of the audit table).
* `jointinspect.testing.maintenance` — outbox and replay-key pruning contract cases.
* `jointinspect.testing.model` — the stateful comparison with a reference model.
* `jointinspect.testing.authorization` — the authorization contract: every matrix row and
  the impersonation cases, through the Engine on your store.
* `jointinspect.testing.principals` — principals of the example city for tests.

Nothing here is imported by the core package at import time.
"""
