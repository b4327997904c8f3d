import type { PrismaClient } from '@prisma/client'

type Context = { prisma: PrismaClient; userId: number }

export class FeedService {
  constructor(private readonly prisma: PrismaClient) {}

  async feed(userIds: number[]) {
    const items = []
    for (const userId of userIds) {
      const posts = await this.prisma.post.findMany({ where: { authorId: userId }, take: 5 }) // expect: query-in-loop
      items.push(...posts)
    }
    return items
  }

  async followers(users: { id: number }[]) {
    const result: number[] = []
    users.forEach(async (user) => {
      const n = await this.prisma.follow.count({ where: { followingId: user.id } }) // expect: query-in-loop
      result.push(n)
    })
    return result
  }

  async enrich(posts: { id: number; authorId: number }[]) {
    for (const post of posts) {
      await this.attachAuthor(post)
    }
  }

  private async attachAuthor(post: { id: number; authorId: number }) {
    return this.prisma.user.findFirst({ where: { id: post.authorId } }) // expect: query-in-loop
  }

  async allPages() {
    // cursor pagination: one query per page of 100, not per row
    let cursor: number | undefined
    const all = []
    while (true) {
      const page = await this.prisma.post.findMany({
        take: 100,
        ...(cursor ? { skip: 1, cursor: { id: cursor } } : {}),
        orderBy: { id: 'asc' },
      })
      if (page.length === 0) break
      all.push(...page)
      cursor = page[page.length - 1].id
    }
    return all
  }

  async pagesByOffset(pages: number) {
    const all = []
    for (let page = 0; page < pages; page++) {
      all.push(...(await this.prisma.post.findMany({ skip: page * 50, take: 50 })))
    }
    return all
  }
}

export const resolvers = {
  Query: {
    postsByAuthors: async (_: unknown, args: { ids: number[] }, ctx: Context) => {
      const out = []
      for (const id of args.ids) {
        out.push(await ctx.prisma.post.findMany({ where: { authorId: id } })) // expect: query-in-loop
      }
      return out
    },
  },
}

export async function transfer(prisma: PrismaClient, moves: { from: number; to: number; amount: number }[]) {
  await prisma.$transaction(async (tx) => {
    for (const move of moves) {
      await tx.account.update({ where: { id: move.from }, data: { balance: { decrement: move.amount } } }) // expect: per-row-write-in-loop
    }
  })
}

export async function bumpScores(prisma: PrismaClient, scores: { id: number; score: number }[]) {
  // an array of writes sent as one batch by $transaction
  await prisma.$transaction(scores.map((s) => prisma.player.update({ where: { id: s.id }, data: { score: s.score } })))
}

export async function drainQueue(prisma: PrismaClient, queue: { jobId: number }[]) {
  while (queue.length > 0) {
    const job = queue.shift()!
    await prisma.job.delete({ where: { id: job.jobId } }) // expect: per-row-write-in-loop
  }
}

export async function perTableCounts(prisma: PrismaClient) {
  const counts = { users: await prisma.user.count(), posts: await prisma.post.count() }
  for (const [table, n] of Object.entries(counts)) {
    console.log(table, n)
  }
}

export async function mapWithAwait(prisma: PrismaClient, orders: { id: number }[]) {
  const lines = await Promise.all(
    orders.map(async (order) => {
      const items = await prisma.orderLine.findMany({ where: { orderId: order.id } }) // expect: query-in-loop
      return { order, items }
    }),
  )
  return lines
}

export async function forAwait(prisma: PrismaClient, stream: AsyncIterable<{ sku: string }>) {
  for await (const event of stream) {
    await prisma.inventory.updateMany({ where: { sku: event.sku }, data: { reserved: { increment: 1 } } }) // expect: per-row-write-in-loop
  }
}
