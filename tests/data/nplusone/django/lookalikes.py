import requests
from django import forms
from more_itertools import chunked

from .models import Row, User


class F(forms.Form):
    def clean(self):
        for field in self.fields:
            print(field.widget.attrs)


def fetch(urls):
    s = requests.Session()
    for url in urls:
        s.get(url)


def import_rows(rows):
    for chunk in chunked(rows, 500):
        Row.objects.bulk_create([Row(**r) for r in chunk])


def cached(keys, db):
    for key in keys:
        db.get(key)


def ok(ids, session):
    for i in ids:
        session.get(User, i)  # expect: query-in-loop
