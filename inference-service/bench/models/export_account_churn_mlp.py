"""Trains and exports the benchmark's neural-network model: account-churn-mlp.

A 30-feature multilayer perceptron (30 -> 64 -> 32 -> 1, ReLU), the kind of model a data
scientist trains in torch and exports with torch.onnx.export. Standardisation is part of the
module, so the ONNX graph takes raw feature values and training and serving cannot skew. The
graph emits one logit per row; the card applies the sigmoid.

The data are synthetic: accounts whose churn depends on usage, support load, contract and
payment signals, with interactions a linear model would miss. Everything is seeded and runs
single-threaded with deterministic kernels, so the same torch version writes the same file.

    apt-get install python3-torch python3-onnx      # Debian: torch 1.13, onnx 1.12
    /usr/bin/python3 inference-service/bench/models/export_account_churn_mlp.py

Writes, next to this script, account-churn-mlp/model.onnx, its card model.json, and
expected-scores.json (records and the probabilities torch computes for them), which
test/bench-models.test.ts compares with what the service answers.
"""

import json
import math
import os

import onnx
import torch

SEED = 20260115
TRAIN_ROWS = 24_000
HOLDOUT_ROWS = 6_000
EPOCHS = 30
BATCH = 512
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "account-churn-mlp")

# name, label, typical value, spread (log-normal for counts and amounts), integer?
FEATURES = [
    ("SeatsPurchased", "Seats purchased", 120, 0.8, True),
    ("SeatsActive", "Seats active", 90, 0.8, True),
    ("LoginsPerUser30d", "Logins per user (30 days)", 14, 0.6, False),
    ("SupportTickets90d", "Support tickets (90 days)", 6, 0.7, True),
    ("OpenEscalations", "Open escalations", 1, 0.9, True),
    ("NpsScore", "NPS score", 30, 0.0, False),
    ("ContractMonthsLeft", "Contract months left", 8, 0.6, True),
    ("AnnualContractValue", "Annual contract value", 60_000, 0.9, False),
    ("DiscountPercent", "Discount %", 12, 0.5, False),
    ("PaymentDaysLate", "Payment days late", 4, 0.9, True),
    ("FeatureAdoptionPercent", "Feature adoption %", 45, 0.4, False),
    ("ApiCalls30d", "API calls (30 days)", 25_000, 1.2, True),
    ("IntegrationsEnabled", "Integrations enabled", 3, 0.6, True),
    ("AdminChanges90d", "Admin changes (90 days)", 1, 0.8, True),
    ("TrainingSessions", "Training sessions", 4, 0.7, True),
    ("ExecutiveSponsors", "Executive sponsors", 1, 0.6, True),
    ("CsmTouches90d", "CSM touches (90 days)", 5, 0.6, True),
    ("TimeToValueDays", "Time to value (days)", 40, 0.6, True),
    ("BugsReported90d", "Bugs reported (90 days)", 3, 0.8, True),
    ("UptimeIncidents90d", "Uptime incidents (90 days)", 1, 0.9, True),
    ("RenewalsCompleted", "Renewals completed", 2, 0.7, True),
    ("Upsells12m", "Upsells (12 months)", 1, 0.8, True),
    ("CompetitorMentions", "Competitor mentions", 1, 1.0, True),
    ("SurveyResponses", "Survey responses", 6, 0.7, True),
    ("DataVolumeGb", "Data volume (GB)", 80, 1.0, False),
    ("MobileUsers", "Mobile users", 20, 0.9, True),
    ("InvoiceDisputes", "Invoice disputes", 0.5, 1.0, True),
    ("ChampionTenureMonths", "Champion tenure (months)", 18, 0.7, True),
    ("WeeklyActivePercent", "Weekly active users %", 55, 0.3, False),
    ("ReleaseAgeMonths", "Months behind the latest release", 4, 0.7, True),
]


def make_data(generator, rows):
    """Raw feature values and churn labels drawn from a fixed, nonlinear ground truth."""
    columns = []
    for _, _, typical, spread, integer in FEATURES:
        if spread == 0.0:
            value = torch.clamp(torch.randn(rows, generator=generator) * 35 + typical, -100, 100)
        else:
            value = typical * torch.exp(torch.randn(rows, generator=generator) * spread - spread * spread / 2)
        if integer:
            value = torch.round(value)
        columns.append(value)
    x = torch.stack(columns, dim=1)
    z = (torch.log1p(x.clamp(min=0)) - torch.log1p(torch.tensor([f[2] for f in FEATURES], dtype=x.dtype))) / 0.8
    z[:, 5] = x[:, 5] / 35  # NPS is on its own scale
    active_ratio = x[:, 1] / x[:, 0].clamp(min=1)
    logit = (
        -1.2
        - 1.6 * (active_ratio - 0.75)
        - 0.7 * z[:, 2]
        + 0.6 * z[:, 3]
        + 0.9 * z[:, 4] * (z[:, 6] < 0).float()  # escalations hurt most near renewal
        - 0.5 * z[:, 5]
        - 0.4 * z[:, 6]
        + 0.5 * z[:, 9]
        - 0.6 * z[:, 10]
        - 0.3 * z[:, 12]
        - 0.4 * z[:, 15]
        + 0.4 * z[:, 19]
        + 0.5 * z[:, 22] * z[:, 3].clamp(min=0)  # competitors circle accounts with many tickets
        - 0.3 * z[:, 27]
        - 0.5 * z[:, 28]
        + 0.3 * z[:, 29]
    )
    y = (torch.rand(rows, generator=generator) < torch.sigmoid(logit)).float()
    return x, y


class AccountChurnMlp(torch.nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(len(FEATURES), 64),
            torch.nn.ReLU(),
            torch.nn.Linear(64, 32),
            torch.nn.ReLU(),
            torch.nn.Linear(32, 1),
        )

    def forward(self, features):
        return self.layers((features - self.mean) / self.std)


def auc(scores, labels):
    order = torch.argsort(scores)
    ranks = torch.empty_like(scores)
    ranks[order] = torch.arange(1, len(scores) + 1, dtype=scores.dtype)
    positives = labels.sum()
    negatives = len(labels) - positives
    return float((ranks[labels == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    generator = torch.Generator().manual_seed(SEED)
    x_train, y_train = make_data(generator, TRAIN_ROWS)
    x_hold, y_hold = make_data(generator, HOLDOUT_ROWS)

    model = AccountChurnMlp(x_train.mean(dim=0), x_train.std(dim=0))
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    for _ in range(EPOCHS):
        permutation = torch.randperm(TRAIN_ROWS, generator=generator)
        for start in range(0, TRAIN_ROWS, BATCH):
            rows = permutation[start : start + BATCH]
            optimiser.zero_grad()
            loss = loss_fn(model(x_train[rows]).squeeze(1), y_train[rows])
            loss.backward()
            optimiser.step()
    model.eval()

    with torch.no_grad():
        p_hold = torch.sigmoid(model(x_hold).squeeze(1))
    metrics = {
        "auc": round(auc(p_hold, y_hold), 6),
        "brier": round(float(((p_hold - y_hold) ** 2).mean()), 6),
        "holdoutRows": HOLDOUT_ROWS,
    }

    os.makedirs(OUT, exist_ok=True)
    onnx_file = os.path.join(OUT, "model.onnx")
    torch.onnx.export(
        model,
        x_train[:2],
        onnx_file,
        input_names=["features"],
        output_names=["logit"],
        dynamic_axes={"features": {0: "batch"}, "logit": {0: "batch"}},
        opset_version=17,
        do_constant_folding=True,
    )
    onnx.checker.check_model(onnx.load(onnx_file))

    baseline = x_train.median(dim=0).values
    card = {
        "name": "account-churn-mlp",
        "version": "1.0.0",
        "description": (
            "Probability that a B2B account churns at renewal, from 30 usage, support, contract and payment "
            "signals: a torch MLP (30-64-32-1) exported with torch.onnx.export. Synthetic data; shipped for the "
            "benchmark, not for real decisions."
        ),
        "task": "binary_classification",
        "features": [
            {
                "name": name,
                "label": label,
                "type": "integer" if integer else "number",
                **({"min": 0} if spread != 0.0 else {"min": -100, "max": 100}),
                "baseline": int(baseline[i]) if integer else round(float(baseline[i]), 3),
            }
            for i, (name, label, _, spread, integer) in enumerate(FEATURES)
        ],
        "inputs": {"style": "tensor", "name": "features"},
        "output": {"name": "logit", "transform": "sigmoid"},
        "bands": [{"label": "High risk", "min": 0.5}, {"label": "Watch", "min": 0.25}, {"label": "Healthy", "min": 0}],
        "metrics": metrics,
        "trainingData": {
            "description": "Synthetic accounts with a nonlinear churn ground truth (see the export script).",
            "rows": TRAIN_ROWS,
            "positiveRate": round(float(y_train.mean()), 4),
            "seed": SEED,
            "generator": "inference-service/bench/models/export_account_churn_mlp.py",
        },
        "owner": "BYOM Bridge benchmark",
    }
    with open(os.path.join(OUT, "model.json"), "w", encoding="utf-8") as f:
        json.dump(card, f, indent=2)
        f.write("\n")

    # Records as a request sends them, and torch's probability for each (the service must agree).
    examples = x_hold[:64]
    with torch.no_grad():
        expected = torch.sigmoid(model(examples).squeeze(1))
    rows = [
        {
            "id": f"acct-{i:03d}",
            "features": {
                name: (int(examples[i, j]) if integer else float(examples[i, j]))
                for j, (name, _, _, _, integer) in enumerate(FEATURES)
            },
            "probability": float(expected[i]),
        }
        for i in range(len(examples))
    ]
    with open(os.path.join(OUT, "expected-scores.json"), "w", encoding="utf-8") as f:
        json.dump({"torch": torch.__version__, "rows": rows}, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}: holdout AUC {metrics['auc']}, Brier {metrics['brier']}")
    assert math.isfinite(metrics["auc"])


if __name__ == "__main__":
    main()
