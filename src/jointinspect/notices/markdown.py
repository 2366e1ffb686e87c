"""The catalogue as a Markdown table (the one in ``docs/notifications.md`` and its Chinese
twin)."""

from __future__ import annotations

from jointinspect.notices.catalogue import BUNDLES, CATALOGUE


def catalogue_markdown(*, zh: bool = False) -> str:
    """The catalogue as a Markdown table (the one in ``docs/notifications.md``).

    With ``zh=True`` the headers and the role-policy phrase are Chinese, for the Chinese twin
    ``docs/notifications.zh.md``; kinds, keys and both templates stay as they are. Bundle
    kinds follow, each with the kinds it expands to and what it stands for.
    """
    if zh:
        header = "| 通知类型 | 接收角色 | 载荷键 | 中文短文本 | 英文短文本 |"
    else:
        header = "| Kind | Recipients | Payload keys | Short text (zh) | Short text (en) |"
    lines = [header, "|---|---|---|---|---|"]
    for n in CATALOGUE.values():
        roles = ", ".join(f"`{r.value}`" for r in n.roles)
        if n.role_policy:
            roles += f"（由 `{n.role_policy}` 设定）" if zh else f" (set by `{n.role_policy}`)"
        keys = ", ".join(f"`{k}` ({f.value})" for k, f in n.fields.items()) or "—"
        short_zh, short_en = (s.replace("|", "\\|") for s in n.short)
        lines.append(f"| `{n.kind}` | {roles} | {keys} | {short_zh} | {short_en} |")
    for b in BUNDLES.values():
        members = ", ".join(f"`{m}`" for m in b.members)
        roles = f"通知包,展开为 {members}" if zh else f"bundle of {members}"
        keys = ", ".join(f"`{k}` ({f.value})" for k, f in b.fields.items())
        lines.append(f"| `{b.kind}` | {roles} | {keys} | {b.summary[0]} | {b.summary[1]} |")
    return "\n".join(lines) + "\n"
