"""Rule documentation generated from each rule's own declaration (``dbexpert rule``, docs/rules/)."""

from __future__ import annotations

from dbexpert.rules.registry import Registry, Rule


def rule_markdown(rule: Rule) -> str:
    """The documentation page of one rule."""
    engines = ", ".join(sorted(e.value for e in rule.engines))
    lines = [
        f"# {rule.name}",
        "",
        rule.one_line,
        "",
        f"- Category: {rule.category.value}",
        f"- Default severity: {rule.default_severity.value}",
        f"- Enabled by default: {'yes' if rule.enabled else 'no'}",
        f"- Engines: {engines}",
    ]
    if rule.min_version:
        floors = ", ".join(
            f"{e.value} ≥ {v.major}" + (f".{v.minor}" if v.minor else "") for e, v in rule.min_version.items()
        )
        lines.append(f"- Applies from: {floors}")
    if rule.needs_live:
        lines.append("- Needs a live database (statistics or sampling); silent on files")
    if rule.aliases or rule.code:
        lines.append(f"- Also known as: {', '.join([*rule.aliases, *([rule.code] if rule.code else [])])}")
    if rule.options:
        lines += ["", "## Options", "", f"Set in `[tool.dbexpert.thresholds.{rule.name}]`:", ""]
        lines += [f"- `{key.replace('_', '-')}` (default `{value!r}`)" for key, value in rule.options.items()]
    for title, body in rule.docs.sections.items():
        lines += ["", f"## {title}", "", body]
    return "\n".join(lines).rstrip() + "\n"


def rules_index_markdown(registry: Registry) -> str:
    lines = [
        "# Rules",
        "",
        "Generated from the rules' own declarations by `python -m dbexpert.api.gendocs`; do not edit by hand.",
        "",
        "| Rule | Category | Severity | Engines | Summary |",
        "|---|---|---|---|---|",
    ]
    for rule in registry:
        engines = ", ".join(sorted(e.value for e in rule.engines))
        summary = rule.one_line.replace("|", "\\|")
        lines.append(
            f"| [{rule.name}]({rule.name}.md) | {rule.category.value} | {rule.default_severity.value} | {engines} | {summary} |"
        )
    return "\n".join(lines) + "\n"
