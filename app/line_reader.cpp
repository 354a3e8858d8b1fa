#include "line_reader.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <system_error>

#include "process.h"

// libedit's readline-compatible interface (BSD licence), not GNU readline.
#include <editline/readline.h>

namespace elt::app {

namespace {

class EditLineSource final : public LineSource {
 public:
  std::optional<std::string> read_line(const std::string& prompt) override {
    char* raw = readline(prompt.c_str());
    if (raw == nullptr) {
      std::fputs("\n", stdout);
      return std::nullopt;
    }
    std::string line(raw);
    std::free(raw);
    if (!line.empty()) add_history(line.c_str());
    return line;
  }
  bool interactive() const override { return true; }
};

class StreamLineSource final : public LineSource {
 public:
  std::optional<std::string> read_line(const std::string& prompt) override {
    std::fputs(prompt.c_str(), stdout);
    std::fflush(stdout);
    std::string line;
    if (!std::getline(std::cin, line)) return std::nullopt;
    return line;
  }
  bool interactive() const override { return false; }
};

}  // namespace

std::unique_ptr<LineSource> make_line_source() {
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
