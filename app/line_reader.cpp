#include "line_reader.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>
#include <utility>

#include "process.h"

// libedit's readline-compatible interface (BSD licence), not GNU readline.
#include <editline/readline.h>

#include "cli.h"
#include "trace/tracer.h"

namespace elt::app {

namespace {

// libedit's callback interface hands the finished line to a plain function.
std::optional<std::string>* g_line = nullptr;
bool g_line_done = false;

// Tab: libedit asks for the candidates one by one (state 0 starts a new list) and frees
// each string it is handed, so each is malloc'd.
std::vector<std::string> g_candidates;

extern "C" char* next_candidate(const char* /*text*/, int state) {
  static std::size_t next = 0;
  if (state == 0) next = 0;
  if (next >= g_candidates.size()) return nullptr;
  return strdup(g_candidates[next++].c_str());
}

// The word under the cursor starts at `start`; what comes before it decides what may follow
// (step_completions). Never file names: a step command takes none.
extern "C" char** complete_step_command(const char* text, int start, int /*end*/) {
  rl_attempted_completion_over = 1;
  g_candidates = step_completions(std::string(rl_line_buffer, static_cast<std::size_t>(start)), text);
  if (g_candidates.empty()) return nullptr;
  return rl_completion_matches(text, next_candidate);
}

extern "C" void on_line(char* raw) {
  if (raw != nullptr) {
    *g_line = std::string(raw);
    std::free(raw);
  } else {
    g_line->reset();
  }
  g_line_done = true;
}

// Reads with libedit's callback interface, so that the wait can also watch an eventfd that
// other threads signal when they print: the prompt is then drawn again under their line.
class EditLineSource final : public CommandSource {
 public:
  EditLineSource() : wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (wake_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    rl_attempted_completion_function = complete_step_command;
  }
  ~EditLineSource() override { ::close(wake_); }

  void attach(Tracer& tracer) override { tracer_ = &tracer; }

  std::optional<std::string> read_line(const std::string& prompt) override {
    std::optional<std::string> line;
    g_line = &line;
    g_line_done = false;
    rl_callback_handler_install(prompt.c_str(), on_line);
    cleared_.store(false);
    prompting_.store(true);
    while (!g_line_done) {
      // The signal's own fd too: a signal lands on any thread, not always on this one's poll.
      pollfd fds[3] = {{STDIN_FILENO, POLLIN, 0}, {wake_, POLLIN, 0}, {signal_notify_fd(), POLLIN, 0}};
      int n = ::poll(fds, fds[2].fd >= 0 ? 3 : 2, -1);
      if (n < 0) {
        if (errno == EINTR && received_signal() == 0) continue;
        break;  // Ctrl-C (the runtime is already stopping) or a broken terminal
      }
      if ((fds[1].revents & POLLIN) != 0) {
        std::uint64_t count = 0;
        while (::read(wake_, &count, sizeof count) > 0) {
        }
        // The line that woke us is written under the tracer's lock: once flush() has the
        // lock, it is on the screen, and the prompt goes below it, drawn under the same
        // lock so that no other line lands in the middle of it. Drawn only when a line
        // wiped it: two lines can wake us twice after one wipe, and a second draw would
        // repeat the prompt on its own row.
        auto redraw = [this] {
          if (cleared_.exchange(false)) rl_forced_update_display();
        };
        if (tracer_ != nullptr) {
          tracer_->flush(redraw);
        } else {
          redraw();
        }
      }
      // A signal (SIGHUP when the terminal closes, SIGTERM) ends the wait: the runtime is
      // already stopping. A terminal that hung up or broke stays readable for ever and every
      // read fails (EIO), so it ends the input instead of being polled again: a step left in
      // a closed tmux pane once spun a CPU for 90 minutes.
      if (received_signal() != 0) break;
      if ((fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) break;
      if ((fds[0].revents & POLLIN) != 0) rl_callback_read_char();
    }
    prompting_.store(false);
    rl_callback_handler_remove();
    g_line = nullptr;
    if (!g_line_done) {
      std::fputs("\n", stdout);
      return std::nullopt;
    }
    if (!line) {
      std::fputs("\n", stdout);
      return std::nullopt;
    }
    if (!line->empty()) add_history(line->c_str());
    return line;
  }
  bool interactive() const override { return true; }

  void other_output() override {
    if (!prompting_.load()) return;
    // Called just before the line is written: wipe the prompt row so that the line starts
    // in column 0 instead of after what the user was typing.
    static constexpr char kClearRow[] = "\r\033[K";
    if (cleared_.exchange(true)) return;  // wiped already, not drawn since
    ssize_t ignored = ::write(STDOUT_FILENO, kClearRow, sizeof kClearRow - 1);
    (void)ignored;
    std::uint64_t one = 1;
    ignored = ::write(wake_, &one, sizeof one);
  }

 private:
  int wake_;
  Tracer* tracer_ = nullptr;
  std::atomic<bool> prompting_{false};  // read by other threads' trace observers
  std::atomic<bool> cleared_{false};    // the prompt row was wiped and not drawn since
};

// Commands from a pipe or a file. Read with read(2) after a poll that also watches for a
// stop signal: a blocking getline ignored Ctrl-C until the pipe's writer closed it, because
// the signal lands on whichever thread does not block it, rarely the one reading.
class StreamLineSource final : public CommandSource {
 public:
  void attach(Tracer&) override {}
  std::optional<std::string> read_line(const std::string& prompt) override {
    std::fputs(prompt.c_str(), stdout);
    std::fflush(stdout);
    for (;;) {
      if (auto nl = pending_.find('\n'); nl != std::string::npos) {
        std::string line = pending_.substr(0, nl);
        pending_.erase(0, nl + 1);
        return line;
      }
      if (at_end_ || !wait_for_input()) break;
      char buf[4096];
      ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) {
        at_end_ = true;  // end of input, or an input that broke (EIO): the last line, then none
      } else {
        pending_.append(buf, static_cast<std::size_t>(n));
      }
    }
    if (pending_.empty() || received_signal() != 0) return std::nullopt;
    return std::exchange(pending_, {});  // a last line without its newline
  }
  bool interactive() const override { return false; }

 private:
  // True when stdin has something (or its end) to read; false once a stop signal came.
  static bool wait_for_input() {
    for (;;) {
      if (received_signal() != 0) return false;
      pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {signal_notify_fd(), POLLIN, 0}};
      int n = ::poll(fds, fds[1].fd >= 0 ? 2 : 1, -1);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return true;  // let read() report what is wrong
      if ((fds[1].revents & POLLIN) != 0) return false;
      if (fds[0].revents != 0) return true;
    }
  }

  std::string pending_;  // read but not yet returned
  bool at_end_ = false;
};

}  // namespace

std::unique_ptr<CommandSource> make_line_source() {
  // Closed at start, stdin is /dev/null now (process.h): say so rather than run a session
  // nobody can steer.
  if (standard_fds().stdin_closed) {
    throw std::system_error(EBADF, std::generic_category(),
                            "step reads its commands from standard input, which is closed");
  }
  if (isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1) return std::make_unique<EditLineSource>();
  return std::make_unique<StreamLineSource>();
}

}  // namespace elt::app
