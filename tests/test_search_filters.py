"""Search filters never lie (issue #9): a filter that matches nothing gives no hits, unknown labels
and modalities are one-line errors, and every hit satisfies every filter.

Before the fix, Whoosh silently ignored a filter whose record set was empty, so
``--entity money --product "xprotect corporate"`` returned unfiltered hits.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eula_parse import ClauseIndex
from eula_parse.index import duration_days
from eula_parse.index.query import ENTITY_LABELS, MODALITIES

from conftest_search import ENGINE_PARAMS, MARKER_WORD, run_eula, synthetic_document


@pytest.fixture(scope="module", params=ENGINE_PARAMS)
def engine(request):
    """Every test on an index runs once per engine."""
    return request.param


@pytest.fixture(scope="module")
def milestone_index(tmp_path_factory, doc_2024, doc_2025, engine):
    path = tmp_path_factory.mktemp(f"filters-{engine}") / "index"
    with ClauseIndex(path, engine=engine) as ix:
        ix.add(doc_2024)
        ix.add(doc_2025)
    return path


@pytest.mark.parametrize("filters", [
    ["--entity", "money", "--product", "xprotect corporate"],
    ["--entity", "duration>=P100Y"],
    ["--product", "xprotect access", "--general"],
])
def test_a_filter_that_matches_nothing_gives_no_hits(milestone_index, filters):
    out = run_eula("search", "fees", *filters, "--index", str(milestone_index))
    assert out.returncode == 1, out.stdout
    assert out.stdout == "" and "no matches" in out.stderr
    data = json.loads(run_eula("search", "fees", *filters, "--json", "--index", str(milestone_index)).stdout)
    assert data["hits"] == [] and data["total"] == 0


@pytest.mark.parametrize("filters, message", [
    (["--modality", "disclaimr"], "unknown modality 'disclaimr': use one of permission, obligation, "
                                  "prohibition, restriction, disclaimer; did you mean disclaimer?"),
    (["--entity", "FOO"], "unknown entity label 'FOO': use one of PRODUCT, LIMIT, DURATION"),
    (["--entity", "durations>=P1Y"], "unknown entity label 'durations'"),
])
def test_unknown_modality_or_label_is_a_one_line_error(milestone_index, filters, message):
    out = run_eula("search", "fees", *filters, "--index", str(milestone_index))
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and out.stderr.startswith("error: ") and message in out.stderr


def test_labels_and_modalities_are_the_taggers():
    """The index keeps its own copy of the label list (it must not load spaCy); they must agree."""
    from eula_parse.cli.entities import LABELS as CLI_LABELS
    from eula_parse.entities import LABELS

    assert ENTITY_LABELS == LABELS == CLI_LABELS
    assert set(MODALITIES) == {"permission", "obligation", "prohibition", "restriction", "disclaimer"}


def test_all_words_requires_every_word(milestone_index):
    def words_of(hit):
        return " ".join(filter(None, (hit.text, hit.heading, hit.product))).lower()

    with ClauseIndex(milestone_index, create=False) as ix:
        loose = ix.search("camera licenses", count=True, limit=1000)
        strict = ix.search("camera licenses", count=True, limit=1000, all_words=True)
    assert 0 < strict.total < loose.total
    assert all("camera" in words_of(h) and "licen" in words_of(h) for h in strict)
    assert any(("camera" in words_of(h)) != ("licen" in words_of(h)) for h in loose)
    out = run_eula("search", "camera", "licenses", "--all-words", "--json", "--index", str(milestone_index))
    assert json.loads(out.stdout)["total"] == strict.total


# -- property: filters against a brute-force count over the stored records -------------------

DOCS = 4


@pytest.fixture(scope="module")
def synthetic_index(tmp_path_factory, engine):
    """Four synthetic agreements (no PDFs): 3 products x 6 clauses each, durations and modalities."""
    path = tmp_path_factory.mktemp(f"property-{engine}") / "index"
    documents = [synthetic_document(n) for n in range(DOCS)]
    with ClauseIndex(path, engine=engine) as ix:
        for doc in documents:
            ix.add(doc)
    return path, documents


def brute_force(documents, product, general, durations, modalities):
    """(document id, node id) of every node that passes all the filters, straight from the Documents."""
    out = set()
    for doc in documents:
        for product_obj in doc.products:
            for node in [product_obj, *product_obj.clauses]:
                yield_node = not general and (product is None or product_obj.id == f"product/{product}")
                if yield_node and _passes(node, durations, modalities):
                    out.add((doc.id, node.id))
        if product is None:
            for node in [*doc.preamble, *doc.all_sections()]:
                if _passes(node, durations, modalities):
                    out.add((doc.id, node.id))
    return out


def _passes(node, durations, modalities):
    days = [duration_days(e.value["iso"]) for e in node.entities if e.label == "DURATION"]
    for op, limit in durations:
        if not any(d is not None and (d >= limit if op == ">=" else d <= limit) for d in days):
            return False
    return not modalities or bool(set(modalities) & set(node.modality))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    product=st.sampled_from([None, "tool-1", "tool-2", "tool-3"]),
    general=st.booleans(),
    durations=st.lists(st.tuples(st.sampled_from([">=", "<="]), st.sampled_from([10, 25, 40, 60, 1000])),
                       max_size=2),
    modalities=st.lists(st.sampled_from(["permission", "restriction", "obligation"]), max_size=2, unique=True),
)
def test_every_hit_satisfies_every_filter(synthetic_index, product, general, durations, modalities):
    path, documents = synthetic_index
    entity = [f"duration{op}P{days}D" for op, days in durations]
    with ClauseIndex(path, create=False) as ix:
        hits = ix.search(MARKER_WORD, product=product, general=general, entity=entity, modality=modalities,
                         limit=1000, count=True, fuzzy=False)
    expected = brute_force(documents, product, general, durations, modalities)
    assert {(h.document, h.id) for h in hits} == expected
    assert hits.total == len(expected)


def test_search_json_keys_are_always_present(milestone_index):
    """Stable JSON: every key in every hit, null when empty; --jsonl streams the same records."""
    out = run_eula("search", "governing", "law", "--general", "--json", "--index", str(milestone_index))
    data = json.loads(out.stdout)
    assert data["corrected"] is None and data["total"] >= len(data["hits"]) > 0
    keys = list(data["hits"][0])
    assert all(list(h) == keys for h in data["hits"])
    general = data["hits"][0]
    assert general["product"] is None and general["product_id"] is None and general["group"] is None
    assert general["qualified_id"] == f"{general['document']}@20250425:{general['id']}"
    lines = run_eula("search", "governing", "law", "--general", "--jsonl", "--index",
                     str(milestone_index)).stdout.splitlines()
    assert [json.loads(line) for line in lines] == data["hits"]
