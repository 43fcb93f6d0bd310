import unittest

import model


def rows(pairs):
    return [{"age": a, "income": 50000, "debt": d, "debt_to_income": d / 50000, "label": y} for a, d, y in pairs]


class AUCTest(unittest.TestCase):
    def test_perfect_ranking(self):
        self.assertEqual(model.auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]), 1.0)

    def test_reversed_ranking(self):
        self.assertEqual(model.auc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]), 0.0)

    def test_ties_count_half(self):
        self.assertEqual(model.auc([0, 1], [0.5, 0.5]), 0.5)


class SplitTest(unittest.TestCase):
    def test_every_fifth_row_is_held_out(self):
        train, holdout = model.split(list(range(10)))
        self.assertEqual(holdout, [4, 9])
        self.assertEqual(len(train), 8)


class FitTest(unittest.TestCase):
    def test_learns_that_debt_means_default(self):
        data = rows([(40, 5000 + 1000 * i, 0) for i in range(20)] + [(40, 40000 + 1000 * i, 1) for i in range(20)])
        fitted = model.fit(data, epochs=300, learning_rate=0.5)
        low = model.score(fitted, data[0])
        high = model.score(fitted, data[-1])
        self.assertLess(low, 0.5)
        self.assertGreater(high, 0.5)

    def test_constant_feature_does_not_divide_by_zero(self):
        fitted = model.fit(rows([(40, 1000, 0), (40, 2000, 1)]), epochs=1)
        self.assertEqual(fitted["stds"][0], 1.0)


if __name__ == "__main__":
    unittest.main()
