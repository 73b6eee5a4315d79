"""The floor: read every raw.txt and article.yaml of a project and parse each article.yaml with
yaml-rs, in one process or several, and nothing else.

    python benchmarks/floor.py PROJECT [--processes N]

No validator can do less than read its input and parse it, so the benchmarks measure this as a
whole process (start-up included), in the same run as what they compare with it. With N > 1 the
folders are split into N contiguous shares, each read by a process forked from this one. The
cyclic garbage collector is off (parsed documents hold no cycles; collecting costs up to a third
of the parse here), so that the floor is what reading and parsing cost, not the interpreter's
bookkeeping. yaml-rs is called as articlepack calls it (no date parsing).
"""

from __future__ import annotations

import gc
import os
import sys


def read_share(articles: str, folders: list[str]) -> int:
    """Read and parse ``folders``; return the bytes read (so nothing is optimised away)."""
    import yaml_rs

    total = 0
    for folder in folders:
        with open(os.path.join(articles, folder, "raw.txt"), "rb") as fh:
            total += len(fh.read())
        with open(os.path.join(articles, folder, "article.yaml"), "rb") as fh:
            data = fh.read()
        yaml_rs.loads(data.decode("utf-8"), parse_datetime=False)
        total += len(data)
    return total


def main(argv: list[str]) -> int:
    gc.disable()
    project = argv[0]
    processes = int(argv[argv.index("--processes") + 1]) if "--processes" in argv else 1
    articles = os.path.join(project, "corpus", "articles")
    folders = sorted(entry.name for entry in os.scandir(articles) if entry.is_dir())
    size = -(-len(folders) // processes)
    shares = [folders[i : i + size] for i in range(0, len(folders), size)] or [[]]
    children = []
    for share in shares[1:]:
        pid = os.fork()
        if pid == 0:
            read_share(articles, share)
            os._exit(0)
        children.append(pid)
    read_share(articles, shares[0])
    failed = sum(os.waitpid(pid, 0)[1] != 0 for pid in children)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
