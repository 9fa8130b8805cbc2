#!/usr/bin/env bash
# Parle's wall-clock per epoch with 1, 2 and 3 replicas as processes under mpirun (one replica each) and as
# threads of one process, on this machine, with the time the replicas spend in their exchanges measured
# apart (replicas.csv's communication_seconds: the fixed-order mean, the divergence check and the reference
# average, waiting for the slowest replica included).
# Every run: mnistfc on MNIST-10k, L = 2, 2 epochs (each replica 4 effective epochs; about 2 minutes of CPU
# for the 11 replica-runs on the development machine); the table uses the second epoch (the JIT has compiled
# by then). Each replica does the same work whatever n (weak scaling, as Parle scales out): on a machine with
# c cores, n replicas should take about max(1, n/c) times one replica's epoch, plus the communication.
# Usage: bench/experiments/parle-scaling.sh [MODEL] [L]      Needs Open MPI (openmpi-bin).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
model="${1:-mnistfc}"; L="${2:-2}"
out="$root/runs/scaling"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
"$root/deeprelax" train --help > /dev/null   # build once, before several processes start
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
common=(train --model "$model" --optimizer parle --L "$L" --epochs 2 --overwrite)
run() {  # NAME then the command
  local name=$1; shift
  echo "== $name" >&2
  "$@" --out "$out/$name" | grep -v '^  batch' >&2
}
run threads-1 "$root/deeprelax" "${common[@]}" --replicas 1
for n in 2 3; do
  run "processes-$n" mpirun --oversubscribe --bind-to none -np "$n" "$root/deeprelax" "${common[@]}"
  run "threads-$n" "$root/deeprelax" "${common[@]}" --replicas "$n"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
printf '%-12s %9s %14s %22s\n' layout replicas "epoch 2 (s)" "communication (s/epoch)"
for name in threads-1 processes-2 threads-2 processes-3 threads-3; do
  dir="$out/$name"
  epoch=$(awk -F, 'NR==2{a=$7} NR==3{b=$7} END{printf "%.1f", b-a}' "$dir/metrics.csv")
  n=$(awk -F, 'NR>1 && $1==1' "$dir/replicas.csv" | wc -l)
  comm=$(awk -F, -v n="$n" 'NR>1 && $1==1{a[$2]=$7} NR>1 && $1==2{s+=$7-a[$2]} END{printf "%.2f", s/n}' "$dir/replicas.csv")
  printf '%-12s %9s %14s %22s\n' "${name%-*}" "$n" "$epoch" "$comm"
done
