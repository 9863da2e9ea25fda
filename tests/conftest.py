import os

import pytest
from django.utils import translation
from huey.contrib.djhuey import HUEY

from tests import db_flush

# Transactional tests end with a flush that empties only the tables a test filled (see there).
db_flush.install()


@pytest.fixture(autouse=True)
def huey_immediate():
    """Tasks run for real, in the test's process and transaction (Huey's immediate mode)."""
    previous = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = previous


@pytest.fixture(autouse=True)
def demand_counted_at_once(settings):
    """The portal's demand counts are written as they happen, so a test reads them at once;
    tests/catalog/test_demand_batches.py tests the batches. Nothing pending outlives a test."""
    from archivox.catalog.demand import demand_discard_pending

    settings.ARCHIVOX_DEMAND_FLUSH_HITS = 1
    demand_discard_pending()
    yield
    demand_discard_pending()


@pytest.fixture(autouse=True)
def english_unless_marked_chinese(request, settings):
    """Tests read the English wording: messages raised outside a request and pages requested
    without an Accept-Language header are in English. A test about the Chinese default (the
    installation's real default) is marked ``@pytest.mark.chinese``."""
    if request.node.get_closest_marker("chinese"):
        yield
        return
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def reply_threads_closed_after_test():
    """The WeChat reply threads keep their database connections between replies, as requests
    do; a test closes them so that no connection outlives the test database's rows or itself."""
    yield
    from archivox.consultations.services import reply_pool_close

    reply_pool_close()


# Under pytest-xdist (`make test` runs ``--dist loadgroup``) the tests of one group run on one
# worker, one after the other:
# - the cluster tests each start a PostgreSQL server, several gunicorn and Huey processes, and a
#   Redis; two of them at once on a small machine starve each other past their deadlines;
# - a module-scoped fixture (the scale-out cluster, the permission matrix's world) would otherwise
#   be built again on every worker that gets one of the module's tests.
XDIST_GROUPS = {
    "tests/integration/test_scale_out.py": "clusters",
    "tests/integration/test_faults.py": "clusters",
    "tests/integration/test_faults_more.py": "clusters",
    "tests/security/test_api_permission_matrix.py": "api_permission_matrix",
}


# Started first, so that no worker is left running a long one while the others have finished:
# the cluster group (about seven minutes on one worker of a slow machine), then the files whose
# tests start processes or build large worlds. Measured with ``--durations``; the rest keep
# their order. (This runs after pytest-django's ordering, so a worker may run transactional
# tests before others: no migration seeds rows that a flush would take away, so the order is
# free.)
SLOW_FIRST = [
    "tests/integration/test_faults_more.py",
    "tests/integration/test_faults.py",
    "tests/integration/test_scale_out.py",
    "tests/integration/test_run_on_another_port.py",
    "tests/core/test_upgrade_from_previous_layout.py",
    "tests/core/test_backup_and_copy.py",
    "tests/security/test_canary_crawl.py",
    "tests/security/test_api_permission_matrix.py",
    "tests/integration/test_serve_command.py",
    "tests/browser/",
    "tests/security/test_api_fuzz.py",
]


def _slow_rank(item: pytest.Item) -> int:
    path = item.nodeid.split("::", 1)[0]
    return next(
        (rank for rank, prefix in enumerate(SLOW_FIRST) if path.startswith(prefix)),
        len(SLOW_FIRST),
    )


def _node_id_set(item: pytest.Item, nodeid: str) -> None:
    """Give an item another node id (pytest keeps it in a private attribute: ``_id`` since
    pytest 9, ``_nodeid`` before)."""
    if hasattr(item, "_id"):
        from _pytest.nodeid import coerce_node_id

        item._id = coerce_node_id(nodeid)
    else:
        item._nodeid = nodeid


def _groups_into_node_ids(items: list[pytest.Item]) -> None:
    """Put each item's xdist group into its node id, as pytest-xdist's loadgroup scheduler
    expects (``<node id>@<group>``). pytest-xdist 3.8 writes it into ``item._nodeid``, which
    pytest 9 no longer reads, so without this every group was silently split over the workers
    (two clusters at once; the permission matrix's world built on every worker)."""
    for item in items:
        names = sorted(
            {
                str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                for mark in item.iter_markers("xdist_group")
            }
        )
        if names and not item.nodeid.endswith("@" + "_".join(names)):
            _node_id_set(item, f"{item.nodeid}@{'_'.join(names)}")


def pytest_collection_modifyitems(config, items):
    for item in items:
        # schemathesis gives every API operation's item the test function's own node id (the
        # operation is only in the name). pytest-xdist schedules and reports by node id, so all
        # but one of them would never run, silently; the operation goes into the node id.
        if "[" in item.name and "[" not in item.nodeid:
            _node_id_set(item, f"{item.nodeid}[{item.name.split('[', 1)[1]}")
    seen: set[str] = set()
    twice = sorted({item.nodeid for item in items if item.nodeid in seen or seen.add(item.nodeid)})
    if twice:
        # Two items with one node id: a parallel run would drop one of them without a word.
        raise pytest.UsageError(f"tests with the same node id: {', '.join(twice[:5])}")
    skip_clusters = os.environ.get("ARCHIVOX_TEST_SKIP_CLUSTERS") == "1"
    for item in items:
        group = XDIST_GROUPS.get(item.nodeid.split("::", 1)[0])
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
        if group == "clusters" and skip_clusters:
            # .ci/run's second suite: the cluster tests ran in its first. They bring their own
            # PostgreSQL and Redis servers and never use the suite's database, so a second run
            # is the same run again (about a quarter of an hour on a slow 2-core machine).
            item.add_marker(pytest.mark.skip(reason="ran in the SQLite suite of this CI run"))
    if getattr(config.option, "loadgroup", False):  # set on the workers of --dist loadgroup
        _groups_into_node_ids(items)
    items.sort(key=_slow_rank)  # stable: within a rank, the collection order
