# shellcheck shell=bash
# Shared settings of the harness scripts (sourced, not run).
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$REPO/.venv"
CACHE="$REPO/.cache"
export PATH="$VENV/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$CACHE/collections"
export ANSIBLE_CONFIG="$REPO/ansible.cfg"
export ANSIBLE_FORCE_COLOR="${ANSIBLE_FORCE_COLOR:-0}"
export PY_COLORS="${PY_COLORS:-0}"
export ANSIBLE_NOCOLOR="${ANSIBLE_NOCOLOR:-1}"
export NO_COLOR=1

# Capabilities of a Molecule instance / sandbox VM: every capability Docker 20.10 knows except
# SYS_RESOURCE, which this host's bounding set lacks (so --privileged fails here).
# Read by the scripts that source this file (tests/harness/sandbox):
# shellcheck disable=SC2034
SANDBOX_CAPS=(AUDIT_CONTROL AUDIT_READ AUDIT_WRITE BLOCK_SUSPEND CHOWN DAC_OVERRIDE DAC_READ_SEARCH
  FOWNER FSETID IPC_LOCK IPC_OWNER KILL LEASE LINUX_IMMUTABLE MAC_ADMIN MAC_OVERRIDE MKNOD NET_ADMIN
  NET_BIND_SERVICE NET_BROADCAST NET_RAW SETFCAP SETGID SETPCAP SETUID SYS_ADMIN SYS_BOOT SYS_CHROOT
  SYS_MODULE SYS_NICE SYS_PACCT SYS_PTRACE SYS_RAWIO SYS_TIME SYS_TTY_CONFIG SYSLOG WAKE_ALARM)

log() { printf '==> %s\n' "$*" >&2; }
