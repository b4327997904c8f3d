import { Injectable } from '@nestjs/common'
import { InjectRepository } from '@nestjs/typeorm'
import { DataSource, EntityManager, In, Repository } from 'typeorm'
import { Customer, Order, OrderLine, Product } from './entities'

@Injectable()
export class OrderService {
  constructor(
    @InjectRepository(Order) private readonly orders: Repository<Order>,
    @InjectRepository(OrderLine) private readonly lineRepository: Repository<OrderLine>,
    @InjectRepository(Product) private readonly products: Repository<Product>,
    private readonly dataSource: DataSource,
  ) {}

  async ordersWithCustomers(ids: number[]) {
    const orders = await this.orders.findBy({ id: In(ids) })
    for (const order of orders) {
      order.customer = await this.dataSource.manager.findOneBy(Customer, { id: order.customerId }) // expect: query-in-loop
    }
    return orders
  }

  async lineTotals(orders: Order[]) {
    const totals: number[] = []
    for (const order of orders) {
      const lines = await this.lineRepository.find({ where: { orderId: order.id } }) // expect: query-in-loop
      totals.push(lines.reduce((sum, l) => sum + l.amount, 0))
    }
    return totals
  }

  async stockFor(skus: string[]) {
    return Promise.all(skus.map((sku) => this.products.findOne({ where: { sku } }))) // expect: query-in-loop
  }

  async countLines(orders: Order[]) {
    const counts = new Map<number, number>()
    for (const { id } of orders) {
      counts.set(id, await this.lineRepository.count({ where: { orderId: id } })) // expect: query-in-loop
    }
    return counts
  }

  async newestLine(orders: Order[]) {
    const out = []
    for (const order of orders) {
      const line = await this.lineRepository // expect: query-in-loop
        .createQueryBuilder('line')
        .where('line.orderId = :id', { id: order.id })
        .orderBy('line.createdAt', 'DESC')
        .getOne()
      out.push(line)
    }
    return out
  }

  async saveEach(lines: OrderLine[]) {
    for (const line of lines) {
      await this.lineRepository.save(line) // expect: per-row-write-in-loop
    }
  }

  async markShipped(orderIds: number[]) {
    for (const id of orderIds) {
      await this.orders.update(id, { status: 'shipped' }) // expect: per-row-write-in-loop
    }
  }

  async rawTotals(orders: Order[]) {
    const rows = []
    for (const order of orders) {
      rows.push(await this.dataSource.query('SELECT sum(amount) FROM order_line WHERE order_id = $1', [order.id])) // expect: query-in-loop
    }
    return rows
  }

  async inTransaction(lines: OrderLine[]) {
    await this.dataSource.transaction(async (manager) => {
      for (const line of lines) {
        await manager.insert(OrderLine, { orderId: line.orderId, amount: line.amount }) // expect: per-row-write-in-loop
      }
    })
  }

  async withLines() {
    // eager: one query with a join
    return this.orders.find({ relations: { lines: true, customer: true } })
  }

  async batched(ids: number[]) {
    const lines = await this.lineRepository.findBy({ orderId: In(ids) })
    return ids.map((id) => lines.filter((l) => l.orderId === id))
  }

  async saveAll(lines: OrderLine[]) {
    await this.lineRepository.save(lines)
  }

  async statusCounts() {
    const statuses = ['new', 'paid', 'shipped']
    const counts = []
    for (const status of statuses) {
      counts.push(await this.orders.count({ where: { status } }))
    }
    return counts
  }

  async sameQueryInLoop(days: string[]) {
    const open = []
    for (const day of days) {
      // does not depend on the day: hoistable, but not an N+1 per item
      const n = await this.orders.count({ where: { status: 'open' } })
      open.push(`${day}: ${n}`)
    }
    return open
  }

  async exportAll(manager: EntityManager) {
    // pages of 500 rows: one query per page
    for (let page = 0; ; page++) {
      const rows = await manager.find(Order, { skip: page * 500, take: 500 })
      if (rows.length === 0) break
    }
  }

  async countTables(manager: EntityManager, entities: Function[]) {
    // a loop over entity classes: one query per table, not per row
    for (const entity of entities) {
      console.log(await manager.count(entity))
    }
  }

  findProducts(orders: Order[]) {
    // Array.prototype.find with a callback is not a query
    return orders.map((o) => o.lines.find((l) => l.productId === o.id))
  }
}

export async function exportInPages(orders: Repository<Order>, pageSize: number, maxPages: number) {
  // offset pages: the loop counter only reaches skip/take
  const all: Order[] = []
  for (let page = 0; page < maxPages; page += 1) {
    const skip = page * pageSize
    const take = pageSize
    const rows = await orders.find({ skip, take, order: { id: 'ASC' } })
    if (rows.length === 0) break
    all.push(...rows)
  }
  return all
}
