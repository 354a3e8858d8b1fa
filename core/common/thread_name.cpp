#include "common/thread_name.h"

#include <pthread.h>

namespace elt {

namespace {
thread_local std::string t_name = "main";
}

void set_thread_name(std::string_view name) {
  t_name = std::string(name);
  // The kernel limits names to 15 characters; the trace keeps the full name.
  std::string os_name = t_name.substr(0, 15);
  pthread_setname_np(pthread_self(), os_name.c_str());
}

const std::string& thread_name() { return t_name; }

}  // namespace elt
