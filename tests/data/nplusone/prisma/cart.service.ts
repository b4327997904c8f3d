import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service';

@Injectable()
export class CartService {
  constructor(private prisma: PrismaService) {}

  async getCartTotals(cartIds: string[]) {
    let grand = 0;
    for (const cartId of cartIds) {
      const items = await this.prisma.cartItem.findMany({ where: { cartId } }); // expect: query-in-loop
      for (const item of items) {
        const product = await this.prisma.product.findUnique({ where: { id: item.productId } }); // expect: query-in-loop
        grand += product!.price * item.quantity;
      }
    }
    return grand;
  }

  async checkout(userId: string) {
    const cart = await this.prisma.cart.findFirst({ where: { userId }, include: { items: true } });
    if (!cart) return;
    for (const item of cart.items) {
      await this.prisma.product.update({ // expect: per-row-write-in-loop
        where: { id: item.productId },
        data: { stock: { decrement: item.quantity } },
      });
    }
    const lines = cart.items.map((i) => ({ orderId: cart.id, productId: i.productId }));
    await this.prisma.orderLine.createMany({ data: lines });
  }

  async names(ids: string[]) {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i += 1) {
      const u = await this.prisma.user.findFirstOrThrow({ where: { id: ids[i] }, select: { name: true } }); // expect: query-in-loop
      out.push(u.name);
    }
    return out;
  }

  async fluent(ids: string[]) {
    const res = [];
    for (const id of ids) {
      res.push(await this.prisma.user.findUnique({ where: { id } }).posts()); // expect: query-in-loop
    }
    return res;
  }

  async cacheBust(keys: string[]) {
    for (const key of keys) {
      this.cache.delete(key);
      this.map.update(key);
    }
  }

  async grouped(orgs: { id: string }[]) {
    const result = await Promise.all(
      orgs.map(async function (org) {
        const members = await this.prisma.membership.groupBy({ by: ['role'], where: { orgId: org.id }, _count: true }); // expect: query-in-loop
        return members;
      }),
    );
    return result;
  }
}

export async function seed(prisma: any) {
  const users = [
    { email: 'a@example.com', name: 'A' },
    { email: 'b@example.com', name: 'B' },
  ];
  for (const u of users) {
    await prisma.user.create({ data: u });
  }
}

export async function perItemViaArrowHelper(prisma: any, posts: { id: number }[]) {
  const loadLikes = (postId: number) => prisma.like.count({ where: { postId } }); // expect: query-in-loop
  const counts = [];
  for (const p of posts) counts.push(await loadLikes(p.id));
  return counts;
}
