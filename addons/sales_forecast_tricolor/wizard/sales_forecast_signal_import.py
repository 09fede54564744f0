import base64
import csv
import io
import logging

from odoo import fields, models
from odoo.exceptions import UserError

from ..models.sales_forecast_signal import SIGNAL_SEVERITIES, SIGNAL_TYPES

_logger = logging.getLogger(__name__)

# Column names of the import file, in the order of the downloadable template.
SIGNAL_COLUMNS = ("customer", "signal_type", "date", "severity", "source_url", "description")


class SalesForecastSignalImport(models.TransientModel):
    """Load external signals from a CSV or XLSX file.

    Each row is checked and loaded on its own: a bad row is reported with its
    number and reason, and the good rows still load.
    """

    _name = "sales.forecast.signal.import"
    _description = "Import External Signals"

    file = fields.Binary(required=True, help="CSV (UTF-8, comma-separated) or XLSX file.")
    filename = fields.Char()
    result = fields.Text(readonly=True)
    imported_count = fields.Integer(string="Rows Loaded", readonly=True)
    error_count = fields.Integer(string="Rows Rejected", readonly=True)

    def action_import(self):
        self.ensure_one()
        rows = self._read_rows(base64.b64decode(self.file), self.filename or "")
        signals, errors = self.env["sales.forecast.signal"]._import_signal_rows(rows)
        lines = [
            self.env._("%(count)s signals loaded.", count=len(signals)),
            *errors,
        ]
        self.write(
            {
                "result": "\n".join(lines),
                "imported_count": len(signals),
                "error_count": len(errors),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _read_rows(self, content, filename):
        """Return the file's data rows as dicts keyed by the header's column names."""
        if filename.lower().endswith(".xlsx"):
            import openpyxl  # noqa: PLC0415 - only XLSX imports need it

            try:
                sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
            except Exception as error:
                raise UserError(
                    self.env._("The file is not a readable XLSX workbook: %(error)s", error=error)
                ) from error
            values = list(sheet.iter_rows(values_only=True))
            if not values:
                return []
            header = [str(cell or "").strip().lower() for cell in values[0]]
            return [
                {
                    name: "" if cell is None else str(cell).strip()
                    for name, cell in zip(header, row, strict=False)
                }
                for row in values[1:]
            ]
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise UserError(self.env._("The CSV file must be encoded in UTF-8.")) from error
        reader = csv.DictReader(io.StringIO(text))
        reader.fieldnames = [name.strip().lower() for name in reader.fieldnames or []]
        return [{key: (value or "").strip() for key, value in row.items() if key} for row in reader]


class SalesForecastSignal(models.Model):
    _inherit = "sales.forecast.signal"

    def _import_signal_rows(self, rows):
        """Create a signal per valid row and return (signals, error messages).

        Row numbers in the messages count the header as row 1, as a
        spreadsheet shows them. Each row is created in its own savepoint.
        """
        type_by_key = {}
        for code, label in SIGNAL_TYPES:
            type_by_key[code] = code
            type_by_key[label.lower()] = code
        severity_by_key = {}
        for code, label in SIGNAL_SEVERITIES:
            severity_by_key[code] = code
            severity_by_key[label.lower()] = code

        signals = self.browse()
        errors = []
        for number, row in enumerate(rows, start=2):
            try:
                vals = self._parse_signal_row(row, type_by_key, severity_by_key)
                with self.env.cr.savepoint():
                    signals |= self.create(vals)
            except (UserError, ValueError) as error:
                message = error.args[0] if error.args else str(error)
                errors.append(self.env._("Row %(row)s: %(error)s", row=number, error=message))
        _logger.info("Signal import: %s rows loaded, %s rejected", len(signals), len(errors))
        return signals, errors

    def _parse_signal_row(self, row, type_by_key, severity_by_key):
        customer = row.get("customer", "")
        if not customer:
            raise UserError(self.env._("the customer is missing."))
        partners = self.env["res.partner"].search(
            ["|", ("vat", "=", customer), ("name", "=ilike", customer), ("is_company", "=", True)]
        )
        if not partners:
            raise UserError(
                self.env._(
                    "no customer company named or with the tax ID %(customer)s.", customer=customer
                )
            )
        if len(partners) > 1:
            raise UserError(
                self.env._(
                    "%(count)s customer companies match %(customer)s; use the tax ID.",
                    count=len(partners),
                    customer=customer,
                )
            )

        signal_type = type_by_key.get(row.get("signal_type", "").lower())
        if not signal_type:
            raise UserError(
                self.env._("unknown signal type %(value)s.", value=row.get("signal_type", ""))
            )
        severity = severity_by_key.get((row.get("severity") or "medium").lower())
        if not severity:
            raise UserError(self.env._("unknown severity %(value)s.", value=row.get("severity")))
        try:
            signal_date = fields.Date.to_date(row.get("date", "")[:10])
        except ValueError as error:
            raise UserError(
                self.env._("invalid date %(value)s; use YYYY-MM-DD.", value=row.get("date"))
            ) from error
        if not signal_date:
            raise UserError(self.env._("the date is missing."))
        return {
            "partner_id": partners.id,
            "signal_type": signal_type,
            "date": signal_date,
            "severity": severity,
            "source_url": row.get("source_url") or False,
            "description": row.get("description") or False,
        }
