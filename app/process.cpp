#include "process.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <new>
#include <system_error>

#include "common/eventfd.h"
#include "loop/runtime.h"

namespace elt::app {

namespace {

// Written by the handler: only lock-free atomics are safe to share with it across threads.
std::atomic<int> g_signal{0};
std::atomic<int> g_wake_fd{-1};
static_assert(std::atomic<int>::is_always_lock_free);

std::mutex g_running_mutex;  // guards the two below: the watcher reads them, the loop sets them
elt::Runtime* g_running = nullptr;
bool g_has_run = false;  // a runtime ran: after it, a signal only sets the exit code

std::thread g_watcher;
std::atomic<bool> g_stopping{false};
StandardFds g_fds;

// Each of these would otherwise end the process at once, the trace unflushed.
constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM};
// Written once by the watcher and never read: it stays readable for every poller.
std::atomic<int> g_notify_fd{-1};

extern "C" void on_signal(int sig) {
  const int saved = errno;  // the interrupted code may be about to read errno
  int none = 0;
  g_signal.compare_exchange_strong(none, sig);
  signal_eventfd(g_wake_fd.load(std::memory_order_relaxed));
  errno = saved;
}

void watch() {
  const int fd = g_wake_fd.load();
  for (;;) {
    std::uint64_t count = 0;
    if (::read(fd, &count, sizeof count) < 0 && errno == EINTR) continue;
    if (g_stopping.load()) return;
    const int sig = g_signal.load();
    if (sig == 0) continue;
    signal_eventfd(g_notify_fd.load());
    std::lock_guard lock(g_running_mutex);
    if (g_running != nullptr) {
      g_running->request_stop();  // the loop stops at the next phase and closes its threads
    } else if (!g_has_run) {
      _exit(128 + sig);  // nothing runs yet (still reading the scenario): nothing to close
    }
  }
}

}  // namespace

StandardFds reserve_standard_fds() {
  bool* closed[] = {&g_fds.stdin_closed, &g_fds.stdout_closed, &g_fds.stderr_closed};
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) >= 0 || errno != EBADF) continue;
    // open() returns the lowest free descriptor: this one, since those below are open.
    int got = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (got != fd) {
      if (got >= 0) ::close(got);
      _exit(1);  // no /dev/null and no way to say so (stderr may be the one closed)
    }
    *closed[fd] = true;
  }
  return g_fds;
}

const StandardFds& standard_fds() { return g_fds; }

SignalWatcher::SignalWatcher() {
  int fd = ::eventfd(0, EFD_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "eventfd (signal watcher)");
  g_wake_fd.store(fd);
  int notify = ::eventfd(0, EFD_CLOEXEC);
  if (notify < 0) throw std::system_error(errno, std::generic_category(), "eventfd (signal notification)");
  g_notify_fd.store(notify);
  // The watcher blocks every signal, so a handler never runs on it; it inherits the mask.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  try {
    g_watcher = std::thread(watch);
  } catch (const std::system_error& e) {
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    throw std::system_error(e.code(), "starting the signal watcher thread");
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : kStopSignals) sigaction(sig, &sa, nullptr);
  // A reader that goes away (`| head -3`) shows up as EPIPE on write, which the tracer
  // handles by stopping the run quietly; the default SIGPIPE would kill us mid-shutdown.
  signal(SIGPIPE, SIG_IGN);
}

SignalWatcher::~SignalWatcher() {
  g_stopping.store(true);
  signal_eventfd(g_wake_fd.load());
  g_watcher.join();
  // The handlers stay: a late signal still only sets the exit code and writes the eventfd,
  // which stays open until the process ends.
}

void set_running(elt::Runtime* runtime) {
  std::lock_guard lock(g_running_mutex);
  g_running = runtime;
  if (runtime != nullptr) g_has_run = true;
}

int received_signal() { return g_signal.load(); }

int signal_notify_fd() { return g_notify_fd.load(); }

std::span<const int> stop_signals() { return kStopSignals; }

const char kOutOfMemoryMessage[] =
    "eventloop-trace: out of memory (the run needs more memory than the limit allows; raise the limit "
    "(ulimit -v), or make the scenario smaller)\n";

namespace {

std::terminate_handler g_previous_terminate = nullptr;

// Only async-signal-safe calls: the heap is what ran out.
[[noreturn]] void on_terminate() {
  if (std::exception_ptr e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::bad_alloc&) {
      ssize_t ignored = ::write(STDERR_FILENO, kOutOfMemoryMessage, sizeof kOutOfMemoryMessage - 1);
      (void)ignored;
      _exit(1);
    } catch (...) {
    }
  }
  // Anything else is a broken invariant: fail loudly, as the runtime would have.
  if (g_previous_terminate != nullptr) g_previous_terminate();
  std::abort();
}

}  // namespace

void install_out_of_memory_handler() { g_previous_terminate = std::set_terminate(on_terminate); }

}  // namespace elt::app
