import { eq, and } from 'drizzle-orm'
import { db } from './db.mjs'
import { orders, orderItems, products } from './schema.mjs'

async function loadItems(orderId) {
  return db.select().from(orderItems).where(eq(orderItems.orderId, orderId)) // expect: query-in-loop
}

export async function ordersWithItems(customerId) {
  const list = await db.select().from(orders).where(eq(orders.customerId, customerId))
  const out = []
  for (const order of list) {
    out.push({ ...order, items: await loadItems(order.id) })
  }
  return out
}

export async function priceLookup(items) {
  const prices = {}
  for (const item of items) {
    const product = await db.query.products.findFirst({ where: eq(products.id, item.productId) }) // expect: query-in-loop
    prices[item.productId] = product.price
  }
  return prices
}

export async function restock(items) {
  await Promise.all(
    items.map((item) =>
      db // expect: per-row-write-in-loop
        .update(products)
        .set({ stock: item.stock })
        .where(eq(products.id, item.productId)),
    ),
  )
}

export async function saveLines(order, lines) {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    await db.insert(orderItems).values({ orderId: order.id, productId: line.productId, qty: line.qty }) // expect: per-row-write-in-loop
  }
}

export async function reduceSequential(items) {
  return items.reduce(async (previous, item) => {
    await previous
    await db.delete(orderItems).where(and(eq(orderItems.id, item.id), eq(orderItems.qty, 0))) // expect: per-row-write-in-loop
  }, Promise.resolve())
}

export async function byStatus() {
  const statuses = ['new', 'paid']
  const out = []
  for (const status of statuses) {
    out.push(await db.select().from(orders).where(eq(orders.status, status)))
  }
  return out
}

export async function withItems(customerId) {
  return db.query.orders.findMany({ where: eq(orders.customerId, customerId), with: { items: true } })
}
