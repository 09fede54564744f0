from odoo.tests import BaseCase, tagged

from ..health_metrics import (
    auc,
    brier_score,
    calibration_error,
    evaluate,
    log_loss,
    reliability_table,
)

# Four forecasts with two won leads. By hand: of the four (won, lost) pairs,
# the won 0.35 ranks below the lost 0.4 and the three other pairs are in
# order, so the AUC is 3/4.
PROBABILITIES = [0.1, 0.4, 0.35, 0.8]
OUTCOMES = [0, 0, 1, 1]


@tagged("post_install", "-at_install")
class TestHealthMetrics(BaseCase):
    def test_auc_hand_example(self):
        """Three of four won/lost pairs in order give an AUC of 0.75."""
        self.assertAlmostEqual(auc(PROBABILITIES, OUTCOMES), 0.75)

    def test_auc_ties_count_half(self):
        """A won and a lost lead with the same forecast count one half."""
        # Pairs: won 0.5 against the two lost 0.5 (two ties, 1 in all), won
        # 0.9 above both lost leads (2): 3 of 4.
        self.assertAlmostEqual(auc([0.5, 0.5, 0.5, 0.9], [0, 1, 0, 1]), 0.75)
        self.assertAlmostEqual(auc([0.3, 0.3, 0.3], [1, 0, 1]), 0.5)

    def test_auc_perfect_and_reversed(self):
        """Forecasts in perfect order give 1, in reverse order 0."""
        self.assertEqual(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1.0)
        self.assertEqual(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]), 0.0)

    def test_auc_single_class(self):
        """The AUC is undefined, so None, when every lead has the same outcome."""
        self.assertIsNone(auc([0.2, 0.7], [1, 1]))
        self.assertIsNone(auc([0.2, 0.7], [0, 0]))
        self.assertIsNone(auc([], []))

    def test_brier_hand_example(self):
        """The Brier score is the mean squared error of the forecasts."""
        # (0.1² + 0.4² + 0.65² + 0.2²) / 4 = (0.01 + 0.16 + 0.4225 + 0.04) / 4
        self.assertAlmostEqual(brier_score(PROBABILITIES, OUTCOMES), 0.158125)
        self.assertEqual(brier_score([1.0, 0.0], [1, 0]), 0.0)
        self.assertIsNone(brier_score([], []))

    def test_log_loss_hand_example(self):
        """Two coin-flip forecasts have a log loss of ln 2."""
        self.assertAlmostEqual(log_loss([0.5, 0.5], [1, 0]), 0.693147, places=6)
        # A certain and wrong forecast is clipped, so the loss stays finite.
        self.assertAlmostEqual(log_loss([0.0], [1]), 34.538776, places=5)

    def test_reliability_bins(self):
        """Each forecast falls in its tenth, with the bin's mean and win rate."""
        table = reliability_table([0.05, 0.15, 0.12, 0.95, 1.0, 0.1], [0, 1, 0, 1, 1, 0])
        self.assertEqual(len(table), 10)
        self.assertEqual([row["count"] for row in table], [1, 3, 0, 0, 0, 0, 0, 0, 0, 2])
        self.assertAlmostEqual(table[0]["mean_predicted"], 0.05)
        self.assertEqual(table[0]["observed_rate"], 0.0)
        # 0.1 is the lower edge of the second bin.
        self.assertAlmostEqual(table[1]["mean_predicted"], (0.15 + 0.12 + 0.1) / 3)
        self.assertAlmostEqual(table[1]["observed_rate"], 1 / 3)
        self.assertIsNone(table[2]["mean_predicted"])
        self.assertIsNone(table[2]["observed_rate"])
        # 1.0 belongs to the last bin.
        self.assertAlmostEqual(table[9]["mean_predicted"], 0.975)
        self.assertEqual(table[9]["observed_rate"], 1.0)
        self.assertEqual((table[9]["lower"], table[9]["upper"]), (0.9, 1.0))

    def test_calibration_error_weights_bins(self):
        """The calibration error weighs each bin's gap by its count."""
        table = reliability_table([0.05, 0.15, 0.12, 0.95, 1.0], [0, 1, 0, 1, 1])
        # (1 × 0.05 + 2 × |0.135 - 0.5| + 2 × |0.975 - 1|) / 5
        self.assertAlmostEqual(calibration_error(table), 0.166)
        self.assertIsNone(calibration_error(reliability_table([], [])))

    def test_evaluate_counts(self):
        """The summary carries the counts next to the metrics."""
        result = evaluate(PROBABILITIES, OUTCOMES)
        self.assertEqual(result["count"], 4)
        self.assertEqual(result["won"], 2)
        self.assertAlmostEqual(result["auc"], 0.75)
        self.assertAlmostEqual(result["brier"], 0.158125)

    def test_length_mismatch(self):
        """Forecasts and outcomes of different lengths raise a ValueError."""
        with self.assertRaises(ValueError):
            auc([0.1, 0.2], [1])
        with self.assertRaises(ValueError):
            brier_score([0.1], [1, 0])
