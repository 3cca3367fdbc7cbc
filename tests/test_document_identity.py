"""One agreement, one document; ids a user can paste back (issue #9).

The two Esri Master Agreements are versions of one agreement retitled between
them; two agreements that only share the generic title "LICENSE AGREEMENT" are
not. Hits print ``DOCUMENT@VERSION:ID``, which ``eula show`` takes back.
"""

from __future__ import annotations

import json
import re

import pytest

import eula_parse
from eula_parse import ClauseIndex, QueryError
from eula_parse.index.records import version_token

from conftest import REAL
from conftest_search import run_eula

ESRI_2018 = REAL / "esri_master-agreement-E204CW_2018-03-30.pdf"
ESRI_2019 = REAL / "esri_master-agreement-E204CW_2019-09-26.pdf"
ESRI_E300 = REAL / "esri_license-agreement-E204-E300_2015-06.pdf"
LIDOR = REAL / "lidorsystems_integralui-web_license-agreement_2024-04.pdf"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("identity") / "index"
    with ClauseIndex(path) as ix:
        for pdf in (ESRI_2018, ESRI_2019, ESRI_E300, LIDOR):
            ix.add(eula_parse.parse(pdf, tag=False), source=str(pdf))  # identity needs no entities
    return path


def test_retitled_versions_are_one_document(index_dir):
    with ClauseIndex(index_dir, create=False) as ix:
        docs = {d.source.rsplit("/", 1)[-1]: d for d in ix.documents()}
    old, new = docs[ESRI_2018.name], docs[ESRI_2019.name]
    assert old.title == "Master Agreement" and new.title == "Master Agreement Product and Services"
    assert old.document == new.document == "master-agreement"
    assert (old.latest, new.latest) == (False, True)


def test_a_shared_generic_title_alone_does_not_make_versions(index_dir):
    with ClauseIndex(index_dir, create=False) as ix:
        docs = {d.source.rsplit("/", 1)[-1]: d for d in ix.documents()}
    e300, lidor = docs[ESRI_E300.name], docs[LIDOR.name]
    assert e300.title.upper() == lidor.title.upper() == "LICENSE AGREEMENT"
    assert e300.document != lidor.document
    assert e300.latest and lidor.latest  # both searched by default


def test_diff_of_the_two_esri_versions_from_the_index(index_dir):
    out = run_eula("diff", "master-agreement@2018", "master-agreement@2019", "--stat", "--json",
                   "--index", str(index_dir))
    assert out.returncode == 1, out.stderr
    data = json.loads(out.stdout)
    with ClauseIndex(index_dir, create=False) as ix:
        docs = {d.source.rsplit("/", 1)[-1]: d for d in ix.documents()}
    assert data["old"]["version"] == docs[ESRI_2018.name].version
    assert data["new"]["version"] == docs[ESRI_2019.name].version
    assert data["total"] > 0


def test_hits_name_their_document_and_the_id_pastes_back(index_dir):
    out = run_eula("search", "warranty", "--limit", "20", "--index", str(index_dir))
    assert out.returncode == 0, out.stderr
    ids = [m.group(1) for m in re.finditer(r"^ *\d+\. (\S+)", out.stdout, re.M)]
    assert ids and all("@" in i and ":" in i for i in ids)
    assert len({i.split("@")[0] for i in ids}) > 1  # hits from several documents, each named
    for qualified in ids[:3]:
        shown = run_eula("show", qualified, "--json", "--index", str(index_dir))
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout)["qualified_id"] == qualified


def test_a_bare_id_in_two_documents_names_the_qualified_ones(index_dir):
    with ClauseIndex(index_dir, create=False) as ix:
        docs = {d.source.rsplit("/", 1)[-1]: d for d in ix.documents()}
        old_version, new_version = docs[ESRI_2018.name].version, docs[ESRI_2019.name].version
        old = ix.document("master-agreement", old_version)
        new = ix.document("master-agreement")
        other = ix.document(docs[ESRI_E300.name].document)
        node_id = sorted({n.id for n in new.nodes()} & {n.id for n in old.nodes()} & {n.id for n in other.nodes()})[0]
        with pytest.raises(QueryError) as err:
            ix.get(node_id)
        choices = str(err.value).split("e.g. ", 1)[1].split(", ")
        assert len(choices) >= 2
        for choice in choices:
            assert ix.get(choice).qualified_id == choice
        latest = ix.get(f"master-agreement:{node_id}")  # no version: the latest
        assert latest.document == "master-agreement" and latest.version == new_version
        older = ix.get(f"master-agreement@{version_token(old_version)}:{node_id}")
        assert older.version == old_version


def test_index_as_files_a_document_by_hand(tmp_path):
    from pdfgen import build_plain_pdf

    pdf = tmp_path / "renamed.pdf"
    build_plain_pdf(pdf, ["This agreement is between you and the Licensor.", "Licence grant",
                          "You may install the software on one computer."], title="Completely New Title",
                    headings=[1])
    index = tmp_path / "index"
    out = run_eula("index", str(pdf), "--as", "Old Agreement Name", "--index", str(index))
    assert out.returncode == 0, out.stderr
    with ClauseIndex(index, create=False) as ix:
        assert [(d.document, d.title) for d in ix.documents()] == [("old-agreement-name", "Completely New Title")]
