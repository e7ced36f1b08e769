"""Hostile XML: no entity expansion, no file or network access."""

from __future__ import annotations

import socket
import threading

from archive.ead import EADSyntaxError, read_ead, write_ead2002

HEADER = (
    "<eadheader><eadid>x</eadid><filedesc><titlestmt><titleproper>T</titleproper>"
    "</titlestmt></filedesc></eadheader>"
)


def _text_of(records) -> str:
    return repr(records)


def test_external_file_entity_is_not_read(tmp_path) -> None:
    doc = (
        '<?xml version="1.0"?><!DOCTYPE ead [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f"<ead>{HEADER}<archdesc level='collection'><did><unittitle>A &xxe; B</unittitle>"
        "</did></archdesc></ead>"
    )
    records = list(read_ead(doc.encode()))
    assert "root:" not in _text_of(records)
    out = tmp_path / "out.xml"
    write_ead2002(records, str(out))
    assert "root:" not in out.read_text()


def test_entity_bomb_is_not_expanded() -> None:
    entities = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE ead [{entities}]>'
        f"<ead>{HEADER}<archdesc level='collection'><did><unittitle>&a9;</unittitle>"
        "</did></archdesc></ead>"
    )
    # libxml2 either keeps the reference unexpanded or refuses the document outright
    try:
        records = list(read_ead(doc.encode()))
    except EADSyntaxError as exc:
        assert "amplification" in str(exc) or "entity" in str(exc).lower()
        return
    assert "lollol" not in _text_of(records)
    assert len(_text_of(records)) < 10_000


def test_network_dtd_is_never_fetched() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.5)
    port = server.getsockname()[1]
    connections: list[object] = []

    def accept() -> None:
        try:
            conn, _ = server.accept()
            connections.append(conn)
        except OSError:
            pass

    thread = threading.Thread(target=accept)
    thread.start()
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE ead SYSTEM "http://127.0.0.1:{port}/ead.dtd">'
        f'<ead>{HEADER}<archdesc level="collection"><did><unittitle>&eacute;t&eacute;'
        f"&remote;</unittitle></did></archdesc></ead>"
    )
    doc2 = (
        f'<?xml version="1.0"?><!DOCTYPE ead [<!ENTITY % p SYSTEM '
        f'"http://127.0.0.1:{port}/x.dtd"> %p;]><ead>{HEADER}<archdesc level="collection">'
        "<did><unittitle>x</unittitle></did></archdesc></ead>"
    )
    try:
        records = list(read_ead(doc.encode()))
        list(read_ead(doc2.encode()))
    finally:
        thread.join()
        server.close()
    assert connections == []
    # standard character entities of the (unloaded) DTD are still understood
    assert records[1].title_text == "été"
