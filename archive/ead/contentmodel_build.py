"""Build ``contentmodel_<version>.json`` from the official XSDs (a maintainer's tool).

    python -m archive.ead.contentmodel_build ../shared/schemas

The writers must not read the schema files at run time (they are not shipped with the
package), so the parts of the content models they need are extracted once into JSON:

- per complex type: whether text is allowed (``mixed``), the allowed child elements with
  their types, the rank of each child in the type's top-level sequence (for reordering), and
  the allowed attributes with their value constraints (enumeration, pattern, token type);
- per element name, the types it is declared with (most names have exactly one).

Only the XSD features the two EAD schemas use are understood: named and anonymous complex
types, sequence/choice/all, group and attributeGroup references, complexContent extension,
simple types with enumerations, patterns and unions.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from lxml import etree

XS = "{http://www.w3.org/2001/XMLSchema}"
XLINK_NS = "http://www.w3.org/1999/xlink"


class _Builder:
    def __init__(self, path: Path, xlink: Path | None) -> None:
        self.root = etree.parse(str(path)).getroot()
        self.types = {
            e.get("name", ""): e for e in self.root.iter(f"{XS}complexType") if e.get("name")
        }
        self.simple = {e.get("name"): e for e in self.root.iter(f"{XS}simpleType") if e.get("name")}
        self.groups = {e.get("name"): e for e in self.root.findall(f"{XS}group")}
        self.attr_groups = {e.get("name"): e for e in self.root.findall(f"{XS}attributeGroup")}
        self.xlink_attrs: dict[str, Any] = {}
        if xlink is not None:
            xroot = etree.parse(str(xlink)).getroot()
            for a in xroot.findall(f"{XS}attribute"):
                self.xlink_attrs[a.get("name", "")] = self.attr_spec(a)
            for g in xroot.findall(f"{XS}attributeGroup"):
                self.attr_groups[f"xlink:{g.get('name')}"] = g
        self.out: dict[str, Any] = {}
        self.anonymous = 0
        self.elements: dict[str, list[str]] = {}

    # -- simple types --------------------------------------------------------------------

    def simple_spec(self, st: Any) -> Any:
        restriction = st.find(f"{XS}restriction")
        if restriction is not None:
            enums = [e.get("value") for e in restriction.findall(f"{XS}enumeration")]
            patterns = [e.get("value") for e in restriction.findall(f"{XS}pattern")]
            base = restriction.get("base") or "xs:string"
            if enums:
                return {"enum": enums}
            if patterns:
                return {"pattern": patterns}
            if base in self.simple:
                return self.simple_spec(self.simple[base])
            return {"type": base.split(":")[-1]}
        union = st.find(f"{XS}union")
        if union is not None:
            members = [self.simple_spec(s) for s in union.findall(f"{XS}simpleType")]
            for name in (union.get("memberTypes") or "").split():
                if name in self.simple:
                    members.append(self.simple_spec(self.simple[name]))
                else:
                    members.append({"type": name.split(":")[-1]})
            return {"union": members}
        return {"type": "string"}

    def attr_spec(self, a: Any) -> Any:
        st = a.find(f"{XS}simpleType")
        if st is not None:
            return self.simple_spec(st)
        type_name = a.get("type")
        if type_name is None:
            return {"type": "string"}
        if type_name in self.simple:
            return self.simple_spec(self.simple[type_name])
        return {"type": type_name.split(":")[-1]}

    # -- attributes ------------------------------------------------------------------------

    def attributes(self, node: Any, attrs: dict[str, Any]) -> None:
        for child in node:
            if child.tag == f"{XS}attribute":
                ref = child.get("ref")
                if ref:
                    prefix, _, name = ref.rpartition(":")
                    if prefix == "xlink":
                        attrs[f"xlink:{name}"] = self.xlink_attrs.get(name, {"type": "string"})
                    elif prefix == "xml":
                        attrs[f"xml:{name}"] = {"type": "string"}
                    continue
                if child.get("fixed") is not None:
                    attrs[f"xlink:{child.get('name')}"] = {"enum": [child.get("fixed")]}
                    continue
                attrs[child.get("name")] = self.attr_spec(child)
            elif child.tag == f"{XS}attributeGroup" and child.get("ref"):
                self.attributes(self.attr_groups[child.get("ref")], attrs)

    # -- content -------------------------------------------------------------------------

    def particles(
        self, node: Any, children: dict[str, str], rank: dict[str, int], top: int
    ) -> bool:
        """Collect child elements below ``node``; returns True if an xs:any was found."""
        found_any = False
        for child in node:
            tag = child.tag
            if tag == f"{XS}element":
                name = child.get("name")
                type_name = child.get("type")
                if type_name is None:
                    inline = child.find(f"{XS}complexType")
                    if inline is not None:
                        self.anonymous += 1
                        type_name = f"#{name}{self.anonymous}"
                        self.build(type_name, inline)
                    else:
                        type_name = "#text"
                elif type_name.startswith("xs:"):
                    type_name = "#text"
                children.setdefault(name, type_name)
                rank.setdefault(name, top)
                self.elements.setdefault(name, [])
                if type_name not in self.elements[name]:
                    self.elements[name].append(type_name)
            elif tag == f"{XS}group" and child.get("ref"):
                found_any |= self.particles(self.groups[child.get("ref")], children, rank, top)
            elif tag in (f"{XS}sequence", f"{XS}choice", f"{XS}all"):
                found_any |= self.particles(child, children, rank, top)
            elif tag == f"{XS}any":
                found_any = True
        return found_any

    def build(self, name: str, ct: Any) -> None:
        if name in self.out:
            return
        spec: dict[str, Any] = {"mixed": ct.get("mixed") == "true"}
        self.out[name] = spec  # placeholder against recursion
        children: dict[str, str] = {}
        rank: dict[str, int] = {}
        attrs: dict[str, Any] = {}
        found_any = False
        body = ct
        content = ct.find(f"{XS}complexContent")
        if content is not None:
            if content.get("mixed") == "true":
                spec["mixed"] = True
            ext = content[0]
            base = ext.get("base")
            if base in self.types:
                self.build(base, self.types[base])
                b = self.out[base]
                children.update(b["children"])
                rank.update(b["rank"])
                attrs.update(b["attrs"])
                found_any = b["any"]
                spec["mixed"] = spec["mixed"] or b["mixed"]
            body = ext
        simple = ct.find(f"{XS}simpleContent")
        if simple is not None:
            spec["mixed"] = True
            body = simple[0]
        offset = max(rank.values(), default=-1) + 1
        top = 0
        for child in body:
            if child.tag in (f"{XS}sequence",):
                for index, particle in enumerate(child):
                    found_any |= self.particles_one(particle, children, rank, offset + index)
                top += 1
            elif child.tag in (f"{XS}choice", f"{XS}all", f"{XS}group"):
                found_any |= self.particles_one(child, children, rank, offset)
        self.attributes(body, attrs)
        spec.update(children=children, rank=rank, attrs=attrs, any=found_any)

    def particles_one(
        self, particle: Any, children: dict[str, str], rank: dict[str, int], top: int
    ) -> bool:
        holder = etree.Element("holder")
        holder.append(_copy(particle))
        return self.particles(holder, children, rank, top)

    def run(self) -> dict[str, Any]:
        ead = next(e for e in self.root.findall(f"{XS}element") if e.get("name") == "ead")
        self.build("#ead", ead.find(f"{XS}complexType"))
        self.elements["ead"] = ["#ead"]
        for name, ct in self.types.items():
            self.build(name, ct)
        return {"types": self.out, "elements": self.elements}


def _copy(node: Any) -> Any:
    # lxml moves a node when appending it elsewhere: work on a copy of the schema tree
    from copy import deepcopy

    return deepcopy(node)


def build(schema_dir: Path) -> None:
    here = Path(__file__).parent
    for version, path, xlink in (
        ("2002", schema_dir / "ead2002" / "ead.xsd", schema_dir / "ead2002" / "xlink.xsd"),
        ("3", schema_dir / "ead3" / "ead3.xsd", None),
    ):
        data = _Builder(path, xlink).run()
        target = here / f"contentmodel_{version}.json"
        target.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n")
        print(f"wrote {target} ({len(data['types'])} types)")


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/schemas"))
