"""``import_pipeline`` command: import a pipeline history folder into a database.

Usage::

    odoo-bin --addons-path=ADDONS import_pipeline -c CONF -d DB --path FOLDER

FOLDER contains ``sales_pipeline.csv``, ``accounts.csv``, ``products.csv`` and
``sales_teams.csv``. The import runs as the superuser with the default stage
mapping of the import wizard, commits when it succeeds, and prints the same
summary as the wizard. It exits with status 1 when a file cannot be imported.
"""

import logging
import optparse
import sys
from pathlib import Path

import odoo
from odoo.cli import Command
from odoo.exceptions import UserError
from odoo.modules.registry import Registry

from .. import pipeline_csv

_logger = logging.getLogger(__name__)


def import_pipeline_folder(env, folder):
    """Import the four pipeline files of ``folder`` and return the wizard record.

    A file absent from the folder is passed on as missing, so the wizard's
    ``UserError`` names it. Raises ``UserError`` when the folder does not exist.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(
            env._(
                "The folder %(folder)s does not exist. Pass the folder that contains the pipeline "
                "CSV files with --path.",
                folder=str(folder),
            )
        )
    files = {}
    for name in pipeline_csv.FILE_NAMES:
        path = folder / name
        files[name] = path.read_bytes() if path.is_file() else None
    wizard = env["crm.pipeline.import"].create({})
    wizard._import_files(files)
    return wizard


class ImportPipeline(Command):
    """Import a pipeline history export (CSV files) into a database"""

    name = "import_pipeline"

    def run(self, args):
        parser = odoo.tools.config.parser
        parser.prog = f"{Path(sys.argv[0]).name} {self.name}"
        group = optparse.OptionGroup(parser, "Pipeline import")
        group.add_option(
            "--path",
            dest="import_path",
            help="folder that contains sales_pipeline.csv, accounts.csv, products.csv and "
            "sales_teams.csv",
        )
        parser.add_option_group(group)
        opt = odoo.tools.config.parse_config(args, setup_logging=True)

        dbname = odoo.tools.config["db_name"]
        if not dbname or not opt.import_path:
            sys.exit("import_pipeline needs a database (-d DB) and a folder (--path FOLDER)")

        registry = Registry(dbname)
        try:
            with registry.cursor() as cr:
                env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
                env = env(context=env["res.users"].context_get())
                wizard = import_pipeline_folder(env, opt.import_path)
                summary = wizard.summary
        except UserError as error:
            _logger.error("Pipeline import failed: %s", error.args[0])
            sys.exit(1)
        sys.stdout.write(summary + "\n")
