"""What the machine and a benchmark's processes are doing, read from /proc (Linux): their CPU
time, the kernel's share of it, the CPU the hypervisor took, a process's children, and how fast
a Python loop runs right now. On a shared virtual machine a wall-clock figure means little
without these."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path


def _ticks(pids: list[int], columns: tuple[int, ...]) -> float:
    """Seconds in the given columns of /proc/<pid>/stat (after the command), summed (0 if gone)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(fields[column]) for column in columns) / os.sysconf("SC_CLK_TCK")
    return total


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) the processes used so far (0 for one that is gone)."""
    return _ticks(pids, (11, 12))


def system_seconds(pids: list[int]) -> float:
    """Of that, the kernel's time (system calls: sockets, file locks, waking threads)."""
    return _ticks(pids, (12,))


def stolen_seconds() -> float:
    """CPU time the hypervisor gave to other guests so far, all CPUs (/proc/stat's steal): on a
    virtual machine, time this run's processes were ready but not running."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def children(pid: int) -> list[int]:
    """The process's children (a server's workers)."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(line) for line in out.stdout.split()]


def loop_seconds() -> float:
    """CPU seconds of a 10^7-step empty Python loop in this process: how fast the machine is
    right now (0.14–0.27 s within one day on a 2.8 GHz virtual machine, December 2026), to read
    the run's figures against."""
    started = time.process_time()
    for _ in range(10**7):
        pass
    return time.process_time() - started
