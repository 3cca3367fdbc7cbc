"""Screenshots of the web app's pages, taken in headless Chromium, written to docs/ to be looked at.

    python bench/screenshots.py [--index DIR] [--out docs] [--all]

Without ``--index`` an index of the two corpus versions is built in a
temporary directory first. The app is served on a free localhost port and
Chromium (Debian's package) is driven over the DevTools protocol by the same
small client the browser tests use (``tests/cdp.py``).
"""

from __future__ import annotations

import argparse
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import uvicorn  # noqa: E402

from cdp import Browser, find_chromium  # noqa: E402  (tests/cdp.py)
from eula_parse.index import ClauseIndex  # noqa: E402
from eula_parse.web.app import create_app  # noqa: E402

#: (file name, path, viewport): what each screenshot shows.
SHOTS = [
    ("web-search.png", "/search?" + urlencode({"q": "installed on computers", "product": "corporate"}), (1100, 760)),
    ("web-clause.png", "/node/product/xprotect-corporate/5", (1100, 760)),
    ("web-compare.png", "/compare?" + urlencode({
        "old": "milestone-end-user-license-agreement@EULA 20240612",
        "new": "milestone-end-user-license-agreement@EULA 20250425"}) + "#h-changes", (1100, 760)),
    ("web-phone.png", "/node/general/milestone-product-lifecycle", (390, 760)),
]

#: The other pages, with ``--all`` (not committed: look at them, then delete them).
MORE = [
    ("web-library.png", "/", (1100, 760)),
    ("web-document.png", "/document/milestone-end-user-license-agreement", (1100, 760)),
    ("web-history.png", "/history/product/xprotect-corporate/4", (1100, 760)),
    ("web-error.png", "/node/product/xprotect-corporate/99", (1100, 500)),
    ("web-phone-search.png", "/search?" + urlencode({"q": "warranty", "general": "1"}), (390, 760)),
    ("web-phone-compare.png", "/compare?" + urlencode({
        "old": "milestone-end-user-license-agreement@EULA 20240612",
        "new": "milestone-end-user-license-agreement@EULA 20250425"}) + "#change-1", (390, 760)),
]


def build_index(path: Path) -> None:
    with ClauseIndex(path) as ix:
        ix.index_files([ROOT / "corpus" / "milestone-eula-20240612.pdf",
                        ROOT / "corpus" / "milestone-eula-20250425.pdf"], jobs=2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", help="index to show (default: the two corpus versions, built now)")
    parser.add_argument("--out", default=str(ROOT / "docs"))
    parser.add_argument("--all", action="store_true", help="also every other page (library, history, errors...)")
    args = parser.parse_args()
    chromium = find_chromium()
    if not chromium:
        sys.exit("error: needs Chromium (apt-get install chromium)")
    work = Path(tempfile.mkdtemp(prefix="eula-shots-"))
    try:
        path = Path(args.index) if args.index else work / "index"
        if not args.index:
            build_index(path)
        index = ClauseIndex(path, create=False)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        server = uvicorn.Server(uvicorn.Config(create_app(index), log_level="warning"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.02)
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        with Browser(chromium) as browser:
            for name, page, (width, height) in SHOTS + (MORE if args.all else []):
                browser.viewport(width, height, mobile=width < 600)
                browser.goto(url + page)
                browser.screenshot(str(out / name))
                print(f"{out / name}: {page}")
        server.should_exit = True
        thread.join(10)
        index.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
