"""A Django library app: models and the views that read them."""

from django.db import models
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404


class Publisher(models.Model):
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2)


class Author(models.Model):
    name = models.CharField(max_length=200)
    email = models.EmailField()


class Book(models.Model):
    title = models.CharField(max_length=300)
    published = models.DateField()
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE, related_name="books")
    authors = models.ManyToManyField(Author, related_name="books")
    in_print = models.BooleanField(default=True)


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    stars = models.PositiveSmallIntegerField()
    approved = models.BooleanField(default=False)


class Loan(models.Model):
    book = models.ForeignKey(Book, on_delete=models.PROTECT)
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="loans")
    returned = models.BooleanField(default=False)


def catalogue():
    rows = []
    for book in Book.objects.filter(in_print=True):
        rows.append((book.title, book.publisher.name))  # expect: lazy-load-in-loop
    return rows


def catalogue_eager():
    return [(book.title, book.publisher.name) for book in Book.objects.select_related("publisher")]


def author_lists():
    books = Book.objects.all()
    return {book.id: [a.name for a in book.authors.all()] for book in books}  # expect: lazy-load-in-loop


def author_lists_eager():
    books = Book.objects.prefetch_related("authors")
    return {book.id: [a.name for a in book.authors.all()] for book in books}


def review_counts():
    return {book.title: book.review_set.count() for book in Book.objects.all()}  # expect: lazy-load-in-loop


def review_counts_annotated():
    return {book.title: book.n for book in Book.objects.annotate(n=Count("review"))}


def approved_reviews():
    out = {}
    for book in Book.objects.prefetch_related("review_set"):
        out[book.id] = list(book.review_set.filter(approved=True))  # expect: prefetch-bypassed
    return out


def approved_reviews_prefetched():
    approved = Review.objects.filter(approved=True)
    books = Book.objects.prefetch_related(Prefetch("review_set", queryset=approved, to_attr="approved_reviews"))
    return {book.id: book.approved_reviews for book in books}


def review_totals_prefetched():
    # count() and exists() on a prefetched manager are answered from the cache
    books = Book.objects.prefetch_related("review_set")
    return {book.id: (book.review_set.count(), book.review_set.exists()) for book in books}


def first_author():
    books = Book.objects.prefetch_related("authors")
    return [book.authors.first() for book in books]  # expect: prefetch-bypassed


def newest_first():
    books = Book.objects.prefetch_related("authors")
    result = []
    for book in books:
        result.append(book.authors.order_by("-id"))  # expect: prefetch-bypassed
    return result


def publisher_summary():
    summary = []
    for publisher in Publisher.objects.all():
        count = Book.objects.filter(publisher=publisher).count()  # expect: query-in-loop
        summary.append((publisher.name, count))
    return summary


def publisher_summary_annotated():
    return list(Publisher.objects.annotate(n=Count("books")).values_list("name", "n"))


def books_for(isbn_list):
    found = []
    for isbn in isbn_list:
        found.append(get_object_or_404(Book, title=isbn))  # expect: query-in-loop
    return found


def loans_of(member_ids):
    return {member_id: list(Loan.objects.filter(member_id=member_id)) for member_id in member_ids}  # expect: query-in-loop


def loans_batched(member_ids):
    return list(Loan.objects.filter(member_id__in=member_ids))


def mark_returned(loan_ids):
    for loan_id in loan_ids:
        Loan.objects.filter(pk=loan_id).update(returned=True)  # expect: per-row-write-in-loop


def mark_returned_batched(loan_ids):
    Loan.objects.filter(pk__in=loan_ids).update(returned=True)


def retire(books):
    for book in books:
        book.in_print = False
        book.save()  # expect: per-row-write-in-loop


def retire_batched(books):
    for book in books:
        book.in_print = False
    Book.objects.bulk_update(books, ["in_print"])


def counts_per_model():
    # a loop over model classes, not over rows
    return {model.__name__: model.objects.count() for model in (Book, Author, Review)}


def by_country():
    return {code: Publisher.objects.filter(country=code).count() for code in ["FR", "DE", "IT"]}
