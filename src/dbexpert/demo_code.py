"""The demo shop's application code: where its N+1 queries come from.

``dbexpert demo`` writes these files into its folder and scans them like ``dbexpert nplusone`` does,
so every finding points at a real file and line. The shop's storefront is Django
(``app/catalog/views.py``), its order pages and reports use SQLAlchemy (``app/orders.py``, with the
models in ``app/models.py``), and its cart API is a TypeScript Prisma route
(``web/routes/cart.ts``). Each flaw is preceded by a comment naming the rule that should report
it; the functions marked clean must not fire.
"""

from __future__ import annotations

from pathlib import Path

MODELS_PY = '''\
"""SQLAlchemy models of the order side of the shop."""

from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str]
    name: Mapped[str]
    price: Mapped[float]


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int]
    status: Mapped[str]
    items: Mapped[list["OrderItem"]] = relationship(back_populates="order")


class OrderItem(Base):
    __tablename__ = "order_items"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int]
    order: Mapped[Order] = relationship(back_populates="items")
    product: Mapped[Product] = relationship()
'''

ORDERS_PY = '''\
"""The order page and the stock report (SQLAlchemy)."""

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.models import Order, OrderItem, Product


def order_page(session: Session, order_id: int) -> list[dict]:
    items = session.scalars(select(OrderItem).where(OrderItem.order_id == order_id)).all()
    lines = []
    for item in items:
        # lazy-load-in-loop: item.product is loaded with one SELECT per order line
        lines.append({"product": item.product.name, "quantity": item.quantity})
    return lines


def price_check(session: Session, product_ids: list[int]) -> dict[int, float]:
    prices = {}
    for product_id in product_ids:
        # query-in-loop: one primary-key lookup per product id
        product = session.get(Product, product_id)
        prices[product_id] = product.price
    return prices


def order_page_fast(session: Session, order_id: int) -> list[dict]:
    # clean: the products come with the order lines, in one extra query
    query = select(OrderItem).where(OrderItem.order_id == order_id).options(selectinload(OrderItem.product))
    return [{"product": i.product.name, "quantity": i.quantity} for i in session.scalars(query)]
'''

VIEWS_PY = '''\
"""Storefront views (Django)."""

from django.db import models
from django.shortcuts import render


class Tag(models.Model):
    name = models.CharField(max_length=80, unique=True)


class Review(models.Model):
    product = models.ForeignKey("Product", on_delete=models.CASCADE, related_name="reviews")
    rating = models.IntegerField()


class Product(models.Model):
    name = models.CharField(max_length=200)
    tags = models.ManyToManyField(Tag)


def category_page(request, slug):
    products = Product.objects.filter(category__slug=slug).prefetch_related("reviews")
    cards = []
    for product in products:
        # prefetch-bypassed: .filter() on a prefetched manager runs a new query per product
        good = product.reviews.filter(rating__gte=4).count()
        cards.append((product.name, good))
    return render(request, "category.html", {"cards": cards})


def import_tags(request):
    names = request.POST.getlist("tag")
    for name in names:
        # per-row-write-in-loop: one INSERT per tag
        Tag.objects.create(name=name)
    return render(request, "tags.html", {"count": len(names)})


def tag_page(request):
    # clean: one query
    return render(request, "tags.html", {"tags": list(Tag.objects.order_by("name"))})
'''

CART_TS = """\
// The cart API (Prisma).
import { PrismaClient } from '@prisma/client'

const prisma = new PrismaClient()

export async function cartLines(cart: { productId: number; quantity: number }[]) {
  const lines = []
  for (const entry of cart) {
    // query-in-loop: one findFirst per cart line, awaited one after the other
    const product = await prisma.product.findFirst({ where: { id: entry.productId, isActive: 'Y' } })
    lines.push({ name: product?.name, quantity: entry.quantity })
  }
  return lines
}

export async function importCart(cartId: number, rows: { productId: number; quantity: number }[]) {
  for (const row of rows) {
    // per-row-write-in-loop: one INSERT per imported row
    await prisma.cartItem.create({ data: { cartId, productId: row.productId, quantity: row.quantity } })
  }
}

export async function cartProducts(ids: number[]) {
  // clean: one query for every id
  return prisma.product.findMany({ where: { id: { in: ids } } })
}
"""

# Relative path -> text, written under the demo folder.
FILES: dict[str, str] = {
    "app/models.py": MODELS_PY,
    "app/orders.py": ORDERS_PY,
    "app/catalog/views.py": VIEWS_PY,
    "web/routes/cart.ts": CART_TS,
}
CODE_ROOTS = ("app", "web")


def write_code(folder: Path) -> list[Path]:
    """Write the shop's code under ``folder``; return the top folders to scan."""
    for relative, text in FILES.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return [folder / root for root in CODE_ROOTS]
