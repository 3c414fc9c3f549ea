#!/usr/bin/python3
"""Trains a small neural network on the handwritten digits that scikit-learn ships (no download).

Prints the validation loss after each epoch and ends with "loss: <value>", the value Sweepline reads.
Other programs may import train() to run the same training in-process (scripts/make-search-tables).
"""
import argparse
import sys
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--hidden", type=int, default=32, help="units in the hidden layer")
    p.add_argument("--lr", type=float, default=0.001, help="initial learning rate")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--solver", choices=["sgd", "adam"], default="adam")
    p.add_argument("--alpha", type=float, default=0.0001, help="L2 penalty (scikit-learn's default)")
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


def load_data(seed=0):
    """The scaled train/validation split for a seed: (x_train, x_val, y_train, y_val, classes)."""
    digits = load_digits()
    x_train, x_val, y_train, y_val = train_test_split(
        digits.data, digits.target, test_size=0.25, random_state=seed, stratify=digits.target)
    scaler = StandardScaler().fit(x_train)
    return scaler.transform(x_train), scaler.transform(x_val), y_train, y_val, np.unique(digits.target)


def train(hidden=32, lr=0.001, batch_size=64, solver="adam", alpha=0.0001, epochs=15, seed=0,
          data=None, on_epoch=None):
    """One training run. Returns (final validation loss, seconds the training loop took).

    data: what load_data(seed) returns, to reuse it across runs; on_epoch(epoch, loss, accuracy) is
    called after each epoch. A run that diverges may raise ValueError (the predictions are not finite).
    """
    x_train, x_val, y_train, y_val, classes = data if data is not None else load_data(seed)
    model = MLPClassifier(hidden_layer_sizes=(hidden,), solver=solver,
                          learning_rate_init=lr, batch_size=batch_size, alpha=alpha,
                          random_state=seed)
    rng = np.random.default_rng(seed)
    start = time.monotonic()
    loss = float("nan")
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(x_train))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.partial_fit(x_train[order], y_train[order], classes=classes)
        loss = log_loss(y_val, model.predict_proba(x_val), labels=classes)
        accuracy = model.score(x_val, y_val)
        if on_epoch is not None:
            on_epoch(epoch, loss, accuracy)
    return loss, time.monotonic() - start


def main():
    args = parse_args()
    if args.hidden < 1 or args.batch_size < 1 or args.lr <= 0 or args.epochs < 1 or args.alpha < 0:
        print("invalid hyperparameters", file=sys.stderr)
        return 2

    def report(epoch, loss, accuracy):
        print(f"epoch {epoch}/{args.epochs} loss={loss:.6f} accuracy={accuracy:.4f}", flush=True)

    loss, elapsed = train(hidden=args.hidden, lr=args.lr, batch_size=args.batch_size,
                          solver=args.solver, alpha=args.alpha, epochs=args.epochs, seed=args.seed,
                          on_epoch=report)
    print(f"elapsed_s: {elapsed:.3f}")
    print(f"loss: {loss:.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
