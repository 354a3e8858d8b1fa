#include "channel/channel.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <iterator>

#include "common/check.h"
#include "common/eventfd.h"

namespace elt {

CompletionChannel::CompletionChannel(Clock& clock, Participant loop) : clock_(clock), loop_(loop) {
  event_fd_ = eventfd(0, EFD_CLOEXEC);
  if (event_fd_ < 0) throw_errno("eventfd");
}

CompletionChannel::~CompletionChannel() { ::close(event_fd_); }

template <class C>
bool CompletionChannel::push(C&& completion) {
  std::lock_guard lock(mutex_);
  const bool was_empty = queue_.empty();
  queue_.emplace_back(std::forward<C>(completion));
  return was_empty;
}

void CompletionChannel::post(TaskDone&& done) {
  clock_.wake(loop_);
  if (push(std::move(done))) wake();  // as below
}

void CompletionChannel::post(Completion&& completion) {
  clock_.wake(loop_);
  const bool was_empty = push(std::move(completion));
  // Only the post that finds the queue empty writes the eventfd, as uv_async_send writes
  // only when the handle is not already pending: the loop empties the whole queue after
  // any wake-up (take_all), so posts that land behind a pending signal ride along with it.
  // A write per post cost a syscall and often a loop wake-up per pool task (100,000
  // writes for the 100,000-task benchmark).
  if (was_empty) wake();
}

void CompletionChannel::wake() {
  signal_eventfd(event_fd_);
}

void CompletionChannel::wait() {
  {
    std::lock_guard lock(mutex_);
    if (!queue_.empty()) return;
  }
  std::uint64_t count = 0;
  clock_.block();
  for (;;) {
    ssize_t n = ::read(event_fd_, &count, sizeof count);
    if (n == sizeof count) break;
    if (n < 0 && errno == EINTR) continue;
    throw_errno("read(eventfd)");
  }
  clock_.resume();
}

void CompletionChannel::clear_signal() {
  std::uint64_t count = 0;
  while (::read(event_fd_, &count, sizeof count) < 0 && errno == EINTR) {
  }
}

void CompletionChannel::take_all(std::vector<Completion>& into) {
  std::lock_guard lock(mutex_);
  if (into.empty()) {
    into.swap(queue_);
    return;
  }
  // Not emptied since the last take (an exception between take and recycle): append, so
  // that nothing is handed back to the queue and delivered twice.
  std::move(queue_.begin(), queue_.end(), std::back_inserter(into));
  queue_.clear();
}

std::vector<Completion> CompletionChannel::snapshot() const {
  std::lock_guard lock(mutex_);
  return {queue_.begin(), queue_.end()};
}

std::size_t CompletionChannel::size() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

}  // namespace elt
