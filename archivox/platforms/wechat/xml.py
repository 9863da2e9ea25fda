"""WeChat's flat <xml> documents, parsed with defusedxml (no DTDs, no entities) within bounds
of size, depth and elements, and built safely."""

from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError

from archivox.core.safe_xml import XmlLimitExceeded, bounded_parser

MAX_BODY_BYTES = 64 * 1024  # WeChat messages are small; anything larger is refused unread
# WeChat nests at most five levels with <xml> (PUBLISHJOBFINISH's article_detail/item/idx) and
# sends a few dozen elements; the bounds leave room and keep _element_to_value's recursion short.
MAX_DEPTH = 16
MAX_ELEMENTS = 1024


class XmlError(ValueError):
    """The body is not a WeChat XML document we accept."""


def parse_xml(body: bytes | str) -> dict[str, object]:
    """``<xml><A>1</A><B><C>2</C></B></xml>`` → ``{"A": "1", "B": {"C": "2"}}``."""
    if isinstance(body, str):
        body = body.encode()
    if len(body) > MAX_BODY_BYTES:
        raise XmlError(f"the body is larger than {MAX_BODY_BYTES} bytes")
    if not body.strip():
        raise XmlError("the body is empty")
    parser = bounded_parser(max_depth=MAX_DEPTH, max_elements=MAX_ELEMENTS)
    try:
        parser.feed(body)
        root = parser.close()
    except XmlLimitExceeded as exc:
        raise XmlError(f"the XML has {exc}") from exc
    except DefusedXmlException as exc:
        raise XmlError(f"the XML uses a forbidden construct ({type(exc).__name__})") from exc
    except ParseError as exc:
        raise XmlError(f"the body is not well-formed XML ({exc})") from exc
    if root.tag != "xml":
        raise XmlError(f"the root element is <{root.tag}>, not <xml>")
    return _element_to_value(root)


def _element_to_value(element) -> dict[str, object] | str:
    # Recursive, and safe so: the parser refused anything nested deeper than MAX_DEPTH.
    children = list(element)
    if not children:
        return (element.text or "").strip()
    value: dict[str, object] = {}
    for child in children:
        converted = _element_to_value(child)
        if child.tag in value:  # repeated elements (e.g. <item> in a list) become a list
            existing = value[child.tag]
            value[child.tag] = (
                [*existing, converted]
                if isinstance(existing, list)
                else [
                    existing,
                    converted,
                ]
            )
        else:
            value[child.tag] = converted
    return value


def build_xml(fields: dict[str, object], root: str = "xml") -> str:
    """Build a flat or nested <xml> document; text is escaped by ElementTree."""
    element = Element(root)
    _fill(element, fields)
    return tostring(element, encoding="unicode")


def _fill(element, fields: dict[str, object]) -> None:
    for name, value in fields.items():
        if isinstance(value, list):
            for item in value:
                child = SubElement(element, name)
                _fill(child, item) if isinstance(item, dict) else setattr(child, "text", str(item))
        elif isinstance(value, dict):
            _fill(SubElement(element, name), value)
        else:
            SubElement(element, name).text = "" if value is None else str(value)
