"""CCQM-K25 (PCB 28) with every applicable estimator, from Python.

  PYTHONPATH=build/python /usr/bin/python3 examples/python_k25.py datasets/ccqm_k25_pcb28/results.csv
"""
import sys

import keycomp

path = sys.argv[1] if len(sys.argv) > 1 else "datasets/ccqm_k25_pcb28/results.csv"
comparison = keycomp.read_comparison(path)
analysis = keycomp.analyse(comparison, "all").to_dict()
print(f"{'estimator':28s} {'KCRV':>10s} {'u':>8s}  status")
for entry in analysis["results"]:
    kcrv = entry.get("kcrv") or {}
    value, u = kcrv.get("value"), kcrv.get("u")
    text = f"{value:10.4f} {u:8.4f}" if value is not None and u is not None else f"{'-':>10s} {'-':>8s}"
    print(f"{entry['estimator']:28s} {text}  {entry['status']}")
