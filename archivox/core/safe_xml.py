"""Parsing XML from outside (WeChat callbacks, EAD imports) within bounds.

defusedxml refuses DTDs, entities and external references (XML bombs, XXE). The tree builder
here also refuses a document nested deeper, or holding more elements, than its caller allows,
while it is being parsed: whatever is built from the tree afterwards (a recursive conversion, a
path per nested component) then stays within the caller's means (issue 17)."""

from __future__ import annotations

from xml.etree.ElementTree import Element, TreeBuilder

from defusedxml.ElementTree import DefusedXMLParser


class XmlLimitExceeded(ValueError):
    """The document is nested too deeply or has too many elements; the message says which."""


class BoundedTreeBuilder(TreeBuilder):
    """ElementTree's builder, counting open elements (depth) and elements seen."""

    def __init__(self, *, max_depth: int, max_elements: int | None = None) -> None:
        super().__init__()
        self.max_depth = max_depth
        self.max_elements = max_elements
        self.depth = 0
        self.elements = 0

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self.depth += 1
        self.elements += 1
        if self.depth > self.max_depth:
            raise XmlLimitExceeded(f"elements nested deeper than {self.max_depth:,} levels")
        if self.max_elements is not None and self.elements > self.max_elements:
            raise XmlLimitExceeded(f"more than {self.max_elements:,} elements")
        return super().start(tag, attrs)

    def end(self, tag: str) -> Element:
        self.depth -= 1
        return super().end(tag)


def bounded_parser(
    *, max_depth: int, max_elements: int | None = None, parser_class: type = DefusedXMLParser
) -> DefusedXMLParser:
    """A defusedxml parser (no DTDs, entities or external references) whose ``feed`` and
    ``close`` raise ``XmlLimitExceeded`` as soon as the document passes a bound."""
    return parser_class(
        target=BoundedTreeBuilder(max_depth=max_depth, max_elements=max_elements),
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    )
