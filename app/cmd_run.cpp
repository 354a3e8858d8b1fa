#include "cmd_run.h"

#include <unistd.h>

#include <cerrno>
#include <system_error>

#include <fmt/format.h>

#include "process.h"
#include "trace/format.h"

namespace elt::app {

namespace {

// Writes all of `text` to standard output; the errno of a failed write, or 0.
int write_all(const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(STDOUT_FILENO, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

// --mode output: the trace goes nowhere and an observer writes what the program prints,
// at once, so that a real-clock run shows each line when it happens.
void run_output_only(RunOptions opts) {
  if (standard_fds().stdout_closed) {
    throw std::system_error(EBADF, std::generic_category(),
                            "standard output is closed, so the program's output has nowhere to go");
  }
  opts.format = "none";
  int error = 0;  // written under the tracer's lock, read after the run
  run_scenario(opts, -1, [&error](Runtime& runtime, Tracer& tracer) {
    tracer.set_observer([&error, &runtime](const TraceEvent& event) {
      if (error != 0) return;
      std::string text;
      render_output(event, text);
      if (text.empty()) return;
      error = write_all(text);
      // The reader left or the disk is full: nothing more can be shown, so stop (as the
      // trace does when its writes fail). request_stop is safe under the tracer's lock.
      if (error != 0) runtime.request_stop();
    });
  });
  if (error != 0 && error != EPIPE) {
    throw std::system_error(error, std::generic_category(), "writing the program's output to standard output");
  }
}

}  // namespace

void validate_plain_run(const RunOptions& opts, const std::string& mode) {
  // Checked here, not by the parser: `--mode per-thread check` must reach the table that
  // tells check's --mode from this one.
  if (mode != "output" && mode != "trace") {
    throw UsageError(fmt::format("--mode: \"{}\" is not one of trace, output", mode));
  }
  if (mode != "output") return;
  auto refuse = [](const std::string& option) {
    throw UsageError(fmt::format("--mode output prints only the program's own lines, as its console shows them, so "
                                 "it cannot take {}",
                                 option));
  };
  if (opts.format != "text") refuse("--format " + opts.format);
  if (!opts.show.empty()) refuse("--show");
  if (opts.color != "auto") refuse("--color");
}

int run_plain(const RunOptions& opts, const std::string& mode) {
  if (mode == "output") {
    run_output_only(opts);
  } else {
    run_scenario(opts, STDOUT_FILENO);
  }
  if (int sig = received_signal(); sig != 0) return 128 + sig;
  return 0;
}

}  // namespace elt::app
