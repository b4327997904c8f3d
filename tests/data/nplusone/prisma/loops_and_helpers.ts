import { prisma } from './db';

async function loadAuthor(post: { authorId: number }) {
  return prisma.user.findFirst({ where: { id: post.authorId } }); // expect: query-in-loop
}

export async function withAuthors(posts: { authorId: number }[]) {
  return Promise.all(posts.map(loadAuthor));
}

export async function whileIndex(users: { id: number }[]) {
  let i = 0;
  while (i < users.length) {
    await prisma.post.findMany({ where: { authorId: users[i].id } }); // expect: query-in-loop
    i++;
  }
}

export async function uniqueSlug(base: string) {
  let slug = base;
  let n = 1;
  while (await prisma.post.findFirst({ where: { slug } })) {
    slug = `${base}-${n++}`;
  }
  return slug;
}

export async function retry(data: any) {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await prisma.order.create({ data });
    } catch {}
  }
}

export class UserService {
  constructor(private readonly userRepository: UserRepository) {}
  async emails(emails: string[]) {
    const out = [];
    for (const email of emails) {
      out.push(await this.userRepository.findByEmail(email)); // expect: query-in-loop
      this.userRepository.create({ email });
    }
    return out;
  }
}
