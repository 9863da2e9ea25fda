"""Every console view of this folder × anonymous / archivist / reviewer / administrator / staff
of another archive. Login is required everywhere; another archive's staff gets 403."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

VIEW = {"archivist": 200, "reviewer": 200, "administrator": 200, "outsider": 403}
EDIT = {"archivist": 200, "reviewer": 403, "administrator": 200, "outsider": 403}
ADMIN = {"archivist": 403, "reviewer": 403, "administrator": 200, "outsider": 403}
AUDIT = {"archivist": 403, "reviewer": 200, "administrator": 200, "outsider": 403}
EVERYONE = {"archivist": 200, "reviewer": 200, "administrator": 200, "outsider": 200}
# Staff of a single archive are sent straight to its catalog tree.
TO_OWN_TREE = {"archivist": 302, "reviewer": 302, "administrator": 302, "outsider": 302}


def pages(tree, image_object, collection):
    item = tree["item"].pk
    return [
        ("console:dashboard", [], EVERYONE),
        ("console:audit", [], EVERYONE),
        ("console:catalog", [], TO_OWN_TREE),
        ("console:catalog_tree", ["nanjing"], VIEW),
        ("console:catalog_detail", ["nanjing", item], VIEW),
        ("console:catalog_children", ["nanjing", tree["file"].pk], VIEW),
        ("console:collections", ["nanjing"], VIEW),
        ("console:collection_detail", ["nanjing", collection.pk], VIEW),
        ("console:object_file", [image_object.pk], VIEW),
        ("console:object_thumbnail", [image_object.pk], VIEW),
        ("console:catalog_create", ["nanjing"], EDIT),
        ("console:catalog_edit", ["nanjing", item], EDIT),
        ("console:catalog_import", ["nanjing"], EDIT),
        ("console:accounts", ["nanjing"], ADMIN),
        ("console:members", ["nanjing"], ADMIN),
        ("console:archive_audit", ["nanjing"], AUDIT),
    ]


@pytest.fixture
def collection(nanjing):
    from archivox.catalog import services

    return services.collection_create(actor=None, archive=nanjing, slug="mansions", title="公馆")


def test_every_console_page_sends_anonymous_visitors_to_the_login(
    client, tree, image_object, collection
):
    for name, args, _expected in pages(tree, image_object, collection):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("console:login")), name


@pytest.mark.parametrize("who", ["archivist", "reviewer", "administrator", "outsider"])
def test_each_role_reaches_exactly_the_console_pages_it_may_use(
    client, staff, who, tree, image_object, collection
):
    client.force_login(staff[who])
    for name, args, expected in pages(tree, image_object, collection):
        response = client.get(reverse(name, args=args))
        assert response.status_code == expected[who], (name, who, response.status_code)


POSTS = [
    ("console:catalog_create", lambda t: ["nanjing"], EDIT),
    ("console:catalog_edit", lambda t: ["nanjing", t["item"].pk], EDIT),
    ("console:catalog_upload", lambda t: ["nanjing", t["item"].pk], EDIT),
    ("console:catalog_move", lambda t: ["nanjing", t["item"].pk], EDIT),
    ("console:catalog_delete", lambda t: ["nanjing", t["secret"].pk], EDIT),
    ("console:catalog_import", lambda t: ["nanjing"], EDIT),
    ("console:collections", lambda t: ["nanjing"], EDIT),
    ("console:accounts", lambda t: ["nanjing"], ADMIN),
    ("console:members", lambda t: ["nanjing"], ADMIN),
    ("console:members_revoke", lambda t: ["nanjing"], ADMIN),
]


@pytest.mark.parametrize("who", ["archivist", "reviewer", "administrator", "outsider"])
def test_changes_are_refused_to_roles_that_may_not_make_them(client, staff, who, tree):
    client.force_login(staff[who])
    for name, args, expected in POSTS:
        # Empty forms: allowed users get a validation answer (or a redirect), never a 403.
        response = client.post(reverse(name, args=args(tree)), {})
        if expected[who] == 403:
            assert response.status_code == 403, (name, who)
        else:
            assert response.status_code != 403, (name, who)


def test_an_outsider_cannot_delete_or_fetch_another_archives_digital_object(
    client, outsider, image_object
):
    client.force_login(outsider)
    assert client.get(reverse("console:object_file", args=[image_object.pk])).status_code == 403
    url = reverse("console:object_delete", args=["suzhou", image_object.pk])
    assert client.post(url).status_code in (403, 404)
    assert image_object.__class__.objects.filter(pk=image_object.pk).exists()


def test_the_catalog_index_sends_staff_to_their_own_archive(client, outsider, administrator):
    client.force_login(outsider)
    assert client.get(reverse("console:catalog"))["Location"] == "/console/catalog/suzhou/"
    from archivox.core import services
    from archivox.core.models import Archive, Role

    services.membership_grant(
        actor=None, archive=Archive.objects.get(slug="nanjing"), user=outsider, role=Role.REVIEWER
    )
    html = client.get(reverse("console:catalog")).content.decode()
    assert "/console/catalog/suzhou/" in html and "/console/catalog/nanjing/" in html
