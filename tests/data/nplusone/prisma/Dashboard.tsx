import { prisma } from '../lib/db'

export default async function Dashboard({ teamIds }: { teamIds: string[] }) {
  const teams = await prisma.team.findMany({ where: { id: { in: teamIds } }, include: { members: true } })
  const stats = []
  for (const team of teams) {
    const open = await prisma.ticket.count({ where: { teamId: team.id, status: 'open' } }) // expect: query-in-loop
    stats.push({ team: team.name, open, members: team.members.length })
  }
  return (
    <ul>
      {stats.map((s) => (
        <li key={s.team}>
          {s.team}: {s.open}
        </li>
      ))}
    </ul>
  )
}

export async function Sidebar() {
  const statuses = ['open', 'closed']
  const counts = []
  for (const status of statuses) {
    counts.push(await prisma.ticket.count({ where: { status } }))
  }
  return <p>{counts.join(', ')}</p>
}
