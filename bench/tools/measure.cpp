// Runs one command and reports its wall time and peak RSS, like /usr/bin/time -f "%e %M"
// but to the microsecond, and can sample the child's RSS at a given moment (to see whether
// memory returns after a burst of work).
//
//   bench-measure [--stdout PATH] [--rss-at MS] -- COMMAND [ARGS...]
//
// --stdout PATH   the child's standard output goes to PATH (e.g. /dev/null) instead of
//                 ours; its standard error is left alone.
// --rss-at MS     read VmRSS from /proc/<pid>/status MS milliseconds after the start.
//
// Prints one line on stdout after the child exits:
//   proc_wall_s=<s> cpu_s=<user+system s> maxrss_kb=<KiB> rss_at_kb=<KiB or -1> status=<exit status or 128+signal>
// and exits with the child's status.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace {

double mono_s() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

long vm_rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

[[noreturn]] void usage(const char* argv0) {
  std::fprintf(stderr, "usage: %s [--stdout PATH] [--rss-at MS] -- COMMAND [ARGS...]\n", argv0);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  const char* child_stdout = nullptr;
  long rss_at_ms = -1;
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a == "--stdout" && i + 1 < argc) {
      child_stdout = argv[++i];
    } else if (a == "--rss-at" && i + 1 < argc) {
      rss_at_ms = std::strtol(argv[++i], nullptr, 10);
    } else {
      usage(argv[0]);
    }
  }
  if (i >= argc) usage(argv[0]);

  std::fflush(stdout);
  double start = mono_s();
  pid_t pid = fork();
  if (pid < 0) {
    std::perror("fork");
    return 1;
  }
  if (pid == 0) {
    if (child_stdout != nullptr) {
      int fd = open(child_stdout, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0) {
        std::perror(child_stdout);
        _exit(127);
      }
    }
    execvp(argv[i], argv + i);
    std::perror(argv[i]);
    _exit(127);
  }

  long rss_at = -1;
  if (rss_at_ms >= 0) {
    double until = start + static_cast<double>(rss_at_ms) / 1000.0;
    for (;;) {
      siginfo_t info{};
      // Exited before the moment: no sample (WNOWAIT leaves it for wait4 below).
      if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) break;
      double left = until - mono_s();
      if (left <= 0) {
        rss_at = vm_rss_kb(pid);
        break;
      }
      usleep(static_cast<useconds_t>(std::min(left, 0.005) * 1e6));
    }
  }

  int status = 0;
  rusage usage_info{};
  if (wait4(pid, &status, 0, &usage_info) < 0) {
    std::perror("wait4");
    return 1;
  }
  double wall = mono_s() - start;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  auto seconds = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
  double cpu = seconds(usage_info.ru_utime) + seconds(usage_info.ru_stime);
  std::printf("proc_wall_s=%.6f cpu_s=%.3f maxrss_kb=%ld rss_at_kb=%ld status=%d\n", wall, cpu, usage_info.ru_maxrss,
              rss_at, code);
  return code;
}
