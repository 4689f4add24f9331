#!/bin/sh
# Start the task worker in the background and the web server in the foreground; stop both together.
treem=$1; port=$2
$treem db_worker --queue-name '*' >var/worker.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null' EXIT INT TERM
echo "treem: task worker started (pid $worker, log var/worker.log)"
echo "treem: open http://127.0.0.1:$port/"
exec_status=0
$treem runserver --noreload "127.0.0.1:$port" || exec_status=$?
exit $exec_status
