#!/usr/bin/env bash
# Grading a class on SLURM: a job array whose task id is the shard.
#   export LABKIT_SEED=<a number the learners cannot guess>   # the same cases for every shard
#   sbatch --array=1-4 tools/grading/slurm-array.sh /path/to/submissions
# Each task writes grades-<task>.csv; when all have finished:
#   labkit grade merge grades-*.csv --out grades.csv
# (identical to one unsharded run). Nodes need bubblewrap (`apt-get install bubblewrap`) and
# unprivileged user namespaces; without a sandbox `labkit grade` refuses to run.
#SBATCH --job-name=labkit-grade
#SBATCH --cpus-per-task=2
#SBATCH --mem=6G
#SBATCH --time=00:30:00
#SBATCH --output=labkit-grade-%a.log
set -euo pipefail
submissions=${1:?usage: sbatch --array=1-N slurm-array.sh SUBMISSIONS [SOLUTIONS]}
solutions=${2:-solutions}
shards=${SLURM_ARRAY_TASK_COUNT:?run me with sbatch --array=1-N}
seed=${LABKIT_SEED:?export LABKIT_SEED=<a secret number> first: the same cases for every shard}
status=0
labkit grade "$submissions" --solutions "$solutions" --quiet --workers 2 --seed "$seed" \
  --shard "${SLURM_ARRAY_TASK_ID}/${shards}" --out "grades-${SLURM_ARRAY_TASK_ID}.csv" || status=$?
# exit 1 means some notebooks could not be graded (their rows say why): the shard is done
[ "$status" -le 1 ]
