"""Demo collecting: Nanjing's campaign for family photographs and memories of the city
(idempotent: an archive that already has it is left alone)."""

from __future__ import annotations

from django.db import transaction

from archivox.collecting.models import Campaign
from archivox.collecting.services import campaign_create
from archivox.core.models import Archive

NANJING_CAMPAIGN = {
    "slug": "family-photos",
    "title": "南京老照片·家庭记忆征集",
    "summary": (
        "南京市档案馆面向社会征集反映南京城市变迁和市民生活的家庭老照片、书信、证书、票证，"
        "以及关于老街巷、老字号和重要事件的口述回忆。无论年代远近，只要记录了南京人的生活，"
        "都欢迎提供。"
    ),
    "terms": (
        "捐赠：档案原件的所有权转归档案馆，档案馆永久保管，捐赠者可随时申请查阅。\n"
        "寄存：所有权仍归提供者，档案馆代为保管，期限和取回办法在协议中约定。\n"
        "只提供复制件：原件由您保留，档案馆保存数字复制件。\n"
        "档案馆对接收的档案进行整理、鉴定和著录，并向提供者出具协议书和收藏证书。"
    ),
    "rights": (
        "您确认所提供的材料由您本人或家庭合法持有，并同意档案馆依法保管和利用。"
        "照片中出现的他人肖像，档案馆在公开前会审核；涉及个人隐私的内容不予公开。"
        "您的姓名和联系方式仅用于本次征集的联系，不会公开；您可以选择在公开的档案著录中署名。"
    ),
}


@transaction.atomic
def demo_collecting_load() -> list[str]:
    archive = Archive.objects.filter(slug="nanjing").first()
    if archive is None:
        return ["collecting: no nanjing archive (run load_paper_survey first)"]
    if Campaign.objects.filter(archive=archive, slug=NANJING_CAMPAIGN["slug"]).exists():
        return ["collecting: nanjing's campaign is there already"]
    campaign_create(actor=None, archive=archive, is_demo=True, **NANJING_CAMPAIGN)
    return [f"collecting: {archive.slug} campaign {NANJING_CAMPAIGN['title']}"]
