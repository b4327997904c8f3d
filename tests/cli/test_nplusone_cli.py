"""``dbexpert nplusone PATH`` on an application folder with TypeScript code: sites with their loop
and fix, vendored folders skipped, files that do not parse reported while the rest is analysed."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import run
from tests.files import write_tree

SERVICE = """\
import { PrismaClient } from '@prisma/client'
const prisma = new PrismaClient()

export async function authors(posts: { authorId: number }[]) {
  const out = []
  for (const post of posts) {
    out.push(await prisma.user.findFirst({ where: { id: post.authorId } }))
  }
  return out
}

export async function eager() {
  return prisma.post.findMany({ include: { author: true } })
}
"""

DRIZZLE = """\
import { db } from './db'
import { tags } from './schema'

export async function importTags(names: string[]) {
  for (const name of names) {
    await db.insert(tags).values({ name })
  }
}
"""

PAGE = """\
export default async function Page({ ids }: { ids: string[] }) {
  const items = await Promise.all(ids.map((id) => prisma.item.findFirst({ where: { id } })))
  return <ul>{items.map((i) => <li key={i.id}>{i.name}</li>)}</ul>
}
"""


def _app(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path / "app",
        {
            "src/service.ts": SERVICE,
            "src/tags.mjs": DRIZZLE,
            "src/app/page.tsx": PAGE,
            # vendored code: full of loops with queries, never scanned
            "node_modules/some-orm/index.ts": SERVICE,
            "dist/service.js": SERVICE.replace(": { authorId: number }[]", ""),
        },
    )


def test_json_report_lists_each_site_with_its_loop_and_fix(tmp_path: Path):
    app = _app(tmp_path)
    result = run("nplusone", str(app), "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    found = sorted(
        (Path(f["location"]["path"]).relative_to(app).as_posix(), f["location"]["line"], f["rule"])
        for f in report["findings"]
    )
    assert found == [
        ("src/app/page.tsx", 2, "query-in-loop"),
        ("src/service.ts", 7, "query-in-loop"),
        ("src/tags.mjs", 6, "per-row-write-in-loop"),
    ]
    by_file = {Path(f["location"]["path"]).name: f for f in report["findings"]}
    service = by_file["service.ts"]
    assert service["evidence"]["loop_line"] == 6 and service["evidence"]["orm"] == "prisma"
    assert "prisma.user.findMany({ where: { id: { in: ids } } })" in service["fix"]["description"]
    assert "db.insert(tags).values(rows)" in by_file["tags.mjs"]["fix"]["description"]
    assert by_file["page.tsx"]["evidence"]["loop"] == "Promise.all(ids.map(...))"


def test_text_report_names_the_query_and_the_loop_line(tmp_path: Path):
    result = run("nplusone", str(_app(tmp_path) / "src" / "service.ts"))
    assert result.returncode == 0, result.stderr
    assert "prisma.user.findFirst" in result.stdout and "(line 6)" in result.stdout
    assert "service.ts:7" in result.stdout


def test_a_file_that_does_not_parse_is_reported_and_the_rest_still_analysed(tmp_path: Path):
    app = _app(tmp_path)
    (app / "src" / "broken.ts").write_text(
        "export async function f(xs) {\n  for (const x of xs {\n", encoding="utf-8"
    )
    result = run("nplusone", str(app), "--format", "json")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    [error] = result.stderr.strip().splitlines()
    assert error.startswith(f"dbexpert: error: {app / 'src' / 'broken.ts'}:2:")
    assert len(json.loads(result.stdout)["findings"]) == 3


def test_a_missing_path_is_a_one_line_error(tmp_path: Path):
    result = run("nplusone", str(tmp_path / "nowhere"))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert str(tmp_path / "nowhere") in result.stderr
