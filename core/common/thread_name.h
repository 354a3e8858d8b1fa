// The name a thread prints in the trace ("main", "pool0", "epoll").
//
// Set once by each thread when it starts; also given to the OS (pthread_setname_np) so
// that gdb, top -H and perf show the same names as the trace.
#pragma once

#include <string>
#include <string_view>

namespace elt {

void set_thread_name(std::string_view name);
std::string_view thread_name();

}  // namespace elt
