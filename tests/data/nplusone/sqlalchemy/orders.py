"""Order reports: models live in another module, so relations are known only by how they are used."""

from __future__ import annotations

from decimal import Decimal

from shop.models import Customer, Invoice, LineItem, Order, Product
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, joinedload, raiseload, selectinload


def order_lines(session: Session) -> list[str]:
    orders = session.scalars(select(Order).where(Order.paid.is_(True))).all()
    lines = []
    for order in orders:
        lines.append(f"{order.number} for {order.customer.email}")  # expect: lazy-load-in-loop
    return lines


def order_lines_eager(session: Session) -> list[str]:
    orders = session.scalars(select(Order).options(joinedload(Order.customer))).all()
    return [f"{order.number} for {order.customer.email}" for order in orders]


def order_lines_raise(session: Session) -> list[str]:
    # raiseload makes a lazy load raise instead of querying: not an N+1
    orders = session.scalars(select(Order).options(raiseload("*"))).all()
    return [order.number for order in orders]


def revenue_by_product(session: Session) -> dict[str, Decimal]:
    revenue: dict[str, Decimal] = {}
    for order in session.query(Order).filter(Order.paid.is_(True)).all():
        for item in order.items:  # expect: lazy-load-in-loop
            revenue[item.sku] = revenue.get(item.sku, Decimal(0)) + item.price * item.quantity
    return revenue


def revenue_by_product_eager(session: Session) -> dict[str, Decimal]:
    revenue: dict[str, Decimal] = {}
    for order in session.query(Order).options(selectinload(Order.items)).filter(Order.paid.is_(True)):
        for item in order.items:
            revenue[item.sku] = revenue.get(item.sku, Decimal(0)) + item.price * item.quantity
    return revenue


def _stock_for(session: Session, item: LineItem) -> int:
    product = session.get(Product, item.product_id)  # expect: query-in-loop
    return product.stock


def stock_report(session: Session, items: list[LineItem]) -> list[int]:
    return [_stock_for(session, item) for item in items]


def customer_names(session: Session, customer_ids: list[int]) -> list[str]:
    out = []
    for customer_id in customer_ids:
        customer = session.query(Customer).filter_by(id=customer_id).first()  # expect: query-in-loop
        out.append(customer.display_name)
    return out


def customer_names_batched(session: Session, customer_ids: list[int]) -> list[str]:
    customers = session.scalars(select(Customer).where(Customer.id.in_(customer_ids))).all()
    by_id = {customer.id: customer for customer in customers}
    return [by_id[customer_id].display_name for customer_id in customer_ids if customer_id in by_id]


async def invoice_totals(session: AsyncSession, order_ids: list[int]) -> list[Decimal]:
    totals = []
    for order_id in order_ids:
        result = await session.execute(select(Invoice).where(Invoice.order_id == order_id))  # expect: query-in-loop
        totals.append(result.scalar_one().total)
    return totals


async def invoice_totals_batched(session: AsyncSession, order_ids: list[int]) -> list[Decimal]:
    result = await session.scalars(select(Invoice).where(Invoice.order_id.in_(order_ids)))
    return [invoice.total for invoice in result]


def purge(session: Session, order_ids: list[int]) -> None:
    for order_id in order_ids:
        session.execute(delete(LineItem).where(LineItem.order_id == order_id))  # expect: per-row-write-in-loop


def purge_batched(session: Session, order_ids: list[int]) -> None:
    session.execute(delete(LineItem).where(LineItem.order_id.in_(order_ids)))


def refresh_all(session: Session, orders: list[Order]) -> None:
    for order in orders:
        session.refresh(order)  # expect: query-in-loop


def paginate(session: Session, page_size: int = 100) -> list[int]:
    seen, last_id = [], 0
    while True:
        batch = session.scalars(select(Order.id).where(Order.id > last_id).order_by(Order.id).limit(page_size)).all()
        if not batch:
            return seen
        seen.extend(batch)
        last_id = batch[-1]


def skus(session: Session) -> list[str]:
    rows = session.execute(select(LineItem.sku, LineItem.quantity)).all()
    return [row.sku.upper() for row in rows]


def order_dates(session: Session) -> list[str]:
    orders = session.scalars(select(Order)).all()
    return [order.created_at.isoformat() + order.placed_on.year.__str__() for order in orders]
