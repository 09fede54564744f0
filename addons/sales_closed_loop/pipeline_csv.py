"""Read and normalise a pipeline export shaped like the Maven CRM files.

Plain Python with no ORM, so the rules can be read and tested on their own.
The import wizard turns what this module returns into Odoo records and turns
``PipelineFileError`` into a translated message.

The four files and the columns the import needs:

- ``sales_pipeline.csv``: opportunity_id, sales_agent, product, account,
  deal_stage, engage_date, close_date, close_value
- ``accounts.csv``: account, sector (office_location is used when present)
- ``products.csv``: product, sales_price
- ``sales_teams.csv``: sales_agent, manager, regional_office
"""

import csv
import dataclasses
import datetime
import hashlib
import io
import re
import statistics
import unicodedata

PIPELINE_FILE = "sales_pipeline.csv"
ACCOUNTS_FILE = "accounts.csv"
PRODUCTS_FILE = "products.csv"
TEAMS_FILE = "sales_teams.csv"
FILE_NAMES = (PIPELINE_FILE, ACCOUNTS_FILE, PRODUCTS_FILE, TEAMS_FILE)

REQUIRED_COLUMNS = {
    PIPELINE_FILE: (
        "opportunity_id",
        "sales_agent",
        "product",
        "account",
        "deal_stage",
        "engage_date",
        "close_date",
        "close_value",
    ),
    ACCOUNTS_FILE: ("account", "sector"),
    PRODUCTS_FILE: ("product", "sales_price"),
    TEAMS_FILE: ("sales_agent", "manager", "regional_office"),
}

# The four deal stages of the export, keyed by their lower-case spelling.
FILE_STAGES = {
    "prospecting": "Prospecting",
    "engaging": "Engaging",
    "won": "Won",
    "lost": "Lost",
}

# Misspellings found in real exports, mapped to the intended sector.
SECTOR_TYPOS = {"technolgy": "technology"}

# Country names of the Maven accounts that do not match Odoo's country list,
# mapped to ISO 3166 codes. Other names are matched against res.country names.
COUNTRY_ALIASES = {"philipines": "PH", "korea": "KR", "united states": "US"}

# Excel exports made on Chinese Windows are GB18030 (a superset of GBK);
# UTF-8 is tried first because a UTF-8 file can also decode as GB18030.
ENCODINGS = ("utf-8-sig", "gb18030")

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")

# Key under which ``read_rows`` stores the shape problem of a malformed row.
# A tuple never equals a column name, which is a string.
ROW_PROBLEM = ("row_problem",)


class PipelineFileError(Exception):
    """A file that cannot be imported at all.

    ``code`` is one of ``missing``, ``empty``, ``no_rows`` (a header row and
    nothing else), ``encoding``, ``malformed`` or ``missing_columns``.
    ``filename`` names the file, and ``detail`` contains the missing column
    names or the parser's message.
    """

    def __init__(self, code, filename, detail=""):
        super().__init__(f"{filename}: {code} {detail}".strip())
        self.code = code
        self.filename = filename
        self.detail = detail


@dataclasses.dataclass
class RowSkip:
    """A pipeline row left out of the import, with the reason.

    ``code`` is one of ``truncated``, ``unclosed_quote``, ``missing_id``,
    ``duplicate_id``, ``unknown_stage``, ``missing_product``,
    ``unknown_product``, ``bad_date``, ``missing_date``, ``bad_number``,
    ``missing_value`` or ``close_before_engage``. The import wizard adds
    ``unknown_agent``, ``ambiguous_agent``, ``changed_in_odoo`` and
    ``values_unknown``. ``values`` contains the values the message shows.
    """

    line: int
    opportunity_id: str
    code: str
    values: dict


@dataclasses.dataclass
class Opportunity:
    """One valid pipeline row, normalised."""

    line: int
    ref: str
    agent: str
    product: str
    account: str
    stage: str
    engage_date: datetime.date | None
    close_date: datetime.date | None
    close_value: float | None


def checksum(*parts):
    """Return a digest of ``parts`` (their ``repr``), to detect a changed row."""
    return hashlib.sha1(repr(parts).encode()).hexdigest()


def decode(content, filename):
    """Return the text of a file's bytes, or raise ``PipelineFileError``."""
    if content is None:
        raise PipelineFileError("missing", filename)
    if isinstance(content, str):
        return content
    for encoding in ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PipelineFileError("encoding", filename)


def read_rows(content, filename):
    """Return ``(line number, row dict)`` pairs of a CSV file.

    Column names are stripped and lower-cased, cell values stripped. The
    delimiter is a comma, or a semicolon or tab when the header has no comma
    (Excel uses a semicolon in locales with a decimal comma). Raises
    ``PipelineFileError`` when the file is missing, empty, unreadable or lacks
    a required column.

    A row with fewer cells than the header, or with a cell spanning lines,
    gets its problem under the ``ROW_PROBLEM`` key: ``("truncated", cells,
    columns)`` or ``("unclosed_quote", last line)``. Such a row is numbered
    by its first line. Python's csv reader raises no error on a quote left
    open: it reads every following line into that cell, up to the next quote.
    """
    text = decode(content, filename)
    if not text.strip():
        raise PipelineFileError("empty", filename)

    header_line = text.lstrip().splitlines()[0]
    delimiter = ","
    if "," not in header_line and ";" in header_line:
        delimiter = ";"
    elif "," not in header_line and "\t" in header_line:
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    try:
        # reader.line_num counts physical lines and is the line where a record
        # ends, so a record starts on the line after the previous one ended.
        records = []
        first_line = 1
        for record in reader:
            records.append((first_line, reader.line_num, record))
            first_line = reader.line_num + 1
    except csv.Error as error:
        raise PipelineFileError("malformed", filename, str(error)) from error

    records = [
        (first, last, record)
        for first, last, record in records
        if any(cell.strip() for cell in record)
    ]
    if not records:
        raise PipelineFileError("empty", filename)
    header = [name.strip().lower() for name in records[0][2]]
    missing = [name for name in REQUIRED_COLUMNS.get(filename, ()) if name not in header]
    if missing:
        raise PipelineFileError("missing_columns", filename, ", ".join(missing))

    rows = []
    for first, last, record in records[1:]:
        cells = [cell.strip() for cell in record] + [""] * (len(header) - len(record))
        # Cells beyond the header are ignored.
        row = dict(zip(header, cells, strict=False))
        if any("\n" in cell or "\r" in cell for cell in record):
            row[ROW_PROBLEM] = ("unclosed_quote", last)
        elif len(record) < len(header):
            row[ROW_PROBLEM] = ("truncated", len(record), len(header))
        # A normal row is numbered by the line where it ends, which is also
        # where it starts, and a malformed one by the line where it starts.
        rows.append((first if ROW_PROBLEM in row else last, row))
    if not rows:
        raise PipelineFileError("no_rows", filename)
    return rows


def product_key(name):
    """Return the key products are matched on: no spaces, case-folded.

    It merges spellings such as ``GTXPro`` and ``GTX Pro``.
    """
    return re.sub(r"\s+", "", name or "").casefold()


def sector_key(sector):
    """Return a sector name lower-cased, with known typos fixed."""
    key = " ".join((sector or "").split()).lower()
    return SECTOR_TYPOS.get(key, key)


def login_from_name(name):
    """Return a login derived from a person's name, the same on every run.

    ``Mei-Mei Johns`` gives ``mei.mei.johns``. A name with no Latin letters
    (a Chinese name, say) gives ``agent.`` and the first 10 hex digits of its
    SHA-1, because dropping its letters would leave nothing.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    login = re.sub(r"[^a-z0-9]+", ".", ascii_name.lower()).strip(".")
    if not login:
        login = "agent." + hashlib.sha1(name.encode()).hexdigest()[:10]
    return login


def parse_date(value):
    """Return the date in ``value``, ``None`` when blank; raise ``ValueError``."""
    if not value:
        return None
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, date_format).date()
        except ValueError:
            continue
    raise ValueError(value)


def parse_amount(value):
    """Return the non-negative amount in ``value``, ``None`` when blank.

    Commas are read as thousands separators. Raises ``ValueError``.
    """
    if not value:
        return None
    amount = float(value.replace(",", "").replace(" ", ""))
    if amount < 0 or amount != amount or amount in (float("inf"), float("-inf")):
        raise ValueError(value)
    return amount


def parse_products(rows):
    """Return ``{product key: (display name, list price)}``.

    A price that is not a number is read as no price.
    """
    products = {}
    for _line, row in rows:
        name = " ".join(row["product"].split())
        if not name:
            continue
        try:
            price = parse_amount(row["sales_price"])
        except ValueError:
            price = None
        products[product_key(name)] = (name, price)
    return products


def parse_accounts(rows):
    """Return ``{account name: {"sector": key, "country": name}}``."""
    accounts = {}
    for _line, row in rows:
        name = " ".join(row["account"].split())
        if name:
            accounts[name] = {
                "sector": sector_key(row["sector"]),
                "country": " ".join(row.get("office_location", "").split()),
            }
    return accounts


def parse_teams(rows):
    """Return ``{agent name: (manager name, regional office)}``."""
    teams = {}
    for _line, row in rows:
        agent = " ".join(row["sales_agent"].split())
        if agent:
            teams[agent] = (
                " ".join(row["manager"].split()),
                " ".join(row["regional_office"].split()),
            )
    return teams


def parse_pipeline(rows, products):
    """Return ``(opportunities, skips)`` from the pipeline rows.

    A row is skipped, with a ``RowSkip``, when it is truncated or has a quote
    left open, or when its id is missing or repeated. It is skipped when its
    stage is not one of the export's four, or its product is blank or not in
    ``products``. It is also skipped when a date or the close value is
    invalid, when a won or lost deal has no close date or a won deal no close
    value, and when the close date is before the engage date. Product names
    take the spelling of ``products``, so ``GTXPro`` becomes ``GTX Pro``.
    """
    opportunities = []
    skips = []
    seen = {}
    for line, row in rows:
        ref = row["opportunity_id"]

        def skip(code, _line=line, _ref=ref, **values):
            skips.append(RowSkip(_line, _ref, code, values))

        problem = row.get(ROW_PROBLEM)
        if problem and problem[0] == "unclosed_quote":
            skip("unclosed_quote", last_line=problem[1])
            continue
        if problem:
            skip("truncated", cells=problem[1], columns=problem[2])
            continue
        if not ref:
            skip("missing_id")
            continue
        if ref in seen:
            skip("duplicate_id", first_line=seen[ref])
            continue
        seen[ref] = line

        stage = FILE_STAGES.get(row["deal_stage"].lower())
        if not stage:
            skip("unknown_stage", value=row["deal_stage"])
            continue

        product = " ".join(row["product"].split())
        if not product:
            skip("missing_product")
            continue
        if product_key(product) not in products:
            skip("unknown_product", value=product)
            continue

        dates = {}
        bad_column = None
        for column in ("engage_date", "close_date"):
            try:
                dates[column] = parse_date(row[column])
            except ValueError:
                bad_column = column
                break
        if bad_column:
            skip("bad_date", column=bad_column, value=row[bad_column])
            continue
        try:
            close_value = parse_amount(row["close_value"])
        except ValueError:
            skip("bad_number", column="close_value", value=row["close_value"])
            continue

        if stage in ("Won", "Lost") and not dates["close_date"]:
            skip("missing_date", column="close_date", stage=stage)
            continue
        if stage == "Won" and close_value is None:
            skip("missing_value", column="close_value", stage=stage)
            continue
        if (
            dates["engage_date"]
            and dates["close_date"]
            and dates["close_date"] < dates["engage_date"]
        ):
            skip("close_before_engage", engage=row["engage_date"], close=row["close_date"])
            continue

        opportunities.append(
            Opportunity(
                line=line,
                ref=ref,
                agent=" ".join(row["sales_agent"].split()),
                product=products[product_key(product)][0],
                account=" ".join(row["account"].split()),
                stage=stage,
                engage_date=dates["engage_date"],
                close_date=dates["close_date"],
                close_value=close_value,
            )
        )
    return opportunities, skips


def median_sales_cycle_days(opportunities):
    """Return the median days from engage to close of the won deals, or None."""
    cycles = [
        (opportunity.close_date - opportunity.engage_date).days
        for opportunity in opportunities
        if opportunity.stage == "Won" and opportunity.engage_date and opportunity.close_date
    ]
    return round(statistics.median(cycles)) if cycles else None
