"""Run every benchmark (bench/bench_*.py, each with `run() -> list[Result]`) and print a
markdown table; `--write` also stores it in bench/RESULTS.md for the README.

    python -m bench.run [--write] [NAME ...]
"""

import argparse
import importlib
import platform
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).parent
HEADER = ("| benchmark | budget | median ms | p95 ms | runs | note |\n"
          "|---|---|---|---|---|---|")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md")
    args = parser.parse_args()
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if args.names:
        modules = [m for m in modules if m.removeprefix("bench_") in args.names]
    rows = []
    for name in modules:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        module = importlib.import_module(f"bench.{name}")
        for result in module.run():
            rows.append(result.row())
            print(result.row(), flush=True)
    table = "\n".join([HEADER, *rows])
    machine = f"{platform.machine()}, Python {platform.python_version()}"
    text = f"Measured {date.today().isoformat()} on this machine ({machine}, 2 cores).\n\n{table}\n"
    print("\n" + text)
    if args.write:
        (HERE / "RESULTS.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
