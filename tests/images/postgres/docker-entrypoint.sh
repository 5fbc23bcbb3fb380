#!/usr/bin/env bash
# Entrypoint of the vmdeploy-test/postgres stand-in images. Behaves like the
# official postgres image's entrypoint for the parts compose files rely on:
#   POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD=trust),
#   POSTGRES_USER (default postgres), POSTGRES_DB (default $POSTGRES_USER),
#   POSTGRES_INITDB_ARGS, POSTGRES_INITDB_WALDIR, POSTGRES_HOST_AUTH_METHOD
#   (default scram-sha-256), the *_FILE variants of the POSTGRES_* secrets,
#   PGDATA (default /var/lib/postgresql/data),
#   /docker-entrypoint-initdb.d/*.sh|*.sql|*.sql.gz|*.sql.xz on first init,
#   `docker run IMAGE -c key=value` (args starting with "-" go to postgres).
# The server runs in the foreground as user postgres via exec (PID 1).
set -Eeo pipefail

log() { printf '%s [entrypoint] %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# file_env VAR [DEFAULT]: take VAR from $VAR or from the file named by $VAR_FILE.
file_env() {
    local var=$1 fvar="${1}_FILE" def=${2:-} val
    if [ -n "${!var:-}" ] && [ -n "${!fvar:-}" ]; then
        die "both $var and $fvar are set (but are exclusive)"
    fi
    val=$def
    if [ -n "${!var:-}" ]; then
        val=${!var}
    elif [ -n "${!fvar:-}" ]; then
        val=$(< "${!fvar}")
    fi
    export "$var=$val"
    unset "$fvar"
}

setup_env() {
    file_env POSTGRES_PASSWORD
    file_env POSTGRES_USER postgres
    file_env POSTGRES_DB "$POSTGRES_USER"
    file_env POSTGRES_INITDB_ARGS
    : "${PGDATA:=/var/lib/postgresql/data}"
    : "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
    export PGDATA POSTGRES_HOST_AUTH_METHOD
    DATABASE_ALREADY_EXISTS=
    if [ -s "$PGDATA/PG_VERSION" ]; then
        DATABASE_ALREADY_EXISTS=yes
    fi
}

create_directories() {
    mkdir -p "$PGDATA"
    chmod 00700 "$PGDATA" || :
    mkdir -p /var/run/postgresql || :
    chmod 03775 /var/run/postgresql || :
    if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then
        mkdir -p "$POSTGRES_INITDB_WALDIR"
        chmod 700 "$POSTGRES_INITDB_WALDIR"
    fi
    if [ "$(id -u)" = 0 ]; then
        find "$PGDATA" \! -user postgres -exec chown postgres: '{}' +
        find /var/run/postgresql \! -user postgres -exec chown postgres: '{}' +
        if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then
            find "$POSTGRES_INITDB_WALDIR" \! -user postgres -exec chown postgres: '{}' +
        fi
    fi
}

verify_minimum_env() {
    if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
        cat >&2 <<'EOF'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
       connections without a password. This is *not* recommended.
EOF
        exit 1
    fi
    if [ "$POSTGRES_HOST_AUTH_METHOD" = trust ]; then
        log "WARNING: POSTGRES_HOST_AUTH_METHOD=trust: every host may connect without a password"
    fi
}

init_database_dir() {
    local args=()
    if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then
        args+=(--waldir "$POSTGRES_INITDB_WALDIR")
    fi
    log "initdb in $PGDATA (user $POSTGRES_USER)"
    # POSTGRES_INITDB_ARGS is word-split with shell quoting rules, as upstream does.
    eval 'initdb --username="$POSTGRES_USER" --pwfile=<(printf "%s\n" "$POSTGRES_PASSWORD") '"$POSTGRES_INITDB_ARGS"' "${args[@]}"'
}

setup_hba_conf() {
    {
        echo
        echo "# added by docker-entrypoint.sh: password auth for all remote hosts"
        printf 'host all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD"
    } >> "$PGDATA/pg_hba.conf"
}

# process_sql [psql args...]: run SQL from stdin or -f as the superuser.
process_sql() {
    local args=(-v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc)
    if [ -n "$POSTGRES_DB" ]; then
        args+=(--dbname "$POSTGRES_DB")
    fi
    PGHOST='' PGHOSTADDR='' psql "${args[@]}" "$@"
}

temp_server_start() {
    # Local connections only while the init scripts run.
    local opts=
    if [ $# -gt 0 ]; then
        opts=$(printf '%q ' "$@")
    fi
    log "starting temporary server"
    PGUSER="${PGUSER:-$POSTGRES_USER}" \
        pg_ctl -D "$PGDATA" -o "$opts -c listen_addresses='' -p ${PGPORT:-5432}" -w start
}

temp_server_stop() {
    log "stopping temporary server"
    PGUSER="${PGUSER:-postgres}" pg_ctl -D "$PGDATA" -m fast -w stop
}

# POSTGRES_DB='' for the function call (connect to "postgres"), $POSTGRES_DB for :'db'
# shellcheck disable=SC2097,SC2098
setup_db() {
    local exists
    exists=$(POSTGRES_DB='' process_sql --dbname postgres --set db="$POSTGRES_DB" --tuples-only --no-align <<'EOSQL'
SELECT 1 FROM pg_database WHERE datname = :'db' ;
EOSQL
)
    if [ -z "$exists" ]; then
        log "creating database $POSTGRES_DB"
        POSTGRES_DB='' process_sql --dbname postgres --set db="$POSTGRES_DB" <<'EOSQL'
CREATE DATABASE :"db" ;
EOSQL
    fi
}

process_init_files() {
    local f
    for f in "$@"; do
        case "$f" in
            *.sh)
                if [ -x "$f" ]; then
                    log "running $f"; "$f"
                else
                    log "sourcing $f"
                    # shellcheck disable=SC1090
                    . "$f"
                fi
                ;;
            *.sql)    log "running $f"; process_sql -f "$f" ;;
            *.sql.gz) log "running $f"; gzip -dc "$f" | process_sql ;;
            *.sql.xz) log "running $f"; xz -dc "$f" | process_sql ;;
            *)        log "ignoring $f" ;;
        esac
    done
}

wants_help() {
    local a
    for a; do
        case "$a" in
            -'?'|--help|--describe-config|-V|--version) return 0 ;;
        esac
    done
    return 1
}

main() {
    if [ "${1:0:1}" = '-' ]; then
        set -- postgres "$@"
    fi

    if [ "$1" = postgres ] && ! wants_help "$@"; then
        setup_env
        create_directories
        if [ "$(id -u)" = 0 ]; then
            # Re-run this script as postgres (exec: no extra process stays around).
            exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
        fi

        if [ -z "$DATABASE_ALREADY_EXISTS" ]; then
            verify_minimum_env
            ls /docker-entrypoint-initdb.d/ > /dev/null   # fail early on permission problems
            init_database_dir
            setup_hba_conf
            export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
            temp_server_start "${@:2}"
            setup_db
            shopt -s nullglob
            process_init_files /docker-entrypoint-initdb.d/*
            shopt -u nullglob
            temp_server_stop
            unset PGPASSWORD
            log "PostgreSQL init process complete; ready for start up."
        else
            log "PostgreSQL database directory appears to contain a database; skipping initialization"
        fi
    fi

    exec "$@"
}

main "$@"
