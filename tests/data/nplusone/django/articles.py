from django.http import JsonResponse

from .models import Article, Author, Customer, Order, Tag


def article_list(request):
    articles = Article.objects.order_by("-published_at")[:20]
    data = []
    for article in articles:
        data.append({
            "title": article.title,
            "author": article.author.username,  # expect: lazy-load-in-loop
            "tags": [t.name for t in article.tags.all()],  # expect: lazy-load-in-loop
        })
    return JsonResponse(data, safe=False)


def article_list_ok(request):
    articles = Article.objects.select_related("author").prefetch_related("tags").order_by("-published_at")[:20]
    data = [{"title": a.title, "author": a.author.username, "tags": [t.name for t in a.tags.all()]} for a in articles]
    return JsonResponse(data, safe=False)


def comment_counts(request):
    return JsonResponse({a.id: a.comments.count() for a in Article.objects.all()})  # expect: lazy-load-in-loop


def approved(request):
    articles = Article.objects.prefetch_related("comments")
    out = {}
    for a in articles:
        out[a.id] = [c.body for c in a.comments.exclude(spam=True)]  # expect: prefetch-bypassed
    return JsonResponse(out)


def customers_orders(request):
    customers = Customer.objects.all()
    result = []
    for c in customers:
        orders = Order.objects.filter(customer_id=c.id)  # expect: query-in-loop
        result.append({"name": c.name, "orders": [o.id for o in orders]})
    return JsonResponse(result, safe=False)


def create_tags(names):
    for n in names:
        Tag.objects.get_or_create(name=n)  # expect: per-row-write-in-loop


def touch(articles):
    for article in articles:
        article.views += 1
        article.save(update_fields=["views"])  # expect: per-row-write-in-loop


def authors_ok():
    return [a.user.email for a in Author.objects.select_related("user")]


def latest_comment(request):
    articles = Article.objects.all()
    return [a.comments.latest("created_at") for a in articles]  # expect: lazy-load-in-loop


def values_ok():
    for row in Article.objects.values_list("id", flat=True):
        print(row)


class ArticleSerializer:
    def to_repr(self, queryset):
        return [{"author": obj.author.get_full_name()} for obj in queryset]  # expect: lazy-load-in-loop
