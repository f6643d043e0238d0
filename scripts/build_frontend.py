"""Copy the NHS.UK frontend from node_modules into joinedcare's static files.

Its stylesheet refers to images at /assets/...; they are rewritten to paths relative to
the stylesheet so they work under any STATIC_URL (and survive hashing in production).
"""

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"
TARGET = ROOT / "joinedcare" / "home" / "static" / "nhsuk"


def main() -> int:
    if not SOURCE.exists():
        print(f"{SOURCE} is missing: run `npm ci` first.", file=sys.stderr)
        return 1
    if TARGET.exists():
        shutil.rmtree(TARGET)
    TARGET.mkdir(parents=True)
    css = (SOURCE / "nhsuk-frontend.min.css").read_text()
    css = css.replace("url(/assets/", "url(assets/")
    css = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", css)
    # The Frutiger web font is licensed for NHS domains only and served from one; the CSP
    # allows no other origin, so its @font-face rules go: kept, every page would ask for the
    # font, be refused and log an error. The frontend's own Arial fallback is used.
    css = re.sub(r"@font-face\{[^}]*\}", "", css)
    (TARGET / "nhsuk-frontend.min.css").write_text(css)
    js = (SOURCE / "nhsuk-frontend.min.js").read_text()
    js = re.sub(r"//# sourceMappingURL=\S+", "", js)
    (TARGET / "nhsuk-frontend.min.js").write_text(js)
    shutil.copytree(SOURCE / "assets", TARGET / "assets")
    print(f"NHS.UK frontend copied to {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
