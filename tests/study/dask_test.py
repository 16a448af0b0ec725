#!/usr/bin/python3
"""`keycomp study` on Dask: a LocalCluster with 2 worker processes (1 thread each) runs the shards
of examples/study-small.json through `keycomp study --shard I/N` (subprocess on the workers), the
client merges them with `keycomp study merge`, and the result must equal the single-process run
byte for byte.

Usage: dask_test.py KEYCOMP_BINARY SOURCE_DIR. Exit 0 on success, 1 on a mismatch. Without dask it
exits 77 (ctest: skipped) unless CI=true, where a missing dask is a failure.
"""
import os
import subprocess
import sys
import tempfile


def run_shard(binary, spec, shard, shards, out_path):
    subprocess.run([binary, "study", spec, "--threads", "1", "--shard", f"{shard}/{shards}",
                    "-o", out_path], check=True)
    with open(out_path, "rb") as f:
        return f.read()


def main():
    binary, source = sys.argv[1], sys.argv[2]
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as e:
        print(f"dask_test: dask.distributed unavailable ({e})", file=sys.stderr)
        return 1 if os.environ.get("CI") == "true" else 77
    spec = os.path.join(source, "examples", "study-small.json")
    shards = 4
    with tempfile.TemporaryDirectory() as tmp:
        single = os.path.join(tmp, "single.json")
        subprocess.run([binary, "study", spec, "--threads", "1", "-o", single], check=True)
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            futures = [client.submit(run_shard, binary, spec, i, shards,
                                     os.path.join(tmp, f"worker-{i}.json"), pure=False)
                       for i in range(1, shards + 1)]
            texts = client.gather(futures)
            workers = len(client.scheduler_info()["workers"])
        if workers != 2:
            print(f"dask_test: expected 2 workers, got {workers}", file=sys.stderr)
            return 1
        paths = []
        for i, text in enumerate(texts, 1):
            path = os.path.join(tmp, f"shard-{i}.json")
            with open(path, "wb") as f:
                f.write(text)
            paths.append(path)
        merged = os.path.join(tmp, "merged.json")
        subprocess.run([binary, "study", "merge", *paths, "-o", merged], check=True)
        with open(single, "rb") as a, open(merged, "rb") as b:
            same = a.read() == b.read()
    if not same:
        print("dask_test: merged Dask result differs from the single-process run", file=sys.stderr)
        return 1
    print("dask_test: 4 shards on 2 Dask workers merge to the single-process bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
