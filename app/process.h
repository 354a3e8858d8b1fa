// What the process needs from its surroundings before a scenario runs: the three standard
// file descriptors, and signals turned into a stop request.
//
// Standard descriptors. A tool started with stdout closed (`>&-`) would hand fd 1 to the
// first descriptor it opens, here the runtime's eventfd, and then write the trace into
// it. So, first thing, every closed one of fds 0-2 is opened on /dev/null, and the
// command can still tell the user that its output (or input) was closed.
//
// Signals. A signal handler may run on any thread at any moment, also while the runtime
// it would stop is being built or destroyed, so it does the least it can: it records the
// signal in a lock-free atomic and writes to an eventfd (both async-signal-safe). A
// watcher thread, which blocks every signal itself, reads the eventfd and does the rest:
// it asks the running runtime to stop (under the lock that guards which runtime is
// running, so the runtime cannot be destroyed meanwhile), or, when nothing runs yet
// (the scenario is still being read), ends the process at once. SIGINT, SIGTERM, SIGHUP,
// SIGQUIT, SIGUSR1, SIGUSR2 and SIGALRM all stop the run the same way: threads closed in
// order, trace flushed, exit 128 + the signal's number. (Left to their default action,
// SIGQUIT and SIGUSR1 once ended a run with its trace unflushed.) A thread that waits on
// something other than the runtime (step reading its commands) also polls
// signal_notify_fd(), which becomes readable at the first signal and stays so.
//
// Thread-safety: reserve_standard_fds() first thing in main, before any thread exists;
// SignalWatcher is built once, in main; set_running() from the thread that runs the loop.
#pragma once

#include <mutex>
#include <span>
#include <thread>

namespace elt {
class Runtime;
}

namespace elt::app {

struct StandardFds {
  bool stdin_closed = false;
  bool stdout_closed = false;
  bool stderr_closed = false;
};
StandardFds reserve_standard_fds();
// What reserve_standard_fds() found (all false if it was not called).
const StandardFds& standard_fds();

class SignalWatcher {
 public:
  SignalWatcher();   // installs the handlers and starts the watcher thread
  ~SignalWatcher();  // stops and joins it
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;
};

// The runtime a signal stops (nullptr: none runs now).
void set_running(elt::Runtime* runtime);
// The first signal received, 0 if none.
int received_signal();
// Readable (POLLIN) once a stop signal came, for good; -1 before SignalWatcher exists.
int signal_notify_fd();
// The signals that stop a run (and that file writes hold off).
std::span<const int> stop_signals();

// Out of memory anywhere, also on a thread of ours or out of a noexcept function: one
// message and exit 1, instead of std::terminate's abort (exit 134). Installed first thing
// in main.
void install_out_of_memory_handler();
// The message main prints for a std::bad_alloc it catches (ends in a newline).
extern const char kOutOfMemoryMessage[];

}  // namespace elt::app
