from pathlib import Path

import pytest

from kaohe.scheme import load_scheme

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "src" / "kaohe" / "samples"
DATA = Path(__file__).resolve().parent / "data"
LONG_CSV = SAMPLES / "daye_2023q1_long.csv"
ANNEX_XLSX = SAMPLES / "daye_2023q1_annex1-5.xlsx"
OTHER11_CSV = DATA / "daye_2023q1_other11.csv"


@pytest.fixture(scope="session")
def daye():
    return load_scheme("daye-2023")
