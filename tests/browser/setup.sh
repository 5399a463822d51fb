#!/usr/bin/env bash
# Installs what the browser tests need; idempotent and fast when everything is present:
#   - chromium from apt (scripts/setup.sh browser), driven by playwright-core with executablePath
#   - a CJK font from apt (fonts-wqy-microhei, 5 MB) so screenshots of the POS page render 中文
#     (optional: a failure only warns)
#   - playwright-core in tests/browser/node_modules (npm ci; no browser download, no install scripts)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

if [[ ! -x $CHROMIUM ]]; then
  bash "$root/scripts/setup.sh" browser
fi

font=fonts-wqy-microhei
if ! dpkg-query -W -f='${Status}' "$font" 2>/dev/null | grep -q 'install ok installed'; then
  SUDO=(); [[ $(id -u) -ne 0 ]] && SUDO=(sudo -n)
  opts=(-o Acquire::Retries=2 -o Acquire::http::Timeout=30 -o DPkg::Lock::Timeout=600 -q)
  if ! { timeout 600 "${SUDO[@]}" apt-get "${opts[@]}" install -y --no-install-recommends "$font" >/dev/null 2>&1 ||
         { timeout 600 "${SUDO[@]}" apt-get "${opts[@]}" update >/dev/null 2>&1 &&
           DEBIAN_FRONTEND=noninteractive timeout 600 "${SUDO[@]}" apt-get "${opts[@]}" install -y --no-install-recommends "$font" >/dev/null 2>&1; }; }; then
    echo "[browser-setup] WARNING: could not install $font; screenshots will show boxes for Chinese text" >&2
  fi
fi

cd "$here"
stamp=node_modules/.alipay-f2f-browser-stamp
want=$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  timeout "${SETUP_NPM_TIMEOUT:-900}" npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
  echo "$want" > "$stamp"
fi
echo "[browser-setup] $("$CHROMIUM" --version 2>/dev/null | head -1), playwright-core $(node -p "require('./node_modules/playwright-core/package.json').version")" >&2
