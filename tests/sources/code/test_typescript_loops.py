"""The TypeScript N+1 scanner on small cases: what each site carries, the loop kinds, the flow it
follows, what it leaves alone, and files it cannot read."""

from __future__ import annotations

from pathlib import Path

from dbexpert.model.code import LoopQuery, LoopQueryKind
from dbexpert.sources.code import scan_paths, scan_text
from dbexpert.sources.code.typescript_loops import SUFFIXES, scan_file


def _sites(source: str, path: str = "app/service.ts") -> list[LoopQuery]:
    scan = scan_file(path, source)
    assert scan.problems == ()
    return list(scan.sites)


def _lines(source: str, path: str = "app/service.ts") -> list[tuple[int, LoopQueryKind]]:
    return [(s.line, s.kind) for s in _sites(source, path)]


SEQUENTIAL = """\
export async function authors(prisma, posts) {
  for (const post of posts) {
    const author = await prisma.user.findUnique({ where: { id: post.authorId } })
    console.log(author)
  }
}
"""


def test_a_prisma_site_carries_the_query_the_loop_and_the_fix_in_prisma_terms():
    [site] = _sites(SEQUENTIAL)
    assert (site.orm, site.kind, site.line, site.column, site.loop_line) == (
        "prisma",
        LoopQueryKind.QUERY_IN_LOOP,
        3,
        26,
        2,
    )
    assert site.call == "prisma.user.findUnique" and site.model == "user"
    assert site.loop == "for (const post of posts)"
    assert "include" in site.fix
    assert site.batched == "prisma.user.findMany({ where: { id: { in: ids } } })"


def test_concurrent_find_unique_is_batched_by_prisma_but_find_first_is_not():
    source = """\
export const load = (prisma, posts) =>
  Promise.all(posts.map((p) => prisma.user.findUnique({ where: { id: p.authorId } })))
export const first = (prisma, posts) =>
  Promise.all(posts.map((p) => prisma.user.findFirst({ where: { id: p.authorId } })))
"""
    [site] = _sites(source)
    assert (site.line, site.call, site.loop) == (4, "prisma.user.findFirst", "Promise.all(posts.map(...))")


def test_every_loop_form_is_recognised():
    source = """\
async function f(db, ids, queue, stream, obj) {
  for (let i = 0; i < ids.length; i++) await db.user.findFirst({ where: { id: ids[i] } })
  for (const id of ids) await db.user.findFirst({ where: { id } })
  for (const key in obj) await db.setting.findFirst({ where: { key } })
  for await (const e of stream) await db.event.create({ data: { kind: e.kind } })
  while (queue.length) { const job = queue.shift(); await db.job.delete({ where: { id: job.id } }) }
  ids.forEach(async (id) => { await db.user.count({ where: { id } }) })
  await ids.reduce(async (prev, id) => { await prev; await db.user.findFirst({ where: { id } }) }, null)
}
"""
    assert [line for line, _ in _lines(source)] == [2, 3, 4, 5, 6, 7, 8]
    assert _lines(source)[3][1] is LoopQueryKind.PER_ROW_WRITE


def test_values_derived_from_the_item_are_followed():
    source = """\
async function f(prisma, orders) {
  for (const order of orders) {
    const { customer } = order
    const customerId = customer.id
    const c = await prisma.customer.findFirst({ where: { id: customerId } })
    await prisma.address.findMany({ where: { customerId: c.id } })
  }
}
"""
    assert [line for line, _ in _lines(source)] == [5, 6]
    assert _sites(source)[1].batched == "prisma.address.findMany({ where: { customerId: { in: ids } } })"


def test_a_helper_called_with_the_item_reports_the_query_inside_it_and_the_loop_line():
    source = """\
import { db } from './db'
async function loadItems(orderId: number) {
  return db.select().from(orderItems).where(eq(orderItems.orderId, orderId))
}
export async function all(orders) {
  for (const order of orders) {
    await loadItems(order.id)
    await loadItems(42)
  }
}
"""
    [site] = _sites(source)
    assert (site.orm, site.line, site.loop_line) == ("drizzle", 3, 6)
    assert dict(site.facts) == {"helper": "loadItems", "helper_call_line": 7}
    assert site.batched == "db.select().from(orderItems).where(inArray(orderItems.orderId, ids))"


def test_loops_that_are_not_n_plus_one_stay_clean():
    source = """\
const ROLES = ['admin', 'user']
enum Kind { A, B }
async function f(prisma, db, days, tables, pages) {
  for (const name of ROLES) await prisma.role.upsert({ where: { name }, update: {}, create: { name } })
  for (const k of Object.values(Kind)) await prisma.kind.findFirst({ where: { k } })
  for (const t of [users, posts]) await db.select().from(t)
  for (const table of tables) await db.select().from(table)
  for (const day of days) await prisma.order.count({ where: { status: 'open' } })
  for (let page = 0; page < pages; page++) await prisma.post.findMany({ skip: page * 20, take: 20 })
  for (let i = 0; i < 3; i++) await prisma.post.findFirst({ where: { id: i } })
  let cursor
  while (true) { const rows = await prisma.post.findMany({ cursor: { id: cursor }, take: 10 }); cursor = rows[9].id }
  for (const day of days) { cache.delete(day); seen.update(day) }
}
"""
    assert _sites(source) == []


def test_typeorm_lazy_relation_awaited_in_a_loop_unless_loaded_with_relations():
    source = """\
import { Entity, ManyToOne } from 'typeorm'
@Entity()
export class Book {
  @ManyToOne(() => Author)
  author: Promise<Author>
}
export async function titles(repo, ids) {
  const books = await repo.findBy({ id: In(ids) })
  for (const book of books) console.log((await book.author).name)
  const eager = await repo.find({ relations: ['author'] })
  for (const book of eager) console.log((await book.author).name)
}
"""
    [site] = _sites(source)
    assert (site.kind, site.line, site.relation, site.model, site.call) == (
        LoopQueryKind.LAZY_LOAD,
        9,
        "author",
        "Author",
        "book.author",
    )
    assert "relations: ['author']" in site.fix


def test_typeorm_repository_calls_are_recognised_by_their_declared_type():
    source = """\
import { In, Repository } from 'typeorm'
export class S {
  constructor(private readonly users: Repository<User>) {}
  async f(ids: number[]) {
    for (const id of ids) await this.users.findOneBy({ id })
    for (const id of ids) await this.users.update(id, { active: false })
  }
}
"""
    first, second = _sites(source)
    assert (first.orm, first.model, first.batched) == (
        "typeorm",
        "User",
        "this.users.findBy({ id: In(ids) })",
    )
    assert second.kind is LoopQueryKind.PER_ROW_WRITE and "In(ids)" in (second.batched or "")


def test_tsx_and_javascript_files_are_read_with_their_grammar():
    tsx = """\
export default async function Page({ ids }: { ids: string[] }) {
  const rows = []
  for (const id of ids) rows.push(await prisma.item.findFirst({ where: { id } }))
  return <ul>{rows.map((r) => <li key={r.id}>{r.name}</li>)}</ul>
}
"""
    assert _lines(tsx, "app/page.tsx") == [(3, LoopQueryKind.QUERY_IN_LOOP)]
    js = "module.exports = async (db, ids) => { for (const id of ids) await db.user.findFirst({ where: { id } }) }\n"
    assert [line for line, _ in _lines(js, "lib/load.cjs")] == [1]
    assert {".ts", ".tsx", ".js", ".mjs", ".cjs"} <= set(SUFFIXES)


def test_a_file_that_does_not_parse_is_one_problem_line_and_the_others_are_still_scanned(tmp_path: Path):
    (tmp_path / "broken.ts").write_text("export function f( {\n  for (const x of xs\n", encoding="utf-8")
    (tmp_path / "good.ts").write_text(SEQUENTIAL, encoding="utf-8")
    scan = scan_paths([tmp_path])
    assert scan.files == 2
    [problem] = scan.problems
    assert problem.startswith(f"{tmp_path / 'broken.ts'}:") and "expected valid TypeScript" in problem
    assert len(problem.splitlines()) == 1
    assert [(Path(s.path).name, s.line) for s in scan.sites] == [("good.ts", 3)]


def test_foreign_text_is_a_problem_not_an_exception():
    scan = scan_text("<?php echo $x; foreach ($a as $b) { ?>", "app/legacy.js")
    assert scan.sites == () and len(scan.problems) == 1
    assert scan.problems[0].startswith("app/legacy.js:1:")


def test_a_parameter_named_like_a_constant_elsewhere_is_still_a_loop_over_rows():
    source = """\
function roles() {
  const items = ['admin', 'user']
  return items
}
export async function load(prisma, items) {
  for (const item of items) await prisma.role.findFirst({ where: { name: item.name } })
}
"""
    assert [line for line, _ in _lines(source)] == [6]


def test_a_named_function_passed_as_the_callback_is_followed():
    source = """\
async function loadAuthor(post) {
  return prisma.user.findFirst({ where: { id: post.authorId } })
}
export const withAuthors = (posts) => Promise.all(posts.map(loadAuthor))
"""
    [site] = _sites(source)
    assert (site.line, site.loop_line, site.loop) == (2, 4, "Promise.all(posts.map(...))")


def test_declaration_files_and_minified_bundles_are_not_read():
    broken = "for (const x of xs) { await prisma.user.findFirst({ where: { id: x } }) "
    assert scan_file("types/index.d.ts", broken).problems == ()
    assert scan_file("public/vendor.min.js", SEQUENTIAL).sites == ()
