"""Statement rules that declare their action types see only the statements with one of them.

The declaration is an optimisation and must never change a finding: every statement rule runs on
every statement of a broad corpus, once called directly and once through the dispatching runner,
and both must give the same findings.
"""

from __future__ import annotations

import typing
from types import MappingProxyType

import pytest

from dbexpert.model import Catalog, Engine, Finding, Version
from dbexpert.model.migration import Migration, MigrationScript
from dbexpert.rules.context import RuleContext, run_statement_rules
from dbexpert.rules.registry import Rule, Target, registry
from dbexpert.sources.migrations.steps import MigrationStep, prepare
from dbexpert.sql import ddl

POSTGRES_CORPUS = """
CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE things (id serial PRIMARY KEY, owner_id int REFERENCES users (id));
ALTER TABLE accounts ADD COLUMN nickname text NOT NULL;
CREATE INDEX accounts_email_idx ON accounts (email);
CREATE INDEX users_email_idx ON users (email);
CREATE UNIQUE INDEX CONCURRENTLY users_name_idx ON users (name);
ALTER TABLE users ADD COLUMN note text;
ALTER TABLE users ADD COLUMN created_at timestamptz DEFAULT now();
ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();
ALTER TABLE users ADD COLUMN guess text DEFAULT my_function();
ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'new';
ALTER TABLE users ADD COLUMN required_flag boolean NOT NULL;
ALTER TABLE users ADD COLUMN seq serial;
ALTER TABLE users ADD COLUMN ident bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE users ADD COLUMN total numeric GENERATED ALWAYS AS (price * qty) STORED;
ALTER TABLE users ADD COLUMN code text UNIQUE;
ALTER TABLE users ADD COLUMN team_id bigint DEFAULT 1 REFERENCES teams (id);
ALTER TABLE users DROP COLUMN legacy;
ALTER TABLE users DROP COLUMN note;
ALTER TABLE users ALTER COLUMN age TYPE bigint;
ALTER TABLE users ALTER COLUMN name TYPE varchar(10) USING substr(name, 1, 10);
ALTER TABLE users ALTER COLUMN seen_at TYPE timestamptz;
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
ALTER TABLE users ALTER COLUMN status SET DEFAULT 'old';
ALTER TABLE users ALTER COLUMN status DROP DEFAULT;
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE orders ADD CONSTRAINT orders_user_fk2 FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk2;
ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total > 0);
ALTER TABLE orders ADD CONSTRAINT orders_total_check2 CHECK (total > 0) NOT VALID;
ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);
ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE (code);
ALTER TABLE orders ADD CONSTRAINT orders_code_key2 UNIQUE USING INDEX orders_code_idx;
ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);
ALTER TABLE orders DROP CONSTRAINT orders_total_check;
ALTER TABLE orders RENAME CONSTRAINT orders_code_key TO orders_code_uniq;
ALTER TABLE orders RENAME TO purchases;
ALTER TABLE purchases RENAME COLUMN total TO amount;
ALTER TABLE purchases ADD COLUMN paid boolean, DROP COLUMN legacy, ALTER COLUMN amount SET NOT NULL;
DROP TABLE old_stuff;
DROP TABLE IF EXISTS things CASCADE;
DROP INDEX users_email_idx;
DROP INDEX CONCURRENTLY users_name_idx;
DROP VIEW IF EXISTS some_view;
DROP SEQUENCE IF EXISTS some_sequence;
DROP TYPE IF EXISTS old_mood;
CREATE TYPE mood AS ENUM ('sad', 'ok');
ALTER TYPE feeling ADD VALUE 'happy';
ALTER TYPE feeling ADD VALUE IF NOT EXISTS 'meh' BEFORE 'ok';
ALTER TYPE feeling RENAME VALUE 'sad' TO 'blue';
CREATE SEQUENCE order_numbers START 100;
CREATE VIEW active_users AS SELECT * FROM users WHERE active;
CREATE MATERIALIZED VIEW user_counts AS SELECT count(*) FROM users;
COMMENT ON TABLE users IS 'people';
COMMENT ON COLUMN users.email IS 'login';
REINDEX INDEX users_email_idx;
REINDEX TABLE users;
REINDEX TABLE CONCURRENTLY users;
REINDEX DATABASE app;
REINDEX SCHEMA public;
VACUUM FULL users;
VACUUM FULL;
CLUSTER users USING users_pkey;
ALTER TABLE users SET LOGGED;
LOCK TABLE users IN ACCESS EXCLUSIVE MODE;
LOCK TABLE users IN ROW SHARE MODE;
LOCK users;
TRUNCATE users;
TRUNCATE orders, accounts CASCADE;
INSERT INTO users (id) VALUES (1);
INSERT INTO users SELECT * FROM old_users;
UPDATE users SET active = true;
UPDATE users SET active = true WHERE id < 1000;
DELETE FROM users WHERE active = false;
SELECT 1;
GRANT SELECT ON users TO reader;
BEGIN;
ALTER TABLE invoices ADD CONSTRAINT invoices_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
ALTER TABLE invoices VALIDATE CONSTRAINT invoices_fk;
CREATE INDEX CONCURRENTLY invoices_x_idx ON invoices (x);
ALTER TYPE feeling ADD VALUE 'calm';
COMMIT;
ALTER TABLE measurements DETACH PARTITION measurements_2020;
ALTER TABLE measurements DETACH PARTITION measurements_2021 CONCURRENTLY;
ALTER TABLE measurements DETACH PARTITION measurements_2021 FINALIZE;
ALTER TABLE measurements ATTACH PARTITION measurements_2022 FOR VALUES FROM ('2022-01-01') TO ('2023-01-01');
SET statement_timeout = '5s';
SET LOCAL lock_timeout = '1s';
RESET lock_timeout;
BEGIN;
UPDATE invoices SET paid = true;
ROLLBACK;
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN bounded text;
ALTER TABLE measurements DETACH PARTITION measurements_2019;
"""

MYSQL_CORPUS = """
CREATE TABLE widgets (id int AUTO_INCREMENT PRIMARY KEY, name varchar(50)) ENGINE=InnoDB;
ALTER TABLE widgets ADD COLUMN size int;
CREATE TABLE docs (id int PRIMARY KEY, body text, FULLTEXT KEY docs_body (body)) ROW_FORMAT=COMPRESSED;
ALTER TABLE users ADD COLUMN note text;
ALTER TABLE users ADD COLUMN middle int AFTER id;
ALTER TABLE users ADD COLUMN first_one int FIRST;
ALTER TABLE users ADD COLUMN full_name varchar(100) AS (concat(a, b)) STORED;
ALTER TABLE users ADD COLUMN initials varchar(4) AS (left(a, 2)) VIRTUAL;
ALTER TABLE users ADD COLUMN flag tinyint NOT NULL;
ALTER TABLE users ADD COLUMN serial_no int AUTO_INCREMENT UNIQUE;
ALTER TABLE users DROP COLUMN legacy;
ALTER TABLE users MODIFY COLUMN name varchar(200) NOT NULL;
ALTER TABLE users CHANGE COLUMN name full_name varchar(200);
ALTER TABLE users RENAME COLUMN a TO b;
ALTER TABLE users ALTER COLUMN status SET DEFAULT 'x';
ALTER TABLE users ADD INDEX users_name_idx (name);
ALTER TABLE users ADD FULLTEXT INDEX users_bio_ft (bio);
ALTER TABLE users ADD SPATIAL INDEX users_geo (geo);
ALTER TABLE users ADD PRIMARY KEY (id);
ALTER TABLE users DROP PRIMARY KEY;
ALTER TABLE users DROP PRIMARY KEY, ADD PRIMARY KEY (id, tenant_id);
ALTER TABLE users ADD CONSTRAINT users_age CHECK (age > 0);
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE orders DROP FOREIGN KEY orders_user_fk;
ALTER TABLE orders DROP INDEX orders_code_idx;
ALTER TABLE orders RENAME INDEX a_idx TO b_idx;
ALTER TABLE orders RENAME TO purchases;
RENAME TABLE purchases TO orders;
ALTER TABLE users ADD COLUMN x int, ALGORITHM=INSTANT;
ALTER TABLE users ADD INDEX users_x (x), ALGORITHM=INPLACE, LOCK=NONE;
ALTER TABLE users MODIFY COLUMN age bigint, ALGORITHM=COPY;
ALTER TABLE users ADD COLUMN y int, LOCK=SHARED;
ALTER TABLE users ADD COLUMN z int, LOCK=EXCLUSIVE;
ALTER TABLE users ADD COLUMN w int, ADD INDEX users_w (w);
ALTER TABLE users ENGINE=InnoDB;
ALTER TABLE users ENGINE=MyISAM;
ALTER TABLE users CONVERT TO CHARACTER SET utf8mb4;
ALTER TABLE users FORCE;
ALTER TABLE users ROW_FORMAT=DYNAMIC;
ALTER TABLE docs ADD COLUMN title varchar(10);
ALTER TABLE docs ADD FULLTEXT INDEX docs_title (title);
OPTIMIZE TABLE users;
CREATE INDEX users_email_idx ON users (email);
CREATE FULLTEXT INDEX users_bio_idx ON users (bio);
CREATE INDEX widgets_name ON widgets (name);
DROP INDEX users_email_idx ON users;
DROP TABLE old_stuff;
TRUNCATE TABLE users;
LOCK TABLES users WRITE;
UNLOCK TABLES;
LOCK TABLES orders READ;
SET foreign_key_checks = 0;
ALTER TABLE items ADD CONSTRAINT items_fk FOREIGN KEY (user_id) REFERENCES users (id);
SET foreign_key_checks = 1;
UPDATE users SET a = 1;
DELETE FROM users WHERE id > 5 LIMIT 1000;
INSERT INTO users (id) VALUES (1);
START TRANSACTION;
UPDATE users SET a = 2 WHERE b = 3;
COMMIT;
SELECT 1;
SET SESSION lock_wait_timeout = 5;
ALTER TABLE users ADD COLUMN last int;
"""

CASES = [
    (Engine.POSTGRES, POSTGRES_CORPUS, None),
    (Engine.POSTGRES, POSTGRES_CORPUS, Version(10)),
    (Engine.POSTGRES, POSTGRES_CORPUS, Version(13)),
    (Engine.MYSQL, MYSQL_CORPUS, None),
    (Engine.MYSQL, MYSQL_CORPUS, Version(5, 7)),
    (Engine.MYSQL, MYSQL_CORPUS, Version(10, 11)),
]


def _steps(engine: Engine, sql: str, version: Version | None, transactional: bool) -> list[MigrationStep]:
    migration = Migration(
        id="V1__corpus",
        tool="sql",
        up=MigrationScript(path="V1__corpus.sql", text=sql),
        transactional=transactional,
    )
    [prepared] = prepare([migration], engine, version)
    assert not prepared.problems
    return list(prepared.steps)


def _statement_rules() -> list[Rule]:
    return [rule for rule in registry() if rule.target is Target.STATEMENT]


def _direct(rule: Rule, steps: list[MigrationStep], catalog: Catalog) -> list[Finding]:
    ctx = RuleContext(rule=rule, catalog=catalog, options=MappingProxyType(dict(rule.options)))
    return [finding for step in steps for finding in rule.check(step, ctx)]


def test_the_corpus_has_every_action_type():
    seen = {
        type(action)
        for engine, sql, version in CASES
        for step in _steps(engine, sql, version, transactional=False)
        for action in step.actions
    }
    assert set(typing.get_args(ddl.Action)) - seen == set()


def test_declared_actions_are_action_types():
    every = set(typing.get_args(ddl.Action))
    for rule in _statement_rules():
        assert set(rule.actions) <= every, rule.name
        assert len(set(rule.actions)) == len(rule.actions), rule.name
    for rule in registry():
        if rule.target is not Target.STATEMENT:
            assert rule.actions == (), rule.name


@pytest.mark.parametrize("transactional", [False, True])
@pytest.mark.parametrize(("engine", "sql", "version"), CASES)
def test_dispatch_gives_the_findings_of_running_every_statement(
    engine: Engine, sql: str, version: Version | None, transactional: bool
):
    steps = _steps(engine, sql, version, transactional)
    catalog = Catalog(engine=engine, version=version)
    for rule in _statement_rules():
        if not rule.applies_to(engine, version):
            continue
        expected = _direct(rule, steps, catalog)
        assert run_statement_rules(steps, catalog, [rule]) == expected, rule.name


def test_every_rule_with_declared_actions_finds_something_in_the_corpus():
    found: set[str] = set()
    for engine, sql, version in CASES:
        catalog = Catalog(engine=engine, version=version)
        for transactional in (False, True):
            steps = _steps(engine, sql, version, transactional)
            rules = [r for r in _statement_rules() if r.applies_to(engine, version)]
            found.update(f.rule for f in run_statement_rules(steps, catalog, rules))
    declared = {rule.name for rule in _statement_rules() if rule.actions}
    assert declared - found == set()
