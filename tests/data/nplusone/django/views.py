"""Views and services of the members app; the models are imported from other modules."""

from catalog.models import Loan
from django.db import transaction
from django.db.models import Prefetch
from members.models import Member, Membership, Notification


def dashboard(request):
    members = Member.objects.filter(active=True)
    rows = []
    for member in members:
        rows.append(
            {
                "name": member.full_name,
                "plan": member.membership.plan_name,  # expect: lazy-load-in-loop
                "loans": member.loans.count(),  # expect: lazy-load-in-loop
            }
        )
    return rows


def dashboard_eager(request):
    members = Member.objects.filter(active=True).select_related("membership").prefetch_related("loans")
    return [
        {"name": m.full_name, "plan": m.membership.plan_name, "loans": len(m.loans.all())} for m in members
    ]


def _latest_loan(member):
    return Loan.objects.filter(member=member).order_by("-id").first()  # expect: query-in-loop


def latest_loans():
    return [_latest_loan(member) for member in Member.objects.all()]


def notify(member_ids, text):
    with transaction.atomic():
        for member_id in member_ids:
            Notification.objects.create(member_id=member_id, text=text)  # expect: per-row-write-in-loop


def notify_batched(member_ids, text):
    Notification.objects.bulk_create([Notification(member_id=m, text=text) for m in member_ids])


def renew(memberships):
    for membership in memberships:
        Membership.objects.update_or_create(member=membership.member_id, defaults={"active": True})  # expect: per-row-write-in-loop


def tag_books(book, tags):
    for tag in tags:
        book.tags.add(tag)  # expect: per-row-write-in-loop


def tag_books_batched(book, tags):
    book.tags.add(*tags)


def overdue_titles():
    loans = Loan.objects.filter(returned=False)
    titles = []
    for loan in loans:
        book = loan.book  # expect: lazy-load-in-loop
        titles.append(book.title)
    return titles


def overdue_titles_eager():
    loans = Loan.objects.filter(returned=False).select_related("book__publisher")
    return [(loan.book.title, loan.book.publisher.name) for loan in loans]


def member_emails():
    return [row["email"] for row in Member.objects.values("email", "membership__plan_name")]


def loan_ids():
    return [loan.book_id for loan in Loan.objects.all()]


def active_loans_prefetched():
    active = Loan.objects.filter(returned=False)
    members = Member.objects.prefetch_related(Prefetch("loans", queryset=active, to_attr="active_loans"))
    return {m.pk: [loan.book_id for loan in m.active_loans] for m in members}


def chunks(queryset, size=500):
    start = 0
    while True:
        batch = list(queryset.order_by("pk")[start : start + size])
        if not batch:
            return
        yield batch
        start += size


def greeting(members):
    return [f"Hello {m.full_name.title()}" for m in members]
