from myapp.models import Customer, Invoice, Payment
from sqlalchemy import select
from sqlalchemy.orm import Session


class InvoiceService:
    def __init__(self, session: Session):
        self.session = session

    def _customer(self, invoice):
        return self.session.get(Customer, invoice.customer_id)  # expect: query-in-loop

    def overdue(self):
        invoices = self.session.scalars(select(Invoice).where(Invoice.overdue)).all()
        return [(inv.number, self._customer(inv).name) for inv in invoices]

    def payments(self, invoices):
        totals = {}
        for inv in invoices:
            rows = self.session.execute(select(Payment.amount).where(Payment.invoice_id == inv.id)).all()  # expect: query-in-loop
            totals[inv.id] = sum(r.amount for r in rows)
        return totals

    def owners(self):
        result = []
        for invoice in self.session.scalars(select(Invoice)):
            owner = invoice.customer  # expect: lazy-load-in-loop
            result.append(owner.email)
        return result

    def fine(self, ids):
        invoices = self.session.scalars(select(Invoice).where(Invoice.id.in_(ids))).all()
        by_id = {i.id: i for i in invoices}
        return [by_id[i].number for i in ids]
