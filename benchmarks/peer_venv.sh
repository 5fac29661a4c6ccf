# Sourced (not run) by the benchmarks/setup_*.sh scripts that build a peer's venv OUTSIDE the
# repository. Set LOG_NAME (the tag of log lines) before sourcing.
#
# Environment:
#   JOGAK_PEERS_DIR  where the venvs go (default /work/peers); never inside the repo
#   PEER_PYTHON      interpreter to build them with (default python3)
#
# Gives PEERS_DIR, PEER_PYTHON, log, quiet_pip, make_venv and record_versions, and exits 2 when
# JOGAK_PEERS_DIR lies inside the repository.

PEERS_DIR="${JOGAK_PEERS_DIR:-/work/peers}"
PEER_PYTHON="${PEER_PYTHON:-python3}"

log() { printf '[%s %s] %s\n' "$LOG_NAME" "$(date +%H:%M:%S)" "$*" >&2; }
# pip warns once per package that the machine's extra local indexes lack it; that is noise.
quiet_pip() { "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }

make_venv() {  # make_venv NAME -> echoes the venv's python
    local venv="$PEERS_DIR/$1"
    if [[ ! -x "$venv/bin/python" ]]; then
        log "creating $venv with $("$PEER_PYTHON" --version 2>&1)"
        "$PEER_PYTHON" -m venv "$venv"
        quiet_pip "$venv/bin/python" -m pip install --quiet --upgrade pip
    fi
    echo "$venv/bin/python"
}

record_versions() {  # record_versions NAME PATTERN -> writes <venv>/versions.txt, echoes matches
    local venv="$PEERS_DIR/$1"
    "$venv/bin/python" -m pip freeze --all > "$venv/versions.txt"
    grep -i -E "$2" "$venv/versions.txt" | tr '\n' ' '
}

mkdir -p "$PEERS_DIR"
case "$(realpath "$PEERS_DIR")" in
    "$(realpath "$(dirname "$0")/..")"*) log "JOGAK_PEERS_DIR must be outside the repo"; exit 2 ;;
esac
