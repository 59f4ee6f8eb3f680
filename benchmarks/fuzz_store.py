"""The record store under fuzzing and kills (issue 13, "Nothing lost"); used by
benchmarks/fuzz.py (the long run) and tests/fuzz/test_store_fuzz.py (a seeded few).

- Mutated stores: flipped, zeroed and truncated bytes in a store's .h5 file or its
  journal, junk appended, a file gone. Opening it as a reader and as a recovering writer
  must give records that are exactly ones written (never a silently changed value) or
  one ExplorerError line each.
- Kills: a writer appending records as a benchmark campaign or sweep does is killed
  with SIGKILL at random instants and resumed, again and again; every record whose
  append had returned must be there afterwards.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from explorer.errors import ExplorerError  # noqa: E402
from explorer.store import Column, RecordStore  # noqa: E402

COLUMNS = [Column("points/n", "int"), Column("points/df", "str"),
           Column("results/x", "float"), Column("layers/v", "floats", 2)]
MUTATIONS = ("flip", "zero", "truncate", "junk", "remove")


def record(i: int) -> dict:
    return {"points/n": i, "points/df": "ws" if i % 2 else "os", "results/x": i / 7,
            "layers/v": [float(i), i + 0.5]}


def pristine(folder: Path) -> Path:
    """A store of 20 committed records and 5 more in its journal (as a killed writer
    leaves it)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pristine.h5"
    store = RecordStore(path, kind="fuzz", columns=COLUMNS, commit_every=10_000,
                        commit_interval_s=1e9)
    for i in range(20):
        store.append(record(i))
    store.commit()
    for i in range(20, 25):
        store.append(record(i))
    store._journal.close()  # as if killed: the journal stays, uncommitted
    store._journal = None
    store._lock.release()
    return path


def copy_store(source: Path, path: Path) -> None:
    shutil.copy(source, path)
    shutil.copy(source.with_name(source.name + ".journal"), path.with_name(path.name + ".journal"))


def mutate(rng: random.Random, path: Path) -> str:
    """Damage the store at `path` (its .h5 file or journal) one random way; what was done."""
    journal = path.with_name(path.name + ".journal")
    target = rng.choice([path, path, journal])
    data = bytearray(target.read_bytes())
    kind = rng.choice(MUTATIONS)
    if kind == "flip":
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif kind == "zero":
        start = rng.randrange(len(data))
        data[start:start + rng.randint(1, 512)] = bytes(min(512, len(data) - start))
    elif kind == "truncate":
        data = data[:rng.randrange(len(data))]
    elif kind == "junk":
        data += bytes(rng.randrange(256) for _ in range(rng.randint(1, 200)))
    else:
        target.unlink()
        return f"{kind} {target.name}"
    target.write_bytes(bytes(data))
    return f"{kind} {target.name}"


def check(path: Path) -> None:
    """Open as a reader, then as a recovering writer, each of which may refuse with one
    ExplorerError line (re-raised at the end: the case counts as refused); every record
    either reads is one written."""
    refused = None
    for recover in (False, True):
        try:
            with RecordStore(path, kind="fuzz", columns=COLUMNS, recover=recover,
                             readonly=not recover) as store:
                for found in store.records():
                    if found != record(found["points/n"]):
                        raise AssertionError(f"a record read back changed: {found}")
        except ExplorerError as exc:
            refused = exc
    if refused is not None:
        raise refused


def store_inputs(rng: random.Random, count: int, folder: Path) -> Iterator[tuple[str, Path]]:
    """`count` damaged copies of one pristine store: (class, path)."""
    source = pristine(folder / "store-seed")
    for index in range(count):
        case = folder / f"store{index}"
        case.mkdir()
        path = case / "s.h5"
        copy_store(source, path)
        what = mutate(rng, path)
        yield f"store/{what.split()[0]}", path


# -- kills ---------------------------------------------------------------------------------
WRITER = textwrap.dedent("""
    import sys
    sys.path.append(sys.argv[2])
    from fuzz_store import COLUMNS, record
    from explorer.store import RecordStore
    store = RecordStore(sys.argv[1], kind="fuzz", columns=COLUMNS, commit_every=7,
                        commit_interval_s=0.05)
    start = len(store)
    for i in range(start, start + 100000):
        store.append(record(i))
        print(i, flush=True)  # the append has returned: this record must survive
""")


def kill_campaign(folder: Path, kills: int, seed: int) -> dict:
    """Kill (SIGKILL, at a random instant) and resume a writer `kills` times; the records
    confirmed (their append had returned) and how many of them are lost."""
    rng = random.Random(seed)
    path = folder / "campaign.h5"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    confirmed: set[int] = set()
    lost = 0
    changed = 0
    for _ in range(kills):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(ROOT / "benchmarks")], cwd=ROOT,
            env=env, stdout=subprocess.PIPE, text=True)
        first = writer.stdout.readline()  # started writing
        time.sleep(rng.uniform(0.0, 0.3))
        os.kill(writer.pid, signal.SIGKILL)
        rest = writer.stdout.read()
        writer.wait()
        confirmed |= {int(line) for line in (first + rest).split()}
        with RecordStore(path, kind="fuzz", columns=COLUMNS, readonly=True) as store:
            rows = {found["points/n"]: found for found in store.records()}
        lost += len(confirmed - set(rows))
        changed += sum(found != record(n) for n, found in rows.items())
        if sorted(rows) != list(range(len(rows))):  # a resume starts where it stopped
            raise AssertionError(f"rows are not 0..{len(rows) - 1} after a resume")
    return {"kills": kills, "seed": seed, "confirmed_records": len(confirmed),
            "lost_records": lost, "changed_records": changed}
