"""Trunk post-build hook: move Trunk's inline module loader into boot.js.

The page's Content-Security-Policy has `script-src 'self' 'wasm-unsafe-eval'` (no inline script),
so the loader Trunk writes inline must live in a file of the site's own.
"""
import os
import re
import sys

staging = os.environ.get("TRUNK_STAGING_DIR")
if not staging:
    sys.exit("TRUNK_STAGING_DIR is not set: run this as a Trunk post_build hook")
index = os.path.join(staging, "index.html")
html = open(index, encoding="utf-8").read()
pattern = re.compile(r'<script type="module"[^>]*>(.*?)</script>', re.S)
scripts = pattern.findall(html)
if not scripts:
    sys.exit("no inline module script found in index.html")
body = "\n".join(scripts)
with open(os.path.join(staging, "boot.js"), "w", encoding="utf-8") as f:
    f.write(body)
html = pattern.sub("", html)
html = html.replace("</body>", '<script type="module" src="./boot.js"></script>\n</body>')
with open(index, "w", encoding="utf-8") as f:
    f.write(html)
print(f"externalize_loader: moved {len(body)} bytes of loader into boot.js")
