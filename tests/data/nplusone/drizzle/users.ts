import { and, count, desc, eq, inArray, sql } from 'drizzle-orm'
import { db } from './db'
import { comments, posts, profiles, tags, users } from './schema'

const TABLES = [users, posts, comments]

export async function usersWithProfiles() {
  const all = await db.select().from(users)
  const out = []
  for (const user of all) {
    const [profile] = await db.select().from(profiles).where(eq(profiles.userId, user.id)) // expect: query-in-loop
    out.push({ ...user, profile })
  }
  return out
}

export async function postsPerUser(userIds: number[]) {
  return Promise.all(
    userIds.map((id) => db.query.posts.findMany({ where: eq(posts.authorId, id) })), // expect: query-in-loop
  )
}

export async function firstComment(postList: { id: number }[]) {
  const result = []
  for (const post of postList) {
    const c = await db.query.comments.findFirst({ // expect: query-in-loop
      where: eq(comments.postId, post.id),
      orderBy: [desc(comments.createdAt)],
    })
    result.push(c)
  }
  return result
}

export async function commentCounts(postList: { id: number }[]) {
  const counts: number[] = []
  for (const { id } of postList) {
    const [row] = await db // expect: query-in-loop
      .select({ n: count() })
      .from(comments)
      .where(eq(comments.postId, id))
    counts.push(row.n)
  }
  return counts
}

export async function importTags(names: string[]) {
  for (const name of names) {
    await db.insert(tags).values({ name }) // expect: per-row-write-in-loop
  }
}

export async function renameAll(renames: { id: number; name: string }[]) {
  for (const r of renames) {
    await db.update(users).set({ name: r.name }).where(eq(users.id, r.id)) // expect: per-row-write-in-loop
  }
}

export async function deleteEach(ids: number[]) {
  ids.forEach(async (id) => {
    await db.delete(comments).where(eq(comments.id, id)) // expect: per-row-write-in-loop
  })
}

export async function rawPerUser(list: { id: number }[]) {
  for (const u of list) {
    await db.execute(sql`select * from orders where user_id = ${u.id}`) // expect: query-in-loop
  }
}

export async function withRelations() {
  // eager: one relational query with its relations
  return db.query.users.findMany({ with: { posts: { with: { comments: true } } } })
}

export async function batched(userIds: number[]) {
  return db.select().from(posts).where(inArray(posts.authorId, userIds))
}

export async function insertMany(names: string[]) {
  await db.insert(tags).values(names.map((name) => ({ name })))
}

export async function tableSizes() {
  // one count per table of a fixed list: not per row
  for (const table of TABLES) {
    console.log(await db.select({ n: count() }).from(table))
  }
}

export async function sizesOf(tables: (typeof users)[]) {
  // the loop item is the table itself: one query per table, not per row
  const sizes = []
  for (const table of tables) {
    sizes.push(await db.select({ n: count() }).from(table))
  }
  return sizes
}

export async function pages(pageCount: number) {
  const rows = []
  for (let page = 0; page < pageCount; page++) {
    rows.push(...(await db.select().from(posts).limit(100).offset(page * 100)))
  }
  return rows
}

export async function keysetPages() {
  let lastId = 0
  while (true) {
    const batch = await db.select().from(posts).where(sql`${posts.id} > ${lastId}`).limit(500)
    if (batch.length === 0) break
    lastId = batch[batch.length - 1].id
  }
}

export async function recent(days: number[]) {
  const latest = await db.select().from(posts).orderBy(desc(posts.createdAt)).limit(10)
  return days.map((d) => ({ d, latest }))
}
