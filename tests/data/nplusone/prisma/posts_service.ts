import { Prisma, PrismaClient } from '@prisma/client'

const prisma = new PrismaClient()
const DEFAULT_ROLES = ['admin', 'editor', 'viewer'] as const

export async function listPostsWithAuthors(take = 20) {
  const posts = await prisma.post.findMany({ take, orderBy: { createdAt: 'desc' } })
  const result = []
  for (const post of posts) {
    const author = await prisma.user.findUnique({ where: { id: post.authorId } }) // expect: query-in-loop
    result.push({ ...post, author })
  }
  return result
}

export async function commentCounts(postIds: number[]) {
  const counts: Record<number, number> = {}
  for (const id of postIds) {
    counts[id] = await prisma.comment.count({ where: { postId: id } }) // expect: query-in-loop
  }
  return counts
}

export async function latestCommentPerPost(posts: { id: number }[]) {
  return Promise.all(
    posts.map((p) =>
      prisma.comment.findFirst({ // expect: query-in-loop
        where: { postId: p.id },
        orderBy: { createdAt: 'desc' },
      }),
    ),
  )
}

export async function authorsConcurrently(posts: { authorId: number }[]) {
  // findUnique calls issued together are batched by Prisma's dataloader into one query
  return Promise.all(posts.map((p) => prisma.user.findUnique({ where: { id: p.authorId } })))
}

export async function tagsFor(posts: { id: number; slug: string }[]) {
  const out = new Map<number, string[]>()
  for (const { id, slug } of posts) {
    const tags = await prisma.tag.findMany({ where: { posts: { some: { id } } } }) // expect: query-in-loop
    out.set(id, tags.map((t) => t.name))
    console.log(slug)
  }
  return out
}

export async function importUsers(rows: { email: string; name: string }[]) {
  for (const row of rows) {
    await prisma.user.create({ data: { email: row.email, name: row.name } }) // expect: per-row-write-in-loop
  }
}

export async function publishAll(ids: number[]) {
  for (let i = 0; i < ids.length; i++) {
    await prisma.post.update({ where: { id: ids[i] }, data: { published: true } }) // expect: per-row-write-in-loop
  }
}

export async function upsertSettings(userId: number, settings: Record<string, string>) {
  for (const [key, value] of Object.entries(settings)) {
    await prisma.setting.upsert({ // expect: per-row-write-in-loop
      where: { userId_key: { userId, key } },
      update: { value },
      create: { userId, key, value },
    })
  }
}

export async function ensureRoles() {
  // a fixed list of three roles: a loop over constants, not over rows
  for (const name of DEFAULT_ROLES) {
    await prisma.role.upsert({ where: { name }, update: {}, create: { name } })
  }
}

export async function postsWithAuthorsEager() {
  return prisma.post.findMany({ include: { author: true, _count: { select: { comments: true } } } })
}

export async function usersByIds(ids: number[]) {
  const users = await prisma.user.findMany({ where: { id: { in: ids } } })
  const byId = new Map(users.map((u) => [u.id, u]))
  return ids.map((id) => byId.get(id))
}

export async function totalsPerDay(days: string[]) {
  const total = await prisma.order.count()
  for (const day of days) {
    console.log(day, total)
  }
  return total
}

export async function revenueByCustomer(customers: { id: number }[]) {
  const rows = []
  for (const customer of customers) {
    const agg = await prisma.order.aggregate({ // expect: query-in-loop
      _sum: { amount: true },
      where: { customerId: customer.id },
    })
    rows.push(agg)
  }
  return rows
}

export async function rawLookup(ids: number[]) {
  for (const id of ids) {
    await prisma.$queryRaw`SELECT * FROM "User" WHERE id = ${id}` // expect: query-in-loop
  }
}

export async function createAll(rows: Prisma.UserCreateManyInput[]) {
  await prisma.user.createMany({ data: rows })
}
