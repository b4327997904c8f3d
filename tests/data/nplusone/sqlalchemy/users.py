from app.models import Department, Employee, Order, OrderItem, Product, User
from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload


def list_users_with_addresses(session: Session):
    users = session.execute(select(User)).scalars().all()
    result = []
    for user in users:
        result.append({"id": user.id, "emails": [a.email for a in user.addresses]})  # expect: lazy-load-in-loop
    return result


def list_users_ok(session: Session):
    users = session.execute(select(User).options(selectinload(User.addresses))).scalars().all()
    return [{"id": u.id, "emails": [a.email for a in u.addresses]} for u in users]


def order_summary(session: Session, user_id: int):
    orders = session.scalars(select(Order).where(Order.user_id == user_id)).all()
    summary = []
    for order in orders:
        items = session.scalars(select(OrderItem).where(OrderItem.order_id == order.id)).all()  # expect: query-in-loop
        summary.append((order.id, sum(i.quantity for i in items)))
    return summary


def products_for_items(session, items):
    out = []
    for item in items:
        product = session.query(Product).get(item.product_id)  # expect: query-in-loop
        out.append(product.name)
    return out


def department_heads(session):
    departments = session.query(Department).all()
    return {d.name: d.manager.full_name for d in departments}  # expect: lazy-load-in-loop


def department_heads_ok(session):
    departments = session.query(Department).options(joinedload(Department.manager)).all()
    return {d.name: d.manager.full_name for d in departments}


def employees_by_dept(session, dept_ids):
    return {dept_id: session.scalars(select(Employee).filter_by(department_id=dept_id)).all() for dept_id in dept_ids}  # expect: query-in-loop


def contains(session):
    stmt = select(Order).join(Order.user).options(contains_eager(Order.user))
    for order in session.scalars(stmt):
        print(order.user.name)


def counts(session, users):
    for user in users:
        n = session.execute(select(func.count(Order.id)).where(Order.user_id == user.id)).scalar_one()  # expect: query-in-loop
        print(user.id, n)


def deactivate(session, users):
    for user in users:
        user.active = False
    session.commit()


def print_orders(session):
    for order in session.scalars(select(Order).limit(100)):
        for line in order.items:  # expect: lazy-load-in-loop
            print(line.product.name)  # expect: lazy-load-in-loop
