import { db } from "@/db";
import { users, accounts, sessions, members } from "@/db/schema";
import { eq } from "drizzle-orm";

export async function GET(request: Request) {
  const allUsers = await db.select().from(users);
  const withAccounts = await Promise.all(
    allUsers.map(async (user) => {
      const account = await db.query.accounts.findFirst({ // expect: query-in-loop
        where: eq(accounts.userId, user.id),
      });
      return { ...user, account };
    })
  );
  for (const user of allUsers) {
    const s = await db.select().from(sessions).where(eq(sessions.userId, user.id)).get(); // expect: query-in-loop
    console.log(s);
  }
  return Response.json(withAccounts);
}

export async function cleanup(expired: { id: string }[]) {
  for (const session of expired) {
    await db.delete(sessions).where(eq(sessions.id, session.id)).run(); // expect: per-row-write-in-loop
  }
}

export async function drizzleCount(teams: { id: number }[]) {
  for (const team of teams) {
    const n = await db.$count(members, eq(members.teamId, team.id)); // expect: query-in-loop
    console.log(n);
  }
}
