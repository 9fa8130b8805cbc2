#!/usr/bin/env bash
# The Parle rows of docs/results.md: Parle (n = 3) and Elastic-SGD (n = 3) on mnistfc and LeNet, three seeds
# each, at the budget of the SGD and Entropy-SGD rows, about 20 effective epochs per replica (gradient
# evaluations per replica / training examples):
#   Parle         1 epoch  × L = 20 evaluations per replica  (the recipe otherwise: distributed-ensembles' code)
#   Elastic-SGD  20 epochs × 1                                (the recipe: SGD's schedule, lr 0.1, ÷10 from epoch 3)
# Both with 3 replicas in this process (threads), each on the whole training set.
# Usage: bench/experiments/parle-experiments.sh [DATA] [SEEDS...]   (DATA: mnist-10k or fashion-mnist)
# A run that finished is skipped and one that stopped is continued from its last epoch (train-once.sh), so
# the script can be stopped and started again.
# DEEPRELAX names the command to run (default: the repository's ./deeprelax); MODELS the networks
# (default: "lenet mnistfc"); REPLICAS the number of replicas (default: 3).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
deeprelax="${DEEPRELAX:-$root/deeprelax}"
. "$root/bench/experiments/train-once.sh"
data="${1:-mnist-10k}"; shift || true
seeds=("${@:-1 2 3}"); seeds=(${seeds[@]})
out="$root/runs/experiments/$data"
for seed in "${seeds[@]}"; do
  for model in ${MODELS:-lenet mnistfc}; do
    for spec in "parle --epochs 1 --L 20" "elastic-sgd --epochs 20"; do
      set -- $spec; opt=$1; shift
      train_once "$out/$model-$opt-seed$seed" --model "$model" --data "$data" --optimizer "$opt" \
        --replicas "${REPLICAS:-3}" --seed "$seed" "$@"
    done
  done
done
