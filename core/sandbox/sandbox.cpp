#include "sandbox/sandbox.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

namespace elt::sandbox {

namespace {

// Between fork and exec, in a child of a process with threads: only async-signal-safe
// calls. Returns 0, or the errno of the step that failed.
int enter_network_namespace() {
  // As root, a network namespace alone; otherwise (or where root lacks CAP_SYS_ADMIN, as in
  // a container) inside a new user namespace, which gives the child the capabilities it
  // needs over its own network and nothing outside it. exec drops them again: node runs
  // with none.
  if (::unshare(CLONE_NEWNET) != 0 && ::unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0) return errno;
  // A new namespace's loopback starts down: a program that serves itself on 127.0.0.1
  // would be refused.
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  ifreq request{};
  std::memcpy(request.ifr_name, "lo", 3);
  int result = 0;
  if (::ioctl(fd, SIOCGIFFLAGS, &request) != 0) {
    result = errno;
  } else {
    request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
    if (::ioctl(fd, SIOCSIFFLAGS, &request) != 0) result = errno;
  }
  ::close(fd);
  return result;
}

void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n <= 0 && errno != EINTR) return;
    if (n > 0) text.remove_prefix(static_cast<std::size_t>(n));
  }
}

NetworkIsolation probe() {
  NetworkIsolation out;
  const pid_t pid = ::fork();
  if (pid < 0) {
    out.why_not = fmt::format("fork: {}", std::strerror(errno));
    return out;
  }
  if (pid == 0) _exit(std::min(enter_network_namespace(), 125));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  out.available = code == 0;
  if (!out.available) {
    out.why_not = code > 0 ? fmt::format("unshare(CLONE_NEWNET) or loopback up: {}", std::strerror(code))
                           : "the probe child did not exit";
  }
  return out;
}

}  // namespace

std::vector<std::string> node_permission_args(const std::vector<std::string>& read_paths,
                                              const std::string& node_version) {
  int major = 0;
  int minor = 0;
  std::sscanf(node_version.c_str(), "v%d.%d", &major, &minor);
  // No --allow-fs-write, --allow-child-process or --allow-worker: what is not allowed is refused.
  std::vector<std::string> out = {major >= 23 ? "--permission" : "--experimental-permission"};
  // Node 20 warns on stderr that the permission model is experimental, and writing that
  // takes the program's first millisecond: measured here, a setTimeout(0) then always ran
  // before a setImmediate (30 runs of 30), where without it each came first now and then.
  // Node 20.11 can silence that one warning; before it, only all of them.
  const bool selective = major > 20 || (major == 20 && minor >= 11);
  out.emplace_back(selective ? "--disable-warning=ExperimentalWarning" : "--no-warnings");
  for (const auto& path : read_paths) out.push_back("--allow-fs-read=" + path);
  return out;
}

const NetworkIsolation& network_isolation() {
  static const NetworkIsolation found = probe();
  return found;
}

pid_t spawn_without_network(const std::string& program, char* const argv[], char* const envp[], int out_fd,
                            int err_fd, const char* cwd) {
  const char* path = program.c_str();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork " + program);
  if (pid != 0) return pid;
  ::dup2(out_fd, STDOUT_FILENO);
  ::dup2(err_fd, STDERR_FILENO);
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
  if (cwd != nullptr && ::chdir(cwd) != 0) {
    write_all(STDERR_FILENO, "eventloop-trace: cannot enter the program's folder\n");
    _exit(126);
  }
  if (enter_network_namespace() != 0) {
    write_all(STDERR_FILENO, "eventloop-trace: cannot give node a network namespace of its own\n");
    _exit(126);
  }
  ::execve(path, argv, envp);
  write_all(STDERR_FILENO, "eventloop-trace: cannot execute node\n");
  _exit(127);
}

std::optional<std::string> link_leading_out(const std::filesystem::path& folder, std::size_t max_entries) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::path root = fs::canonical(folder, error);
  if (error) return std::nullopt;  // no folder: node reads nothing there either
  const auto inside = [&root](const fs::path& p) {
    auto [r, q] = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
    return r == root.end();
  };
  std::size_t seen = 0;
  // Directory links are not followed: each is checked as a link, like any other.
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, error);
  for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (++seen > max_entries) {
      return fmt::format("{} holds more than {} entries, too many to check for links leading out", root.string(),
                         max_entries);
    }
    if (!it->is_symlink(error)) continue;
    std::error_code dangling;
    const fs::path target = fs::canonical(it->path(), dangling);
    if (!dangling && !inside(target)) return fmt::format("{} -> {}", it->path().string(), target.string());
  }
  return std::nullopt;
}

std::string find_on_path(const std::string& argv0) {
  if (argv0.find('/') != std::string::npos) return argv0;
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    const auto colon = dirs.find(':');
    std::string dir(dirs.substr(0, colon));
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + argv0;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) return {};
    dirs.remove_prefix(colon + 1);
  }
}

}  // namespace elt::sandbox
