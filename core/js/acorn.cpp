#include "js/acorn.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clock/clock.h"
#include "common/data_dir.h"
#include "sandbox/sandbox.h"
#include "scenario/scenario.h"

extern char** environ;

namespace elt::js {

namespace {

// A teaching program parses in tens of milliseconds; node itself starts in about 40. A
// parse that takes this long is a hostile input, not a program.
constexpr auto kParseTimeout = std::chrono::seconds(20);
// The tree is about 30 times the source; the source is at most 64 MiB like a scenario,
// but a tree this large would not be run anyway.
constexpr std::size_t kMaxTreeBytes = 256u << 20;

struct Child {
  std::string out;
  std::string err;
  int exit_code = 0;
  bool timed_out = false;
  bool too_large = false;
};

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

// Closes every fd in `fds` that is still open; pipes are made in pairs and closed in any order.
void close_all(std::vector<int>& fds) {
  for (int& fd : fds) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
}

pid_t spawn_with_pipes(const std::vector<std::string>& argv, int in_fd, int out_fd, int err_fd) {
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_fd, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argp[0], &actions, nullptr, argp.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc == ENOENT) {
    throw JsEnvironmentError(fmt::format("reading JavaScript needs node, and {} is not on PATH; "
                                         "scripts/deps.sh installs it", argv[0]));
  }
  if (rc != 0) throw std::system_error(rc, std::generic_category(), "posix_spawnp " + argv[0]);
  return pid;
}

// Feeds `input` to the child's stdin while collecting its stdout and stderr, so that
// neither side can fill a pipe and wait for the other. Kills it past the time or size bound.
void pump(pid_t pid, std::vector<int>& fds, const std::string& input, Child& child) {
  std::size_t written = 0;
  const auto deadline = elt::real_time_now() + kParseTimeout;
  char buf[65536];
  while (fds[0] >= 0 || fds[1] >= 0 || fds[2] >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - elt::real_time_now());
    if (left.count() <= 0 || child.out.size() > kMaxTreeBytes) {
      (left.count() <= 0 ? child.timed_out : child.too_large) = true;
      ::kill(pid, SIGKILL);
      return;
    }
    pollfd p[3] = {{fds[0], POLLOUT, 0}, {fds[1], POLLIN, 0}, {fds[2], POLLIN, 0}};
    if (::poll(p, 3, static_cast<int>(left.count())) < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "poll");
    }
    if (fds[0] >= 0 && p[0].revents != 0) {
      const ssize_t n = ::write(fds[0], input.data() + written, input.size() - written);
      if (n > 0) written += static_cast<std::size_t>(n);
      // EPIPE: node left without reading it all; its exit code says why.
      if ((n < 0 && errno != EINTR && errno != EAGAIN) || written == input.size()) {
        ::close(fds[0]);
        fds[0] = -1;
      }
    }
    for (int i = 1; i < 3; ++i) {
      if (fds[i] < 0 || p[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i], buf, sizeof buf);
      if (n > 0) {
        (i == 1 ? child.out : child.err).append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        ::close(fds[i]);
        fds[i] = -1;
      }
    }
  }
}

Child run_node(const std::vector<std::string>& argv, const std::string& input) {
  int in[2];
  int out[2];
  int err[2];
  std::vector<int> fds;
  for (int* p : {in, out, err}) {
    if (::pipe2(p, O_CLOEXEC) != 0) {
      const int e = errno;
      close_all(fds);
      throw std::system_error(e, std::generic_category(), "pipe2");
    }
    fds.insert(fds.end(), {p[0], p[1]});
  }
  pid_t pid = 0;
  try {
    pid = spawn_with_pipes(argv, in[0], out[1], err[1]);
  } catch (...) {
    close_all(fds);
    throw;
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  std::vector<int> ours = {in[1], out[0], err[0]};
  ::fcntl(in[1], F_SETFL, ::fcntl(in[1], F_GETFL) | O_NONBLOCK);
  Child child;
  try {
    pump(pid, ours, input, child);
  } catch (...) {
    ::kill(pid, SIGKILL);
    close_all(ours);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    throw;
  }
  close_all(ours);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  child.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return child;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

std::string acorn_dir() { return env_or("ELT_ACORN_DIR", "/usr/share/nodejs/acorn"); }

std::string parse_estree(const std::string& source, const std::string& file) {
  const auto script = find_data_file("js/parse.js");
  if (!script) {
    throw JsEnvironmentError(fmt::format("reading JavaScript needs js/parse.js in the data folder {}, and it is "
                                         "not there; reinstall eventloop-trace", data_dir().string()));
  }
  const std::string node = env_or("ELT_NODE", "node");
  const std::string acorn = acorn_dir();
  // Node 20's switch; sandbox.h knows the later spelling, but the version costs another
  // node start, and scripts/deps.sh installs Node 20.
  std::vector<std::string> argv = {node};
  for (auto& arg : sandbox::node_permission_args({script->string(), acorn}, "v20.0.0")) argv.push_back(arg);
  argv.insert(argv.end(), {"--stack-size=2000", script->string(), acorn});
  Child child = run_node(argv, source);
  if (child.exit_code == 3) {
    auto error = nlohmann::json::parse(child.out, nullptr, false);
    if (error.is_object() && error.contains("line")) {
      throw scenario::ScenarioError(file, fmt::format("{}:{}", error.value("line", 0), error.value("column", 0)),
                                    fmt::format("syntax error: {}", error.value("message", std::string())));
    }
  }
  if (child.exit_code == 4) {
    throw JsEnvironmentError(fmt::format("reading JavaScript needs acorn (Debian's node-acorn), and it is not at "
                                         "{}; scripts/deps.sh installs it", acorn));
  }
  if (child.exit_code == 5) throw scenario::ScenarioError(file, "", "it nests too deeply for acorn to parse");
  if (child.timed_out) {
    throw scenario::ScenarioError(file, "", fmt::format("acorn took more than {} s to parse it; that is not a "
                                                        "teaching program", kParseTimeout.count()));
  }
  if (child.too_large) throw scenario::ScenarioError(file, "", "its syntax tree is too large to be a teaching program");
  if (child.exit_code != 0) {
    throw JsEnvironmentError(fmt::format("{} running acorn failed (exit {}): {}", node, child.exit_code,
                                         first_line(child.err)));
  }
  return std::move(child.out);
}

}  // namespace elt::js
