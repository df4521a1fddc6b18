#!/usr/bin/env bash
# Runs the library's unit tests and the driver, runtime, time, fs, net,
# process, pipe, task-set and regression tests under valgrind's memcheck
# (the last stage of .ci/run; a few minutes here).
#
# --undef-value-errors=no: the kernel fills read buffers through io_uring,
# behind valgrind's back, so memcheck would flag every later use of bytes
# read into fresh (`with_capacity`) memory. Invalid reads and writes, and
# leaks, are still checked.
#
# Skipped: tests in which the ring parks in io_uring_enter while another
# thread must run to wake it. Valgrind serializes threads and does not treat
# io_uring_enter as a blocking call, so the waking thread never gets to run
# and those tests hang under valgrind (they pass natively).
set -euo pipefail
cd "$(dirname "$0")/.."
skips=(
    --skip io_uring_blocked_by_seccomp
    --skip cross_thread_wake_from_a_std_thread
    --skip main_future_woken_from_another_thread
    --skip a_waker_lent_to_another_thread
    --skip spawn_blocking_panic_is_reported
    # Arming 10k timers takes longer than its 500 ms head start under valgrind.
    --skip ten_thousand_sleeps
    # A 1 GiB buffer through memcheck's shadow memory: minutes, nothing new.
    --skip one_gib_read
    # A tokio client thread must run while the ring parks (see above).
    --skip a_tokio_client_talks_to_a_ringio_server
    # Minutes under memcheck for nothing new (64 MiB, 10k connections).
    --skip sixty_four_mib
    --skip ten_thousand_connections
    # regressions: a second thread must run while the ring parks (see
    # above), a CPU hog, or 50k tasks for a timing ratio memcheck distorts.
    --skip main_future_wake_between_idle_check_and_park
    --skip task_wake_between_idle_check_and_park
    --skip sleeps_armed_under_preemption
    --skip sqpoll_ring_keeps_working
    --skip msg_ring_wake_from_a_finishing_block_on
    --skip runtime_drop_time_grows_linearly
    # std-thread HTTP server threads must run while the load ring parks.
    --skip http_load_window_waits_for_every_connections_first_response
    # Valgrind does not implement pidfd_open (syscall 434): the pidfd wait
    # path cannot run under it (the WAITID path, which the kernel here
    # takes, is covered).
    --skip pidfd_path
    # task_set: pool workers, or a blocking-pool thread, must run while a
    # ring parks (see above).
    --skip a_pool_
    --skip an_abort_handle_of_a_blocking_job
    # Under valgrind, spawning a missing program reports success (valgrind
    # runs the exec itself).
    --skip missing_program_is_not_found
    # Leaks a buffer on purpose (the kernel may still own it): what it checks.
    --skip op_dropped_after_a_leaking_shutdown_keeps_its_buffer
)
bins=$(cargo test --no-run --lib --test driver --test runtime --test time --test fs_file --test fs_path \
    --test tcp --test tcp_stress --test udp --test unix --test io_traits --test recv_multishot --test regressions \
    --test socket_options --test pipe_stdio --test process --test task_set --message-format=json 2>/dev/null |
    grep -o '"executable":"[^"]*"' | cut -d'"' -f4)
memcheck() {
    valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
        --undef-value-errors=no \
        --quiet "$@"
}
status=0
for bin in $bins; do
    echo "== valgrind $(basename "$bin")"
    memcheck "$bin" --test-threads=1 "${skips[@]}" || status=1
done
# The epoll driver: its own tests, and the socket, file and driver tests on
# it. (epoll_wait is a blocking call valgrind knows, so a parked runtime
# lets other threads run: no cross-thread skips beyond the ones above.)
epoll_bins=$(cargo test --no-run --test epoll --test driver --test tcp --test unix --test udp \
    --test fs_file --test pipe_stdio --test regressions --message-format=json 2>/dev/null |
    grep -o '"executable":"[^"]*"' | cut -d'"' -f4)
epoll_skips=(
    # Valgrind does not implement pidfd_open (see above): the epoll driver
    # waits for children on a pidfd.
    --skip child_processes_report_their_exit
    --skip a_child_waited_on_epoll
    --skip into_blocking_fd_hands_the_pipe_to_a_child
    # Leaks on purpose: a pool job still blocked at shutdown keeps the data
    # it points into (the same as the ring's leaking shutdown, skipped above).
    --skip runtime_drop_with_a_blocked_pool_job
    # An io_uring runtime parks in io_uring_enter while the other must run.
    --skip io_uring_and_epoll_runtimes_wake_each_other
)
for bin in $epoll_bins; do
    echo "== valgrind (epoll driver) $(basename "$bin")"
    RINGIO_DRIVER=epoll memcheck "$bin" --test-threads=1 "${skips[@]}" "${epoll_skips[@]}" ||
        status=1
done
exit $status
