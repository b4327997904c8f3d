import { AppDataSource } from './data-source'
import { Invoice, Payment, User } from './entities'

const invoiceRepo = AppDataSource.getRepository(Invoice)

async function paymentsFor(invoice: Invoice) {
  return AppDataSource.getRepository(Payment).findBy({ invoiceId: invoice.id }) // expect: query-in-loop
}

export async function unpaidReport(invoices: Invoice[]) {
  const report = []
  for (const invoice of invoices) {
    const payments = await paymentsFor(invoice)
    report.push({ invoice, paid: payments.length > 0 })
  }
  return report
}

export async function ownerNames(invoices: Invoice[]) {
  const names: string[] = []
  invoices.forEach(async (inv) => {
    const owner = await User.findOneBy({ id: inv.ownerId }) // expect: query-in-loop
    names.push(owner?.name ?? '')
  })
  return names
}

export async function touch(invoices: Invoice[]) {
  for (const invoice of invoices) {
    invoice.touchedAt = new Date()
    await invoice.save() // expect: per-row-write-in-loop
  }
}

export async function archive(ids: number[]) {
  let i = 0
  while (i < ids.length) {
    const id = ids[i]
    await invoiceRepo.delete({ id }) // expect: per-row-write-in-loop
    i++
  }
}

export async function bulkArchive(ids: number[]) {
  await AppDataSource.createQueryBuilder().delete().from(Invoice).where('id IN (:...ids)', { ids }).execute()
}

export async function invoicesWithPayments() {
  return invoiceRepo
    .createQueryBuilder('invoice')
    .leftJoinAndSelect('invoice.payments', 'payment')
    .getMany()
}

export async function sums(invoices: Invoice[]) {
  const total = invoices.reduce((acc, inv) => acc + inv.amount, 0)
  return total
}

export async function insertEach(rows: { amount: number }[]) {
  for (const row of rows) {
    await AppDataSource.createQueryBuilder().insert().into(Invoice).values(row).execute() // expect: per-row-write-in-loop
  }
}

export async function insertBatch(rows: { amount: number }[]) {
  await AppDataSource.createQueryBuilder().insert().into(Invoice).values([...rows]).execute()
}
