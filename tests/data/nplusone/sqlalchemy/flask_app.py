"""Flask-SQLAlchemy views."""

from flask import jsonify
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Author(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80))
    books = db.relationship("Book", backref="author", lazy=True)


class Book(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(200))
    author_id = db.Column(db.Integer, db.ForeignKey("author.id"))
    reviews = db.relationship("Review", lazy="selectin")


class Review(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    book_id = db.Column(db.Integer, db.ForeignKey("book.id"))
    stars = db.Column(db.Integer)


def list_books():
    books = Book.query.all()
    return jsonify([{"title": b.title, "author": b.author.name} for b in books])  # expect: lazy-load-in-loop


def list_books_eager():
    books = Book.query.options(db.joinedload(Book.author)).all()
    return jsonify([{"title": b.title, "author": b.author.name} for b in books])


def ratings():
    # reviews are mapped with lazy="selectin": loaded with the books
    return {b.id: [r.stars for r in b.reviews] for b in Book.query.all()}


def books_by(author_ids):
    result = {}
    for author_id in author_ids:
        result[author_id] = Book.query.filter_by(author_id=author_id).all()  # expect: query-in-loop
    return result


def author_pages():
    pages = []
    for author in db.session.scalars(db.select(Author)):
        pages.append({"name": author.name, "titles": [book.title for book in author.books]})  # expect: lazy-load-in-loop
    return pages


def one_author(author_id):
    author = db.session.get(Author, author_id)
    return {"name": author.name, "count": len(author.books)}


def save_all(payloads):
    for payload in payloads:
        db.session.add(Book(title=payload["title"]))
    db.session.commit()
