"""Open311 GeoReport v2 bodies in JSON and in XML, as the spec shows them, and its error list
(``[{"code": 400, "description": "…"}]`` / ``<errors><error><code/><description/></error></errors>``)."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

from aiohttp import web

JSON_TYPE, XML_TYPE = "application/json", "text/xml"
# the root element and the element of each entry of a list, per kind of answer
ROOTS: dict[str, tuple[str, str]] = {
    "services": ("services", "service"),
    "requests": ("service_requests", "request"),
    "errors": ("errors", "error"),
}
LIST_ITEMS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


def _fill(parent: ET.Element, data: dict[str, Any]) -> None:
    for name, value in data.items():
        child = ET.SubElement(parent, name)
        if isinstance(value, dict):
            _fill(child, value)
        elif isinstance(value, list):
            for entry in value:
                sub = ET.SubElement(child, LIST_ITEMS.get(name, "item"))
                if isinstance(entry, dict):
                    _fill(sub, entry)
                else:
                    sub.text = _text(entry)
        else:
            child.text = _text(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def xml_body(kind: str, data: Any) -> bytes:
    """``kind`` is ``services``, ``requests``, ``errors`` (lists) or the root of one object
    (``service_definition``, ``discovery``)."""
    if kind in ROOTS:
        root_name, entry_name = ROOTS[kind]
        root = ET.Element(root_name)
        for entry in data:
            _fill(ET.SubElement(root, entry_name), entry)
    else:
        root = ET.Element(kind)
        _fill(root, data)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")


def respond(fmt: str, kind: str, data: Any, status: int = 200) -> web.Response:
    if fmt == "xml":
        return web.Response(body=xml_body(kind, data), status=status, content_type=XML_TYPE, charset="utf-8")
    return web.Response(
        text=json.dumps(data, ensure_ascii=False), status=status, content_type=JSON_TYPE, charset="utf-8"
    )


def error(fmt: str, code: int, description: str) -> web.Response:
    return respond(fmt, "errors", [{"code": code, "description": description}], status=code)
