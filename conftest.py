"""pytest settings shared by the tests of every module and of tests/."""

from odoo.modules import module as odoo_module


def pytest_sessionstart(session):
    """Read every module manifest once before the tests start threads.

    CPython 3.11 keeps a process-wide recursion counter in its AST
    conversion, so two threads parsing at once can fail with "SystemError:
    AST constructor recursion depth mismatch" (CPython issue gh-106905).
    The browser tours start Odoo's HTTP threads, which read manifests
    through ``ast.literal_eval``; once cached here they never parse again.
    """
    for name in odoo_module.get_modules():
        odoo_module.get_manifest(name)
