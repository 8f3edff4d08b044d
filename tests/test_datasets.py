"""Shipped data: loadable, documented, and the synthetic study regenerates byte for byte."""

import hashlib

import pandas as pd

from wxtime.datasets import (
    NOON_STUDY_SEED,
    data_dir,
    load_facebook_metrics,
    load_noon_curves,
    load_noon_study,
    load_noon_truth,
    make_noon_study,
    write_study,
)


def test_replica_regenerates_byte_identical(tmp_path):
    written = write_study(make_noon_study(), tmp_path)
    for path in written:
        assert path.read_bytes() == (data_dir() / path.name).read_bytes(), path.name


def test_replica_shape():
    pushes = load_noon_study().frame
    assert len(pushes) == 70
    assert pushes.groupby("slot").size().to_dict() == {
        s: 14 for s in ["07:30", "12:00", "18:00", "21:00", "22:30"]
    }
    assert pushes["sent_at"].min().strftime("%Y-%m-%d") == "2024-06-03"
    assert 2800 < pushes["delivered"].iloc[0] < 3000 < 5000 < pushes["delivered"].iloc[-1]
    assert make_noon_study().seed == NOON_STUDY_SEED


def test_curves_and_truth_match_the_pushes():
    pushes, curves, truth = load_noon_study().frame, load_noon_curves(), load_noon_truth()
    assert set(curves["push_id"]) == set(pushes["push_id"])
    assert sorted(truth["slot"]) == sorted(pushes["slot"].unique())


def test_facebook_file_is_the_published_one():
    digest = hashlib.sha256((data_dir() / "facebook_metrics.csv").read_bytes()).hexdigest()
    assert digest == "666ec82952b7ce90b464f5a87ec4f0fe92d9a63208f2fcb2d0443cb5f31c3f4c"
    raw = load_facebook_metrics(as_pushes=False)
    assert raw.shape == (500, 19)
    pushes = load_facebook_metrics().frame
    assert (pushes["slot"] == "03:00").sum() == 105
    assert pushes["paid"].isna().sum() == 1


def test_metadata_table_lists_every_data_file():
    meta = pd.read_csv(data_dir() / "datasets.csv")
    files = {p.name for p in data_dir().iterdir() if p.suffix == ".csv" and p.name != "datasets.csv"}
    assert set(meta["file"]) == files
    assert meta[["source", "licence", "regenerate"]].notna().all().all()
