"""Reading report files: a GB18030 file is decoded, and an undecodable, unsupported or missing
file is named in the error, by the reader and by `reportqa index`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reportqa.cli.main import main
from reportqa.errors import InputError
from reportqa.ingest.read import read_report


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_gb18030_report_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "gbk-report.txt"
    path.write_bytes("一、总体情况\n全年受理申请120件。\n".encode("gb18030"))
    assert read_report(path).text.startswith("一、总体情况")


def test_undecodable_and_unsupported_files_are_named_in_the_error(tmp_path: Path) -> None:
    binary = tmp_path / "broken.txt"
    binary.write_bytes(b"\x00\x01\x02\xff\xfe")
    with pytest.raises(InputError, match="broken.txt"):
        read_report(binary)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\xfa\xfb" * 10)
    with pytest.raises(InputError, match="bad.txt"):
        read_report(bad)
    other = tmp_path / "sheet.xlsx"
    other.write_bytes(b"PK")
    with pytest.raises(InputError, match="unsupported"):
        read_report(other)
    with pytest.raises(InputError, match="no such file"):
        read_report(tmp_path / "missing.txt")


def test_index_of_a_missing_or_undecodable_file_names_it(tmp_path: Path) -> None:
    code, _, err = run("index", str(tmp_path / "missing.txt"), "--index-dir", str(tmp_path / "i"))
    assert code != 0 and "missing.txt" in err
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01binary")
    code, out, err = run("index", str(bad), "--index-dir", str(tmp_path / "i"))
    assert code != 0 and "bad.txt" in (out + err)
