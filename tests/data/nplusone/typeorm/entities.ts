import { Column, Entity, ManyToOne, OneToMany, PrimaryGeneratedColumn } from 'typeorm'
import { AppDataSource } from './data-source'

@Entity()
export class Author {
  @PrimaryGeneratedColumn()
  id: number

  @Column()
  name: string

  @OneToMany(() => Book, (book) => book.author)
  books: Promise<Book[]>
}

@Entity()
export class Book {
  @PrimaryGeneratedColumn()
  id: number

  @Column()
  title: string

  @ManyToOne(() => Author, (author) => author.books)
  author: Promise<Author>

  @ManyToOne(() => Publisher)
  publisher: Publisher
}

export async function bookTitlesWithAuthors() {
  const books = await AppDataSource.getRepository(Book).find()
  const lines = []
  for (const book of books) {
    const author = await book.author // expect: lazy-load-in-loop
    lines.push(`${book.title} by ${author.name}`)
  }
  return lines
}

export async function booksPerAuthor(authors: Author[]) {
  return Promise.all(
    authors.map(async (a) => {
      const books = await a.books // expect: lazy-load-in-loop
      return { name: a.name, count: books.length }
    }),
  )
}

export async function titlesEager() {
  // the lazy relation is loaded with the parent query: awaiting it runs no query
  const books = await AppDataSource.getRepository(Book).find({ relations: ['author'] })
  const lines = []
  for (const book of books) {
    const author = await book.author
    lines.push(`${book.title} by ${author.name}`)
  }
  return lines
}

export async function publishersAreEager(books: Book[]) {
  // publisher is not a lazy (Promise) relation: a plain property access, no query
  return books.map((b) => b.publisher?.id)
}
