// Helpers shared by the libuv benchmark programs: a clock, peak RSS, argument parsing and
// the one-line report every program prints (`key=value` pairs, read by bench/run.sh).
#pragma once

#include <sys/resource.h>
#include <uv.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace bench {

inline std::uint64_t now_ns() { return uv_hrtime(); }

// Peak resident set size of this process, in KiB (Linux reports ru_maxrss in KiB).
inline long peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// The n-th positional argument as a whole number, or `fallback` when it is absent.
inline long long arg_int(int argc, char** argv, int n, long long fallback) {
  if (n >= argc) return fallback;
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(argv[n], &end, 10);
  if (errno != 0 || end == argv[n] || *end != '\0' || v < 0) {
    std::fprintf(stderr, "%s: argument %d: expected a whole number, got \"%s\"\n", argv[0], n, argv[n]);
    std::exit(2);
  }
  return v;
}

[[noreturn]] inline void die_uv(const char* what, int rc) {
  std::fprintf(stderr, "%s: %s\n", what, uv_strerror(rc));
  std::exit(1);
}

inline void check_uv(const char* what, int rc) {
  if (rc < 0) die_uv(what, rc);
}

}  // namespace bench
