import shutil
import threading
import time
import warnings

import pandas as pd
import pytest
from readback import AWKWARD, ROOT, edit, tables, with_bounds

import ecocluster
from ecocluster.errors import InvalidData


def test_load_gives_every_table_typed_by_its_schema():
    frames = ecocluster.load(validate=False)
    expected = tables()
    assert list(frames) == list(expected)
    for name, (fields, rows) in expected.items():
        df = frames[name]
        assert list(df.columns) == with_bounds(fields)
        assert len(df) == len(rows), name
        for f in fields:
            col = df[f["name"]]
            enum = f.get("constraints", {}).get("enum")
            if enum:
                assert isinstance(col.dtype, pd.CategoricalDtype) and list(col.cat.categories) == enum
            else:
                dtypes = {"string": "string", "integer": "Int64", "number": "Float64"}
                assert str(col.dtype) == dtypes[f["type"]]
            values = [None if pd.isna(v) else v for v in col.tolist()]
            assert values == [r[f["name"]] for r in rows], (name, f["name"])


def test_load_keeps_missing_values_as_na_and_the_index_plain():
    rels = ecocluster.load(validate=False)["org_relations"]
    assert isinstance(rels.index, pd.RangeIndex) and "id" in rels.columns
    shares = rels.set_index("id")["share_percent"]
    assert shares["rel-renault-group-shareholder-of-renault-korea"] == 52.82
    assert shares["rel-renault-korea-subsidiary-of-renault-group"] is pd.NA


def test_enum_categories_sort_in_declared_order_not_alphabetically():
    orders = ecocluster.load(AWKWARD, validate=False)["order"]
    assert list(orders["group"].cat.categories) == ["b-side", "a-side"]
    assert orders.sort_values("group")["group"].tolist() == ["b-side", "b-side", "a-side"]


def test_load_answers_who_signed_the_2023_mou():
    t = ecocluster.load(validate=False)
    mou = t["agreements"].query("date == '2023-05-22'")
    parties = t["agreement_parties"].merge(mou[["id"]], left_on="agreement_id", right_on="id")
    signed = parties.merge(t["people"], left_on="signatory_person_id", right_on="id")
    assert len(parties) == 5 and len(signed) == 3 and "Park Heong-joon" in set(signed["name"])
    shown = parties.merge(t["people"], left_on="representative_person_id", right_on="id")
    assert set(shown["name"]) == {"Lee Im-geon", "Oh Lin-tae"}  # at the ceremony; who signed is unknown


def test_load_validates_by_default():
    assert set(ecocluster.load()) == set(tables())


def test_load_refuses_invalid_data_with_the_report(tmp_path, monkeypatch):
    pkg = tmp_path / "pkg"
    shutil.copytree(ROOT / "data", pkg / "data")
    shutil.copytree(ROOT / "schemas", pkg / "schemas")
    shutil.copy(ROOT / "datapackage.json", pkg)
    agreements = pkg / "data" / "agreements.csv"
    edit(agreements, ",memorandum-of-understanding,", ",bogus,")
    # pandas is imported beside the validation; that import never outlives the call, even when it
    # raises, and even when the import is slower than the validation
    import ecocluster.loading

    started: list[threading.Thread] = []

    def slow_import() -> threading.Thread:
        thread = threading.Thread(target=time.sleep, args=(0.5,))
        thread.start()
        started.append(thread)
        return thread

    monkeypatch.setattr(ecocluster.loading, "_import_pandas", slow_import)
    with pytest.raises(InvalidData) as e:
        ecocluster.load(pkg)
    assert started and not started[0].is_alive()
    report = e.value.report.to_dict()
    assert report["ok"] is False
    assert any(err["resource"] == "agreements" and err["field"] == "kind" and err["value"] == "bogus"
               for err in report["errors"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pandas deprecates values outside a categorical's categories
        unchecked = ecocluster.load(pkg, validate=False)
    assert set(unchecked) == set(tables())
    kinds = unchecked["agreements"]["kind"]
    assert kinds.isna().sum() == 1 and "bogus" not in set(kinds.dropna())
