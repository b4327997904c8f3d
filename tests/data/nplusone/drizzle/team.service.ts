import { eq } from 'drizzle-orm'
import type { NodePgDatabase } from 'drizzle-orm/node-postgres'
import * as schema from './schema'

const { members, teams, invites, auditLog } = schema

const getTeam = async (db: NodePgDatabase<typeof schema>, teamId: number) =>
  db.query.teams.findFirst({ where: (t, { eq }) => eq(t.id, teamId) }) // expect: query-in-loop

export class TeamService {
  constructor(private readonly db: NodePgDatabase<typeof schema>) {}

  async membersWithTeams(userId: number) {
    const rows = await this.db.select().from(members).where(eq(members.userId, userId))
    const result = []
    for (const row of rows) {
      result.push({ row, team: await getTeam(this.db, row.teamId) })
    }
    return result
  }

  async memberNames(teamList: { id: number }[]) {
    const names = new Map<number, string[]>()
    for (const team of teamList) {
      const list = await this.db // expect: query-in-loop
        .select({ name: members.name })
        .from(members)
        .innerJoin(teams, eq(teams.id, members.teamId))
        .where(eq(members.teamId, team.id))
      names.set(team.id, list.map((m) => m.name))
    }
    return names
  }

  async sendInvites(emails: string[], teamId: number) {
    await this.db.transaction(async (tx) => {
      for (const email of emails) {
        await tx.insert(invites).values({ email, teamId }).onConflictDoNothing() // expect: per-row-write-in-loop
      }
    })
  }

  async firstMember(teamIds: number[]) {
    const out = []
    for (const teamId of teamIds) {
      out.push(await this.memberOf(teamId))
    }
    return out
  }

  private memberOf(teamId: number) {
    return this.db.select().from(members).where(eq(members.teamId, teamId)).limit(1).then((r) => r[0]) // expect: query-in-loop
  }

  async audit(events: { action: string; teamId: number }[]) {
    for (const event of events) {
      await this.db.insert(auditLog).values({ action: event.action, teamId: event.teamId }).returning() // expect: per-row-write-in-loop
    }
  }

  async auditBatch(events: { action: string; teamId: number }[]) {
    await this.db.insert(auditLog).values(events)
  }

  async teamsWithMembers() {
    return this.db.query.teams.findMany({ with: { members: true } })
  }

  async logLines(lines: string[]) {
    // formatting only, no query in the loop
    for (const line of lines) {
      console.log(line.trim())
    }
  }
}
