"""A small blog service written with SQLAlchemy 2.0 declarative models."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Table, func, insert, select, update
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    joinedload,
    mapped_column,
    relationship,
    selectinload,
)


class Base(DeclarativeBase):
    pass


post_tags = Table(
    "post_tags",
    Base.metadata,
    Column("post_id", ForeignKey("posts.id"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id"), primary_key=True),
)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    email: Mapped[str]
    posts: Mapped[list[Post]] = relationship(back_populates="author")
    profile: Mapped[Profile] = relationship(back_populates="user")


class Profile(Base):
    __tablename__ = "profiles"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    bio: Mapped[str]
    user: Mapped[User] = relationship(back_populates="profile")


class Post(Base):
    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    created_at: Mapped[datetime]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    author: Mapped[User] = relationship(back_populates="posts")
    comments: Mapped[list[Comment]] = relationship(back_populates="post")
    tags: Mapped[list[Tag]] = relationship(secondary=post_tags)
    category: Mapped[Category] = relationship(lazy="joined")


class Category(Base):
    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str]


class Comment(Base):
    __tablename__ = "comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str]
    post: Mapped[Post] = relationship(back_populates="comments")
    user: Mapped[User] = relationship()


class Tag(Base):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


def feed(session: Session) -> list[dict]:
    posts = session.scalars(select(Post).order_by(Post.created_at.desc()).limit(20)).all()
    items = []
    for post in posts:
        items.append(
            {
                "title": post.title,
                "author": post.author.name,  # expect: lazy-load-in-loop
                "comments": len(post.comments),  # expect: lazy-load-in-loop
                "category": post.category.label,
            }
        )
    return items


def feed_eager(session: Session) -> list[dict]:
    stmt = (
        select(Post)
        .options(joinedload(Post.author), selectinload(Post.comments))
        .order_by(Post.created_at.desc())
    )
    posts = session.scalars(stmt).all()
    return [
        {"title": post.title, "author": post.author.name, "comments": len(post.comments)} for post in posts
    ]


def tag_cloud(session: Session) -> dict[str, int]:
    counts: dict[str, int] = {}
    for post in session.scalars(select(Post)):
        for tag in post.tags:  # expect: lazy-load-in-loop
            counts[tag.name] = counts.get(tag.name, 0) + 1
    return counts


def tag_cloud_eager(session: Session) -> dict[str, int]:
    counts: dict[str, int] = {}
    for post in session.scalars(select(Post).options(selectinload(Post.tags))):
        for tag in post.tags:
            counts[tag.name] = counts.get(tag.name, 0) + 1
    return counts


def commenters(session: Session, post_id: int) -> list[str]:
    post = session.get(Post, post_id)
    names = []
    for comment in post.comments:
        names.append(comment.user.name)  # expect: lazy-load-in-loop
    return names


def commenters_eager(session: Session, post_id: int) -> list[str]:
    post = session.scalars(
        select(Post)
        .where(Post.id == post_id)
        .options(selectinload(Post.comments).joinedload(Comment.user))
    ).one()
    return [comment.user.name for comment in post.comments]


def user_bios(session: Session) -> list[str]:
    users = session.scalars(select(User)).all()
    bios = []
    for user in users:
        profile = user.profile  # expect: lazy-load-in-loop
        bios.append(profile.bio)
    return bios


def latest_comment_per_post(session: Session, post_ids: list[int]) -> dict[int, str]:
    latest = {}
    for post_id in post_ids:
        comment = session.scalars(  # expect: query-in-loop
            select(Comment).where(Comment.post_id == post_id).order_by(Comment.id.desc()).limit(1)
        ).first()
        latest[post_id] = comment.body if comment else ""
    return latest


def comment_counts(session: Session, posts: list[Post]) -> dict[int, int]:
    return {
        post.id: session.scalar(select(func.count()).where(Comment.post_id == post.id))  # expect: query-in-loop
        for post in posts
    }


def comment_counts_batched(session: Session, post_ids: list[int]) -> dict[int, int]:
    rows = session.execute(
        select(Comment.post_id, func.count()).where(Comment.post_id.in_(post_ids)).group_by(Comment.post_id)
    )
    return {post_id: count for post_id, count in rows}


def rename_tags(session: Session, renames: dict[int, str]) -> None:
    for tag_id, name in renames.items():
        session.execute(update(Tag).where(Tag.id == tag_id).values(name=name))  # expect: per-row-write-in-loop


def rename_tags_batched(session: Session, renames: dict[int, str]) -> None:
    session.execute(update(Tag), [{"id": tag_id, "name": name} for tag_id, name in renames.items()])


def import_tags(session: Session, names: list[str]) -> None:
    for name in names:
        session.execute(insert(Tag).values(name=name))  # expect: per-row-write-in-loop


def import_tags_batched(session: Session, names: list[str]) -> None:
    session.add_all([Tag(name=name) for name in names])
    session.commit()


def table_sizes(session: Session) -> dict[str, int]:
    # a loop over model classes: one query per table, not per row
    return {model.__tablename__: session.scalar(select(func.count()).select_from(model)) for model in (Post, Tag, User)}


def statuses(session: Session) -> dict[str, int]:
    result = {}
    for title in ("draft", "published"):
        result[title] = session.scalar(select(func.count()).where(Post.title == title))
    return result


def authors_of(session: Session, post_ids: list[int]) -> list[str]:
    names = []
    for post_id in post_ids:
        post = session.get(Post, post_id)  # expect: query-in-loop
        names.append(post.title)
    return names


def total_posts_each_time(session: Session, users: list[User]) -> list[tuple[str, int]]:
    total = []
    for user in users:
        # does not depend on the user: hoistable, not N+1
        total.append((user.name, session.scalar(select(func.count()).select_from(Post))))
    return total
