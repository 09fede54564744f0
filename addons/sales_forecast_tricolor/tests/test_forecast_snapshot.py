from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ForecastCommon


@tagged("post_install", "-at_install")
class TestForecastSnapshot(ForecastCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Snapshot = cls.env["sales.forecast.snapshot"]
        cls.lead_green = cls._create_opportunity(
            name="Snapshot green", expected_revenue=10000.0, date_deadline=date(2026, 3, 20)
        )
        cls._add_evidence(cls.lead_green, cls.type_payment_voucher)
        cls.lead_red = cls._create_opportunity(
            name="Snapshot red",
            expected_revenue=5000.0,
            date_deadline=date(2026, 3, 25),
            user_id=cls.user_salesman_other.id,
        )
        cls.lead_later = cls._create_opportunity(
            name="Snapshot later", expected_revenue=4000.0, date_deadline=date(2026, 5, 10)
        )

    def _take(self, day="2026-03-01"):
        with freeze_time(day):
            return self.Snapshot._take_snapshot(self.company, trigger="scheduled")

    def _lines(self, snapshot):
        return snapshot.line_ids.filtered(lambda line: line.team_id == self.team)

    def _win(self, lead, day):
        with freeze_time(day):
            self._set_stage(lead, self.stage_won)

    def _accuracy(self, snapshot):
        """Compute the snapshot's accuracy and return the test team's rows, team row first."""
        snapshot._compute_forecast_accuracy()
        rows = snapshot.accuracy_ids.filtered(lambda row: row.team_id == self.team)
        return rows.sorted(lambda row: row.level != "team")

    def _rep_row(self, rows, user):
        return rows.filtered(lambda row: row.level == "user" and row.user_id == user)

    def test_snapshot_freezes_open_deals(self):
        """A snapshot contains one line per open deal with colour, weight, amount, date, team and rep."""
        snapshot = self._take()

        lines = self._lines(snapshot)
        self.assertEqual(
            set(lines.lead_id.ids), {self.lead_green.id, self.lead_red.id, self.lead_later.id}
        )
        green = lines.filtered(lambda line: line.lead_id == self.lead_green)
        self.assertEqual(green.forecast_color, "green")
        self.assertAlmostEqual(green.forecast_weight, 0.9)
        self.assertAlmostEqual(green.expected_revenue, 10000.0)
        self.assertAlmostEqual(green.weighted_revenue, 9000.0)
        self.assertEqual(green.date_deadline, date(2026, 3, 20))
        self.assertEqual(green.user_id, self.user_salesman)
        self.assertEqual(snapshot.period_start, date(2026, 3, 1))
        self.assertEqual(snapshot.period_end, date(2026, 3, 31))

    def test_snapshot_skips_won_and_lost(self):
        """Won and lost deals are not in the snapshot."""
        self._win(self.lead_later, "2026-02-20")
        self.lead_red.action_set_lost()

        lines = self._lines(self._take())

        self.assertEqual(lines.lead_id, self.lead_green)

    def test_snapshot_unchanged_by_later_edits(self):
        """New weights, evidence and amounts after the snapshot leave its lines as they were."""
        snapshot = self._take()

        self.company.write({"forecast_weight_green": 0.8, "forecast_weight_red": 0.1})
        self._add_evidence(self.lead_red, self.type_purchase_order)
        self.lead_green.expected_revenue = 99000.0
        self.env["sales.forecast.weight"].create(
            {
                "team_id": self.team.id,
                "forecast_weight_green": 0.5,
                "forecast_weight_yellow": 0.4,
                "forecast_weight_red": 0.3,
            }
        )
        self.env.flush_all()
        snapshot.line_ids.invalidate_recordset()

        lines = self._lines(snapshot)
        green = lines.filtered(lambda line: line.lead_id == self.lead_green)
        red = lines.filtered(lambda line: line.lead_id == self.lead_red)
        self.assertAlmostEqual(green.forecast_weight, 0.9)
        self.assertAlmostEqual(green.expected_revenue, 10000.0)
        self.assertEqual(red.forecast_color, "red")
        self.assertAlmostEqual(red.weighted_revenue, 1000.0)

    def test_snapshot_immutable(self):
        """Changing, adding or deleting snapshot lines, or changing or deleting the snapshot, raises."""
        snapshot = self._take()
        line = self._lines(snapshot)[:1]

        with self.assertRaises(UserError):
            line.write({"expected_revenue": 1.0})
        with self.assertRaises(UserError):
            line.unlink()
        with self.assertRaises(UserError):
            self.env["sales.forecast.snapshot.line"].create({"snapshot_id": snapshot.id})
        with self.assertRaises(UserError):
            snapshot.write({"period_start": date(2026, 4, 1)})
        with self.assertRaises(UserError):
            snapshot.unlink()

    def test_cron_once_per_period(self):
        """The monthly job takes one snapshot per company and period, however often it runs."""
        with freeze_time("2026-03-01 00:20:00"):
            self.Snapshot._cron_take_period_snapshots()
        with freeze_time("2026-03-02 00:20:00"):
            self.Snapshot._cron_take_period_snapshots()

        snapshots = self.Snapshot.search(
            [("company_id", "=", self.company.id), ("period_start", "=", date(2026, 3, 1))]
        )
        self.assertEqual(len(snapshots), 1)
        self.assertEqual(snapshots.trigger, "scheduled")

    def test_cron_computes_last_period(self):
        """The job at a period start computes the accuracy of the period that ended."""
        with freeze_time("2026-03-01 00:20:00"):
            self.Snapshot._cron_take_period_snapshots()
        self._win(self.lead_green, "2026-03-15 10:00:00")
        with freeze_time("2026-04-01 00:20:00"):
            self.Snapshot._cron_take_period_snapshots()

        march = self.Snapshot.search(
            [("company_id", "=", self.company.id), ("period_start", "=", date(2026, 3, 1))]
        )
        team_row = march.accuracy_ids.filtered(
            lambda row: row.team_id == self.team and row.level == "team"
        )
        self.assertAlmostEqual(team_row.actual_amount, 10000.0)

    def test_manual_snapshot_manager_only(self):
        """A sales manager can take a snapshot on demand, a salesman cannot."""
        with self.assertRaises(UserError):
            self.Snapshot.with_user(self.user_salesman).action_take_snapshot()

        action = self.Snapshot.with_user(self.user_manager).action_take_snapshot()

        snapshot = self.Snapshot.browse(action["res_id"])
        self.assertEqual(snapshot.trigger, "manual")
        self.assertTrue(self._lines(snapshot))

    def test_salesman_sees_own_lines(self):
        """A salesman reads only their own lines of a snapshot."""
        snapshot = self._take()

        lines = (
            self.env["sales.forecast.snapshot.line"]
            .with_user(self.user_salesman)
            .search([("snapshot_id", "=", snapshot.id), ("team_id", "=", self.team.id)])
        )

        self.assertEqual(set(lines.lead_id.ids), {self.lead_green.id, self.lead_later.id})

    # ------------------------------------------------------------
    # Accuracy
    # ------------------------------------------------------------

    def test_accuracy_formula(self):
        """Accuracy is 1 − |forecast − won| / won over the deals expected in the period."""
        snapshot = self._take()
        self._win(self.lead_green, "2026-03-18 09:00:00")

        row = self._accuracy(snapshot)[0]

        # Forecast for March: 10000 × 0.9 + 5000 × 0.2 = 10000; won: 10000.
        self.assertAlmostEqual(row.forecast_amount, 10000.0)
        self.assertAlmostEqual(row.actual_amount, 10000.0)
        self.assertAlmostEqual(row.accuracy, 1.0)
        self.assertEqual(row.forecast_count, 2)
        self.assertEqual(row.won_count, 1)

    def test_accuracy_per_rep(self):
        """Each rep gets a row with their own forecast and wins."""
        snapshot = self._take()
        self._win(self.lead_red, "2026-03-18 09:00:00")

        rows = self._accuracy(snapshot)
        mine = self._rep_row(rows, self.user_salesman)
        other = self._rep_row(rows, self.user_salesman_other)

        self.assertAlmostEqual(mine.forecast_amount, 9000.0)
        self.assertAlmostEqual(mine.actual_amount, 0.0)
        self.assertAlmostEqual(mine.accuracy, 0.0)
        self.assertAlmostEqual(other.forecast_amount, 1000.0)
        self.assertAlmostEqual(other.actual_amount, 5000.0)
        # 1 − |1000 − 5000| / 5000 = 0.2
        self.assertAlmostEqual(other.accuracy, 0.2)

    def test_accuracy_zero_actual(self):
        """With nothing won, accuracy is 0 after a forecast and 1 with no forecast either."""
        accuracy = self.env["sales.forecast.accuracy"]

        self.assertEqual(accuracy._get_accuracy(9000.0, 0.0), 0.0)
        self.assertEqual(accuracy._get_accuracy(0.0, 0.0), 1.0)
        row = self._accuracy(self._take())[0]
        self.assertAlmostEqual(row.actual_amount, 0.0)
        self.assertEqual(row.accuracy, 0.0)

    def test_accuracy_floor_zero(self):
        """A forecast more than twice the actual scores 0, not a negative number."""
        self.assertEqual(self.env["sales.forecast.accuracy"]._get_accuracy(30000.0, 10000.0), 0.0)
        self.assertAlmostEqual(
            self.env["sales.forecast.accuracy"]._get_accuracy(15000.0, 10000.0), 0.5
        )

    def test_accuracy_unforecast_win(self):
        """A deal won in the period but expected later counts as won and as unforecast."""
        snapshot = self._take()
        self._win(self.lead_later, "2026-03-10 09:00:00")

        row = self._accuracy(snapshot)[0]

        self.assertAlmostEqual(row.forecast_amount, 10000.0)
        self.assertAlmostEqual(row.actual_amount, 4000.0)
        self.assertAlmostEqual(row.unforecast_won_amount, 4000.0)
        # 1 − |10000 − 4000| / 4000 < 0, floored at 0.
        self.assertEqual(row.accuracy, 0.0)

    def test_accuracy_new_deal_won(self):
        """A deal created after the snapshot and won in the period is an unforecast win."""
        snapshot = self._take()
        new_deal = self._create_opportunity(name="Snapshot new", expected_revenue=2000.0)
        self._win(new_deal, "2026-03-12 09:00:00")

        row = self._accuracy(snapshot)[0]

        self.assertAlmostEqual(row.actual_amount, 2000.0)
        self.assertAlmostEqual(row.unforecast_won_amount, 2000.0)

    def test_accuracy_reopened_win(self):
        """A deal won in the period and then reopened is not counted as won."""
        snapshot = self._take()
        self._win(self.lead_green, "2026-03-18 09:00:00")
        with freeze_time("2026-03-25 09:00:00"):
            self._set_stage(self.lead_green, self.stage_open)

        row = self._accuracy(snapshot)[0]

        self.assertFalse(self.lead_green.date_closed)
        self.assertAlmostEqual(row.actual_amount, 0.0)
        self.assertEqual(row.won_count, 0)

    def test_accuracy_won_stage_move(self):
        """Moving a won deal to another won stage next month keeps it won in the first month."""
        other_won = self.env["crm.stage"].create(
            {"name": "Forecast Invoiced", "is_won": True, "sequence": 90}
        )
        march = self._take()
        april = self._take("2026-04-01")
        self._win(self.lead_green, "2026-03-30 09:00:00")
        with freeze_time("2026-04-05 09:00:00"):
            self._set_stage(self.lead_green, other_won)

        self.assertEqual(self.lead_green.date_closed.date(), date(2026, 3, 30))
        self.assertAlmostEqual(self._accuracy(march)[0].actual_amount, 10000.0)
        self.assertAlmostEqual(self._accuracy(april)[:1].actual_amount, 0.0)

    def test_accuracy_recomputed(self):
        """Computing the accuracy again replaces the rows instead of adding to them."""
        snapshot = self._take()
        self._win(self.lead_green, "2026-03-18 09:00:00")

        self._accuracy(snapshot)
        rows = self._accuracy(snapshot)

        self.assertEqual(len(rows.filtered(lambda row: row.level == "team")), 1)
        self.assertAlmostEqual(rows[0].actual_amount, 10000.0)
