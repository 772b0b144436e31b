"""Run inputs given on a command line or a page, checked where they arrive: seeds, ports, hosts,
output folders. Each check raises `InputError` (a ValueError) naming the option or field the
value came from and what is allowed, before anything is computed.

    parse_seed("42", "--seed") -> 42        parse_seed("-5", "seed box") -> InputError
    check_port(70000)                        -> InputError ("--port: ... in [1, 65535]")
    check_host("0.0.0.0", allow_remote=False) -> InputError (says what would be exposed)
    probe_output_dir(Path("out"), "--out")   -> creates it and writes a probe file, or InputError
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import shutil
import socket
import tomllib
from pathlib import Path

SEED_MAX = 2**32 - 1          # numpy and Mesa accept any non-negative int; 32 bits keep seed + k exact everywhere
PORT_RANGE = (1, 65535)
MIN_FREE_BYTES = 10_000_000   # a run's files (indicators.csv, summary.json, three PNGs) take ~1 MB


class InputError(ValueError):
    """A command-line or page input that cannot be used; the message names where it came from."""


def parse_seed(value, source: str = "--seed") -> int:
    """A random seed: an integer in [0, 2**32 − 1] (text such as "42" or "42.0" accepted)."""
    allowed = f"an integer in [0, {SEED_MAX}]"
    if isinstance(value, bool):
        raise InputError(f"{source}: wrong type (a boolean); allowed: {allowed}")
    try:
        number = float(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise InputError(f"{source}: not a number; allowed: {allowed}; given: {str(value)[:40]!r}") from None
    if isinstance(number, float) and (number != number or number in (float("inf"), float("-inf"))
                                      or number != int(number)):
        raise InputError(f"{source}: not a whole number; allowed: {allowed}; given: {str(value)[:40]!r}")
    number = int(number)
    if not 0 <= number <= SEED_MAX:
        raise InputError(f"{source}: out of range; allowed: {allowed}; given: {number}")
    return number


def replication_seeds_problem(seed, count, per: str, offset: int = 0) -> tuple[str, str] | None:
    """(why, allowed) if a batch's seeds `seed + offset + k`, k < `count`, would pass SEED_MAX, else None.
    `per` names the count where it was given ("--reps 2", "replications = 2"). Every replication must
    be a run `clusterlab run --seed` can repeat alone, so the seeds are refused rather than wrapped."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not isinstance(count, int) or count < 1:
        return None                                   # a bad seed or count is reported by its own check
    if (last := seed + offset + count - 1) <= SEED_MAX:
        return None
    return (f"out of range: with {per} the last replication would run with seed {last}, above {SEED_MAX}",
            f"an integer in [0, {max(SEED_MAX - offset - count + 1, 0)}]")


def check_replication_seeds(seed: int, count: int, per: str, source: str = "--seed", offset: int = 0) -> None:
    """InputError (naming `source`, the count and the allowed range) if `replication_seeds_problem`."""
    if problem := replication_seeds_problem(seed, count, per, offset):
        raise InputError(f"{source}: {problem[0]}; allowed: {problem[1]}; given: {seed}")


def parse_seed_list(text, source: str = "--seeds") -> tuple[int, ...]:
    """Comma-separated random seeds such as "0,1", each checked by `parse_seed`."""
    return tuple(parse_seed(item, source) for item in str(text).split(","))


def check_port(port, source: str = "--port") -> int:
    low, high = PORT_RANGE
    if isinstance(port, str):
        port = int(port) if port.strip().isdigit() else port
    if isinstance(port, bool) or not isinstance(port, int) or not low <= port <= high:
        raise InputError(f"{source}: out of range; allowed: an integer in [{low}, {high}]; given: {port!r}")
    return port


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_host(host: str, allow_remote: bool = False, source: str = "--host") -> str:
    """`host` if it is a loopback address, or any address with `allow_remote`; else InputError
    saying what serving there exposes."""
    if is_loopback(host) or allow_remote:
        return host
    raise InputError(f"{source} {host}: the live page has no login: anyone who can reach this machine "
                     f"on that address could open it, run models here (CPU and memory) and see every "
                     f"scenario; serve on 127.0.0.1 (the default), or add --allow-remote to expose it")


def check_port_free(host: str, port: int, source: str = "--port") -> None:
    """InputError if nothing can listen on (host, port): taken by another program, or not allowed."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            why = ("already in use (another server is running there?)" if exc.errno == errno.EADDRINUSE else
                   exc.strerror or str(exc))
            raise InputError(f"{source} {port}: cannot listen on {host}:{port}: {why}; "
                             f"choose another port, e.g. --port {port + 1 if port < PORT_RANGE[1] else 8765}") from None


def probe_output_dir(folder, source: str = "--out", need: int = MIN_FREE_BYTES) -> Path:
    """Create `folder` if needed and write (then delete) a probe file in it, and check that
    `need` bytes are free, so an unwritable or full output folder is found before a run."""
    folder = Path(folder)
    allowed = "allowed: a folder this user can create or write to (a new one is made)"
    try:
        if folder.exists() and not folder.is_dir():
            raise InputError(f"{source} {folder}: is a file, not a folder; {allowed}")
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".probe-{os.getpid()}"
        with open(probe, "wb") as f:
            f.write(b"\0" * 4096)
            f.flush()
            os.fsync(f.fileno())
        probe.unlink()
        free = shutil.disk_usage(folder).free
    except OSError as exc:
        raise InputError(f"{source} {folder}: cannot write there: {exc.strerror or exc}; {allowed}") from None
    if free < need:
        raise InputError(f"{source} {folder}: only {free / 1e6:.1f} MB free; a run needs about "
                         f"{need / 1e6:.0f} MB: free some space or choose another folder")
    return folder


def check_writable(folder, source: str = "--out") -> None:
    """`probe_output_dir` that leaves no trace: the folders it had to create are removed again,
    so a command that refuses its other input afterwards leaves nothing behind."""
    folder = Path(folder).absolute()
    made = [p for p in (folder, *folder.parents) if not p.exists()]
    try:
        probe_output_dir(folder, source)
    finally:
        for path in made:        # deepest first
            if path.is_dir():
                path.rmdir()


def argparse_type(check, source: str):
    """An argparse `type=` from a check: its message becomes argparse's (exit 2 with usage)."""

    def convert(text):
        try:
            return check(text, source)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc).removeprefix(f"{source}: ")) from None

    return convert


def positive_int(text: str) -> int:
    """An argparse `type=` for counts (steps, seeds, workers, ...): a whole number >= 1."""
    try:
        value = int(str(text).strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number; allowed: an integer >= 1; given: {str(text)[:40]!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"out of range; allowed: an integer >= 1; given: {value}")
    return value


def nonnegative_float(text: str) -> float:
    """An argparse `type=` for budgets and thresholds (minutes, epsilon): a finite number >= 0."""
    try:
        value = float(str(text).strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number; allowed: a number >= 0; given: {str(text)[:40]!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"out of range; allowed: a number >= 0; given: {str(text)[:40]}")
    return value


def check_executor(executor: str, workers, address) -> None:
    """Refuse a batch option the chosen executor would silently ignore: --address without
    --executor dask (the runs would go to this machine), --workers above 1 with --executor serial
    (every run in this process), --workers with a --address (the scheduler's workers run them)."""
    if address and executor != "dask":
        raise InputError(f"--address {address}: only with --executor dask (given: --executor {executor})")
    if executor == "serial" and workers not in (None, 1):
        raise InputError(f"--workers {workers}: --executor serial runs every run in this process; allowed: "
                         "--executor local (processes on this machine) or dask for more workers")
    if executor == "dask" and address and workers is not None:
        raise InputError(f"--workers {workers}: with --address the scheduler's own workers run the batch; "
                         "allowed: --workers without --address (a LocalCluster of that many processes)")


def dask_client(address: str, source: str = "--address"):
    """A dask.distributed Client of the running scheduler at `address`; InputError naming `source`
    if it is not an address (no port, unknown protocol) or nothing answers there (dask's timeout)."""
    from dask.distributed import Client

    try:
        return Client(address)
    except (OSError, ValueError, TypeError) as exc:   # unreachable (a TimeoutError), or not an address
        raise InputError(f"{source} {address}: cannot reach a Dask scheduler there ({exc}); allowed: the "
                         "address of a running scheduler, e.g. tcp://10.0.0.5:8786, or no --address "
                         "(a LocalCluster on this machine)") from None


OVERSUBSCRIBE = 8    # worker processes per core beyond which --workers is a typo, not a choice (each holds a model)


def check_workers(workers, cores: int, source: str = "--workers"):
    """`workers` (None: all cores) unless above OVERSUBSCRIBE × the cores here: 1000 spawned
    processes, each importing the model (~100 MB), exhaust memory before any run finishes."""
    if workers is not None and workers > OVERSUBSCRIBE * cores:
        raise InputError(f"{source}: {workers} processes on {cores} core(s); allowed: 1 to {OVERSUBSCRIBE * cores} "
                         f"(more than {cores} only share the cores, each with its own copy of the model)")
    return workers


def nonempty_path(text: str) -> Path:
    """An argparse `type=` for --out, --db, ...: a path, never "" (which Path reads as ".", the
    working folder, so `--out ""` or an unset `--out "$DIR"` wrote there without a word)."""
    if not str(text).strip():
        raise argparse.ArgumentTypeError("empty; allowed: a path, e.g. output/mine (\".\" for this folder)")
    return Path(text)


def error_lines(command: str, exc: Exception) -> str:
    """`clusterlab COMMAND: error: <message>`, one line per problem (each names its file or option and
    key, and what is allowed): a ScenarioError lists several problems, one a line."""
    lines = [line for line in str(exc).splitlines() if line.strip()] or [type(exc).__name__]
    return "\n".join(f"clusterlab {command}: error: {line}" for line in lines)


def parse_overrides(items: list[str]) -> dict:
    """["width=50", "location_choice=random"] -> {"width": 50, "location_choice": "random"}; an item
    may hold several, comma-separated ("width=50,height=50"), as compare's --set; a key given twice
    is refused (one value would silently replace the other)."""
    overrides = {}
    for item in (p.strip() for whole in items for p in split_top(whole) if p.strip() or "," not in whole):
        key, sep, text = (s.strip() for s in item.partition("="))
        if not sep or not key:
            raise ValueError(f"--set {item}: expected KEY=VALUE, e.g. --set width=50")
        if key in overrides:
            raise ValueError(f"--set {key}: given twice (one value would replace the other); allowed: each key once")
        try:
            value = tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError:
            value = text  # a bare word: random -> "random"
        overrides[key] = value
    return overrides


def split_top(text: str) -> list[str]:
    """Split at commas outside brackets and quotes (values may be TOML lists)."""
    parts, depth, quote, start = [], 0, None, 0
    for i, ch in enumerate(text):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return parts + [text[start:]]


def check_folder_name(name: str, source: str = "name") -> str:
    """`name` if it is a safe folder name (letters, digits, '.', '_', '-'; not '.' or '..'; at
    most 100 characters): it becomes runs/<name>, so it can never point elsewhere."""
    if (not isinstance(name, str) or not name or len(name) > 100 or name in (".", "..")
            or name.startswith(".") or not all(c.isascii() and (c.isalnum() or c in "._-") for c in name)):
        raise InputError(f"{source}: not a safe folder name (it names a folder under runs/); given: {str(name)[:60]!r}")
    return name
