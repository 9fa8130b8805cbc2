#!/usr/bin/env bash
# The comparison of docs/results.md: SGD vs Entropy-SGD vs HJ, and the baselines Adam and SAM, on mnistfc
# and LeNet, three seeds each, at an equal budget of about 20 effective epochs (gradient evaluations /
# examples):
#   SGD          20 epochs                       (the recipe's lr 0.1, ÷10 from epoch 3)
#   Entropy-SGD   1 epoch  × L = 20 evaluations  (the recipe: the Lua code's conventions, outer lr 1)
#   HJ (FP)       2 epochs × (L + 1) = 11        (the recipe: lr 0.1, Nesterov 0.9, γ = 1)
#   Adam         20 epochs                       (the recipe: lr 1e-3, ÷10 from epoch 3, torch's defaults)
#   SAM          10 epochs × 2 evaluations       (the recipe: SGD's, ρ = 0.05, lr ÷10 from epoch 2)
# Usage: bench/experiments/paper-experiments.sh [DATA] [SEEDS...]   (DATA: mnist-10k or fashion-mnist)
# A run that finished is skipped and one that stopped is continued from its last epoch (train-once.sh), so
# the script can be stopped and started again.
# DEEPRELAX names the command to run (default: the repository's ./deeprelax); MODELS the networks
# (default: "lenet mnistfc"); OPTIMIZERS the optimizers (default: "sgd entropy-sgd hj adam sam").
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
deeprelax="${DEEPRELAX:-$root/deeprelax}"
. "$root/bench/experiments/train-once.sh"
data="${1:-mnist-10k}"; shift || true
seeds=("${@:-1 2 3}"); seeds=(${seeds[@]})
out="$root/runs/experiments/$data"
for seed in "${seeds[@]}"; do
  for model in ${MODELS:-lenet mnistfc}; do
    for opt in ${OPTIMIZERS:-sgd entropy-sgd hj adam sam}; do
      case $opt in
        sgd|adam) set -- --epochs 20 ;;
        entropy-sgd) set -- --epochs 1 ;;
        hj) set -- --epochs 2 ;;
        sam) set -- --epochs 10 ;;
        *) echo "paper-experiments.sh: no budget for optimizer '$opt'" >&2; exit 2 ;;
      esac
      train_once "$out/$model-$opt-seed$seed" --model "$model" --data "$data" --optimizer "$opt" --seed "$seed" "$@"
    done
  done
done
