import { PrismaClient, User } from "@prisma/client";
const db = new PrismaClient();

export const getServerSideProps = async () => {
  const users: User[] = await db.user.findMany();
  const usersWithPosts = await Promise.all(
    users.map(async (user) => ({
      ...user,
      posts: await db.post.findMany({ where: { authorId: user.id } }), // expect: query-in-loop
    }))
  );
  return { props: { usersWithPosts } };
};

export async function handler(req: any, res: any) {
  const { ids } = req.body as { ids: string[] };
  const out = [];
  for (const id of ids) {
    const profile = await db.profile.findUnique({ where: { userId: id } }); // expect: query-in-loop
    if (profile) out.push(profile);
  }
  res.json(out);
}

async function getCommentsCount(postId: number) {
  return await db.comment.count({ where: { postId } }); // expect: query-in-loop
}

export async function posts() {
  const list = await db.post.findMany();
  const result = [];
  for (const p of list) {
    result.push({ ...p, comments: await getCommentsCount(p.id) });
  }
  return result;
}

export const ordersRouter = {
  list: async ({ ctx }: any) => {
    const orders = await ctx.db.order.findMany({ where: { userId: ctx.session.user.id } });
    return Promise.all(
      orders.map(async (order: any) => {
        const items = await ctx.db.orderItem.findMany({ where: { orderId: order.id } }); // expect: query-in-loop
        const shipping = await ctx.db.shipment.findFirst({ where: { orderId: order.id } }); // expect: query-in-loop
        return { ...order, items, shipping };
      })
    );
  },
};

export async function markRead(notificationIds: string[]) {
  await Promise.all(
    notificationIds.map((id) => db.notification.update({ where: { id }, data: { read: true } })) // expect: per-row-write-in-loop
  );
}

export async function clean() {
  const posts = await db.post.findMany({ include: { author: true, comments: { include: { author: true } } } });
  return posts.map((p) => ({ title: p.title, author: p.author.name, comments: p.comments.map((c) => c.author.name) }));
}
