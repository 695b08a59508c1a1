"""`resilience users create` and `resilience tokens create` against a fresh SQLite
database, as an operator would run them."""


def test_users_and_tokens(console):
    created = console("users", "create", "Budi@Posko.ID", "--role", "coordinator", stdin="")
    assert created.returncode == 0, created.stderr
    lines = created.stdout.strip().splitlines()
    assert lines[0].startswith("created coordinator budi@posko.id")
    assert lines[1].startswith("password: ") and len(lines[1].split(": ")[1]) >= 12

    duplicate = console("users", "create", "budi@posko.id", "--role", "official", stdin="")
    assert duplicate.returncode == 2 and "already exists" in duplicate.stderr

    bad_role = console("users", "create", "x@posko.id", "--role", "king", stdin="")
    assert bad_role.returncode != 0

    given = console("users", "create", "sri@posko.id", "--role", "official", "--password", "correct horse battery")
    assert given.returncode == 0 and "password:" not in given.stdout

    token = console("tokens", "create", "budi@posko.id")
    assert token.returncode == 0
    assert token.stdout.strip().splitlines()[-1].startswith("rsl_")

    missing = console("tokens", "create", "nobody@posko.id")
    assert missing.returncode == 2 and "no user" in missing.stderr
