"""Logistic regression of lead outcomes over one-hot features, without the ORM.

The lead health score is the probability that an open lead is won, given
categorical features such as its stage, its amount band or how recently the
customer was in touch. A feature vector is a ``{feature: value_key}`` dict of
strings, and every ``(feature, value_key)`` pair is one binary input.

Training never keeps one row per lead in memory. Samples are first summed per distinct
feature vector into won and total weights (``aggregate``), so memory grows
with the number of distinct vectors and not with the number of closed leads.
The model is then fitted by Newton's method on the L2-penalised log-likelihood
(``fit``). The result depends only on the aggregated table, because rows and
parameters are processed in sorted order.

Values seen in fewer than ``MIN_VALUE_SUPPORT`` samples are merged into the
``OTHER`` value of their feature before fitting. At scoring time a value the
model does not know uses that ``OTHER`` weight, or no weight at all.
"""

import math

# Value key of the bucket that contains rare and unknown values of a feature.
OTHER = "other"
# A value seen in fewer training samples than this gets a weight that mostly
# reflects noise, so it is merged into OTHER. The support is the sum of the
# sample weights. crm.lead weighs each snapshot by the weeks it stands for, so
# 10 is ten weeks of open leads: one lead open ten weeks, or ten leads closed
# within their first week.
MIN_VALUE_SUPPORT = 10.0
# L2 penalty on the feature weights (not on the intercept), in units of sample
# weight (weeks of open leads). 1.0 keeps weights of values seen in a handful
# of samples near zero and barely changes values seen in hundreds.
L2_PENALTY = 1.0
# Newton's method usually converges in 5 to 8 iterations on this problem. The
# cap bounds the run time if the data are separable.
MAX_ITERATIONS = 50
# Stop when no parameter moves by more than this in one iteration.
TOLERANCE = 1e-7


def sigmoid(z):
    """Return the logistic function of ``z`` without overflowing for large ``|z|``."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    exp_z = math.exp(z)
    return exp_z / (1.0 + exp_z)


def vector_key(features):
    """Return a hashable, order-independent key of a ``{feature: value_key}`` dict."""
    return tuple(sorted(features.items()))


def aggregate(samples, table=None):
    """Sum ``(features, won, weight)`` samples per distinct feature vector.

    Returns ``{vector_key: [won_weight, total_weight]}``. Pass ``table`` to add
    to an existing table. Samples with a weight of 0 or less are ignored.
    """
    table = {} if table is None else table
    for features, won, weight in samples:
        if weight <= 0:
            continue
        row = table.setdefault(vector_key(features), [0.0, 0.0])
        if won:
            row[0] += weight
        row[1] += weight
    return table


def value_support(table):
    """Return ``{(feature, value_key): total_weight}`` of an aggregated table."""
    support = {}
    for key, (_won, total) in table.items():
        for pair in key:
            support[pair] = support.get(pair, 0.0) + total
    return support


def collapse_rare(table, min_support=MIN_VALUE_SUPPORT):
    """Merge the values seen in less than ``min_support`` samples (summed weight) into ``OTHER``.

    Returns a new aggregated table.
    """
    support = value_support(table)
    collapsed = {}
    for key, (won, total) in table.items():
        new_key = tuple(
            (feature, value if support[(feature, value)] >= min_support else OTHER)
            for feature, value in key
        )
        row = collapsed.setdefault(new_key, [0.0, 0.0])
        row[0] += won
        row[1] += total
    return collapsed


def _cholesky_solve(matrix, vector):
    """Solve ``matrix @ x = vector`` for a symmetric positive definite ``matrix``."""
    size = len(vector)
    lower = [[0.0] * size for _index in range(size)]
    for i in range(size):
        row_i = lower[i]
        for j in range(i + 1):
            row_j = lower[j]
            total = matrix[i][j] - sum(row_i[k] * row_j[k] for k in range(j))
            if i == j:
                # The L2 penalty keeps the diagonal positive, except for the
                # intercept of an all-won or all-lost table: guard it.
                row_i[i] = math.sqrt(max(total, 1e-12))
            else:
                row_i[j] = total / row_j[j]
    forward = [0.0] * size
    for i in range(size):
        forward[i] = (vector[i] - sum(lower[i][k] * forward[k] for k in range(i))) / lower[i][i]
    solution = [0.0] * size
    for i in reversed(range(size)):
        total = forward[i] - sum(lower[k][i] * solution[k] for k in range(i + 1, size))
        solution[i] = total / lower[i][i]
    return solution


def _penalised_loss(rows, params, l2):
    """Return the negative log-likelihood plus the L2 penalty of ``params``."""
    loss = 0.0
    for indices, won, total in rows:
        z = params[0] + sum(params[index] for index in indices)
        # log(1 + exp(z)) computed without overflow.
        softplus = z + math.log1p(math.exp(-z)) if z > 0 else math.log1p(math.exp(z))
        loss += total * softplus - won * z
    return loss + 0.5 * l2 * sum(value * value for value in params[1:])


def fit(table, l2=L2_PENALTY, max_iterations=MAX_ITERATIONS, tolerance=TOLERANCE):
    """Fit the L2-penalised logistic regression on an aggregated table.

    ``table`` is the output of ``aggregate`` (after ``collapse_rare`` when rare
    values should be merged). Returns a dict with ``intercept``, ``weights``
    (``{(feature, value_key): weight}`` in log-odds), ``support`` (summed
    sample weight per pair), ``iterations``, ``won`` and ``total`` (sums of the sample weights)
    and ``loss`` (penalised negative log-likelihood at the solution).
    """
    support = value_support(table)
    pairs = sorted(support)
    position = {pair: index + 1 for index, pair in enumerate(pairs)}
    rows = sorted(
        ([position[pair] for pair in key], won, total) for key, (won, total) in table.items()
    )
    won_sum = sum(row[1] for row in rows)
    total_sum = sum(row[2] for row in rows)
    size = len(pairs) + 1

    # 1. Start from the base rate: only the intercept is non-zero.
    params = [0.0] * size
    if total_sum:
        rate = min(max(won_sum / total_sum, 1e-6), 1 - 1e-6)
        params[0] = math.log(rate / (1 - rate))
    loss = _penalised_loss(rows, params, l2)

    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007
        # 2. Gradient and Hessian of the penalised loss.
        gradient = [0.0] * size
        hessian = [[0.0] * size for _index in range(size)]
        for indices, won, total in rows:
            active = [0, *indices]
            p = sigmoid(sum(params[index] for index in active))
            residual = total * p - won
            curvature = total * p * (1 - p)
            for i in active:
                gradient[i] += residual
                row = hessian[i]
                for j in active:
                    row[j] += curvature
        for i in range(1, size):
            gradient[i] += l2 * params[i]
            hessian[i][i] += l2

        # 3. Newton step, halved until the loss does not grow.
        step = _cholesky_solve(hessian, gradient)
        scale = 1.0
        while True:
            candidate = [value - scale * delta for value, delta in zip(params, step, strict=True)]
            candidate_loss = _penalised_loss(rows, candidate, l2)
            if candidate_loss <= loss + 1e-12 or scale < 1e-4:
                break
            scale /= 2
        params, loss = candidate, candidate_loss
        if max(abs(scale * delta) for delta in step) < tolerance:
            break

    return {
        "intercept": params[0],
        "weights": {pair: params[position[pair]] for pair in pairs},
        "support": support,
        "iterations": iterations,
        "won": won_sum,
        "total": total_sum,
        "loss": loss,
    }


def resolve_weight(weights_by_feature, feature, value):
    """Return the weight of ``feature = value``, of its ``OTHER`` bucket, or 0."""
    weights = weights_by_feature.get(feature)
    if not weights:
        return 0.0
    if value in weights:
        return weights[value]
    return weights.get(OTHER, 0.0)


def predict(intercept, weights_by_feature, features):
    """Return the probability of a win for a ``{feature: value_key}`` dict.

    ``weights_by_feature`` is ``{feature: {value_key: weight}}``. Features the
    model was not trained on are ignored.
    """
    z = intercept + sum(
        resolve_weight(weights_by_feature, feature, value) for feature, value in features.items()
    )
    return sigmoid(z)


def baselines(weights_by_feature, support_by_feature):
    """Return ``{feature: mean weight}``, averaged over the training samples.

    The contribution of a value is its weight minus this mean, so a factor
    shows how much the lead differs from a typical closed lead.
    """
    result = {}
    for feature, weights in weights_by_feature.items():
        supports = support_by_feature.get(feature, {})
        total = sum(supports.get(value, 0.0) for value in weights)
        if total:
            result[feature] = (
                sum(weight * supports.get(value, 0.0) for value, weight in weights.items()) / total
            )
        else:
            result[feature] = 0.0
    return result


def top_factors(weights_by_feature, baseline_by_feature, features, limit=3):
    """Return the ``limit`` features that move the score most, as
    ``(feature, value_key, contribution)`` sorted by decreasing ``|contribution|``.

    A contribution is in log-odds: positive raises the probability, negative
    lowers it. Ties are broken by feature name so the order is stable.
    """
    factors = []
    for feature, value in features.items():
        if feature not in weights_by_feature:
            continue
        contribution = resolve_weight(weights_by_feature, feature, value) - baseline_by_feature.get(
            feature, 0.0
        )
        factors.append((feature, value, contribution))
    factors.sort(key=lambda factor: (-abs(factor[2]), factor[0]))
    return factors[:limit]


def brier_score(pairs):
    """Return the mean squared error of ``(probability, won)`` pairs, or None if empty."""
    count = 0
    total = 0.0
    for probability, won in pairs:
        total += (probability - (1.0 if won else 0.0)) ** 2
        count += 1
    return total / count if count else None
