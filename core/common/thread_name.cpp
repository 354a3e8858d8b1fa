#include "common/thread_name.h"

#include <pthread.h>

namespace elt {

namespace {
// A fixed buffer, not a std::string: a thread_local with a destructor makes glibc register
// it for each thread at first use, and when that allocation fails (a thread started at the
// edge of `ulimit -v`) glibc aborts the process ("failed to register TLS destructor")
// instead of letting us report the failed start. Our names ("pool1023", "epoll") are short.
struct Name {
  char text[32] = "main";
  std::size_t size = 4;
};
thread_local Name t_name;
}  // namespace

void set_thread_name(std::string_view name) {
  name = name.substr(0, sizeof t_name.text - 1);
  name.copy(t_name.text, name.size());
  t_name.text[name.size()] = '\0';
  t_name.size = name.size();
  // The kernel limits names to 15 characters; the trace keeps the full name.
  char os_name[16] = {};
  name.substr(0, 15).copy(os_name, 15);
  pthread_setname_np(pthread_self(), os_name);
}

std::string_view thread_name() { return {t_name.text, t_name.size}; }

}  // namespace elt
