"""Charts of a comparison: bench/results/results.json -> PNG files.

throughput.png: throughput per workload, one bar per system (log scale, since
reads and writes differ by orders of magnitude); latency_p99.png and
latency_p50.png: the same for latency; sdks.png: each SDK's share of the Rust
client's rate per workload, when the run had SDK figures.

Usage: python charts.py RESULTS_JSON OUT_DIR
"""

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend is chosen first)

ORDER = ["Kimberlite", "Postgres", "PostgresChain", "PostgresChainPerClient", "Sqlite"]
COLOURS = {
    "Kimberlite": "#1f6f8b",
    "Postgres": "#99a8b2",
    "PostgresChain": "#e6a57e",
    "PostgresChainPerClient": "#d9c5a0",
    "Sqlite": "#a3c9a8",
}


def grouped_bars(rows, field, title, ylabel, path):
    workloads = list(dict.fromkeys(row["workload"] for row in rows))
    present = {row["system"] for row in rows}
    systems = [system for system in ORDER if system in present]
    labels = {row["system"]: row["system_label"] for row in rows}
    width = 0.8 / len(systems)
    figure, axes = plt.subplots(figsize=(13, 6))
    for index, system in enumerate(systems):
        xs, ys = [], []
        for position, workload in enumerate(workloads):
            for row in rows:
                if row["workload"] == workload and row["system"] == system:
                    xs.append(position + (index - (len(systems) - 1) / 2) * width)
                    ys.append(max(row[field], 1e-3))
        axes.bar(xs, ys, width, label=labels[system], color=COLOURS.get(system))
    axes.set_yscale("log")
    axes.set_xticks(range(len(workloads)))
    axes.set_xticklabels(workloads, rotation=20, ha="right", fontsize=9)
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.grid(axis="y", which="both", alpha=0.3)
    axes.legend(fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def sdk_chart(results, path):
    rust = {r["workload"]: r["ops_per_second"] for r in results if r["language"] == "rust"}
    others = [r for r in results if r["language"] != "rust" and rust.get(r["workload"])]
    if not others:
        return False
    workloads = list(dict.fromkeys(r["workload"] for r in others))
    languages = list(dict.fromkeys(r["language"] for r in others))
    width = 0.8 / len(languages)
    figure, axes = plt.subplots(figsize=(10, 5))
    for index, language in enumerate(languages):
        xs, ys = [], []
        for position, workload in enumerate(workloads):
            for r in others:
                if r["workload"] == workload and r["language"] == language:
                    xs.append(position + (index - (len(languages) - 1) / 2) * width)
                    ys.append(100 * r["ops_per_second"] / rust[workload])
        axes.bar(xs, ys, width, label=language)
    axes.axhline(100, color="black", linewidth=0.8)
    axes.axhline(67, color="grey", linewidth=0.8, linestyle="--")
    axes.set_xticks(range(len(workloads)))
    axes.set_xticklabels(workloads)
    axes.set_ylabel("% of the Rust client's ops/s")
    axes.set_title("Client SDKs against the Rust client (dashed: 67 %, within 1.5x)")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True


def main():
    results = json.loads(Path(sys.argv[1]).read_text())
    out = Path(sys.argv[2])
    rows = results["rows"]
    grouped_bars(rows, "items_per_second", "Throughput (higher is better)",
                 "records, reads, rows or queries per second", out / "throughput.png")
    grouped_bars(rows, "p99_ms", "p99 latency of one operation (lower is better)",
                 "milliseconds", out / "latency_p99.png")
    grouped_bars(rows, "p50_ms", "Median latency of one operation (lower is better)",
                 "milliseconds", out / "latency_p50.png")
    if sdk_chart(results.get("sdk_results", []), out / "sdks.png"):
        print("wrote sdks.png")
    print(f"wrote charts in {out}")


if __name__ == "__main__":
    main()
