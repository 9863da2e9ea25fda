"""Current documents (现行文件), as a specification: recorded as drafts, published and announced
through the publishing desk, found by the Chinese search, in the feeds and in an OAI-PMH set,
amended with their history kept, and repealed."""

import datetime
import io

import feedparser
import pikepdf
import pytest

from archivox.catalog import selectors as catalog_selectors
from archivox.core import services as core_services
from archivox.core.models import Role
from archivox.current_documents import selectors, services
from archivox.current_documents.models import CurrentDocument, DocumentChange, Validity
from archivox.publishing.models import Post
from archivox.publishing.services import PublishingError
from tests.factories import ArchiveFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
TEXT = (
    "为进一步规范本市老旧小区加装电梯工作，方便居民出行，现将有关事项通知如下。\n"
    "一、加装电梯应当经本单元房屋专有部分占建筑物总面积三分之二以上的业主同意。\n"
    "二、市财政对每台电梯给予二十万元补贴。"
)


@pytest.fixture
def nanjing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    archive = ArchiveFactory(slug="nanjing", name="Nanjing Archives", name_zh="南京市档案馆")
    archivist = UserFactory(username="wang")
    core_services.membership_grant(actor=None, archive=archive, user=archivist, role=Role.ARCHIVIST)
    return {"archive": archive, "archivist": archivist}


def record(nanjing, **overrides):
    values = {
        "actor": nanjing["archivist"],
        "archive": nanjing["archive"],
        "issuer": "南京市人民政府办公厅",
        "doc_number": "宁政办发〔2026〕12号",
        "issued_on": datetime.date(2026, 3, 1),
        "title": "关于老旧小区加装电梯的实施意见",
        "subject": "城乡建设",
        "full_text": TEXT,
    }
    values.update(overrides)
    return services.document_create(**values)


def pdf_bytes() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/Author"] = "起草人张三"
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_a_draft_is_not_public_and_publishing_announces_it_for_review(nanjing):
    document = record(nanjing)
    archive = nanjing["archive"]
    assert not selectors.document_list_public(archive=archive).exists()
    assert selectors.document_search_public(archive=archive, query="加装电梯") == []

    services.document_publish(actor=nanjing["archivist"], document=document)

    document.refresh_from_db()
    assert document.status == CurrentDocument.Status.PUBLISHED
    post = document.announcement
    assert post.status == Post.Status.SUBMITTED  # the desk's review decides when it goes out
    assert "宁政办发〔2026〕12号" in post.body_html
    assert f"/archives/nanjing/current-documents/{document.pk}/" in post.body_html
    [hit] = selectors.document_search_public(archive=archive, query="加装电梯")
    assert hit.document == document and "<mark>" in str(hit.title_html)
    assert (
        selectors.document_search_public(archive=archive, query="宁政办发")[0].document == document
    )
    assert (
        catalog_selectors.description_list_public(archive=archive)
        .filter(pk=document.description_id)
        .exists()
    )


def test_screening_that_blocks_the_announcement_publishes_nothing(nanjing):
    from archivox.core.screening import sensitive_word_add

    sensitive_word_add(actor=None, archive=nanjing["archive"], word="加装电梯", severity="block")
    document = record(nanjing)
    # The document's own text is screened before it opens (DocumentError), and the desk screens
    # the announcement again (PublishingError): either way, nothing goes public.
    with pytest.raises((services.DocumentError, PublishingError)) as refused:
        services.document_publish(actor=nanjing["archivist"], document=document)
    assert "screening" in refused.value.message_dict
    document.refresh_from_db()
    assert document.status == CurrentDocument.Status.DRAFT
    assert not Post.objects.exists()
    assert not selectors.document_list_public(archive=nanjing["archive"]).exists()


def test_a_blocked_word_in_the_full_text_keeps_the_document_closed_without_announcing(nanjing):
    from archivox.core.screening import sensitive_word_add

    sensitive_word_add(actor=None, archive=nanjing["archive"], word="二十万元", severity="block")
    document = record(nanjing)
    with pytest.raises(services.DocumentError) as refused:
        services.document_publish(actor=nanjing["archivist"], document=document, announce=False)
    assert "二十万元" in " ".join(refused.value.message_dict["screening"])
    document.refresh_from_db()
    assert document.status == CurrentDocument.Status.DRAFT
    assert not selectors.document_list_public(archive=nanjing["archive"]).exists()


def test_a_resident_id_number_never_opens_with_a_document_nor_an_amendment(nanjing):
    person = "联系人身份证号码11010519491231002X。"
    document = record(nanjing, full_text=TEXT + person)
    with pytest.raises(services.DocumentError) as refused:
        services.document_publish(actor=nanjing["archivist"], document=document, announce=False)
    problem = " ".join(refused.value.message_dict["screening"])
    assert "11010519491231002X" not in problem  # the refusal itself masks the number
    document.refresh_from_db()
    assert document.status == CurrentDocument.Status.DRAFT

    clean = record(nanjing, doc_number="宁政办发〔2026〕13号")
    services.document_publish(actor=nanjing["archivist"], document=clean, announce=False)
    with pytest.raises(services.DocumentError):
        services.document_amend(actor=nanjing["archivist"], document=clean, full_text=TEXT + person)
    clean.refresh_from_db()
    assert clean.full_text == TEXT and clean.validity == Validity.IN_FORCE
    assert not clean.changes.filter(kind=DocumentChange.Kind.AMENDED).exists()


def test_amending_keeps_the_old_text_and_repealing_ends_the_history(nanjing):
    document = record(nanjing)
    services.document_publish(actor=nanjing["archivist"], document=document, announce=False)
    services.document_amend(
        actor=nanjing["archivist"],
        document=document,
        full_text=TEXT.replace("二十万元", "二十五万元"),
        by_number="宁政办发〔2026〕30号",
        effective_on=datetime.date(2026, 6, 1),
        note="提高补贴标准。",
    )
    document.refresh_from_db()
    assert document.validity == Validity.AMENDED and "二十五万元" in document.full_text
    amended = document.changes.get(kind=DocumentChange.Kind.AMENDED)
    assert "二十万元" in amended.previous_text and amended.by_number == "宁政办发〔2026〕30号"

    services.document_repeal(
        actor=nanjing["archivist"], document=document, by_number="宁政发〔2026〕50号"
    )
    document.refresh_from_db()
    assert document.validity == Validity.REPEALED
    assert "已废止" in document.description.access_conditions
    with pytest.raises(services.DocumentError):
        services.document_amend(actor=nanjing["archivist"], document=document, full_text="x")
    # Still public, with its validity said.
    assert (
        selectors.document_list_public(archive=nanjing["archive"], validity=Validity.REPEALED).get()
        == document
    )


def test_bad_input_is_refused_field_by_field(nanjing):
    with pytest.raises(services.DocumentError) as refused:
        record(nanjing, issuer=" ", doc_number="", issued_on=None, full_text="")
    assert set(refused.value.message_dict) == {"issuer", "doc_number", "issued_on", "full_text"}
    record(nanjing)
    with pytest.raises(services.DocumentError) as duplicate:
        record(nanjing)
    assert "doc_number" in duplicate.value.message_dict


def test_a_pdf_is_kept_for_staff_and_shown_without_its_metadata(nanjing):
    document = record(nanjing, full_text="", pdf=pdf_bytes(), pdf_name="12号.pdf")
    with document.pdf.public_file.open("rb") as public, pikepdf.open(public) as pdf:
        assert "/Author" not in pdf.docinfo
    with pytest.raises(services.DocumentError):
        record(nanjing, doc_number="宁政办发〔2026〕13号", pdf=b"not a pdf at all")


def test_published_documents_are_in_the_feeds_and_the_oai_set(client, nanjing):
    document = record(nanjing)
    services.document_publish(actor=nanjing["archivist"], document=document, announce=False)
    atom = feedparser.parse(client.get("/archives/nanjing/current-documents/atom.xml").content)
    rss = feedparser.parse(client.get("/archives/nanjing/current-documents/rss.xml").content)
    assert [entry.title for entry in atom.entries] == [
        "关于老旧小区加装电梯的实施意见（宁政办发〔2026〕12号）"
    ]
    assert rss.entries[0].link.endswith(f"/archives/nanjing/current-documents/{document.pk}/")
    oai = client.get(
        "/oai",
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "nanjing:current-documents"},
    ).content.decode()
    assert "关于老旧小区加装电梯的实施意见" in oai

    services.document_repeal(actor=nanjing["archivist"], document=document)
    atom = feedparser.parse(client.get("/archives/nanjing/current-documents/atom.xml").content)
    assert atom.entries[0].title.startswith("[repealed]")


def test_the_public_pages_search_and_show_the_history(client, nanjing):
    document = record(nanjing)
    services.document_publish(actor=nanjing["archivist"], document=document, announce=False)
    services.document_repeal(actor=nanjing["archivist"], document=document, note="已被新规定替代。")
    listing = client.get("/archives/nanjing/current-documents/", {"q": "电梯补贴"})
    assert "关于老旧小区" in listing.content.decode()
    empty = client.get("/archives/nanjing/current-documents/", {"q": "不存在的词语组合"})
    assert "No current document matches" in empty.content.decode()
    page = client.get(f"/archives/nanjing/current-documents/{document.pk}/").content.decode()
    assert "repealed" in page and "已被新规定替代。" in page
    draft = record(nanjing, doc_number="宁政办发〔2026〕99号")
    assert client.get(f"/archives/nanjing/current-documents/{draft.pk}/").status_code == 404


def test_the_console_records_publishes_and_repeals(client, nanjing):
    client.login(username="wang", password=PASSWORD)
    bad = client.post(
        "/console/current-documents/nanjing/",
        {"issuer": "南京市人民政府", "doc_number": "", "title": "关于公布历史建筑名录的通知"},
    )
    assert bad.status_code == 400 and "关于公布历史建筑名录的通知" in bad.content.decode()
    response = client.post(
        "/console/current-documents/nanjing/",
        {
            "issuer": "南京市人民政府",
            "doc_number": "宁政发〔2026〕8号",
            "issued_on": "2026-02-01",
            "title": "关于公布历史建筑名录的通知",
            "full_text": "公布第一批历史建筑名录。",
        },
    )
    assert response.status_code == 302
    document = CurrentDocument.objects.get()
    base = f"/console/current-documents/nanjing/{document.pk}/"
    client.post(base + "publish/", {"announce": "1"})
    document.refresh_from_db()
    assert document.status == "published" and document.announcement_id
    client.post(base + "change/", {"kind": "repeal", "by_number": "宁政发〔2026〕40号"})
    document.refresh_from_db()
    assert document.validity == Validity.REPEALED
