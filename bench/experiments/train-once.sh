# Sourced by the experiment scripts: train_once DIR ARGS... runs `$deeprelax train ARGS` into DIR once, so
# that a script stopped part-way can be started again and lose at most the epoch that was running.
# DIR whose summary.json says "finished": skipped. DIR with a checkpoint: continued from it (--resume; the
# arguments must agree with the checkpoint's settings, and train says which one does not). DIR that holds
# only the start of a run, stopped before its first checkpoint: started over (--overwrite).
# A failed run fails the script (set -o pipefail): the tables are made only from runs that finished.
train_once() {
  local dir=$1; shift
  if grep -qs '"status" : "finished"' "$dir/summary.json"; then return 0; fi
  local where=(--out "$dir")
  if [ -f "$dir/checkpoint.state" ]; then
    where=(--resume "$dir")
  elif [ -e "$dir" ]; then
    where=(--out "$dir" --overwrite)
  fi
  echo "== ${where[*]}: train $*"
  $deeprelax train "$@" "${where[@]}" | grep -v '^  batch'
}
