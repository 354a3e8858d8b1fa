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
// (the scenario is still being read), ends the process at once. SIGINT, SIGTERM and
// SIGHUP all stop the run the same way: threads closed in order, trace flushed,
// exit 128 + the signal's number.
//
// Thread-safety: reserve_standard_fds() first thing in main, before any thread exists;
// SignalWatcher is built once, in main; set_running() from the thread that runs the loop.
#pragma once

#include <mutex>
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

}  // namespace elt::app
