"""TypeORM entities read into the catalog TypeORM's schema sync or a generated migration creates.

Expected constraint names (``PK_cace4a159ff9f2512dd42373760`` for ``user(id)``,
``UQ_e12875dfb3b1d92d7d7c5377e22`` for ``user(email)``, ``IDX_e12875dfb3b1d92d7d7c5377e2``) are
copied from migrations TypeORM generated in public projects, not computed by the code under test.
"""

from __future__ import annotations

from pathlib import Path

from dbexpert.model import Engine, TypeKind
from dbexpert.sources.orm import find_orm_schema
from dbexpert.sources.orm.typeorm import camel_case, find, load, snake_case
from tests.files import write_tree

BASE = """import { PrimaryGeneratedColumn, CreateDateColumn, UpdateDateColumn } from "typeorm";

export abstract class Timestamped {
  @PrimaryGeneratedColumn()
  id: number;

  @CreateDateColumn()
  createdAt: Date;

  @UpdateDateColumn()
  updatedAt: Date;
}
"""

USER = """import { Entity, Column, OneToMany, OneToOne, JoinColumn, Index, Unique } from "typeorm";
import { Timestamped } from "./Timestamped";

export enum Role {
  Admin = "admin",
  Member = "member",
}

@Entity()
@Unique(["email"])
@Index(["lastName", "firstName"])
export class User extends Timestamped {
  @Column({ length: 200 })
  email: string;

  @Index()
  @Column()
  firstName: string;

  @Column({ name: "last_name", nullable: true })
  lastName: string | null;

  @Column({ type: "enum", enum: Role, default: Role.Member })
  accountRole: Role;

  @Column("decimal", { precision: 10, scale: 2, default: 0 })
  balance: string;

  @Column({ default: true })
  active: boolean;

  @Column("text", { array: true, nullable: true })
  tags: string[];

  @OneToOne(() => Profile, { cascade: true })
  @JoinColumn()
  profile: Profile;

  @OneToMany(() => BlogPost, (post) => post.author)
  posts: BlogPost[];
}

@Entity("profiles")
export class Profile {
  @PrimaryGeneratedColumn("uuid")
  id: string;

  @Column({ type: "varchar", length: 500, default: () => "''" })
  bio: string;
}
"""

POST = """import {
  Entity, Column, ManyToOne, ManyToMany, JoinTable, JoinColumn, PrimaryGeneratedColumn,
  PrimaryColumn, DeleteDateColumn, VersionColumn, Index,
} from "typeorm";

@Entity()
export class BlogPost {
  @PrimaryGeneratedColumn("identity")
  id: number;

  @Index({ unique: true })
  @Column()
  slug: string;

  @ManyToOne(() => User, (user) => user.posts, { onDelete: "CASCADE", nullable: false })
  author: User;

  @ManyToOne(() => Category)
  @JoinColumn({ name: "category_ref" })
  category: Category;

  @ManyToMany(() => Tag)
  @JoinTable()
  labels: Tag[];

  @DeleteDateColumn()
  deletedAt?: Date;

  @VersionColumn()
  version: number;
}

@Entity()
export class Category {
  @PrimaryColumn({ type: "int" })
  code: number;

  @Column("varchar", { length: 50, unique: true })
  name: string;
}

@Entity()
export class Tag {
  @PrimaryColumn()
  label: string;
}
"""

DATA_SOURCE = """import "reflect-metadata";
import {{ DataSource }} from "typeorm";

export const AppDataSource = new DataSource({{
  type: "{type}",
  host: "localhost",
  entities: [__dirname + "/entity/*.ts"],
  synchronize: false,
}});
"""


def app(tmp_path: Path, db_type: str | None = "postgres", **extra: str) -> Path:
    files = {
        "src/entity/Timestamped.ts": BASE,
        "src/entity/User.ts": USER,
        "src/entity/BlogPost.ts": POST,
        "node_modules/typeorm/index.d.ts": "export declare function Entity(): any;\n",
        **extra,
    }
    if db_type is not None:
        files["src/data-source.ts"] = DATA_SOURCE.format(type=db_type)
    return write_tree(tmp_path / "app", files)


def test_naming_helpers_follow_typeorms_string_utils():
    assert snake_case("BlogPost") == "blog_post" and snake_case("HTMLPage") == "html_page"
    assert camel_case("author_id") == "authorId" and camel_case("blog_post_id") == "blogPostId"


def test_find_takes_entities_base_classes_and_the_data_source(tmp_path: Path):
    root = app(tmp_path)
    names = [p.name for p in find(root)]
    assert names == ["BlogPost.ts", "Timestamped.ts", "User.ts", "data-source.ts"]
    assert find(root / "src" / "data-source.ts") == []
    assert find(write_tree(tmp_path / "other", {"index.ts": "export const x = 1;\n"})) == []


def test_entities_become_tables_with_typeorm_names_types_and_lines(tmp_path: Path):
    schema = find_orm_schema(app(tmp_path))
    assert schema is not None and schema.orm == "typeorm" and schema.problems == ()
    catalog = schema.catalog
    assert catalog.engine is Engine.POSTGRES and catalog.attrs["orm"] == "typeorm"
    assert "data-source.ts" in catalog.attrs["engine_from"]
    user = catalog.table("user")
    assert user is not None and user.attrs["orm_model"] == "User"
    assert user.location.path.endswith("User.ts") and user.location.line == 9
    # inherited from the abstract base class, in its order
    assert user.column_names[:3] == ("id", "createdAt", "updatedAt")
    ident = user.column("id")
    assert ident.autoincrement and ident.default == "nextval('user_id_seq'::regclass)" and not ident.nullable
    assert user.column("createdAt").raw_type == "timestamp without time zone"
    assert user.column("createdAt").default == "now()"
    email = user.column("email")
    assert email.raw_type == "character varying(200)" and email.length == 200 and not email.nullable
    assert email.location.line == 13 and email.attrs["orm_field"] == "email"
    last = user.column("last_name")
    assert last.nullable and last.attrs["orm_field"] == "lastName"
    role = user.column("accountRole")
    assert role.kind is TypeKind.ENUM and role.raw_type == "user_accountrole_enum"
    assert role.enum_values == ("admin", "member") and role.default == "'member'"
    assert [e.name for e in catalog.enums] == ["user_accountrole_enum"]
    assert user.column("balance").raw_type == "numeric(10,2)" and user.column("balance").scale == 2
    assert user.column("active").kind is TypeKind.BOOLEAN and user.column("active").default == "true"
    assert user.column("tags").raw_type == "text[]" and user.column("tags").kind is TypeKind.ARRAY
    profile = catalog.table("profiles")
    assert profile.column("id").kind is TypeKind.UUID and profile.column("id").default == "uuid_generate_v4()"
    assert profile.column("bio").default == "''"
    post = catalog.table("blog_post")
    assert post.column("id").identity == "by default"
    assert post.column("deletedAt").nullable and post.column("version").raw_type == "integer"
    assert catalog.table("category").column("code").raw_type == "integer"


def test_keys_and_indexes_are_exactly_those_typeorm_creates(tmp_path: Path):
    catalog = find_orm_schema(app(tmp_path)).catalog
    user = catalog.table("user")
    assert user.primary_key.name == "PK_cace4a159ff9f2512dd42373760"
    by_name = {i.name: i for i in user.indexes}
    assert by_name["UQ_e12875dfb3b1d92d7d7c5377e22"].unique  # @Unique(["email"])
    assert by_name["UQ_e12875dfb3b1d92d7d7c5377e22"].columns == ("email",)
    names = {i.columns: i.name for i in user.indexes}
    assert names[("last_name", "firstName")].startswith("IDX_") and len(names[("firstName",)]) == 30
    # the owning side of a one-to-one: profileId, unique (REL_...), foreign key to profiles
    assert user.column("profileId").raw_type == "uuid" and user.column("profileId").nullable
    assert names[("profileId",)].startswith("REL_")
    [fk] = user.foreign_keys
    assert fk.columns == ("profileId",) and fk.ref_table == "profiles" and fk.on_delete == "NO ACTION"
    post = catalog.table("blog_post")
    slug = next(i for i in post.indexes if i.columns == ("slug",))
    assert slug.unique and slug.location.line == 11
    keys = {f.columns: f for f in post.foreign_keys}
    author = keys[("authorId",)]
    assert author.ref_table == "user" and author.ref_columns == ("id",) and author.on_delete == "CASCADE"
    assert author.location.line == 15 and author.attrs["orm_field"] == "author"
    assert not post.column("authorId").nullable and post.column("authorId").attrs["orm_field"] == "author"
    assert keys[("category_ref",)].ref_columns == ("code",) and post.column("category_ref").nullable
    # @ManyToOne makes a constraint, no index
    assert not any(i.columns[:1] in (("authorId",), ("category_ref",)) for i in post.indexes)
    assert catalog.table("category").indexes[1].unique  # unique: true


def test_many_to_many_junction_table_with_composite_key_and_two_indexes(tmp_path: Path):
    catalog = find_orm_schema(app(tmp_path)).catalog
    junction = catalog.table("blog_post_labels_tag")
    assert junction is not None and junction.column_names == ("blogPostId", "tagLabel")
    assert junction.primary_key.columns == ("blogPostId", "tagLabel")
    assert junction.column("tagLabel").raw_type == "character varying"
    assert sorted(i.columns for i in junction.indexes if not i.primary) == [("blogPostId",), ("tagLabel",)]
    assert {f.ref_table for f in junction.foreign_keys} == {"blog_post", "tag"}
    assert all(f.on_delete == "CASCADE" for f in junction.foreign_keys)


def test_mysql_data_source_gives_mysql_types_and_innodb_foreign_key_indexes(tmp_path: Path):
    catalog = find_orm_schema(app(tmp_path, "mysql")).catalog
    assert catalog.engine is Engine.MYSQL and catalog.flavor == "mysql"
    user = catalog.table("user")
    assert user.column("firstName").raw_type == "varchar(255)" and user.column("active").raw_type == "tinyint"
    assert user.column("accountRole").raw_type == "enum('admin','member')"
    assert user.column("createdAt").raw_type == "datetime(6)" and user.primary_key.name == "PRIMARY"
    post = catalog.table("blog_post")
    implicit = [i for i in post.indexes if i.attrs.get("implicit") == "innodb"]
    assert sorted(i.columns for i in implicit) == [("authorId",), ("category_ref",)]
    assert catalog.table("profiles").column("id").raw_type == "varchar(36)"


def test_mariadb_and_sqlite_data_sources(tmp_path: Path):
    assert find_orm_schema(app(tmp_path / "m", "mariadb")).catalog.flavor == "mariadb"
    sqlite = find_orm_schema(app(tmp_path / "s", "better-sqlite3")).catalog
    assert sqlite.engine is Engine.SQLITE
    user = sqlite.table("user")
    assert user.column("id").raw_type == "integer" and user.column("id").autoincrement
    assert not any(i.primary for i in user.indexes)  # INTEGER PRIMARY KEY is the rowid


def test_without_a_data_source_the_engine_is_postgres_and_says_so(tmp_path: Path):
    catalog = find_orm_schema(app(tmp_path, None)).catalog
    assert catalog.engine is Engine.POSTGRES and catalog.attrs["engine_from"].startswith("default")


def test_ormconfig_json_names_the_engine(tmp_path: Path):
    root = app(tmp_path, None, **{"ormconfig.json": '{ "type": "mysql", "host": "db" }\n'})
    assert find_orm_schema(root).catalog.engine is Engine.MYSQL


def test_a_broken_file_is_a_problem_and_the_others_are_still_read(tmp_path: Path):
    broken = "import { Entity, Column } from 'typeorm';\n@Entity()\nexport class Broken {\n  @Column(\n  name: string;\n"
    schema = load(find(app(tmp_path, **{"src/entity/Broken.ts": broken})))
    [problem] = schema.problems
    assert problem.startswith(str(tmp_path / "app" / "src" / "entity" / "Broken.ts") + ":")
    assert problem.split(":")[1].isdigit() and "does not parse" in problem
    assert schema.catalog.table("user") is not None and schema.catalog.table("broken") is None


def test_unknown_relation_targets_and_untyped_columns_are_problems(tmp_path: Path):
    odd = """import { Entity, Column, ManyToOne, PrimaryColumn } from "typeorm";
@Entity()
export class Odd {
  @PrimaryColumn()
  id: number;

  @Column()
  payload: Record<string, unknown>;

  @ManyToOne(() => Ghost)
  ghost: Ghost;
}
"""
    schema = load(find(write_tree(tmp_path / "odd", {"Odd.ts": odd})))
    assert len(schema.problems) == 2
    assert any(":7:3: cannot tell the column type of 'payload'" in p for p in schema.problems)
    assert any(":10:3: @ManyToOne target 'Ghost'" in p for p in schema.problems)
    assert schema.catalog.table("odd").column_names == ("id",)


def test_an_index_on_the_relation_or_an_explicit_join_column_is_used(tmp_path: Path):
    comment = """import { Entity, Column, ManyToOne, JoinColumn, PrimaryGeneratedColumn, Index } from "typeorm";
@Entity()
export class Comment {
  @PrimaryGeneratedColumn()
  id: number;

  @Index()
  @ManyToOne(() => User)
  user: User;

  @Column({ type: "int", nullable: true })
  postId: number | null;

  @ManyToOne(() => BlogPost)
  @JoinColumn({ name: "postId" })
  post: BlogPost;
}
"""
    root = app(
        tmp_path, **{"src/entity/Comment.ts": comment, ".next/server/chunk.ts": "@Entity() class X {}\n"}
    )
    schema = find_orm_schema(root)
    assert schema.problems == () and not any(".next" in str(f) for f in schema.files)
    table = schema.catalog.table("comment")
    assert table.column_names == ("id", "postId", "userId")  # the declared column is not added twice
    assert table.column("postId").nullable and table.column("postId").attrs["orm_field"] == "postId"
    [index] = [i for i in table.indexes if not i.primary]
    assert index.columns == ("userId",) and index.location.line == 7
    assert {f.columns: f.ref_table for f in table.foreign_keys} == {
        ("userId",): "user",
        ("postId",): "blog_post",
    }
