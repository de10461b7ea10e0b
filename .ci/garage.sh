#!/usr/bin/env bash
# Garage (S3-compatible object store, https://garagehq.deuxfleurs.fr) for the publish tests.
#
#   .ci/garage.sh install        build Garage 2.5.0 once into the cache; prints the binary path
#   .ci/garage.sh start DIR      start a throwaway single-node Garage on free loopback ports,
#                                with a bucket and a key; prints `export VAR=…` lines
#   .ci/garage.sh stop DIR       stop it (the directory can then be deleted)
#
# Cache: ${VIGIE_CACHE:-$HOME/.cache/vigie}/garage/bin/garage (or $VIGIE_GARAGE if set).
# Example:
#   eval "$(.ci/garage.sh start /tmp/g)"
#   vigie publish --to "s3://$VIGIE_S3_BUCKET/site" --s3-path-style --release DIR
#   .ci/garage.sh stop /tmp/g
set -euo pipefail

VERSION=2.5.0
CACHE="${VIGIE_CACHE:-$HOME/.cache/vigie}"
BIN="${VIGIE_GARAGE:-$CACHE/garage/bin/garage}"

install() {
    if [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -q "$VERSION"; then
        echo "$BIN"
        return
    fi
    mkdir -p "$CACHE/garage"
    # Its own lock file; a separate target dir so the workspace's is not disturbed.
    CARGO_TARGET_DIR="$CACHE/garage-target" \
        cargo install garage --version "$VERSION" --locked --root "$CACHE/garage" >&2
    rm -rf "$CACHE/garage-target"
    echo "$CACHE/garage/bin/garage"
}

free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return
        fi
    done
    echo "no free port found" >&2
    return 1
}

start() {
    local dir="$1" bucket="${VIGIE_S3_BUCKET:-vigie}"
    [ -x "$BIN" ] || { echo "Garage is not installed: run $0 install" >&2; exit 1; }
    mkdir -p "$dir/meta" "$dir/data"
    local rpc s3 web admin
    rpc=$(free_port); s3=$(free_port); web=$(free_port); admin=$(free_port)
    cat >"$dir/garage.toml" <<TOML
metadata_dir = "$dir/meta"
data_dir = "$dir/data"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:$rpc"
rpc_public_addr = "127.0.0.1:$rpc"
rpc_secret = "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"

[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:$s3"
root_domain = ".s3.garage.localhost"

[s3_web]
bind_addr = "127.0.0.1:$web"
root_domain = ".web.garage.localhost"

[admin]
api_bind_addr = "127.0.0.1:$admin"
admin_token = "$(head -c 32 /dev/urandom | base64)"
TOML
    export GARAGE_CONFIG_FILE="$dir/garage.toml"
    "$BIN" server >"$dir/server.log" 2>&1 &
    echo $! >"$dir/garage.pid"
    local node=""
    for _ in $(seq 1 100); do
        node=$("$BIN" status 2>/dev/null | awk -v a="127.0.0.1:$rpc" '$0 ~ a {print $1; exit}') || true
        [ -n "$node" ] && break
        sleep 0.1
    done
    [ -n "$node" ] || { echo "Garage did not start; see $dir/server.log" >&2; exit 1; }
    "$BIN" layout assign -z dc1 -c 1G "$node" >/dev/null
    "$BIN" layout apply --version 1 >/dev/null
    "$BIN" bucket create "$bucket" >/dev/null
    local key
    key=$("$BIN" key create vigie-key)
    "$BIN" bucket allow --read --write --owner "$bucket" --key vigie-key >/dev/null
    "$BIN" bucket website --allow "$bucket" >/dev/null
    local id secret
    id=$(echo "$key" | awk '/Key ID:/{print $3; exit}')
    secret=$(echo "$key" | awk '/Secret key:/{print $3; exit}')
    cat <<ENV
export AWS_ENDPOINT_URL=http://127.0.0.1:$s3
export AWS_REGION=garage
export AWS_ACCESS_KEY_ID=$id
export AWS_SECRET_ACCESS_KEY=$secret
export VIGIE_S3_BUCKET=$bucket
export VIGIE_S3_WEB=http://127.0.0.1:$web
export VIGIE_S3_WEB_HOST=$bucket.web.garage.localhost
export GARAGE_CONFIG_FILE=$dir/garage.toml
ENV
}

stop() {
    local dir="$1"
    if [ -f "$dir/garage.pid" ]; then
        kill "$(cat "$dir/garage.pid")" 2>/dev/null || true
        rm -f "$dir/garage.pid"
    fi
}

case "${1:-}" in
    install) install ;;
    start) start "${2:?usage: $0 start DIR}" ;;
    stop) stop "${2:?usage: $0 stop DIR}" ;;
    *) echo "usage: $0 install | start DIR | stop DIR" >&2; exit 2 ;;
esac
