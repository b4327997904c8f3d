"""ORM schema definitions (Prisma, ...) read into the same :class:`~dbexpert.model.Catalog` as DDL."""
