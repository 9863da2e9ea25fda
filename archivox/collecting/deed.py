"""The deed of gift (or of deposit) for an offer, as a PDF for both sides to sign.

Drawn with ReportLab; the Chinese text uses the Adobe-GB1 CID font STSong-Light, which every
PDF reader supplies, so no font file needs to be shipped or embedded for this document."""

from __future__ import annotations

import io
from html import escape

from django.utils import timezone

from archivox.collecting.models import Offer

TITLES = {
    Offer.Transfer.DONATION: "档案捐赠协议书",
    Offer.Transfer.DEPOSIT: "档案寄存协议书",
    Offer.Transfer.COPY: "档案复制件提供协议书",
}
KINDS = {"image": "图片", "pdf": "PDF 文档", "audio": "录音"}
FONT = "STSong-Light"


def _paragraphs(text: str, style) -> list:
    from reportlab.platypus import Paragraph

    return [Paragraph(escape(line), style) for line in text.splitlines() if line.strip()]


def deed_of_gift_pdf(*, offer: Offer) -> bytes:
    """The deed as PDF bytes: the parties, what is transferred (each file with its checksum),
    the campaign's terms and rights, the credit chosen, and places to sign."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=17, wordWrap="CJK")
    heading = ParagraphStyle("h", parent=body, fontSize=13, leading=20, spaceBefore=8)
    title = ParagraphStyle("t", parent=body, fontSize=20, leading=28, alignment=1, spaceAfter=10)
    small = ParagraphStyle("s", parent=body, fontSize=9, leading=13)

    archive = offer.archive
    archive_name = archive.name_zh or archive.name
    day = timezone.localtime(offer.reviewed_at or timezone.now()).date()
    story: list = [
        Paragraph(TITLES[offer.transfer], title),
        Paragraph(f"编号：ZJ-{offer.pk:06d}　　日期：{day.year}年{day.month}月{day.day}日", small),
        Spacer(1, 4 * mm),
        Paragraph(f"甲方（接收方）：{escape(archive_name)}", body),
        Paragraph(f"乙方（提供方）：{escape(offer.name)}　联系方式：{escape(offer.contact)}", body),
        Paragraph(f"征集活动：{escape(offer.campaign.title)}", body),
        Paragraph(f"档案名称：{escape(offer.title)}", body),
    ]
    if offer.date_expression or offer.place:
        story.append(
            Paragraph(f"时间与地点：{escape(offer.date_expression)} {escape(offer.place)}", body)
        )
    story.append(Paragraph("一、移交的档案", heading))
    rows = [["序号", "类型", "文件", "大小", "SHA-256（前16位）"]]
    for number, offered in enumerate(offer.files.all(), start=1):
        rows.append(
            [
                str(number),
                KINDS.get(offered.kind, offered.kind),
                Paragraph(escape(offered.caption or offered.original_name or "—"), small),
                f"{offered.size / 1024:.0f} KB",
                offered.sha256[:16],
            ]
        )
    table = Table(rows, colWidths=[12 * mm, 20 * mm, 70 * mm, 22 * mm, 42 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)
    story.append(Paragraph("二、捐赠或寄存条件", heading))
    story.extend(_paragraphs(offer.campaign.terms, body))
    story.append(Paragraph("三、权利与同意", heading))
    story.extend(_paragraphs(offer.campaign.rights, body))
    credit = (
        f"乙方同意在公开的档案著录中署名为“{escape(offer.credit_name)}”。"
        if offer.credit_name
        else "乙方不要求在公开的档案著录中署名。"
    )
    story.append(Paragraph("四、署名", heading))
    story.append(Paragraph(credit, body))
    story.append(
        Paragraph(
            "甲方对乙方的个人信息依法保护，仅用于本次征集的联系与登记；档案的开放范围由甲方依照"
            "档案法律法规确定。",
            body,
        )
    )
    story.append(Spacer(1, 14 * mm))
    signatures = Table(
        [["甲方（盖章）：", "乙方（签字）："], ["日期：", "日期："]],
        colWidths=[83 * mm, 83 * mm],
        rowHeights=[16 * mm, 10 * mm],
    )
    signatures.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT)]))
    story.append(signatures)

    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{TITLES[offer.transfer]} ZJ-{offer.pk:06d}",
        author=archive_name,
    )
    document.build(story)
    return out.getvalue()
