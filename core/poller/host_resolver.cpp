#include "poller/host_resolver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>

#include <fmt/format.h>

#include "clock/clock.h"
#include "common/thread_name.h"

namespace elt {

struct HostResolver::Shared {
  std::mutex mutex;  // guards everything below; held while `done` runs, so that close()
                     // can wait for a `done` in progress and none starts after it
  std::condition_variable wakeup;
  std::deque<std::pair<std::string, Done>> queue;
  bool closing = false;
  bool busy = false;  // inside getaddrinfo
};

namespace {

HostResolver::Answer look_up(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (rc != 0 || found == nullptr) return {{}, fmt::format("unknown host \"{}\": {}", host, gai_strerror(rc))};
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr, text, sizeof text);
  freeaddrinfo(found);
  return {text, {}};
}

}  // namespace

void HostResolver::serve(const std::shared_ptr<Shared>& shared) {
  set_thread_name("resolver");
  std::unique_lock lock(shared->mutex);
  for (;;) {
    shared->wakeup.wait(lock, [&] { return shared->closing || !shared->queue.empty(); });
    if (shared->closing) return;
    auto [host, done] = std::move(shared->queue.front());
    shared->queue.pop_front();
    shared->busy = true;
    lock.unlock();
    HostResolver::Answer answer = look_up(host);
    lock.lock();
    shared->busy = false;
    if (shared->closing) return;
    done(std::move(answer));
  }
}

void HostResolver::lookup(std::string host, Done done) {
  if (!shared_) {
    shared_ = std::make_shared<Shared>();
    thread_ = std::thread([shared = shared_] { serve(shared); });
  }
  {
    std::lock_guard lock(shared_->mutex);
    shared_->queue.emplace_back(std::move(host), std::move(done));
  }
  shared_->wakeup.notify_one();
}

void HostResolver::close() {
  if (!shared_) return;
  bool stuck = false;
  {
    std::lock_guard lock(shared_->mutex);
    shared_->closing = true;
    shared_->queue.clear();
    stuck = shared_->busy;
  }
  shared_->wakeup.notify_one();
  if (thread_.joinable()) {
    if (stuck) {
      thread_.detach();  // see the header: a lookup in getaddrinfo cannot be cut short
    } else {
      thread_.join();
    }
  }
  shared_.reset();
}

}  // namespace elt

namespace elt {

HostResolver::Answer HostResolver::resolve_blocking(const std::string& host, std::chrono::milliseconds timeout,
                                                    const std::atomic<bool>& stop) {
  auto promise = std::make_shared<std::promise<Answer>>();
  std::future<Answer> answer = promise->get_future();
  HostResolver resolver;
  resolver.lookup(host, [promise](Answer a) { promise->set_value(std::move(a)); });
  // Real time on both clocks: it guards against a DNS server that never answers.
  const auto deadline = real_time_now() + timeout;
  while (answer.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
    if (stop.load(std::memory_order_relaxed)) return {{}, fmt::format("looking up \"{}\": interrupted by shutdown", host)};
    if (real_time_now() >= deadline) {
      return {{}, fmt::format("looking up \"{}\" took longer than {} ms (is the DNS server answering?)", host,
                              timeout.count())};
    }
  }
  return answer.get();
}

}  // namespace elt
