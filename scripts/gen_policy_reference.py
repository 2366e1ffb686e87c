"""Write docs/policy-reference.md and docs/policy-reference.zh.md from the policy schema.

Run from the repository root after changing a policy field (tests/test_policy_reference.py
fails until the pages are regenerated): ``python scripts/gen_policy_reference.py``.
"""

from __future__ import annotations

from pathlib import Path

from jointinspect.policy.reference import render

PAGES = {"en": Path("docs/policy-reference.md"), "zh": Path("docs/policy-reference.zh.md")}


def main() -> None:
    for language, path in PAGES.items():
        path.write_text(render(language), encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
