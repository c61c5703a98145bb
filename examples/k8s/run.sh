#!/usr/bin/env bash
# dyadflow fanned out on Kubernetes: the indexed Job of the shard runs
# (shards-job.yaml), then, once every shard has succeeded, the merge Job
# (merge-job.yaml). Both Jobs are deleted first if a previous fan-out left them: a
# Job's pod template cannot be changed, so each fan-out applies new Job objects.
#
# Exit status: 0 when the merge Job completed (a new set published, or the published
# one up to date); 1 when a Job failed (nothing published: `kubectl logs` of its pods
# says why; see README.md for each dyadflow exit code).
#
#   KUBECTL      the kubectl command, e.g. "kubectl -n dyadflow" (default: kubectl)
#   POLL_SECONDS seconds between two looks at a Job's conditions (default: 10)
set -euo pipefail
cd "$(dirname "$0")"
read -r -a kubectl <<<"${KUBECTL:-kubectl}"
poll="${POLL_SECONDS:-10}"

# Waits for a Job to finish: returns 0 once it is Complete, 1 once it has Failed.
finished() {
    local job="$1" conditions
    while :; do
        conditions=" $("${kubectl[@]}" get job "$job" \
            -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}') "
        case "$conditions" in
            *" Complete "*) return 0 ;;
            *" Failed "*) return 1 ;;
        esac
        sleep "$poll"
    done
}

"${kubectl[@]}" delete job dyadflow-shards dyadflow-merge --ignore-not-found --cascade=foreground --wait=true

"${kubectl[@]}" apply -f shards-job.yaml
if ! finished dyadflow-shards; then
    echo "run.sh: a shard failed; nothing was merged. Its log:" >&2
    echo "  ${kubectl[*]} logs -l job-name=dyadflow-shards --tail=20" >&2
    exit 1
fi
echo "run.sh: every shard written; merging"

"${kubectl[@]}" apply -f merge-job.yaml
if ! finished dyadflow-merge; then
    echo "run.sh: the merge failed; nothing was published. Its log:" >&2
    echo "  ${kubectl[*]} logs job/dyadflow-merge --tail=40" >&2
    exit 1
fi
echo "run.sh: merged; the published set is /data/output/current on the dyadflow-data volume"
