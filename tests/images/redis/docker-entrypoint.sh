#!/usr/bin/env bash
# Entrypoint of vmdeploy-test/redis (behaves like the official redis image):
#  - `docker run IMAGE --appendonly yes` / `... /path/redis.conf` -> redis-server ARGS
#  - redis-server runs in the foreground as user redis (exec, PID 1), data in /data
#  - unless a config file given as first argument sets protected-mode itself,
#    `--protected-mode no` is added (the container network is the boundary);
#    without a config file it also binds all interfaces explicitly.
#  Later arguments win in redis, so user flags override these defaults.
set -eo pipefail

# "-x ..." or "foo.conf ..." means: arguments for redis-server
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
    set -- redis-server "$@"
fi

if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
    find . \! -user redis -exec chown redis '{}' +
    exec setpriv --reuid=redis --regid=redis --clear-groups -- "${BASH_SOURCE[0]}" "$@"
fi

# The official image tightens the default umask too.
if [ "$(umask)" = 0022 ]; then
    umask 0077
fi

if [ "$1" = redis-server ]; then
    shift
    config=
    defaults=(--protected-mode no)
    if [ -n "${1:-}" ] && [ -f "$1" ]; then
        config=$1
        shift
        if grep -q '^[[:space:]]*protected-mode' "$config"; then
            defaults=()
        fi
    else
        defaults+=(--bind '* -::*')
    fi
    set -- redis-server ${config:+"$config"} "${defaults[@]}" "$@"
fi

exec "$@"
