"""The catalog in the console: tree, descriptions, uploads, imports, featured collections."""

import pytest
from django.urls import reverse

from archivox.catalog import services
from archivox.catalog.models import Access, Description, DigitalObject, FeaturedCollection
from archivox.core.models import AuditEntry
from tests.console.fixtures import jpeg_bytes

pytestmark = pytest.mark.django_db


def _form(description, **changes):
    """The edit form as the browser would send it, with ``changes``."""
    data = {
        "access_level": description.access_level,
        "closed_until": description.closed_until or "",
        "access_conditions": description.access_conditions,
        "reference_code": description.reference_code,
        "title": description.title,
        "title_en": description.title_en,
        "level": description.level,
        "date_expression": description.date_expression,
        "start_year": description.start_year or "",
        "end_year": description.end_year or "",
        "extent": description.extent,
        "creator": description.creator,
        "scope_content": description.scope_content,
        "language": description.language,
        "subjects": "; ".join(description.subjects),
        "places": "; ".join(description.places),
        "people": "; ".join(description.people),
        "position": description.position,
    }
    data.update(changes)
    return data


def test_the_tree_shows_fonds_and_expands_one_level_at_a_time(client, archivist, tree):
    client.force_login(archivist)
    html = client.get(reverse("console:catalog_tree", args=["nanjing"])).content.decode()
    assert "民国建筑档案" in html and "公馆" not in html.replace("民国建筑档案", "")
    assert reverse("console:catalog_children", args=["nanjing", tree["fonds"].pk]) in html
    fragment = client.get(
        reverse("console:catalog_children", args=["nanjing", tree["file"].pk])
    ).content.decode()
    # Staff see confidential material, marked as such.
    assert "白崇禧公馆" in fragment and "密件" in fragment
    assert "access-confidential" in fragment
    assert "<html" not in fragment


def test_a_tree_level_costs_the_same_queries_for_five_or_fifty_children(
    client, archivist, make_description, django_assert_max_num_queries
):
    fonds = make_description("F", "全宗", level="fonds")
    for n in range(5):
        make_description(f"F-{n}", f"案卷{n}", level="file", parent=fonds)
    client.force_login(archivist)
    url = reverse("console:catalog_children", args=["nanjing", fonds.pk])
    with django_assert_max_num_queries(10) as few:
        client.get(url)
    for n in range(5, 50):
        child = make_description(f"F-{n}", f"案卷{n}", level="file", parent=fonds)
        services.digital_object_add(actor=None, description=child, content=jpeg_bytes())
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count('class="node"') == 50


def test_the_description_page_costs_a_bounded_number_of_queries(
    client, archivist, tree, image_object, django_assert_max_num_queries
):
    client.force_login(archivist)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("console:catalog_detail", args=["nanjing", tree["file"].pk]))
    assert response.status_code == 200


def test_an_archivist_makes_an_item_confidential_and_the_portal_forgets_it(client, archivist, tree):
    item = tree["item"]
    public_url = reverse("portal:description", args=["nanjing", item.reference_code])
    assert client.get(public_url).status_code == 200
    client.force_login(archivist)
    response = client.post(
        reverse("console:catalog_edit", args=["nanjing", item.pk]),
        _form(item, access_level=Access.CONFIDENTIAL),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.effective_access == Access.CONFIDENTIAL
    entry = AuditEntry.objects.filter(action="description.update").latest("id")
    assert entry.actor == archivist and entry.after == {"access_level": "confidential"}
    client.logout()
    assert client.get(public_url).status_code == 404


def test_a_closure_date_on_a_series_closes_everything_below_it(client, archivist, tree):
    client.force_login(archivist)
    series = tree["series"]
    client.post(
        reverse("console:catalog_edit", args=["nanjing", series.pk]),
        _form(series, closed_until="2999-01-01"),
    )
    tree["item"].refresh_from_db()
    assert str(tree["item"].effective_closed_until) == "2999-01-01"
    html = client.get(reverse("console:catalog_detail", args=["nanjing", tree["item"].pk]))
    assert "2999-01-01" in html.content.decode()
    # The date field shows the stored date in the form a browser's date picker reads.
    edit = client.get(reverse("console:catalog_edit", args=["nanjing", series.pk]))
    assert 'type="date" name="closed_until" value="2999-01-01"' in edit.content.decode()


def test_bad_input_is_explained_next_to_the_field_and_nothing_changes(client, archivist, tree):
    client.force_login(archivist)
    item = tree["item"]
    response = client.post(
        reverse("console:catalog_edit", args=["nanjing", item.pk]),
        _form(item, title="", start_year="1950", end_year="1940", closed_until="not a date"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "title" in form.errors and "closed_until" in form.errors
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    item.refresh_from_db()
    assert item.title == "白崇禧公馆"


def test_a_service_refusal_lands_next_to_its_field(client, archivist, tree):
    client.force_login(archivist)
    item = tree["item"]
    response = client.post(
        reverse("console:catalog_edit", args=["nanjing", item.pk]),
        _form(item, start_year="1950", end_year="1940"),
    )
    assert "end_year" in response.context["form"].errors
    item.refresh_from_db()
    assert item.start_year is None


def test_a_duplicate_reference_code_is_refused_with_a_message(client, archivist, tree):
    client.force_login(archivist)
    response = client.post(
        reverse("console:catalog_create", args=["nanjing"]) + f"?parent={tree['file'].pk}",
        _form(tree["item"], title="另一件"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Description.objects.filter(title="另一件").count() == 0


def test_an_archivist_adds_an_item_below_a_file(client, archivist, tree):
    client.force_login(archivist)
    url = reverse("console:catalog_create", args=["nanjing"]) + f"?parent={tree['file'].pk}"
    form = client.get(url).context["form"]
    assert [value for value, _ in form.fields["level"].choices] == ["item"]
    response = client.post(
        url,
        {
            "parent": tree["file"].pk,
            "reference_code": "MG-S1-F1-002",
            "title": "公馆平面图",
            "level": "item",
            "access_level": "open",
            "subjects": "建筑；民国",
            "position": "2",
        },
    )
    assert response.status_code == 302
    created = Description.objects.get(reference_code="MG-S1-F1-002")
    assert created.parent == tree["file"] and created.subjects == ["建筑", "民国"]


def test_upload_refuses_a_disguised_file_with_the_services_message(client, archivist, tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(archivist)
    url = reverse("console:catalog_upload", args=["nanjing", tree["item"].pk])
    fake = SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script>", "image/jpeg")
    response = client.post(url, {"file": fake, "caption": "x"})
    assert response.status_code == 200
    errors = response.context["upload_form"].errors["file"]
    assert "not a supported image" in errors[0]
    assert "not a supported image" in response.content.decode()
    assert not DigitalObject.objects.exists()

    real = SimpleUploadedFile("gate.jpg", jpeg_bytes(), "image/jpeg")
    response = client.post(url, {"file": real, "caption": "正门"})
    assert response.status_code == 302
    digital_object = DigitalObject.objects.get()
    assert digital_object.caption == "正门" and digital_object.media_type == "image/jpeg"
    thumbnail = client.get(reverse("console:object_thumbnail", args=[digital_object.pk]))
    assert thumbnail.status_code == 200 and thumbnail["X-Content-Type-Options"] == "nosniff"


def test_staff_see_the_files_of_a_confidential_item_the_portal_hides(client, archivist, tree):
    obj = services.digital_object_add(actor=None, description=tree["secret"], content=jpeg_bytes())
    assert client.get(reverse("portal:digital_object", args=[obj.pk])).status_code == 404
    client.force_login(archivist)
    assert client.get(reverse("console:object_file", args=[obj.pk])).status_code == 200


def test_import_shows_the_per_row_report_and_imports_nothing_on_a_bad_row(
    client, archivist, nanjing
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(archivist)
    url = reverse("console:catalog_import", args=["nanjing"])
    bad = (
        "reference_code,parent_reference_code,level,title,access_level\n"
        "K,,fonds,全宗,open\n"
        "K-1,K,item,件,secretive\n"
    ).encode()
    response = client.post(url, {"file": SimpleUploadedFile("bad.csv", bad, "text/csv")})
    assert response.status_code == 200
    html = response.content.decode()
    assert "row 3" in html and "access_level" in html
    assert not Description.objects.filter(archive=nanjing).exists()

    good = bad.replace(b"secretive", b"restricted")
    response = client.post(url, {"file": SimpleUploadedFile("good.csv", good, "text/csv")})
    assert response.status_code == 200
    assert response.context["report"].created == 2
    assert Description.objects.get(reference_code="K-1").access_level == "restricted"


def test_import_explains_a_file_that_is_not_csv_or_ead(client, archivist, nanjing):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(archivist)
    response = client.post(
        reverse("console:catalog_import", args=["nanjing"]),
        {"file": SimpleUploadedFile("x.csv", jpeg_bytes(), "text/csv")},
    )
    assert "a JPEG image" in response.content.decode()


def test_featured_collections_are_created_filled_and_checked(client, archivist, tree):
    client.force_login(archivist)
    url = reverse("console:collections", args=["nanjing"])
    response = client.post(url, {"slug": "bad slug!", "title": ""})
    assert {"slug", "title"} <= set(response.context["form"].errors)
    response = client.post(url, {"slug": "mansions", "title": "民国公馆", "is_published": "on"})
    collection = FeaturedCollection.objects.get(slug="mansions")
    detail = reverse("console:collection_detail", args=["nanjing", collection.pk])
    assert response["Location"] == detail

    response = client.post(detail, {"form": "entries", "reference_codes": "MG-S1-F1-001\nNOPE"})
    assert "NOPE" in response.context["entries_form"].errors["reference_codes"][0]
    assert not collection.entries.exists()
    client.post(detail, {"form": "entries", "reference_codes": "MG-S1-F1-001\nMG-S1"})
    assert [e.description.reference_code for e in collection.entries.all()] == [
        "MG-S1-F1-001",
        "MG-S1",
    ]
    client.post(
        detail, {"form": "collection", "slug": "mansions", "title": "公馆", "position": "3"}
    )
    collection.refresh_from_db()
    assert collection.title == "公馆" and collection.position == 3 and not collection.is_published


def test_a_description_with_children_cannot_be_deleted_and_says_why(client, archivist, tree):
    client.force_login(archivist)
    response = client.post(
        reverse("console:catalog_delete", args=["nanjing", tree["file"].pk]), follow=True
    )
    assert "has descriptions below it" in response.content.decode()
    assert Description.objects.filter(pk=tree["file"].pk).exists()
    client.post(reverse("console:catalog_delete", args=["nanjing", tree["secret"].pk]))
    assert not Description.objects.filter(pk=tree["secret"].pk).exists()


def test_moving_a_file_takes_its_items_along_and_refuses_cycles(client, archivist, tree):
    client.force_login(archivist)
    closed_series = services.description_create(
        actor=None,
        archive=tree["fonds"].archive,
        parent=tree["fonds"],
        reference_code="MG-S2",
        title="密档",
        level="series",
        access_level=Access.CONFIDENTIAL,
    )
    url = reverse("console:catalog_move", args=["nanjing", tree["file"].pk])
    response = client.post(url, {"parent": "NOPE"})
    assert "There is no description NOPE here." in response.content.decode()
    response = client.post(url, {"parent": "MG-S1-F1-001"})
    assert response.context["move_form"].errors["parent"]
    series_url = reverse("console:catalog_move", args=["nanjing", tree["series"].pk])
    response = client.post(series_url, {"parent": "MG-S1-F1"})
    assert "cycle" in response.context["move_form"].errors["parent"][0]

    assert client.post(url, {"parent": "MG-S2", "position": "1"}).status_code == 302
    tree["item"].refresh_from_db()
    assert tree["item"].parent.parent == closed_series
    assert tree["item"].effective_access == Access.CONFIDENTIAL


def test_a_collection_takes_a_cover_from_its_descriptions_images(
    client, archivist, tree, image_object
):
    client.force_login(archivist)
    collection = services.collection_create(
        actor=None, archive=tree["fonds"].archive, slug="m", title="公馆"
    )
    services.collection_set_entries(actor=None, collection=collection, descriptions=[tree["item"]])
    url = reverse("console:collection_detail", args=["nanjing", collection.pk])
    form = client.get(url).context["form"]
    assert [value for value, _ in form.fields["cover"].choices] == ["", image_object.pk]
    response = client.post(
        url,
        {"form": "collection", "slug": "m", "title": "公馆", "cover": str(image_object.pk + 99)},
    )
    assert "cover" in response.context["form"].errors
    client.post(url, {"form": "collection", "slug": "m", "title": "公馆", "cover": image_object.pk})
    collection.refresh_from_db()
    assert collection.cover == image_object
