import csv
import io

from core.csv_export import csv_bytes, csv_response


def parse(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_bom_japanese_headers_and_typed_cells():
    rows = parse(csv_bytes(["件名", "金額"], [["市道1234号線道路改良工事", 50_000_000]]))
    assert rows == [["件名", "金額"], ["市道1234号線道路改良工事", "50000000"]]


def test_formula_cells_are_neutralised_numbers_are_not():
    """CSV injection (OWASP): a text cell a spreadsheet would evaluate starts with an apostrophe."""
    hostile = ['=HYPERLINK("http://x")', "+81-3", "-1+1", "@SUM(A1)", "\tx", "普通の名前"]
    rows = parse(csv_bytes(["a"] * 7, [[*hostile, -5]]))
    assert rows[1] == [
        '\'=HYPERLINK("http://x")',
        "'+81-3",
        "'-1+1",
        "'@SUM(A1)",
        "'\tx",
        "普通の名前",
        "-5",
    ]


def test_response_streams_with_a_japanese_file_name():
    response = csv_response(["件名"], iter([["工事"]]), filename="契約一覧.csv")
    assert response.streaming
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert parse(b"".join(response.streaming_content)) == [["件名"], ["工事"]]
