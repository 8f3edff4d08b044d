"""Files shaped like real downloads, read through the command line as a user would.

The fixtures in ``tests/fixtures/exports/`` and their ``MANIFEST.json`` were written from public
examples of WeChat exports and payloads (each case names its source), blind to wxtime's readers,
by ``make_fixtures.py``, which also computed every expected number from the data it wrote. Each
case is one command; a read must give exactly the manifest's pushes, slots and counts, and a
refusal must exit 2 with one message naming the file (and the row and column) and no traceback.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from wxtime.cli import main

HERE = Path(__file__).parent / "fixtures" / "exports"
MANIFEST = json.loads((HERE / "MANIFEST.json").read_text(encoding="utf-8"))


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("case", MANIFEST, ids=[c["id"] for c in MANIFEST])
def test_download_shaped_file(case, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(HERE)
    out_path = tmp_path / "out.csv"
    args = [a.replace("{OUT}", str(out_path)) for a in case["args"]]
    code, out, err = run(args, capsys)
    for text in case.get("stderr_not_contains", []):
        assert text not in err and text not in out, (text, err)
    if case["expect"] == "refuse":
        assert code == 2, (code, out, err)
        assert err.startswith("wxtime: error: "), err
        for text in case.get("stderr_contains", []):
            assert text in err, (text, err)
        for options in case.get("stderr_contains_any", []):
            assert any(o.lower() in err.lower() for o in options), (options, err)
        for pattern in case.get("stderr_regex", []):
            assert re.search(pattern, err), (pattern, err)
        assert not out_path.exists()
        return
    assert code == 0, err
    if args[0] == "aggregate":
        table = pd.read_csv(out_path, dtype={"push_id": str})
        assert len(table) == case.get("out_csv_rows", case["pushes"])
        for push_id, expected in case.get("per_push", {}).items():
            row = table.set_index("push_id").loc[push_id]
            for column, value in expected.items():
                assert row[column] == value, (push_id, column, row[column], value)
        return
    result = json.loads(out)
    text = json.dumps(result, ensure_ascii=False)
    assert result["pushes"] == case["pushes"]
    if "slot_pushes" in case:
        assert result["slot_pushes"] == case["slot_pushes"]
    if "delivered" in case:
        assert result["totals"]["delivered"] == case["delivered"]
    if "opened" in case:
        assert result["totals"]["opened"] == case["opened"]
    if "time_sources_sum" in case:
        assert sum(result["time_sources"].values()) == case["time_sources_sum"]
    for mention in case.get("json_mentions", []):
        assert mention in text, (mention, text)
    for options in case.get("json_mentions_any", []):
        assert any(o.lower() in text.lower() for o in options), (options, text)
