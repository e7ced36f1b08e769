"""``python -m archive.ead convert|validate``: what a user running it sees, without Django.

The corpus test converts every well-formed corpus file to both versions through the command
line and checks, independently of the command's own checks, that the output is valid against
the official schema and that every word of the input's text is still there.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from archive.ead import Unit, cli
from archive.ead.schemas import SchemaSet
from archive.ead.testing import generate_finding_aid
from archive.ead.words import describe_lost, document_words, lost_text, text_words
from tests.corpus import CORPUS_DIR, REPO, SCHEMA_DIR, corpus_files

from .conftest import schema

MALFORMED = "umich-mismatched-tags.xml"  # a corpus file the MANIFEST marks as not well-formed
NAMESPACES = {"2002": "urn:isbn:1-931666-22-9", "3": "http://ead3.archivists.org/schema/"}


def run(*args: str) -> int:
    return cli.main([*args, "--schemas", str(SCHEMA_DIR)])


def parse(path: Path) -> etree._ElementTree:
    return etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))


# -- the corpus, both ways -------------------------------------------------------------------


@pytest.mark.parametrize("target", ["ead3", "ead2002"])
@pytest.mark.slow
@pytest.mark.parametrize("name", corpus_files(well_formed=True))
def test_corpus_file_converts_to_valid_output_keeping_every_word(
    name: str, target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], corpus_dir: Path
) -> None:
    source = corpus_dir / name
    output = tmp_path / name
    status = run("convert", str(source), "--to", target, "-o", str(output))
    summary = capsys.readouterr().out.strip()

    version = cli.TARGETS[target]
    assert status == 0, summary
    assert summary.startswith(f"{source}: ")
    assert summary.endswith(", valid"), summary
    assert f"-> {cli.LABELS[version]}," in summary
    doc = parse(output)
    assert etree.QName(doc.getroot()).namespace == NAMESPACES[version]
    xsd = schema(version)
    assert xsd.validate(doc), "\n".join(str(e) for e in list(xsd.error_log)[:10])
    kept = document_words(output)
    lost = document_words(source) - kept
    where = "\n".join(str(text) for text in lost_text(source, kept))
    assert not lost, f"{name} -> {target}: {describe_lost(lost, shown=25)}\n{where}"


def test_corpus_manifest_lists_the_files() -> None:
    # the parametrised test above must not silently run on nothing
    assert len(corpus_files(well_formed=True)) >= 30, CORPUS_DIR


# -- convert: one file -----------------------------------------------------------------------


def test_default_target_is_the_other_version(tmp_path: Path, corpus_dir: Path, capsys) -> None:
    ead3 = tmp_path / "three.xml"
    back = tmp_path / "back.xml"
    assert run("convert", str(corpus_dir / "arclight-pc0170.xml"), "-o", str(ead3)) == 0
    assert run("convert", str(ead3), "-o", str(back)) == 0
    first, second = capsys.readouterr().out.splitlines()
    assert "EAD 2002 -> EAD3, 6 components, 0 warnings, valid" in first
    assert "EAD3 -> EAD 2002, 6 components, 0 warnings, valid" in second
    assert etree.QName(parse(ead3).getroot()).namespace == NAMESPACES["3"]
    assert etree.QName(parse(back).getroot()).namespace == NAMESPACES["2002"]


def test_without_output_the_file_goes_to_stdout_and_the_summary_to_stderr(
    corpus_dir: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    # capfd: the converted bytes are written to the real standard output
    assert run("convert", str(corpus_dir / "cul-from_did_daogrp.xml")) == 0
    out, err = capfd.readouterr()
    doc = etree.fromstring(out.encode())
    assert schema("3").validate(doc)
    assert err.strip().endswith("3 components, 1 warning, valid")


def test_output_into_an_existing_folder_keeps_the_name(tmp_path: Path, corpus_dir: Path) -> None:
    assert run("convert", str(corpus_dir / "arclight-pc0170.xml"), "-o", str(tmp_path)) == 0
    assert schema("3").validate(parse(tmp_path / "arclight-pc0170.xml"))


def test_check_words_reports_none_lost(tmp_path: Path, corpus_dir: Path, capsys) -> None:
    source = corpus_dir / "arclight-pc0170.xml"
    assert run("convert", str(source), "-o", str(tmp_path / "x.xml"), "--check-words") == 0
    assert capsys.readouterr().out.strip().endswith("valid, 0 words lost")


def test_check_words_fails_the_file_that_lost_words(
    tmp_path: Path, corpus_dir: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a writer that drops the collection's title: the command must notice and fail the file
    real = cli.WRITERS["3"]

    def without_title(records):
        for record in records:
            if isinstance(record, Unit) and record.depth == 0:
                record = dataclasses.replace(record, title="Untitled", title_text="Untitled")
            yield record

    def forgetful(records, out, **options):
        real(without_title(records), out, **options)

    monkeypatch.setitem(cli.WRITERS, "3", forgetful)
    source = corpus_dir / "arclight-pc0170.xml"
    output = tmp_path / "x.xml"
    assert run("convert", str(source), "-o", str(output), "--check-words") == 1
    summary, *where = capsys.readouterr().out.splitlines()
    assert "valid, " in summary and "words lost: " in summary, summary
    assert where and where[0].startswith("  lost from input line ")
    assert all("(missing: " in line for line in where), where
    assert output.exists()  # valid, so written; the lost words are reported and fail the run


def test_malformed_input_gives_file_line_column_and_no_traceback(
    tmp_path: Path, corpus_dir: Path, capsys
) -> None:
    source = corpus_dir / MALFORMED
    assert run("convert", str(source), "-o", str(tmp_path / "out.xml")) == 1
    captured = capsys.readouterr()
    assert captured.out.strip() == (
        f"{source}:34:18: Opening and ending tag mismatch: titlestmt line 10 and filedesc"
    )
    assert "Traceback" not in captured.out + captured.err
    assert not (tmp_path / "out.xml").exists()


def test_not_ead_is_reported(tmp_path: Path, capsys) -> None:
    source = tmp_path / "page.xml"
    source.write_text("<html><body><p>Not a finding aid</p></body></html>")
    assert run("convert", str(source), "-o", str(tmp_path / "out.xml")) == 1
    assert capsys.readouterr().out.strip() == f"{source}:1: root element is <html>, not <ead>"


def test_invalid_output_is_reported_and_not_written(
    tmp_path: Path, corpus_dir: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_writer(records, out, **options):
        for _ in records:
            pass
        out.write(
            b'<ead xmlns="http://ead3.archivists.org/schema/">\n'
            b"<control/>\n<archdesc level='collection'><did/><bogus/></archdesc></ead>\n"
        )

    monkeypatch.setitem(cli.WRITERS, "3", broken_writer)
    output = tmp_path / "out.xml"
    output.write_bytes(b"an earlier good conversion")
    status = run("convert", str(corpus_dir / "arclight-pc0170.xml"), "-o", str(output))
    lines = capsys.readouterr().out.splitlines()
    assert status == 1
    assert "INVALID EAD3 output, not written" in lines[0]
    assert any(line.startswith("  output line 2:") and "control" in line for line in lines)
    assert output.read_bytes() == b"an earlier good conversion"
    assert not [p for p in tmp_path.iterdir() if p.name != "out.xml"]  # no scratch file left


def test_output_may_not_overwrite_the_input(tmp_path: Path, corpus_dir: Path, capsys) -> None:
    source = tmp_path / "fa.xml"
    shutil.copy(corpus_dir / "arclight-pc0170.xml", source)
    assert run("convert", str(source), "-o", str(source)) == 2
    assert "would overwrite the input" in capsys.readouterr().err
    assert source.read_bytes() == (corpus_dir / "arclight-pc0170.xml").read_bytes()


def test_output_folder_must_exist_for_a_file(tmp_path: Path, corpus_dir: Path, capsys) -> None:
    output = tmp_path / "missing" / "out.xml"
    assert run("convert", str(corpus_dir / "arclight-pc0170.xml"), "-o", str(output)) == 2
    assert f"{output.parent}: no such folder for the output" in capsys.readouterr().err


def test_validate_reports_files_it_cannot_read(tmp_path: Path, capsys) -> None:
    assert run("validate", str(tmp_path / "gone.xml")) == 2
    assert f"{tmp_path / 'gone.xml'}: no such file or folder" in capsys.readouterr().err
    report = SchemaSet.find(SCHEMA_DIR).validate_file(tmp_path / "gone.xml")  # the library
    assert [e.message for e in report.errors] == ["cannot read: No such file or directory"]


def test_missing_schemas_are_a_clear_usage_error(
    tmp_path: Path, corpus_dir: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = str(corpus_dir / "arclight-pc0170.xml")
    missing = tmp_path / "no-schemas"
    assert cli.main(["convert", source, "-o", str(tmp_path / "x"), "--schemas", str(missing)]) == 2
    err = capsys.readouterr().err
    assert f"EAD schema folder not found: {missing} (from --schemas)" in err
    assert "FONDS_SCHEMA_DIR" in err and "Traceback" not in err

    monkeypatch.setenv("FONDS_SCHEMA_DIR", str(missing))
    assert cli.main(["validate", source]) == 2
    assert f"not found: {missing} (from FONDS_SCHEMA_DIR)" in capsys.readouterr().err


# -- convert: a folder -----------------------------------------------------------------------


def test_folder_converts_each_file_and_reports_the_failures(
    tmp_path: Path, corpus_dir: Path, capsys
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("arclight-pc0170.xml", "ncsu-mc00042.xml", MALFORMED):
        shutil.copy(corpus_dir / name, inputs / name)
    (inputs / "notes.txt").write_text("not XML, not *.xml: ignored")
    outputs = tmp_path / "out"

    assert run("convert", str(inputs), "-o", str(outputs)) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "arclight-pc0170.xml: EAD 2002 -> EAD3, 6 components, 0 warnings, valid",
        "ncsu-mc00042.xml: EAD3 -> EAD 2002, 226 components, 2 warnings, valid",
        f"{MALFORMED}:34:18: Opening and ending tag mismatch: titlestmt line 10 and filedesc",
        "2 of 3 files converted",
    ]
    assert sorted(p.name for p in outputs.iterdir()) == ["arclight-pc0170.xml", "ncsu-mc00042.xml"]
    assert schema("3").validate(parse(outputs / "arclight-pc0170.xml"))
    assert schema("2002").validate(parse(outputs / "ncsu-mc00042.xml"))


def test_folder_needs_an_output_folder_other_than_itself(tmp_path: Path, capsys) -> None:
    (tmp_path / "a.xml").write_text("<ead/>")
    assert run("convert", str(tmp_path)) == 2
    assert "needs -o FOLDER" in capsys.readouterr().err
    assert run("convert", str(tmp_path), "-o", str(tmp_path)) == 2
    assert "the output folder is the input folder" in capsys.readouterr().err


# -- validate --------------------------------------------------------------------------------


def with_line_inserted(source: Path, target: Path, after_text: bytes, insert: bytes) -> int:
    """Copy ``source`` with ``insert`` on a line of its own after the first ``after_text``;
    returns the inserted line's number."""
    data = source.read_bytes()
    at = data.index(after_text) + len(after_text)
    target.write_bytes(data[:at] + b"\n" + insert + b"\n" + data[at:])
    return data[:at].count(b"\n") + 2


def test_validate_names_the_line_of_each_error(tmp_path: Path, corpus_dir: Path, capsys) -> None:
    good = corpus_dir / "arclight-pc0170.xml"
    bad = tmp_path / "bad.xml"
    line = with_line_inserted(good, bad, b"</unittitle>", b"<bogus>x</bogus>")

    assert cli.main(["validate", str(good), str(bad), "--schemas", str(SCHEMA_DIR)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{good}: valid (EAD 2002, ead2002/ead.xsd)"
    assert lines[1] == f"{bad}:{line}:0: Element 'bogus': This element is not expected."
    assert lines[-1] == "1 of 2 files valid"


def test_validate_checks_dtd_style_files_against_the_dtd(corpus_dir: Path, capsys) -> None:
    lha = corpus_dir / "umich-lha.xml"  # EAD 2002 without namespace
    hayward = corpus_dir / "saa-e2e3-beinecke.hayward_ead3DTD_MR.xml"  # EAD3, DOCTYPE
    assert run("validate", str(lha), str(hayward)) == 0
    assert capsys.readouterr().out.splitlines()[:2] == [
        f"{lha}: valid (EAD 2002, ead2002/ead.dtd)",
        f"{hayward}: valid (EAD3, ead3/ead3.dtd)",
    ]


def test_validate_reports_malformed_files_with_line_and_column(corpus_dir: Path, capsys) -> None:
    source = corpus_dir / MALFORMED
    assert run("validate", str(source)) == 1
    assert capsys.readouterr().out.strip() == (
        f"{source}:34:18: Opening and ending tag mismatch: titlestmt line 10 and filedesc"
    )


def test_validate_refuses_truncated_files_and_stray_ampersands(
    tmp_path: Path, corpus_dir: Path, capsys
) -> None:
    """lxml's streamed schema check with entities unresolved reports no well-formedness error
    at all; such files must still come out as malformed, with their line."""
    good = (corpus_dir / "arclight-pc0170.xml").read_bytes()
    truncated = tmp_path / "truncated.xml"
    truncated.write_bytes(good[: good.index(b"</dsc>")])
    ampersand = tmp_path / "ampersand.xml"
    ampersand.write_bytes(good.replace(b"</unittitle>", b" && more</unittitle>", 1))

    assert run("validate", str(truncated), str(ampersand)) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{truncated}:") and "valid (" not in out[0]
    assert out[1].startswith(f"{ampersand}:") and "valid (" not in out[1]
    line = good[: good.index(b"</unittitle>")].count(b"\n") + 1
    assert out[1].startswith(f"{ampersand}:{line}:")
    assert out[-1] == "0 of 2 files valid"


def test_validate_finds_a_repeated_id_in_a_large_streamed_file(tmp_path: Path, capsys) -> None:
    # libxml2's streaming validation does not check xs:ID uniqueness; the loader must
    path = Path(generate_finding_aid(tmp_path / "big.xml", components=3000))
    data = path.read_bytes()
    assert data.count(b'id="s3"') == 1
    path.write_bytes(data.replace(b'id="s3"', b'id="s1"'))
    assert run("validate", str(path)) == 1
    out = capsys.readouterr().out
    assert "attribute 'id': 's1' is not a valid value of the atomic type 'xs:ID'" in out


def test_schemas_are_shared_and_safe_across_threads() -> None:
    valid = (CORPUS_DIR / "arclight-pc0170.xml").read_bytes()
    invalid = valid.replace(b"</unittitle>", b"</unittitle><bogus/>", 1)
    schemas = SchemaSet.find(SCHEMA_DIR)
    results: list[tuple[bool, bool]] = []

    def check(data: bytes) -> None:
        for _ in range(5):
            report = schemas.validate_file(data, filename="x.xml")
            results.append((data is valid, report.valid and not report.errors))
            if not report.valid:
                assert all("bogus" in e.message for e in report.errors), report.errors

    threads = [threading.Thread(target=check, args=(d,)) for d in (valid, invalid) * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 30
    assert all(expected == got for expected, got in results)


# -- words -----------------------------------------------------------------------------------


def test_document_words_counts_text_nodes_only() -> None:
    xml = (
        b"<ead><!-- a comment is not text --><p>Victor <emph>Serge</emph> "
        b'<emph render="bold">Victor</emph><?pi instruction?>, PAPERS</p><p audience="x"/></ead>'
    )
    assert document_words(xml) == Counter({"victor": 2, "serge": 1, "papers": 1})
    assert text_words(["ﬁle Ｓerge"]) == Counter({"file": 1, "serge": 1})  # NFKC, case-folded


def test_lost_text_names_the_dropped_statement() -> None:
    source = (
        b"<ead><eadheader><filedesc>stray header words</filedesc><p>Serge papers</p>"
        b"</eadheader><archdesc><p>Victor Serge papers</p></archdesc></ead>"
    )
    output = Counter({"victor": 1, "serge": 1, "papers": 1})
    lost = lost_text(source, output)
    assert [(t.path, t.text, dict(t.missing)) for t in lost] == [
        ("ead/eadheader/filedesc", "stray header words", {"stray": 1, "header": 1, "words": 1}),
        ("ead/eadheader/p", "Serge papers", {"serge": 1, "papers": 1}),
    ]


def test_describe_lost() -> None:
    assert describe_lost(Counter()) == "0 words lost"
    assert describe_lost(Counter({"serge": 2, "victor": 1})) == "3 words lost: 'serge'×2, 'victor'"


# -- no Django -------------------------------------------------------------------------------

NO_DJANGO = """
import importlib.abc, runpy, sys
class NoDjango(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "django" or name.startswith("django."):
            raise ImportError("Django is not installed here")
sys.meta_path.insert(0, NoDjango())
sys.path.insert(0, {repo!r})
sys.argv = ["python -m archive.ead", *{args!r}]
try:
    runpy.run_module("archive.ead", run_name="__main__", alter_sys=True)
finally:
    assert not any(m == "django" or m.startswith("django.") for m in sys.modules)
"""


def run_without_django(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "PYTHON"))}
    env["FONDS_SCHEMA_DIR"] = str(SCHEMA_DIR)
    script = NO_DJANGO.format(repo=str(REPO), args=list(args))
    return subprocess.run(
        [sys.executable, "-I", "-c", script],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_runs_without_django(tmp_path: Path, corpus_dir: Path) -> None:
    source = corpus_dir / "ncsu-mc00042.xml"
    done = run_without_django("convert", str(source), "-o", "out.xml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{source}: EAD3 -> EAD 2002, 226 components, 2 warnings, valid"
    assert schema("2002").validate(parse(tmp_path / "out.xml"))

    done = run_without_django("validate", "out.xml", str(corpus_dir / MALFORMED), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[0] == "out.xml: valid (EAD 2002, ead2002/ead.xsd)"
    assert "Traceback" not in done.stderr
