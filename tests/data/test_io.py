"""load, scan and iter_batches: formats, encodings, compression, DuckDB and clear errors."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from jogak.data import ColumnRole, coerce_frame, infer_roles, iter_batches, load, scan
from jogak.errors import ConfigError, DataLoadError, MissingDependencyError

# every .csv.gz in the real data folder, with its (rows, columns) from the folder's SOURCE.md
REAL_FILES = {
    "cdnow_purchases/cdnow_master.csv.gz": (69659, 4),
    "crypto_btc_prices/btc_usd_daily_bitstamp.csv.gz": (2823, 9),
    "crypto_btc_prices/btc_usd_daily_yahoo.csv.gz": (3484, 7),
    "crypto_btc_prices/btc_usd_hourly_bitstamp.csv.gz": (37387, 9),
    "dacon_movie_audience/movies_test.csv.gz": (243, 11),
    "dacon_movie_audience/movies_train.csv.gz": (600, 12),
    "dacon_movie_audience/sample_submission.csv.gz": (243, 2),
    "financial_phrasebank/sentences_50agree.csv.gz": (4846, 2),
    "financial_phrasebank/sentences_66agree.csv.gz": (4217, 2),
    "financial_phrasebank/sentences_75agree.csv.gz": (3453, 2),
    "financial_phrasebank/sentences_allagree.csv.gz": (2264, 2),
    "kkbox_churn_sample/members.csv.gz": (19200, 6),
    "kkbox_churn_sample/train.csv.gz": (19419, 2),
    "kkbox_churn_sample/transactions.csv.gz": (28620, 9),
    "kkbox_churn_sample/user_logs.csv.gz": (9198, 9),
    "melon_monthly_chart/melon_monthly_chart.csv.gz": (25876, 17),
    "movielens_latest_small/links.csv.gz": (9742, 3),
    "movielens_latest_small/movies.csv.gz": (9742, 3),
    "movielens_latest_small/ratings.csv.gz": (100836, 4),
    "movielens_latest_small/tags.csv.gz": (3683, 4),
    "olist_ecommerce/olist_customers_dataset.csv.gz": (4000, 5),
    "olist_ecommerce/olist_order_items_dataset.csv.gz": (4519, 7),
    "olist_ecommerce/olist_order_payments_dataset.csv.gz": (4161, 5),
    "olist_ecommerce/olist_order_reviews_dataset.csv.gz": (3986, 7),
    "olist_ecommerce/olist_orders_dataset.csv.gz": (4000, 8),
    "olist_ecommerce/olist_products_dataset.csv.gz": (32951, 9),
    "olist_ecommerce/olist_sellers_dataset.csv.gz": (3094, 4),
    "olist_ecommerce/product_category_name_translation.csv.gz": (71, 2),
    "sp500_stocks_5yr/all_stocks_5yr.csv.gz": (619040, 7),
    "taiwan_credit_default/default_of_credit_card_clients.csv.gz": (30000, 25),
    "telco_customer_churn/telco_customer_churn.csv.gz": (7043, 21),
    "tmdb_5000_movies/tmdb_5000_movies.csv.gz": (4803, 20),
}


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_real_data_folder_holds_the_listed_files(data_dir: Path) -> None:
    found = {p.relative_to(data_dir).as_posix() for p in data_dir.glob("*/*.csv.gz")}
    assert found == set(REAL_FILES)
    assert len({name.split("/")[0] for name in found}) == 12


@pytest.mark.parametrize("relative", sorted(REAL_FILES), ids=lambda r: Path(r).name[:-7])
def test_every_real_dataset_loads_with_its_documented_shape_and_gets_roles(
        data_dir: Path, relative: str) -> None:
    frame = load(data_dir / relative)
    assert frame.shape == REAL_FILES[relative]
    assert not any(str(name).startswith("\ufeff") for name in frame.columns)
    roles = infer_roles(frame)
    assert list(roles) == list(frame.columns)
    assert all(isinstance(role, ColumnRole) for role in roles.values())
    coerced = coerce_frame(frame, roles)
    assert coerced.shape == frame.shape
    pd.testing.assert_frame_equal(coerce_frame(coerced, roles), coerced)


def test_load_keeps_the_bom_out_of_olist_translation_header(data_dir: Path) -> None:
    frame = load(data_dir / "olist_ecommerce/product_category_name_translation.csv.gz")
    assert list(frame.columns) == ["product_category_name", "product_category_name_english"]


def test_load_keeps_leading_zero_codes_as_strings_in_real_data(data_dir: Path) -> None:
    cdnow = load(data_dir / "cdnow_purchases/cdnow_master.csv.gz", nrows=3)
    assert cdnow["customer_id"].tolist()[:1] == ["00001"]
    assert cdnow["date"].dtype == np.int64  # YYYYMMDD integers are not parsed at load


@pytest.mark.parametrize("relative", ["telco_customer_churn/telco_customer_churn.csv.gz",
                                      "kkbox_churn_sample/transactions.csv.gz",
                                      "olist_ecommerce/olist_customers_dataset.csv.gz"],
                         ids=["telco", "kkbox_transactions", "olist_customers"])
def test_load_streamed_through_arrow_gives_the_same_frame_as_pandas(data_dir: Path,
                                                                   relative: str) -> None:
    path = data_dir / relative
    pd.testing.assert_frame_equal(load(path, max_memory_bytes=0), load(path))


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"], ids=["comma", "semicolon", "tab", "pipe"])
def test_load_sniffs_the_delimiter(tmp_path: Path, sep: str) -> None:
    text = sep.join(["name", "amount", "note"]) + "\n"
    text += "\n".join(sep.join([f"n{i}", f"{i}.5", f'"a, b; c | d {i}"']) for i in range(30))
    frame = load(_write(tmp_path / "x.csv", text + "\n"))
    assert list(frame.columns) == ["name", "amount", "note"]
    assert frame["amount"].iloc[3] == 3.5
    assert frame["note"].iloc[0] == "a, b; c | d 0"


def test_load_reads_tsv_with_commas_in_fields(tmp_path: Path) -> None:
    frame = load(_write(tmp_path / "x.tsv", "a\tb\n1,5\tx, y\n2\tz\n"))
    assert frame.to_dict("list") == {"a": ["1,5", "2"], "b": ["x, y", "z"]}


def test_load_honours_an_explicit_separator(tmp_path: Path) -> None:
    frame = load(_write(tmp_path / "x.txt", "a;b\n1;2\n"), sep=",")
    assert list(frame.columns) == ["a;b"]


@pytest.mark.parametrize("encoding", [None, "utf-8"], ids=["detected", "explicit_utf8"])
def test_load_strips_the_utf8_byte_order_mark(tmp_path: Path, encoding: str | None) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffid,이름\n1,김철수\n".encode())
    frame = load(path, encoding=encoding)
    assert list(frame.columns) == ["id", "이름"]
    assert frame["이름"].tolist() == ["김철수"]


@pytest.mark.parametrize("encoding", ["cp949", "euc-kr"], ids=["cp949", "euc_kr"])
def test_load_detects_korean_legacy_encodings(tmp_path: Path, encoding: str) -> None:
    text = ("시도,인구,기준일자\n서울특별시,9411000,2019년 3월 5일\n"
            "부산광역시,3392000,2019년 3월 5일\n")
    frame = load(_write(tmp_path / "korea.csv", text, encoding))
    assert list(frame.columns) == ["시도", "인구", "기준일자"]
    assert frame["시도"].tolist() == ["서울특별시", "부산광역시"]
    assert frame["인구"].tolist() == [9411000, 3392000]


def test_load_moves_on_to_cp949_when_korean_starts_after_the_sample(tmp_path: Path) -> None:
    ascii_rows = "".join(f"{i},plain ascii row number {i}\n" for i in range(40_000))
    text = "id,name\n" + ascii_rows + "40000,한글 이름\n"
    assert len(text) > (1 << 20)
    frame = load(_write(tmp_path / "late.csv", text, "cp949"))
    assert frame["name"].iloc[-1] == "한글 이름"


def test_load_prefers_a_western_encoding_for_latin1_text(tmp_path: Path) -> None:
    text = "name,city\n" + "café,Zürich\nrésumé,Malmö\nnaïve,München\n" * 5
    frame = load(_write(tmp_path / "latin.csv", text, "latin-1"))
    assert frame["city"].iloc[0] == "Zürich"


def test_load_reports_undecodable_text_with_the_encodings_tried(tmp_path: Path) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(b"a,b\n" + bytes(range(256)) * 40)
    with pytest.raises(DataLoadError, match=r"Could not decode .*tried .*encoding="):
        load(path)


def test_load_reports_a_wrong_explicit_encoding(tmp_path: Path) -> None:
    path = _write(tmp_path / "k.csv", "a,b\n한,글\n")
    with pytest.raises(DataLoadError, match=r"encoding='ascii'.*Hint"):
        load(path, encoding="ascii")
    with pytest.raises(DataLoadError, match="Unknown encoding 'klingon'"):
        load(path, encoding="klingon")


def test_load_reports_a_missing_file_with_a_close_match(tmp_path: Path) -> None:
    _write(tmp_path / "customers.csv", "a\n1\n")
    with pytest.raises(DataLoadError, match=r"File not found.*did you mean .*customers\.csv"):
        load(tmp_path / "customer.csv")
    with pytest.raises(DataLoadError, match="does not exist either"):
        load(tmp_path / "nowhere" / "x.csv")


@pytest.mark.parametrize(("name", "content"), [
    ("empty.csv", b""),
    ("header.csv", b"a,b,c\n"),
    ("blank.csv", b"\n\n"),
    ("empty.csv.gz", gzip.compress(b"")),
    ("empty.jsonl", b"  \n"),
], ids=["zero_bytes", "header_only", "blank_lines", "empty_gzip", "blank_json"])
def test_load_says_a_file_without_rows_has_no_rows(tmp_path: Path, name: str,
                                                   content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataLoadError, match="has no rows"):
        load(path)


def test_load_names_the_line_of_a_ragged_row(tmp_path: Path) -> None:
    path = _write(tmp_path / "ragged.csv", "a,b\n1,2\n3,4,5\n6,7\n")
    with pytest.raises(DataLoadError, match=r"line 3 has 3 fields but the header has 2"):
        load(path)


@pytest.mark.parametrize("name", ["data.xml", "data", "data.csv.bz2"],
                         ids=["xml", "no_suffix", "bz2"])
def test_load_rejects_unknown_suffixes(tmp_path: Path, name: str) -> None:
    path = _write(tmp_path / name, "a,b\n1,2\n")
    with pytest.raises(DataLoadError, match=r"Unknown file type .*Expected one of \.csv"):
        load(path)


def test_load_rejects_a_folder_and_other_source_types(tmp_path: Path) -> None:
    with pytest.raises(DataLoadError, match="is a folder"):
        load(tmp_path)
    with pytest.raises(DataLoadError, match="got DataFrame"):
        load(pd.DataFrame({"a": [1]}))  # type: ignore[arg-type]


def test_load_reads_gzip_and_rejects_a_corrupt_one(tmp_path: Path) -> None:
    path = tmp_path / "x.csv.gz"
    path.write_bytes(gzip.compress(b"a,b\n1,x\n2,y\n"))
    assert load(path).to_dict("list") == {"a": [1, 2], "b": ["x", "y"]}
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(b"not gzip at all")
    with pytest.raises(DataLoadError, match="not a readable gzip file"):
        load(broken)


def test_load_reads_parquet_with_columns_and_nrows(tmp_path: Path) -> None:
    frame = pd.DataFrame({"zip": ["01001", "20031", "30000"], "amount": [1.5, 2.5, 3.5],
                          "n": [1, 2, 3]})
    path = tmp_path / "x.parquet"
    frame.to_parquet(path, row_group_size=1)
    pd.testing.assert_frame_equal(load(path), frame)
    subset = load(path, columns=["n", "zip"], nrows=2)
    assert subset.to_dict("list") == {"n": [1, 2], "zip": ["01001", "20031"]}
    gz = tmp_path / "x.parquet.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    pd.testing.assert_frame_equal(load(gz), frame)
    with pytest.raises(DataLoadError, match=r"Columns \['nope'\] are not in"):
        load(path, columns=["nope"])
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 but not really")
    with pytest.raises(DataLoadError, match="not a readable Parquet file"):
        load(broken)


def test_load_reads_excel_sheets_and_lists_them_when_one_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"a": [1, 2], "이름": ["가", "나"]}).to_excel(writer, sheet_name="first",
                                                              index=False)
        pd.DataFrame({"b": ["x", "y", "z"]}).to_excel(writer, sheet_name="second", index=False)
    assert load(path).to_dict("list") == {"a": [1, 2], "이름": ["가", "나"]}
    assert load(path, sheet="second")["b"].tolist() == ["x", "y", "z"]
    assert load(path, sheet=1, nrows=1)["b"].tolist() == ["x"]
    assert load(path, sheet="1")["b"].tolist() == ["x", "y", "z"]
    with pytest.raises(DataLoadError, match=r"Sheet 'third' is not in .*'first', 'second'"):
        load(path, sheet="third")


def test_load_asks_for_xlrd_for_legacy_xls(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    try:
        import xlrd  # noqa: F401
    except ImportError:
        with pytest.raises(MissingDependencyError, match="xlrd"):
            load(path)
    else:
        with pytest.raises(DataLoadError):
            load(path)


@pytest.mark.parametrize(("name", "text"), [
    ("x.jsonl", '{"zip": "01001", "n": 1}\n{"zip": "20031", "n": 2}\n'),
    ("x.ndjson", '{"zip": "01001", "n": 1}\n\n{"zip": "20031", "n": 2}\n'),
    ("records.json", '[{"zip": "01001", "n": 1}, {"zip": "20031", "n": 2}]'),
    ("lines.json", '{"zip": "01001", "n": 1}\n{"zip": "20031", "n": 2}\n'),
], ids=["jsonl", "ndjson", "json_records", "json_lines"])
def test_load_reads_json_records_and_lines(tmp_path: Path, name: str, text: str) -> None:
    frame = load(_write(tmp_path / name, text))
    assert frame.to_dict("list") == {"zip": ["01001", "20031"], "n": [1, 2]}


def test_load_reads_gzip_json_lines_and_rejects_broken_json(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"a": 1}\n{"a": 2}\n{"a": 3}\n'))
    assert load(path, nrows=2)["a"].tolist() == [1, 2]
    with pytest.raises(DataLoadError, match="not valid JSON"):
        load(_write(tmp_path / "bad.json", '[{"a": 1}, {"a": '))


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


def test_load_reads_the_one_data_file_in_a_zip(tmp_path: Path) -> None:
    path = _zip(tmp_path / "a.zip", {"README.md": "hello", "__MACOSX/._x.csv": "junk",
                                     "data/x.csv": "a;b\n1;2\n"})
    assert load(path).to_dict("list") == {"a": [1], "b": [2]}


def test_load_names_zip_members_when_there_are_several(tmp_path: Path) -> None:
    path = _zip(tmp_path / "many.zip", {"x.csv": "a\n1\n", "y.csv": "b\n2\n"})
    with pytest.raises(DataLoadError, match=r"holds 2 data files.*x\.csv, y\.csv"):
        load(path)
    assert load(tmp_path / "many.zip" / "y.csv")["b"].tolist() == [2]
    with pytest.raises(DataLoadError, match=r"'z\.csv' is not in the zip archive"):
        load(tmp_path / "many.zip" / "z.csv")


def test_load_runs_a_duckdb_query_over_files(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv.gz"
    path.write_bytes(gzip.compress(b"shop,amount\na,1\nb,5\na,7\n"))
    frame = load(f"duckdb:SELECT shop, amount FROM '{path.as_posix()}' WHERE amount > 1 "
                 "ORDER BY amount")
    assert frame.to_dict("list") == {"shop": ["b", "a"], "amount": [5, 7]}
    assert load(f"duckdb: SELECT * FROM '{path.as_posix()}'", nrows=1).shape == (1, 2)
    nullable = load("duckdb:SELECT * FROM (VALUES (1), (NULL)) t(x)")
    assert nullable["x"].dtype == np.float64


@pytest.mark.parametrize(("query", "message"), [
    ("duckdb:SELEC 1", "DuckDB query failed: Parser Error"),
    ("duckdb:SELECT * FROM 'missing_file.csv'", "DuckDB query failed"),
    ("duckdb:SELECT 1 AS a WHERE false", "has no rows"),
    ("duckdb:CREATE TABLE t (a INT)", "returned no table|has no rows"),
    ("duckdb:   ", "DuckDB source is empty"),
], ids=["syntax", "missing_file", "no_rows", "not_a_query", "empty"])
def test_load_wraps_duckdb_failures(query: str, message: str) -> None:
    with pytest.raises(DataLoadError, match=message):
        load(query)


def test_load_selects_columns_in_the_order_asked(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.csv", "a,b,c\n1,2,3\n4,5,6\n")
    assert list(load(path, columns=["c", "a"]).columns) == ["c", "a"]
    with pytest.raises(DataLoadError, match=r"Columns \['d'\] are not in .*'a', 'b', 'c'"):
        load(path, columns=["a", "d"])


@pytest.mark.parametrize(("options", "message"), [
    ({"nrows": 0}, "nrows must be a positive integer"),
    ({"nrows": 1.5}, "nrows must be a positive integer"),
    ({"columns": "a"}, "columns must be a non-empty list"),
    ({"columns": []}, "columns must be a non-empty list"),
], ids=["nrows_zero", "nrows_float", "columns_str", "columns_empty"])
def test_load_rejects_invalid_options(tmp_path: Path, options: dict[str, object],
                                      message: str) -> None:
    path = _write(tmp_path / "x.csv", "a\n1\n")
    with pytest.raises(ConfigError, match=message):
        load(path, **options)  # type: ignore[arg-type]


def test_load_does_not_parse_dates_or_codes(tmp_path: Path) -> None:
    text = "zip,day,ymd,amount\n01001,2019-03-05,20190305,1\n20031,2019-03-06,20190306,2\n"
    frame = load(_write(tmp_path / "x.csv", text))
    assert frame["zip"].tolist() == ["01001", "20031"]
    assert frame["day"].tolist() == ["2019-03-05", "2019-03-06"]
    assert frame["ymd"].tolist() == [20190305, 20190306]


def test_load_streams_big_files_through_arrow_with_the_same_values(tmp_path: Path) -> None:
    text = "id,flag,score,day,note\n" + "".join(
        f"{i:05d},{'True' if i % 2 else 'False'},{'' if i % 7 == 0 else i / 4},"
        f"2019-03-{1 + i % 28:02d},\"x, {i}\"\n" for i in range(500))
    path = _write(tmp_path / "big.csv", text)
    streamed = load(path, max_memory_bytes=0)
    pd.testing.assert_frame_equal(streamed, load(path))
    assert load(path, max_memory_bytes=0, columns=["note"], nrows=2)["note"].tolist() == \
        ["x, 0", "x, 1"]
    ragged = _write(tmp_path / "ragged.csv", "a,b\n" + "1,2\n" * 50 + "3,4,5\n")
    with pytest.raises(DataLoadError, match="line 52 has 3 fields but the header has 2"):
        load(ragged, max_memory_bytes=0)
    middle = _write(tmp_path / "middle.csv", "a,b\n1,2\n3,4,5\n" + "1,2\n" * 50)
    with pytest.raises(DataLoadError, match="line 3 has 3 fields but the header has 2"):
        load(middle, max_memory_bytes=0)


def test_scan_is_lazy_and_supports_sql(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv.gz"
    path.write_bytes(gzip.compress(b"shop,amount,day\na,1,2019-01-01\nb,5,2019-01-02\na,7,"
                                   b"2019-01-03\n"))
    relation = scan(path)
    assert isinstance(relation, duckdb.DuckDBPyRelation)
    totals = relation.aggregate("shop, sum(amount) AS total", "shop").order("shop").fetchall()
    assert totals == [("a", 8), ("b", 5)]
    assert str(relation.types[2]) == "DATE"


def test_scan_reads_parquet_json_and_queries(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": [1, 2, 3]})
    frame.to_parquet(tmp_path / "x.parquet")
    assert scan(tmp_path / "x.parquet").aggregate("sum(a)").fetchall() == [(6,)]
    _write(tmp_path / "x.jsonl", '{"a": 1}\n{"a": 2}\n')
    assert scan(tmp_path / "x.jsonl").aggregate("sum(a)").fetchall() == [(3,)]
    _write(tmp_path / "x.json", '[{"a": 4}, {"a": 5}]')
    assert scan(tmp_path / "x.json").aggregate("sum(a)").fetchall() == [(9,)]
    connection = duckdb.connect()
    assert scan("duckdb:SELECT 42 AS x", connection=connection).fetchall() == [(42,)]


def test_scan_refuses_what_duckdb_cannot_read_lazily(tmp_path: Path) -> None:
    pd.DataFrame({"a": [1]}).to_excel(tmp_path / "x.xlsx", index=False)
    with pytest.raises(DataLoadError, match="scan cannot read .* lazily"):
        scan(tmp_path / "x.xlsx")
    korean = _write(tmp_path / "k.csv", "이름\n김철수\n", "cp949")
    with pytest.raises(DataLoadError, match="scan reads UTF-8 text only"):
        scan(korean)
    with pytest.raises(DataLoadError, match="File not found"):
        scan(tmp_path / "missing.csv")
    with pytest.raises(DataLoadError, match="DuckDB could not scan"):
        scan("duckdb:SELECT nope FROM range(3)")


def test_iter_batches_streams_csv_in_order(tmp_path: Path) -> None:
    rows = "".join(f"{i:03d},{i * 1.5},\"t, {i}\"\n" for i in range(25))
    path = _write(tmp_path / "x.csv", "code,value,text\n" + rows)
    batches = list(iter_batches(path, batch_size=10))
    assert [len(batch) for batch in batches] == [10, 10, 5]
    joined = pd.concat(batches, ignore_index=True)
    pd.testing.assert_frame_equal(joined, load(path))
    assert joined["code"].iloc[0] == "000"
    only = next(iter_batches(path, batch_size=3, columns=["text"]))
    assert list(only.columns) == ["text"]


def test_iter_batches_streams_parquet_json_lines_queries_and_excel(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": np.arange(7), "b": list("abcdefg")})
    frame.to_parquet(tmp_path / "x.parquet", row_group_size=3)
    frame.to_excel(tmp_path / "x.xlsx", index=False)
    (tmp_path / "x.jsonl").write_text(frame.to_json(orient="records", lines=True))
    sources = [tmp_path / "x.parquet", tmp_path / "x.xlsx", tmp_path / "x.jsonl",
               f"duckdb:SELECT * FROM '{(tmp_path / 'x.parquet').as_posix()}' ORDER BY a"]
    for source in sources:
        batches = list(iter_batches(source, batch_size=3))
        assert [len(batch) for batch in batches] == [3, 3, 1], source
        joined = pd.concat(batches, ignore_index=True)
        assert joined["a"].tolist() == list(range(7)), source
        assert joined["b"].tolist() == list("abcdefg"), source


def test_iter_batches_fails_at_the_call_not_during_iteration(tmp_path: Path) -> None:
    with pytest.raises(DataLoadError, match="File not found"):
        iter_batches(tmp_path / "missing.csv")
    with pytest.raises(DataLoadError, match="has no rows"):
        iter_batches(_write(tmp_path / "header.csv", "a,b\n"))
    with pytest.raises(DataLoadError, match="line 3 has 3 fields"):
        iter_batches(_write(tmp_path / "ragged.csv", "a,b\n1,2\n1,2,3\n"), batch_size=10)
    with pytest.raises(DataLoadError, match=r"Columns \['z'\] are not in"):
        iter_batches(_write(tmp_path / "ok.csv", "a,b\n1,2\n"), columns=["z"])
    with pytest.raises(ConfigError, match="batch_size must be a positive integer"):
        iter_batches(tmp_path / "ok.csv", batch_size=0)


def test_iter_batches_reports_a_ragged_row_in_a_later_batch(tmp_path: Path) -> None:
    path = _write(tmp_path / "late.csv", "a,b\n" + "1,2\n" * 30 + "1,2,3\n")
    batches = iter_batches(path, batch_size=10)
    with pytest.raises(DataLoadError, match="line 32 has 3 fields"):
        list(batches)


def test_load_reads_in_memory_json_fixture_exactly(tmp_path: Path) -> None:
    records = [{"이름": "김철수", "점수": 1e300, "flag": True}, {"이름": "박영희", "점수": -2.5,
                                                               "flag": False}]
    path = _write(tmp_path / "k.json", json.dumps(records, ensure_ascii=False))
    frame = load(path)
    assert frame["이름"].tolist() == ["김철수", "박영희"]
    assert frame["점수"].tolist() == [1e300, -2.5]
    assert frame["flag"].tolist() == [True, False]


@pytest.mark.slow
def test_load_streamed_equals_pandas_on_every_real_file(data_dir: Path) -> None:
    for path in sorted(data_dir.glob("*/*.csv.gz")):
        pd.testing.assert_frame_equal(load(path, max_memory_bytes=0), load(path),
                                      obj=path.name)


def test_load_streamed_falls_back_to_pandas_when_a_type_changes_late(tmp_path: Path) -> None:
    # the first Arrow block (4 MiB) sees only integers; the last row holds text
    text = "code,flag,amount\n" + "".join(f"{i},{'True' if i % 2 else ''},{i}.5\n"
                                           for i in range(400_000)) + "A17,False,1.0\n"
    path = _write(tmp_path / "late.csv", text)
    streamed = load(path, max_memory_bytes=0)
    pd.testing.assert_frame_equal(streamed, load(path))
    assert streamed["code"].iloc[-1] == "A17"
    assert streamed["flag"].iloc[:3].tolist()[1] is True
    assert np.isnan(streamed["flag"].iloc[0])


def test_load_streamed_keeps_booleans_with_missing_values_like_pandas(tmp_path: Path) -> None:
    path = _write(tmp_path / "flags.csv", "flag,day\nTrue,2020-01-02\n,2020-01-03\nFalse,\n")
    streamed = load(path, max_memory_bytes=0)
    pd.testing.assert_frame_equal(streamed, load(path))
    assert streamed["day"].tolist()[:2] == ["2020-01-02", "2020-01-03"]


def test_load_streamed_fills_columns_batch_by_batch_like_pandas(tmp_path: Path) -> None:
    # about 9 MiB: the type probe reads the first 8 MiB, cut inside a row; the stream reads
    # small blocks, and the integer column meets its first gap (-> float) in a late block
    rng = np.random.default_rng(3)
    n_rows = 220_000
    counts = rng.integers(0, 1000, n_rows).astype(str).astype(object)
    counts[n_rows - 3] = ""
    lines = [f"{i},{c},{x:.6f},\"a, {i % 97}\nsecond line\",{'L' + str(i % 13)}\n"
             for i, (c, x) in enumerate(zip(counts, rng.normal(size=n_rows), strict=True))]
    path = _write(tmp_path / "wide.csv", "row,count,value,note,level\n" + "".join(lines))
    assert path.stat().st_size > 8 << 20
    streamed = load(path, max_memory_bytes=0)
    pd.testing.assert_frame_equal(streamed, load(path))
    assert streamed["row"].dtype == np.int64
    assert streamed["count"].dtype == np.float64
    assert np.isnan(streamed["count"].iloc[n_rows - 3])
    head = load(path, max_memory_bytes=0, nrows=100_001)
    pd.testing.assert_frame_equal(head, load(path, nrows=100_001))
