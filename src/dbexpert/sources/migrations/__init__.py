"""Migrations as tools lay them out (raw SQL, Flyway, golang-migrate, dbmate, Prisma, Drizzle, ...)."""
