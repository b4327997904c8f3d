"""Write docs/rules/*.md from the registry: ``python -m dbexpert.api.gendocs [DOCS_DIR]``."""

from __future__ import annotations

import sys
from pathlib import Path

from dbexpert.api.docs import rule_markdown, rules_index_markdown
from dbexpert.rules.registry import Registry, registry


def expected_pages(rules: Registry) -> dict[str, str]:
    pages = {f"{rule.name}.md": rule_markdown(rule) for rule in rules}
    pages["README.md"] = rules_index_markdown(rules)
    return pages


def write_pages(folder: Path, rules: Registry) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    pages = expected_pages(rules)
    for stale in folder.glob("*.md"):
        if stale.name not in pages:
            stale.unlink()
    written = []
    for name, text in pages.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/rules")
    written = write_pages(folder, registry())
    print(f"wrote {len(written)} pages to {folder}")


if __name__ == "__main__":
    main()
