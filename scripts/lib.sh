# Shared settings and helpers for scripts/setup, scripts/test and scripts/run.
# Sourced, not executed.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
STATE="$ROOT/.state"

# Odoo's source is kept outside the checkout so that every clone, CI
# included, reuses one copy. CLOSED_LOOP_CACHE moves it.
CACHE_DIR=${CLOSED_LOOP_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/closed-loop-sales}
ODOO_DIR="$CACHE_DIR/odoo-18.0"
ODOO_UPSTREAM=${CLOSED_LOOP_ODOO_REPO:-https://github.com/odoo/odoo.git}

MODULES=sales_closed_loop,sales_action_kb,sales_forecast_tricolor

say() { printf '[%s] %s\n' "$(basename "$0")" "$*"; }
fail() { printf '[%s] error: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }

# Run a command as the PostgreSQL server's user: root may not run the
# server, so as root it runs as the postgres system user.
as_pg_user() {
    if is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_bindir() {
    local dir
    for dir in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
        [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
    done
    command -v pg_ctl >/dev/null 2>&1 && { dirname "$(command -v pg_ctl)"; return 0; }
    return 1
}

# An existing server is used when the standard PG* variables name one.
uses_external_pg() {
    [ -n "${PGHOST:-}${PGPORT:-}${PGUSER:-}" ]
}

# Print the private cluster's folder, one per checkout. As root it is under
# /var/tmp because the postgres user must reach it. Otherwise it is in .state.
pg_home() {
    if is_root; then
        local key
        key=$(printf '%s' "$ROOT" | sha1sum | cut -c1-12)
        echo "/var/tmp/closed-loop-sales-pg/$key"
    else
        echo "$STATE/pg"
    fi
}

load_pg_env() {
    if uses_external_pg; then
        DB_HOST=${PGHOST:-}
        DB_PORT=${PGPORT:-}
        DB_USER=${PGUSER:-$(id -un)}
        DB_PASSWORD=${PGPASSWORD:-}
        return 0
    fi
    local home
    home=$(pg_home)
    [ -f "$home/port" ] || return 1
    DB_HOST="$home/socket"
    DB_PORT=$(cat "$home/port")
    DB_USER=odoo
    DB_PASSWORD=
}

# Write an Odoo configuration file for this checkout: $1 is the path,
# $2 the HTTP port.
write_odoo_conf() {
    local conf=$1 http_port=$2
    load_pg_env || fail "PostgreSQL is not set up; run ./scripts/setup"
    mkdir -p "$STATE/data"
    cat > "$conf" <<CONF
[options]
addons_path = $ODOO_DIR/addons,$ODOO_DIR/odoo/addons,$ROOT/addons
data_dir = $STATE/data
db_host = $DB_HOST
db_port = $DB_PORT
db_user = $DB_USER
db_password = ${DB_PASSWORD:-False}
http_interface = 127.0.0.1
http_port = $http_port
gevent_port = $((http_port + 1))
list_db = False
admin_passwd = $(cat "$STATE/admin_passwd")
CONF
}

free_port() {
    "$VENV/bin/python" - <<'PY'
import socket
with socket.socket() as sock:
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1])
PY
}

psql_cmd() {
    load_pg_env || fail "PostgreSQL is not set up; run ./scripts/setup"
    PGHOST=$DB_HOST PGPORT=$DB_PORT PGUSER=$DB_USER PGPASSWORD=$DB_PASSWORD \
        psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"
}

odoo_bin() {
    "$VENV/bin/python" "$ODOO_DIR/odoo-bin" "$@"
}

# Load the Chinese (zh_CN) translations of every installed module into the
# database $2 (configuration $1) and switch the users named after it to
# Chinese. Odoo's --load-language cannot do it when the database is created:
# it then makes zh_CN the only language and loads only base's terms.
load_chinese() {
    local conf=$1 db=$2
    shift 2
    local logins
    logins=$(printf '"%s",' "$@")
    odoo_bin shell -c "$conf" -d "$db" --no-http --log-level=warn <<PY
env["res.lang"]._activate_lang("zh_CN")
modules = env["ir.module.module"].search([("state", "=", "installed")])
modules._update_translations(["zh_CN"])
env["res.users"].search([("login", "in", [$logins])]).write({"lang": "zh_CN"})
env.cr.commit()
PY
}
