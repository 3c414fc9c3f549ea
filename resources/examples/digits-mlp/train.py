#!/usr/bin/python3
"""Trains a small neural network on the handwritten digits that scikit-learn ships (no download).

Prints the validation loss after each epoch and ends with "loss: <value>", the value Sweepline reads.
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
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


def main():
    args = parse_args()
    if args.hidden < 1 or args.batch_size < 1 or args.lr <= 0 or args.epochs < 1:
        print("invalid hyperparameters", file=sys.stderr)
        return 2
    digits = load_digits()
    x_train, x_val, y_train, y_val = train_test_split(
        digits.data, digits.target, test_size=0.25, random_state=args.seed, stratify=digits.target)
    scaler = StandardScaler().fit(x_train)
    x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)

    model = MLPClassifier(hidden_layer_sizes=(args.hidden,), solver=args.solver,
                          learning_rate_init=args.lr, batch_size=args.batch_size,
                          random_state=args.seed)
    classes = np.unique(digits.target)
    rng = np.random.default_rng(args.seed)
    start = time.monotonic()
    loss = float("nan")
    for epoch in range(1, args.epochs + 1):
        order = rng.permutation(len(x_train))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.partial_fit(x_train[order], y_train[order], classes=classes)
        loss = log_loss(y_val, model.predict_proba(x_val), labels=classes)
        accuracy = model.score(x_val, y_val)
        print(f"epoch {epoch}/{args.epochs} loss={loss:.6f} accuracy={accuracy:.4f}", flush=True)
    print(f"elapsed_s: {time.monotonic() - start:.3f}")
    print(f"loss: {loss:.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
