#!/usr/bin/env bash
# Scheduled comparisons with compare on a plain server (cron or a systemd timer).
#
# Each run compares every story into a new dated folder, RUNS/<UTC time>, with
# --since the previous complete run (RUNS/latest points at it), so the reports
# say what changed. A lock keeps two runs from overlapping; everything is
# appended to RUNS/cron.log. Exits with the batch's status: 0 nothing crossed a
# threshold, 1 a threshold was crossed, 2 bad input or a broken story, 3 an
# internal error; 75 when another run still holds the lock (nothing was done).
#
# Install compare once with pipx (README, "Install"), then e.g. in crontab:
#   17 6 * * *  STORIES=/srv/news/stories RUNS=/srv/news/runs /srv/compare/examples/ci/cron.sh
# Models and caches stay in ~/.cache/compare between runs (or set
# COMPARE_MODELS_DIR and COMPARE_CACHE_DIR).
set -euo pipefail

STORIES=${STORIES:-$HOME/stories}   # a folder of stories (one sub-folder each) or a TOML manifest
RUNS=${RUNS:-$HOME/compare-runs}    # one dated folder per run, the lock and the log
LANGS=${LANGS:-ru zh ko}            # source languages whose models are pulled (skipped once installed)
JOBS=${JOBS:-2}                     # stories compared at once
KEEP=${KEEP:-30}                    # dated runs kept; older ones are removed (0: keep all)
LOCK_WAIT=${LOCK_WAIT:-0}           # seconds to wait for a run still going (0: give up at once)
LOG=${LOG:-$RUNS/cron.log}

export PATH="$HOME/.local/bin:$PATH"   # where pipx puts the compare command; cron's PATH is short

mkdir -p "$RUNS"
if [[ -t 1 ]]; then
    exec > >(tee -a "$LOG") 2>&1   # from a terminal: show the log as well
else
    exec >>"$LOG" 2>&1
fi

log() { printf '%s cron.sh[%d]: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$$" "$*"; }

# One run at a time: the lock is held until this script exits.
exec 9>"$RUNS/.lock"
if ! flock -w "$LOCK_WAIT" 9; then
    log "another run holds $RUNS/.lock; nothing done"
    exit 75
fi

# The previous complete run, for --since.
previous=""
since=()
if [[ -L $RUNS/latest && -d $RUNS/latest ]]; then
    previous=$(readlink -f "$RUNS/latest")
    since=(--since "$previous")
fi

# This run's folder: the UTC time, with a suffix when two runs share a second.
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
out=$RUNS/$stamp
n=1
while [[ -e $out ]]; do
    n=$((n + 1))
    out=$RUNS/$stamp-$n
done

log "start: $STORIES -> $out${previous:+, since $previous}"
status=0
# shellcheck disable=SC2086  # LANGS is a list of words
compare models pull $LANGS || status=$?
if ((status == 0)); then
    compare batch "$STORIES" --out "$out" --jobs "$JOBS" --stamp ${since[@]+"${since[@]}"} || status=$?
fi

# A run that wrote its run.json becomes the baseline of the next one.
if [[ -f $out/run.json ]]; then
    ln -sfn "$(basename "$out")" "$RUNS/latest.tmp"
    mv -T "$RUNS/latest.tmp" "$RUNS/latest"
fi

# Remove the oldest dated runs beyond KEEP, never the one latest points at.
if ((KEEP > 0)); then
    keep_target=$(readlink -f "$RUNS/latest" 2>/dev/null || true)
    mapfile -t old < <(find "$RUNS" -mindepth 1 -maxdepth 1 -type d -name '[0-9][0-9][0-9][0-9]-*' |
        LC_ALL=C sort | head -n "-$KEEP")
    for dir in ${old[@]+"${old[@]}"}; do
        [[ $(readlink -f "$dir") == "$keep_target" ]] || rm -rf -- "$dir"
    done
fi

case $status in
    0) log "done: nothing crossed a threshold ($out)" ;;
    1) log "done: a threshold was crossed; see $out/summary.md" ;;
    2) log "failed: bad input, a broken story or a missing model (exit 2)" ;;
    3) log "failed: internal error (exit 3); rerun with --traceback and report it" ;;
    *) log "ended with status $status (interrupted or killed)" ;;
esac
exit "$status"
