"""The six OAI-PMH 2.0 verbs: argument checks, errors, and the XML response.

:func:`oai_respond` decides everything that can go wrong (every error condition of the
protocol) before it returns, and returns an iterator of bytes that writes the response with
``lxml.etree.xmlfile``; an ``oai_ead`` or ``ead3`` record is the public EAD export streamed
in between, so a page of large finding aids never sits in memory whole.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.utils import timezone
from lxml import etree

from archive import conf
from archive.oai import records
from archive.oai.records import FORMATS, Header, Window
from archive.oai.tokens import Token, TokenError, token_decode, token_encode, token_expiry

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
DC_NS = "http://purl.org/dc/elements/1.1/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_ID_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
_SCHEMA = f"{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"


class OAIError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class _Verb:
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    exclusive: str | None = None  # an argument that must come alone (resumptionToken)


VERBS: dict[str, _Verb] = {
    "Identify": _Verb(),
    "ListMetadataFormats": _Verb(optional=("identifier",)),
    "ListSets": _Verb(exclusive="resumptionToken"),
    "GetRecord": _Verb(required=("identifier", "metadataPrefix")),
    "ListIdentifiers": _Verb(
        required=("metadataPrefix",), optional=("from", "until", "set"), exclusive="resumptionToken"
    ),
    "ListRecords": _Verb(
        required=("metadataPrefix",), optional=("from", "until", "set"), exclusive="resumptionToken"
    ),
}


@dataclass
class _Plan:
    """Everything needed to write a response once the checks have passed."""

    verb: str | None
    request_args: dict[str, str]
    errors: list[OAIError] = field(default_factory=list)
    body: Callable[[Any, _Out], Iterator[bytes]] | None = None


class _Out:
    """The file ``xmlfile`` writes to; :meth:`take` hands the bytes written so far on."""

    def __init__(self, base_url: str) -> None:
        self._parts: list[bytes] = []
        parts = urlsplit(base_url)
        self.base_url = base_url
        self.origin = f"{parts.scheme}://{parts.netloc}"  # for links to public pages

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def oai_respond(*, params: Mapping[str, Sequence[str]], base_url: str) -> Iterator[bytes]:
    """The response to an OAI-PMH request with arguments ``params`` (name -> values)."""
    plan = _plan(params)
    return _write(plan, base_url)


# --------------------------------------------------------------------------- checks


def _plan(params: Mapping[str, Sequence[str]]) -> _Plan:
    verbs = list(params.get("verb", []))
    if len(verbs) != 1:
        problem = "the verb argument is missing" if not verbs else "the verb argument is repeated"
        return _Plan(None, {}, [OAIError("badVerb", problem)])
    verb_name = verbs[0]
    verb = VERBS.get(verb_name)
    if verb is None:
        return _Plan(
            None,
            {},
            [
                OAIError(
                    "badVerb",
                    f"{_shown(verb_name)} is not an OAI-PMH verb; use one of " + ", ".join(VERBS),
                )
            ],
        )
    args: dict[str, str] = {}
    problems: list[str] = []
    allowed = set(verb.required) | set(verb.optional) | ({verb.exclusive} - {None})
    for name, values in params.items():
        if name == "verb":
            continue
        if name not in allowed:
            problems.append(f"{_shown(name)} is not an argument of {verb_name}")
        elif len(values) != 1:
            problems.append(f"the {name} argument is repeated")
        elif not values[0]:
            problems.append(f"the {name} argument is empty")
        else:
            args[name] = values[0]
    if not problems:
        if verb.exclusive and verb.exclusive in args:
            others = sorted(set(args) - {verb.exclusive})
            if others:
                problems.append(f"{verb.exclusive} must come alone, without {', '.join(others)}")
        else:
            problems.extend(
                f"the {name} argument is missing" for name in verb.required if name not in args
            )
    if problems:
        return _Plan(verb_name, {}, [OAIError("badArgument", p) for p in problems])
    plan = _Plan(verb_name, {"verb": verb_name, **_echoable(args)})
    try:
        plan.body = _HANDLERS[verb_name](args)
    except OAIError as exc:
        plan.errors.append(exc)
    except _Errors as exc:
        plan.errors.extend(exc.errors)
    if plan.errors and any(e.code == "badArgument" for e in plan.errors):
        plan.request_args = {}
    return plan


_PREFIX_OR_SET = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")


def _echoable(args: dict[str, str]) -> dict[str, str]:
    """The arguments the ``<request>`` element may repeat: a value the schema would refuse
    there (a metadataPrefix or set with spaces, an identifier that is no URI) is left out,
    so the response stays valid while its error says what was wrong."""
    shown = {}
    for name, value in args.items():
        if name in ("metadataPrefix", "set") and not _PREFIX_OR_SET.fullmatch(value):
            continue
        if name == "identifier" and any(c.isspace() for c in value):
            continue
        shown[name] = value
    return shown


def _shown(text: str, limit: int = 80) -> str:
    """A value from the request, quoted and cut short for an error message."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


class _Errors(Exception):
    def __init__(self, errors: list[OAIError]) -> None:
        self.errors = errors


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def _parse_date(name: str, text: str) -> tuple[dt.datetime, dt.timedelta]:
    """The moment ``text`` starts, in UTC, and the length of its granularity."""
    try:
        if _DAY.fullmatch(text):
            day = dt.date.fromisoformat(text)
            return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC), dt.timedelta(days=1)
        if _SECOND.fullmatch(text):
            moment = dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
            return moment, dt.timedelta(seconds=1)
    except ValueError:
        pass
    raise OAIError(
        "badArgument",
        f"{name}={_shown(text)} is not a date of this repository's granularity: use YYYY-MM-DD or "
        "YYYY-MM-DDThh:mm:ssZ",
    )


def _window(set_spec: str | None, start: str | None, until: str | None) -> Window:
    begin: dt.datetime | None = None
    end: dt.datetime | None = None
    start_step: dt.timedelta | None = None
    until_step: dt.timedelta | None = None
    if start is not None:
        begin, start_step = _parse_date("from", start)
    if until is not None:
        until_moment, until_step = _parse_date("until", until)
        end = until_moment + until_step  # until is inclusive: up to the end of that day/second
    if start_step is not None and until_step is not None:
        if start_step != until_step:
            raise OAIError("badArgument", "from and until must have the same granularity")
        if begin is not None and end is not None and begin > end - until_step:
            raise OAIError("badArgument", f"from ({start}) is later than until ({until})")
    return Window(set_spec=set_spec, start=begin, end=end)


def _format(prefix: str) -> records.MetadataFormat:
    fmt = FORMATS.get(prefix)
    if fmt is None:
        raise OAIError(
            "cannotDisseminateFormat",
            f"metadataPrefix {_shown(prefix)} is not offered; use one of {', '.join(FORMATS)}",
        )
    return fmt


# --------------------------------------------------------------------------- verbs

Body = Callable[[Any, _Out], Iterator[bytes]]


def _identify(args: dict[str, str]) -> Body:
    earliest = records.datestamp_text(records.earliest_datestamp())
    namespace = conf.oai_namespace()

    def body(xf: Any, out: _Out) -> Iterator[bytes]:
        with xf.element(_q("Identify")):
            _leaf(xf, "repositoryName", conf.oai_repository_name())
            _leaf(xf, "baseURL", out.base_url)
            _leaf(xf, "protocolVersion", "2.0")
            _leaf(xf, "adminEmail", conf.oai_admin_email())
            _leaf(xf, "earliestDatestamp", earliest)
            _leaf(xf, "deletedRecord", "persistent")
            _leaf(xf, "granularity", "YYYY-MM-DDThh:mm:ssZ")
            with xf.element(_q("description")):
                xf.write(_oai_identifier(namespace))
        yield out.take()

    return body


def _oai_identifier(namespace: str) -> etree._Element:
    el = etree.Element(
        f"{{{OAI_ID_NS}}}oai-identifier",
        nsmap={None: OAI_ID_NS, "xsi": XSI_NS},
        attrib={
            f"{{{XSI_NS}}}schemaLocation": f"{OAI_ID_NS} "
            "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
        },
    )
    for name, text in (
        ("scheme", "oai"),
        ("repositoryIdentifier", namespace),
        ("delimiter", ":"),
        ("sampleIdentifier", f"oai:{namespace}:repository-code/EAD-id"),
    ):
        etree.SubElement(el, f"{{{OAI_ID_NS}}}{name}").text = text
    return el


def _list_metadata_formats(args: dict[str, str]) -> Body:
    if "identifier" in args and records.header_get(args["identifier"]) is None:
        raise OAIError(
            "idDoesNotExist", f"no record has the identifier {_shown(args['identifier'])}"
        )

    def body(xf: Any, out: _Out) -> Iterator[bytes]:
        with xf.element(_q("ListMetadataFormats")):
            for fmt in FORMATS.values():
                with xf.element(_q("metadataFormat")):
                    _leaf(xf, "metadataPrefix", fmt.prefix)
                    _leaf(xf, "schema", fmt.schema)
                    _leaf(xf, "metadataNamespace", fmt.namespace)
        yield out.take()

    return body


def _list_sets(args: dict[str, str]) -> Body:
    if "resumptionToken" in args:
        raise OAIError(
            "badResumptionToken", "ListSets answers in one response; it issues no tokens"
        )
    sets = records.sets_list()
    if not sets:
        raise OAIError("noSetHierarchy", "there are no sets: no repository has public records")

    def body(xf: Any, out: _Out) -> Iterator[bytes]:
        with xf.element(_q("ListSets")):
            for spec, name in sets:
                with xf.element(_q("set")):
                    _leaf(xf, "setSpec", spec)
                    _leaf(xf, "setName", name)
        yield out.take()

    return body


def _get_record(args: dict[str, str]) -> Body:
    errors: list[OAIError] = []
    fmt = None
    try:
        fmt = _format(args["metadataPrefix"])
    except OAIError as exc:
        errors.append(exc)
    header = records.header_get(args["identifier"])
    if header is None:
        errors.append(
            OAIError("idDoesNotExist", f"no record has the identifier {_shown(args['identifier'])}")
        )
    if errors:
        raise _Errors(errors)
    assert fmt is not None and header is not None

    def body(xf: Any, out: _Out) -> Iterator[bytes]:
        with xf.element(_q("GetRecord")):
            yield from _record(xf, out, header, fmt)
        yield out.take()

    return body


@dataclass(frozen=True)
class _ListRequest:
    """What a list request asks for, read from its arguments or from its resumption token."""

    prefix: str
    set_spec: str | None
    start: str | None
    until: str | None
    fmt: records.MetadataFormat
    window: Window
    after: records.Key | None  # the key of the last record sent, None on the first page
    cursor: int
    size: int


def _list_resumed(text: str, verb: str) -> _ListRequest:
    """The request a resumption token carries; ``badResumptionToken`` when it cannot."""
    try:
        token = token_decode(text)
    except TokenError as exc:
        raise OAIError("badResumptionToken", str(exc)) from None
    if token.verb != verb:
        raise OAIError("badResumptionToken", f"the token belongs to {token.verb}")
    try:
        window = _window(token.set_spec, token.start, token.until)
    except OAIError:
        raise OAIError("badResumptionToken", "the token is damaged") from None
    return _ListRequest(
        prefix=token.prefix,
        set_spec=token.set_spec,
        start=token.start,
        until=token.until,
        fmt=_format(token.prefix),
        window=window,
        after=token.after,
        cursor=token.cursor,
        size=token.size,
    )


def _list_fresh(args: dict[str, str]) -> _ListRequest:
    """The first page's request; a bad format and a bad window are both reported at once."""
    prefix = args["metadataPrefix"]
    set_spec, start, until = args.get("set"), args.get("from"), args.get("until")
    errors = []
    fmt = None
    window = None
    try:
        fmt = _format(prefix)
    except OAIError as exc:
        errors.append(exc)
    try:
        window = _window(set_spec, start, until)
    except OAIError as exc:
        errors.append(exc)
    if errors or window is None or fmt is None:
        raise _Errors(errors)
    return _ListRequest(
        prefix=prefix,
        set_spec=set_spec,
        start=start,
        until=until,
        fmt=fmt,
        window=window,
        after=None,
        cursor=0,
        size=records.headers_count(window),
    )


def _list_token(request: _ListRequest, verb: str, page: list[Header]) -> str:
    """The resumption token for the page after ``page``."""
    return token_encode(
        Token(
            verb=verb,
            prefix=request.prefix,
            set_spec=request.set_spec,
            start=request.start,
            until=request.until,
            after=page[-1].key,
            cursor=request.cursor + len(page),
            size=request.size,
        )
    )


def _lister(with_metadata: bool) -> Callable[[dict[str, str]], Body]:
    def handler(args: dict[str, str]) -> Body:
        verb = "ListRecords" if with_metadata else "ListIdentifiers"
        if "resumptionToken" in args:
            request = _list_resumed(args["resumptionToken"], verb)
        else:
            request = _list_fresh(args)
        limit = (
            conf.oai_ead_page_size()
            if with_metadata and request.fmt.export is not None
            else conf.oai_page_size()
        )
        page, more = records.headers_page(request.window, after=request.after, limit=limit)
        if not page and request.after is None:
            raise OAIError("noRecordsMatch", "no record matches these arguments")
        # (An empty page after a position: every record after it went away while the harvest
        # ran, so the list closes.)
        issued = timezone.now()
        token_text = _list_token(request, verb, page) if more else None
        paged = more or request.after is not None
        return _list_body(verb, with_metadata, request, page, paged, token_text, issued)

    return handler


def _list_body(
    verb: str,
    with_metadata: bool,
    request: _ListRequest,
    page: list[Header],
    paged: bool,
    token_text: str | None,
    issued: dt.datetime,
) -> Body:
    """The ListRecords or ListIdentifiers element: the page, then the resumption token."""
    fmt, cursor, size = request.fmt, request.cursor, request.size

    def body(xf: Any, out: _Out) -> Iterator[bytes]:
        dc = None
        if with_metadata and fmt.export is None:
            live = [h.collection for h in page if h.collection is not None]
            dc = records.dublin_core(live, origin=out.origin)
        with xf.element(_q(verb)):
            for header in page:
                if with_metadata:
                    yield from _record(xf, out, header, fmt, dc)
                else:
                    _header(xf, header)
                yield out.take()
            if paged:
                attrs = {
                    "completeListSize": str(max(size, cursor + len(page))),
                    "cursor": str(cursor),
                }
                if token_text:
                    attrs["expirationDate"] = records.datestamp_text(token_expiry(issued))
                _leaf(xf, "resumptionToken", token_text or "", attrs)
        yield out.take()

    return body


_HANDLERS: dict[str, Callable[[dict[str, str]], Body]] = {
    "Identify": _identify,
    "ListMetadataFormats": _list_metadata_formats,
    "ListSets": _list_sets,
    "GetRecord": _get_record,
    "ListIdentifiers": _lister(with_metadata=False),
    "ListRecords": _lister(with_metadata=True),
}


# --------------------------------------------------------------------------- writing


def _q(name: str) -> str:
    return f"{{{OAI_NS}}}{name}"


def _leaf(xf: Any, name: str, text: str, attrs: dict[str, str] | None = None) -> None:
    with xf.element(_q(name), attrs or {}):
        if text:
            xf.write(text)


def _header(xf: Any, header: Header) -> None:
    attrs = {"status": "deleted"} if header.deleted else {}
    with xf.element(_q("header"), attrs):
        _leaf(xf, "identifier", header.identifier)
        _leaf(xf, "datestamp", records.datestamp_text(header.datestamp))
        _leaf(xf, "setSpec", header.set_spec)


def _record(
    xf: Any,
    out: _Out,
    header: Header,
    fmt: records.MetadataFormat,
    dc: dict[int, list[tuple[str, str]]] | None = None,
) -> Iterator[bytes]:
    """One record; ``dc``: the Dublin Core of the page's records, when read in one go."""
    with xf.element(_q("record")):
        _header(xf, header)
        collection = header.collection
        if collection is not None:
            with xf.element(_q("metadata")):
                if fmt.export is None:
                    if dc is None:
                        dc = records.dublin_core([collection], origin=out.origin)
                    xf.write(_dublin_core(dc.get(collection.pk, [])))
                else:
                    xf.flush()
                    yield out.take()
                    yield from records.ead_chunks(collection, fmt.export)


def _dublin_core(elements: list[tuple[str, str]]) -> etree._Element:
    dc = etree.Element(
        f"{{{OAI_DC_NS}}}dc",
        nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS},
        attrib={
            f"{{{XSI_NS}}}schemaLocation": f"{OAI_DC_NS} "
            "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
        },
    )
    for name, text in elements:
        etree.SubElement(dc, f"{{{DC_NS}}}{name}").text = text
    return dc


def _write(plan: _Plan, base_url: str) -> Iterator[bytes]:
    out = _Out(base_url)
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(
            _q("OAI-PMH"),
            {f"{{{XSI_NS}}}schemaLocation": _SCHEMA},
            nsmap={None: OAI_NS, "xsi": XSI_NS},
        ):
            _leaf(xf, "responseDate", records.datestamp_text(timezone.now()))
            _leaf(xf, "request", base_url, plan.request_args)
            if plan.errors:
                for error in plan.errors:
                    _leaf(xf, "error", error.message, {"code": error.code})
            elif plan.body is not None:
                yield from plan.body(xf, out)
    yield out.take()
