"""Expected mistakes give a one-line error and a non-zero exit, never a traceback."""

import pytest

from tests.helpers import child_env, free_port, manage

pytestmark = pytest.mark.slow


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_unsupported_database_url_says_what_to_use():
    result = manage("migrate", env=child_env(DATABASE_URL="mysql://root@localhost/x"))
    assert_one_line_error(result, "DATABASE_URL", "postgres://")


def test_malformed_database_url_says_what_to_fix():
    result = manage("migrate", env=child_env(DATABASE_URL="postgres://"))
    assert_one_line_error(result, "DATABASE_URL")


def test_unreachable_database_says_is_it_running():
    url = f"postgres://postgres:secret@127.0.0.1:{free_port()}/archivox"
    result = manage("migrate", env=child_env(DATABASE_URL=url))
    assert_one_line_error(result, "cannot use the database", "Is it running")
    assert "secret" not in result.stderr


def test_malformed_redis_url_says_what_to_fix():
    result = manage("check", env=child_env(REDIS_URL="http://example"))
    assert_one_line_error(result, "REDIS_URL")


def test_unreachable_redis_stops_serve_before_it_starts(tmp_path):
    env = child_env(
        REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
        DATABASE_URL=f"sqlite:///{tmp_path}/serve.sqlite3",
    )
    result = manage("serve", "--port", str(free_port()), env=env)
    assert_one_line_error(result, "cannot reach Redis")


def test_malformed_yaml_gives_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("regions: [unclosed", encoding="utf-8")
    result = manage("load_paper_survey", str(bad))
    assert_one_line_error(result, "not valid YAML")


def test_bad_yes_no_flag_is_named():
    result = manage("check", env=child_env(ARCHIVOX_DEBUG="maybe"))
    assert_one_line_error(result, "ARCHIVOX_DEBUG")
