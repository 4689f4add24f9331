#!/bin/sh
# Print the path of a Python >= 3.12: $PYTHON if set, else the first suitable interpreter on PATH,
# else one that pyenv, asdf or uv installed (their bare shims fail unless selected, so look at the real binaries).
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
for c in "$PYTHON" python3.14 python3.13 python3.12 python3 python; do
  [ -n "$c" ] || continue
  p=$(command -v "$c" 2>/dev/null) || continue
  if ok "$p"; then echo "$p"; exit 0; fi
done
roots="$(pyenv root 2>/dev/null) $HOME/.pyenv $HOME/.asdf/installs/python $HOME/.local/share/uv/python /usr/local /opt/python"
for r in $roots; do
  for p in $(ls -d "$r"/versions/3.1[2-9]*/bin/python3 "$r"/3.1[2-9]*/bin/python3 "$r"/cpython-3.1[2-9]*/bin/python3 "$r"/bin/python3.1[2-9] 2>/dev/null | sort -r); do
    if ok "$p"; then echo "$p"; exit 0; fi
  done
done
echo "treem needs Python 3.12 or newer; none found. Install one, or set PYTHON=/path/to/python3.12." >&2
exit 1
