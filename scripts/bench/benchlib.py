"""What the benchmark drivers share: running a command under measurement, medians, and table printing."""

import atexit
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass


@dataclass
class Run:
    """One finished process: wall seconds, CPU seconds (user + system), peak RSS in MiB, exit code, output."""

    wall: float
    cpu: float
    rss_mib: float
    code: int
    stdout: bytes
    stderr: bytes


# A driver stopped with SIGTERM (bench.sh's trap) unwinds like one stopped with Ctrl-C, so that its `finally`
# blocks stop the services it started and its temporary directories are removed.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

# Peak RSS comes from GNU time, not from this process's wait4: Python starts children with vfork, and Linux
# carries the parent's high-water mark over the exec into the child's ru_maxrss, so a small tool would seem to
# be as large as the Python driver. GNU time is a small C program; what it passes on is about 2 MiB.
TIME = "/usr/bin/time"


def run(command, env=None, ok=(0,), timeout=None, keep_stdout=True):
    """Runs a command under GNU time: wall seconds (measured here), CPU seconds and peak RSS of the command.

    Output goes through temporary files (no pipe can fill and stall the child). Exits the benchmark with the
    command's error output when its exit code is not in `ok` or it outlives `timeout` seconds.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as usage:
        measured = [TIME, "-f", "%M %U %S", "-o", usage.name, *command]
        started = time.monotonic()
        # Its own process group, so that a timeout or an interrupted driver stops the command itself, not only
        # GNU time (which would leave it running).
        process = subprocess.Popen(
            measured, stdout=out if keep_stdout else subprocess.DEVNULL, stderr=err, env=env, start_new_session=True
        )
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            stop_group(process)
            sys.exit(f"{command[0]} did not finish within {timeout} s")
        except BaseException:
            stop_group(process)
            raise
        wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
        # GNU time writes "Command exited with non-zero status N" before the format line when N is not 0.
        rss_kib, user, system = usage.read().splitlines()[-1].split()
    if code not in ok:
        sys.exit(f"{command[0]} exited with {code}: {stderr.decode(errors='replace')[-3000:]}")
    return Run(wall, float(user) + float(system), int(rss_kib) / 1024, code, stdout, stderr)


def stop_group(process):
    """Kills the process group this module started for `process` (its id is the process's own) and reaps it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def median_of(runs):
    """The run with the median wall time (the upper median for an even count)."""
    ordered = sorted(runs, key=lambda r: r.wall)
    return ordered[len(ordered) // 2]


def table(headers, rows, aligns=None):
    """Prints a plain-text table; `aligns` holds '<' or '>' per column (numbers right-aligned by default)."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    aligns = aligns or ["<"] + [">"] * (len(headers) - 1)
    for index, row in enumerate(cells):
        print("  ".join(f"{cell:{align}{width}}" for cell, align, width in zip(row, aligns, widths)).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))


def ratio(a, b):
    """a / b as '1.23x', or '—' when b is zero."""
    return f"{a / b:.2f}x" if b else "—"


def section(title):
    print()
    print(f"== {title}")
    sys.stdout.flush()


def clean_env(**extra):
    """The environment without the caller's DBSCOUT_* settings and with an empty config file (so that
    /etc/dbscout/dbscout.yaml is not read either): only the bench's own settings apply."""
    global _empty_config
    if _empty_config is None:
        handle, _empty_config = tempfile.mkstemp(prefix="dbscout-bench-", suffix=".yaml")
        os.close(handle)
        atexit.register(os.unlink, _empty_config)
    env = {key: value for key, value in os.environ.items() if not key.startswith("DBSCOUT_")}
    env["DBSCOUT_CONFIG"] = _empty_config
    env.update({key: str(value) for key, value in extra.items()})
    return env


_empty_config = None
