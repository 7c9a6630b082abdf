"""Shared timing helpers for the benchmarks: medians and percentiles of wall-clock samples."""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Result:
    name: str
    budget: str
    median_ms: float
    p95_ms: float
    runs: int
    note: str = ""

    def row(self) -> str:
        return (f"| {self.name} | {self.budget} | {self.median_ms:.2f} | {self.p95_ms:.2f} "
                f"| {self.runs} | {self.note} |")


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def measure(fn: Callable[[], object], runs: int, warmup: int = 1) -> list[float]:
    """Wall-clock milliseconds of fn() over runs calls, after warmup calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def summarise(name: str, budget: str, samples: list[float], note: str = "") -> Result:
    return Result(name, budget, statistics.median(samples), percentile(samples, 95),
                  len(samples), note)
