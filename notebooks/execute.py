#!/usr/bin/env python3
"""Executes the notebooks headlessly (nbclient) against given result folders.

    python notebooks/execute.py --run DIR --sweep DIR --capacity DIR [--executed OUT]

Each notebook reads its folder from an environment variable (its parameter cell); a
folder given here is passed to it that way. Exit 0 when every cell of every notebook ran;
1 when a cell raised (the notebook, the cell and the error are printed); 2 for bad usage.

The notebooks in git are never written: they are read into memory and executed there.
`--executed OUT` writes the executed copies (outputs and figures) into OUT, a folder
outside notebooks/, to look at.
"""

import argparse
import os
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Each notebook and the variable its parameter cell reads its folder from. A notebook
# that is not here fails the run: a new notebook must say which folder it reads.
FOLDERS = {
    "run.ipynb": ("run", "PODSIM_RUN"),
    "sweep.ipynb": ("sweep", "PODSIM_SWEEP"),
    "capacity.ipynb": ("capacity", "PODSIM_CAPACITY"),
}

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", type=Path, help="a `podsim run` output folder (run.ipynb)")
    parser.add_argument("--sweep", type=Path, help="a `podsim sweep` folder (sweep.ipynb)")
    parser.add_argument("--capacity", type=Path, help="a `podsim capacity` folder (capacity.ipynb)")
    parser.add_argument("--executed", type=Path, help="write the executed copies here (not in notebooks/)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds a cell may take (default 600)")
    parser.add_argument("notebooks", nargs="*", type=Path, help="the notebooks (default: every one in notebooks/)")
    return parser.parse_args()


def fail_usage(message):
    print(f"execute.py: {message}", file=sys.stderr)
    sys.exit(2)


def stored_outputs(nb):
    """The code cells (by index) that carry outputs or execution counts in the file."""
    return [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]


def main():
    args = arguments()
    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
    except ImportError as e:
        print(
            f"execute.py: {e}; install the notebooks' packages first: "
            "python3 -m venv .venv-notebooks && .venv-notebooks/bin/pip install -r notebooks/requirements.txt",
            file=sys.stderr,
        )
        sys.exit(2)

    notebooks = [p.resolve() for p in args.notebooks] or sorted(HERE.glob("*.ipynb"))
    if not notebooks:
        fail_usage(f"no notebook in {HERE}")
    unknown = [p.name for p in notebooks if p.name not in FOLDERS]
    if unknown:
        fail_usage(f"{unknown}: not in execute.py's FOLDERS (which folder does it read?)")
    if args.executed is not None:
        out = args.executed.resolve()
        if out == HERE or HERE in out.parents:
            fail_usage(f"--executed {args.executed}: inside notebooks/; executed copies are not kept there")
        out.mkdir(parents=True, exist_ok=True)

    env = {}
    for flag, var in FOLDERS.values():
        given = getattr(args, flag)
        if given is not None:
            if not given.is_dir():
                fail_usage(f"--{flag} {given}: no such folder")
            env[var] = str(given.resolve())

    # The kernel inherits the environment; its figures are drawn inline, without a display.
    os.environ.update(env)

    failed = []
    for path in notebooks:
        flag, var = FOLDERS[path.name]
        source = os.environ.get(var, "its default folder")
        nb = nbformat.read(path, as_version=4)
        stored = stored_outputs(nb)
        if stored:
            print(f"FAIL {path.name}: cells {stored} have outputs stored in git; clear them", file=sys.stderr)
            failed.append(path.name)
            continue
        started = time.monotonic()
        client = NotebookClient(
            nb,
            timeout=args.timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(HERE)}},
        )
        try:
            client.execute()
        except CellExecutionError as e:
            failed.append(path.name)
            cell = next((i + 1 for i, c in enumerate(nb.cells) if c.cell_type == "code" and has_error(c)), "?")
            print(f"FAIL {path.name} on {source}: cell {cell} of {len(nb.cells)} raised", file=sys.stderr)
            print(ANSI.sub("", str(e)), file=sys.stderr)
        except Exception as e:  # the kernel died or would not start, a cell timed out
            failed.append(path.name)
            print(f"FAIL {path.name} on {source}: {type(e).__name__}: {ANSI.sub('', str(e))}", file=sys.stderr)
        else:
            cells = sum(1 for c in nb.cells if c.cell_type == "code")
            print(f"ok   {path.name} on {source}: {cells} code cells in {time.monotonic() - started:.1f} s")
        if args.executed is not None:
            nbformat.write(nb, str(args.executed.resolve() / path.name))

    if failed:
        print(f"execute.py: {len(failed)} of {len(notebooks)} notebook(s) failed: {', '.join(failed)}", file=sys.stderr)
        sys.exit(1)
    print(f"execute.py: {len(notebooks)} notebook(s) ran without error")


def has_error(cell):
    return any(o.get("output_type") == "error" for o in cell.get("outputs", []))


if __name__ == "__main__":
    main()
