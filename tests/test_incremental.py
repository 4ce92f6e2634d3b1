"""The analysis cache (incremental.py, cache.py, citations_by_document.py): a run from the cache reports exactly
what a run without it reports, and an edit recomputes exactly what depends on it.

The issue is the repository's demo issue (six real-shaped manuscripts in .md, .docx and .tex, a Zotero-style
.bib, the concept vocabulary), copied so that tests may edit it. Correctness only: speed is measured in benchmarks/.
"""
from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

import pytest

from issue import pipeline
from issue.pipeline import ANALYSES, PER_DOCUMENT, Context, findings, json_extra, resolve, run_checks
from issue.project import load_issue

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    root.mkdir()
    for name in ("issue.toml", "concepts.toml"):
        shutil.copy(REPO / name, root / name)
    for folder in ("papers", "bibliography"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def checked(root: Path, cache: bool = True, memo: bool = True) -> Context:
    issue, manifest = load_issue(root)
    ctx = Context(issue=issue, cache_dir=root / "build" / ".cache" if cache else None)
    ctx.diagnostics.extend(manifest)
    run_checks(ctx, memo=memo)
    return ctx


def whole(root: Path) -> Context:
    """Every analysis on the whole issue at once, as each module's analyse() does it: the reference."""
    issue, manifest = load_issue(root)
    ctx = Context(issue=issue, cache_dir=None)
    ctx.diagnostics.extend(manifest)
    pipeline.load_manuscripts(ctx)
    pipeline.load_bibliography(ctx)
    for name, target in ANALYSES:
        result = resolve(target)(ctx)
        ctx.results[name] = result
        ctx.diagnostics.extend(result.diagnostics)
    return ctx


def report(ctx: Context) -> tuple[list, dict]:
    """What a user sees: every finding with all its fields, and the records `--format json` prints (citation
    groups as the partition they make, since only their sameness means anything)."""
    diags = [(d.to_json(), d.context, d.context_start) for d in findings(ctx).items]
    extra = json_extra(ctx)
    for name, records in extra.items():
        if name == "citations":
            first: dict = {}
            for r in records:
                r["group"] = first.setdefault((r["contribution"], r["group"]), len(first))
    return diags, extra


def codes(ctx: Context) -> set[str]:
    return {d.code for d in findings(ctx).items}


class Spy:
    """Records which manuscripts each per-document analysis is given."""

    def __init__(self, monkeypatch):
        self.calls: dict[str, list[str]] = {}
        for name in PER_DOCUMENT:
            per = resolve(PER_DOCUMENT[name])
            monkeypatch.setattr(per, "documents", self._wrap(name, per.documents))

    def _wrap(self, name, fn):
        def spy(ctx, state, items):
            self.calls.setdefault(name, []).extend(cid for cid, _, _ in items)
            return fn(ctx, state, items)

        return spy


@pytest.fixture
def serial(monkeypatch):
    monkeypatch.setenv("ISSUE_WORKERS", "1")


def test_document_by_document_equals_the_whole_issue_at_once(demo, serial):
    reference = whole(demo)
    assert report(checked(demo, cache=False, memo=False)) == report(reference)
    assert {"C201", "C202", "X301"} <= codes(reference)  # the demo's planted mistakes are there to be compared


def test_a_warm_check_reads_no_manuscript_and_runs_no_analysis(demo, serial, monkeypatch):
    cold = report(checked(demo))
    import issue.citations.analysis as citations
    import issue.manuscripts.readers as readers
    from issue import pandoc

    def refuse(*args, **kwargs):
        raise AssertionError("a warm check should need neither pandoc nor the analyses")

    monkeypatch.setattr(citations, "analyse", refuse)
    monkeypatch.setattr(readers, "read_manuscript", refuse)
    monkeypatch.setattr(pandoc, "run", refuse)  # the JSON report's extras may load a document: from the cache
    spy = Spy(monkeypatch)
    warm = checked(demo)
    assert spy.calls == {}
    assert not any(warm.documents.is_loaded(cid) for cid in warm.documents)
    assert report(warm) == cold


def test_build_mode_from_the_cache_gives_the_records_and_tables_of_a_cold_run(demo, serial):
    checked(demo, memo=False)
    again = checked(demo, memo=False)
    cold = checked(demo, cache=False, memo=False)
    assert report(again) == report(cold)
    assert again.results["crossrefs"].extra == cold.results["crossrefs"].extra
    assert again.results["citations"].extra["cited"] == cold.results["citations"].extra["cited"]
    from issue.concepts.index import render_text

    assert render_text(again.results["concepts"].extra["index"]) == render_text(cold.results["concepts"].extra["index"])
    pages = {o.anchor: str(n // 40 + 1) for n, o in enumerate(cold.results["concepts"].records)}
    printed = render_text(cold.results["concepts"].extra["paged"](pages))
    assert render_text(again.results["concepts"].extra["paged"](pages)) == printed and "cooperation" in printed


def test_a_changed_manuscript_is_analysed_again_alone(demo, serial, monkeypatch):
    checked(demo)
    paper = demo / "papers" / "jones.md"
    paper.write_text(paper.read_text(encoding="utf-8").replace(
        "\n\n", "\n\nRegional cooperation has limits (Keohane 1984; Smiht 1999).\n\n", 1), encoding="utf-8")
    spy = Spy(monkeypatch)
    after = checked(demo)
    assert spy.calls == {"citations": ["jones"], "crossrefs": ["jones"], "concepts": ["jones"]}
    assert report(after) == report(whole(demo))
    assert any(d.location.file == "papers/jones.md" and "Smiht" in (d.excerpt or "") for d in findings(after).items)


def test_after_one_change_the_bibliography_comes_with_the_cached_resolver(demo, serial, monkeypatch):
    checked(demo)
    paper = demo / "papers" / "jones.md"
    paper.write_text(paper.read_text(encoding="utf-8") + "\nRegional cooperation has limits (Keohane 1984).\n",
                     encoding="utf-8")
    from issue.citations import resolve as resolver_module

    def refuse(*args, **kwargs):
        raise AssertionError("should come from the cache")

    monkeypatch.setattr(pipeline, "load_bibliography", refuse)  # the .bib is not parsed or unpickled again
    monkeypatch.setattr(resolver_module.Resolver, "__init__", refuse)  # nor the resolver built again
    after = checked(demo)
    monkeypatch.undo()
    assert report(after) == report(whole(demo))


def test_an_edit_that_makes_two_contributions_disagree_is_found_with_the_others_from_the_cache(demo, serial):
    checked(demo)
    paper = demo / "papers" / "mulloy.md"  # three others write "(HIPPO 2015)"; Mulloy did not cite it
    text = paper.read_text(encoding="utf-8")
    at = text.index("\n# ", text.index("\n# ") + 1)  # before the second section
    paper.write_text(text[:at] + "\nPartnership became the theme of the review (United Nations High-Level "
                     "Independent Panel on Peace Operations 2015).\n" + text[at:], encoding="utf-8")
    after = checked(demo)
    assert report(after) == report(whole(demo))
    assert [d.location.file for d in findings(after).items
            if d.code == "C212" and "HIPPO 2015" in d.message] == ["papers/mulloy.md"]


def test_a_changed_bibliography_reanalyses_the_citations_of_every_manuscript(demo, serial, monkeypatch):
    checked(demo)
    bib = next((demo / "bibliography").glob("*.bib"))
    text = bib.read_text(encoding="utf-8")
    head = text.index("@", text.index("@") + 1)  # drop the second entry: its citations become undefined
    end = text.index("\n@", head + 1)
    bib.write_text(text[:head] + text[end + 1:], encoding="utf-8")
    spy = Spy(monkeypatch)
    after = checked(demo)
    everyone = [cid for cid in after.documents]
    assert sorted(spy.calls["citations"]) == sorted(everyone)
    assert report(after) == report(whole(demo))


def test_a_changed_vocabulary_reanalyses_only_the_index(demo, serial, monkeypatch):
    checked(demo)
    (demo / "concepts.toml").write_text((demo / "concepts.toml").read_text(encoding="utf-8")
                                        + '\n[[concept]]\nheading = "animosity"\n', encoding="utf-8")
    spy = Spy(monkeypatch)
    after = checked(demo)
    assert set(spy.calls) == {"concepts"}
    assert sorted(spy.calls["concepts"]) == sorted(after.documents)
    assert report(after) == report(whole(demo))
    assert any(o.heading == "animosity" for o in after.results["concepts"].records)


def test_a_changed_manifest_option_is_not_served_from_the_cache(demo, serial):
    before = checked(demo)
    toml = demo / "issue.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('locator_style = ", 246"', 'locator_style = ": 246"'),
                    encoding="utf-8")
    after = checked(demo)
    assert report(after) == report(whole(demo))

    def locator_findings(ctx):
        return {(d.location.file, d.excerpt) for d in findings(ctx).items if d.code == "C209"}

    assert locator_findings(after) and locator_findings(after) != locator_findings(before)


def test_a_manuscript_saved_during_the_run_is_not_cached_under_its_old_content(demo, serial, monkeypatch):
    import issue.manuscripts.readers as readers

    real = readers.identify

    def stale(root, rel, **kwargs):  # what the run saw before the author saved the file again
        return "0" * 64 if rel == "papers/jones.md" else real(root, rel, **kwargs)

    monkeypatch.setattr(readers, "identify", stale)
    during = checked(demo)
    assert report(during) == report(whole(demo))
    monkeypatch.setattr(readers, "identify", real)
    spy = Spy(monkeypatch)
    assert report(checked(demo)) == report(during)
    assert spy.calls == {"citations": ["jones"], "crossrefs": ["jones"], "concepts": ["jones"]}


def test_an_unreadable_cache_is_only_a_miss(demo, serial):
    cold = report(checked(demo))
    for p in (demo / "build" / ".cache").rglob("*.pickle"):
        p.write_bytes(b"not a pickle")
    assert report(checked(demo)) == cold


def test_a_manuscript_that_cannot_be_read_any_more_is_reported_not_served(demo, serial):
    checked(demo)
    (demo / "papers" / "jones.md").write_bytes(b"\xff\xfe\x00 not text")
    after = checked(demo)
    assert report(after) == report(whole(demo))


def test_everything_cached_reads_back_through_the_safe_loader(demo, serial, monkeypatch):
    checked(demo, memo=False)
    paper = demo / "papers" / "jones.md"
    paper.write_text(paper.read_text(encoding="utf-8") + "\nFunctional cooperation deepens (Mitrany 1966).\n",
                     encoding="utf-8")
    from issue import safe_pickle
    from issue.concepts import variants

    def refuse(*args, **kwargs):
        raise AssertionError("the compiled vocabulary should come from the cache")

    monkeypatch.setattr(variants, "forms_of", refuse)  # compiling the matcher again would call it
    after = checked(demo, memo=False)
    assert report(after) == report(whole(demo))
    values = list((demo / "build" / ".cache").rglob("*.pickle"))
    assert len(values) > 30
    for p in values:
        with p.open("rb") as fh:
            safe_pickle.load(fh)  # raises on anything but the package's classes and plain containers


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="worker processes need fork")
def test_worker_processes_give_what_one_process_gives(demo, monkeypatch):
    # nine manuscripts (the six, and three of them again under other ids) so that the work is shared out
    toml = demo / "issue.toml"
    text = toml.read_text(encoding="utf-8")
    extra = []
    for n, name in enumerate(("jones.md", "cook.docx", "hirono.tex")):
        shutil.copy(demo / "papers" / name, demo / "papers" / f"copy{n}{Path(name).suffix}")
        extra.append(f'[[contributions]]\nid = "copy{n}"\nfile = "papers/copy{n}{Path(name).suffix}"\n'
                     f'title = "Copy {n}"\nauthors = [{{ name = "Kim Copy{n}" }}]\n')
    at = text.index("[[contributions]]")
    toml.write_text(text[:at] + "\n".join(extra) + "\n" + text[at:], encoding="utf-8")
    from issue import incremental

    monkeypatch.setattr(incremental, "MIN_PARALLEL", 2)
    monkeypatch.setattr(incremental, "BATCH", 3)
    monkeypatch.setenv("ISSUE_WORKERS", "2")
    parallel = checked(demo)
    monkeypatch.setenv("ISSUE_WORKERS", "1")
    assert report(parallel) == report(checked(demo, cache=False))
    assert report(checked(demo)) == report(parallel)  # and from what the workers cached


def test_check_prints_the_same_from_the_cache(demo, cli):
    first = cli(["check", "--format", "json"], demo)
    second = cli(["check", "--format", "json"], demo)
    assert (first.code, first.stdout) == (second.code, second.stdout)
    text1, text2 = cli(["check"], demo), cli(["check"], demo)
    assert text1.stdout == text2.stdout and text1.stdout.splitlines()[-1].startswith("found ")


def test_store_keeps_the_newest_values_and_digests_are_stable(tmp_path, monkeypatch):
    from issue import cache

    monkeypatch.setattr(cache, "KEEP", 3)
    store = cache.Store(tmp_path)
    for i in range(5):
        store.put("kind", f"k{i}", {"value": i})
    assert store.get("kind", "k4") == {"value": 4}
    assert store.get("kind", "k0") is None
    assert len(list((tmp_path / cache.ROOT / "kind").glob("*.pickle"))) == 3
    assert cache.digest("a", [1, 2], b"x") == cache.digest("a", [1, 2], b"x") != cache.digest("a", [1, 2], b"y")
    assert cache.Store(None).get("kind", "k4") is None
