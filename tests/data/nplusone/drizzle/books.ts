import { db } from "./db";
import { authors, books } from "./schema";
import { eq, inArray } from "drizzle-orm";

export async function booksWithAuthors() {
  const allBooks = await db.select().from(books);
  const result = [];
  for (const book of allBooks) {
    const author = await db // expect: query-in-loop
      .select()
      .from(authors)
      .where(eq(authors.id, book.authorId))
      .limit(1);
    result.push({ ...book, author: author[0] });
  }
  return result;
}

export async function booksWithAuthorsJoin() {
  return db.select().from(books).leftJoin(authors, eq(books.authorId, authors.id));
}

export async function relational() {
  return db.query.books.findMany({ with: { author: true } });
}

export async function batched() {
  const allBooks = await db.select().from(books);
  const ids = [...new Set(allBooks.map((b) => b.authorId))];
  const list = await db.select().from(authors).where(inArray(authors.id, ids));
  const byId = new Map(list.map((a) => [a.id, a]));
  return allBooks.map((b) => ({ ...b, author: byId.get(b.authorId) }));
}

export async function updateStock(changes: { id: number; stock: number }[]) {
  await db.transaction(async (tx) => {
    for (const change of changes) {
      await tx.update(books).set({ stock: change.stock }).where(eq(books.id, change.id)); // expect: per-row-write-in-loop
    }
  });
}

export async function authorsOf(bookList: { authorId: number }[]) {
  return Promise.all(
    bookList.map((b) => db.query.authors.findFirst({ where: eq(authors.id, b.authorId) })) // expect: query-in-loop
  );
}
