// The fs module as the scenario sees it: fs_read, as the book's one-trip read or as
// Node 20's fs.readFile (open, fstat, read, close through the pool). The work functions
// here run on pool threads and touch nothing but their arguments.
#include "modules/fs.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <new>

#include <fmt/format.h>

#include "common/check.h"
#include "fs/open_file.h"
#include "loop/fs_plan.h"
#include "pool/thread_pool.h"
#include "trace/tracer.h"

namespace elt {

namespace {

// A file read refuses files larger than this: /dev/zero would otherwise never end.
constexpr std::size_t kMaxFileBytes = 64 * 1024 * 1024;
// A read without delay_ms costs no virtual time, however long it really takes. Above this
// size the real time stops being negligible against the trace's milliseconds: 1 MiB is
// about 10 ms from a disk that streams 100 MB/s (and a fraction of that from the page
// cache), where test.txt-sized files take microseconds. Such a read gets a warning.
constexpr std::size_t kUnseenReadBytes = 1024 * 1024;

// The warning for a read of `bytes` that took real time the virtual clock did not charge.
std::string unseen_read_warning(const std::string& shown, std::size_t bytes) {
  return fmt::format("fs_read of \"{}\" ({:.1f} MiB) without delay_ms: the virtual clock charges it 0 ms, "
                     "however long the disk takes; state the time it should take with delay_ms, or use --clock real",
                     shown, static_cast<double>(bytes) / (1024 * 1024));
}
// `shown` is the path as the scenario wrote it: messages must not depend on the folder
// the tool was started from. Where the file may be and what it may be (a regular file
// below the scenario's folder or an --allow-read folder) is open_for_reading's rule.
// Between two reads the thread looks at `stop`: a file that is slow to give its bytes
// (a FUSE or /proc file that waits) cannot hold shutdown up.
// `cap` says how much the read may bring in: the file cap, or less when the run's
// value_bytes has less left (then the refusal says so, and how to raise it).
struct ReadCap {
  std::uint64_t left = kMaxFileBytes;  // value_bytes not yet taken
  std::uint64_t limit = 0;             // value_bytes itself

  std::size_t bytes() const { return static_cast<std::size_t>(std::min<std::uint64_t>(kMaxFileBytes, left)); }
  std::string refusal(const std::string& shown) const {
    if (left < kMaxFileBytes) return fmt::format("read \"{}\": {}", shown, value_bytes_refusal(limit, left));
    return fmt::format("read \"{}\": larger than {} MiB", shown, kMaxFileBytes / (1024 * 1024));
  }
};

Outcome read_file(const fs::OpenedScope& scope, const std::string& shown, const std::atomic<bool>& stop,
                  const ReadCap& cap) {
  fs::OpenedFile opened = fs::open_for_reading(scope, shown);
  if (opened.fd < 0) return Outcome::fail(std::move(opened.error));
  const int fd = opened.fd;
  auto fail = [&](std::string message) {
    ::close(fd);
    return Outcome::fail(std::move(message));
  };
  std::string text;
  char buf[16 * 1024];
  for (;;) {
    if (stop.load(std::memory_order_relaxed)) return fail(fmt::format("read \"{}\": interrupted by shutdown", shown));
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, 200) == 0) continue;  // a regular file is always ready; see above
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return fail(fmt::format("read \"{}\": {}", shown, std::strerror(errno)));
    }
    if (n == 0) break;
    if (text.size() + static_cast<std::size_t>(n) > cap.bytes()) return fail(cap.refusal(shown));
    try {
      text.append(buf, static_cast<std::size_t>(n));
    } catch (const std::bad_alloc&) {
      return fail(fmt::format("read \"{}\": out of memory", shown));
    }
  }
  ::close(fd);
  return Outcome::ok(Value::string(std::move(text)));
}

// The node model's trips (read_file_trips): open, then read what an fd holds. The open
// follows the same rule as read_file (open_for_reading: confined, regular files only).
Outcome open_for_read(const fs::OpenedScope& scope, const std::string& shown) {
  fs::OpenedFile opened = fs::open_for_reading(scope, shown);
  if (opened.fd < 0) return Outcome::fail(std::move(opened.error));
  return Outcome::ok(Value::integer(opened.fd));
}

Outcome read_fd(int fd, const std::string& shown, const ReadCap& cap) {
  std::string text;
  char buf[16 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {  // open_for_reading opens O_NONBLOCK; a regular file never says this
        pollfd ready{fd, POLLIN, 0};
        ::poll(&ready, 1, 200);
        continue;
      }
      return Outcome::fail(fmt::format("read \"{}\": {}", shown, std::strerror(errno)));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > cap.bytes()) return Outcome::fail(cap.refusal(shown));
  }
  return Outcome::ok(Value::string(std::move(text)));
}

}  // namespace

CallbackId Runtime::fs_read(std::filesystem::path path, Duration latency, Callback callback, SourcePos at) {
  CallbackId id = add_callback(std::move(callback), "File read");
  fs_plan_->start(*this, id, path.string(), latency, at);  // the model's plan (loop/fs_plan.h)
  return id;
}

// The book's read: one task reads the whole file.
class OneTripRead final : public FsPlan {
 public:
  void start(Runtime& rt, CallbackId id, std::string shown, Duration latency, SourcePos at) const override {
    rt.read_in_one_trip(id, std::move(shown), latency, at);
  }
};

// Node 20's fs.readFile: four trips (Runtime::ReadFileTrips below).
class ReadFileTripsRead final : public FsPlan {
 public:
  void start(Runtime& rt, CallbackId id, std::string shown, Duration latency, SourcePos at) const override {
    rt.read_file_trips(id, std::move(shown), latency, at);
  }
};

std::unique_ptr<FsPlan> make_one_trip_read() { return std::make_unique<OneTripRead>(); }
std::unique_ptr<FsPlan> make_read_file_trips() { return std::make_unique<ReadFileTripsRead>(); }

void Runtime::read_in_one_trip(CallbackId id, std::string shown, Duration latency, SourcePos at) {
  Task task;
  task.id = id;
  task.kind = TaskKind::FileRead;
  task.simulated_latency = latency;
  // Whether the read's real time is unseen is known once its size is: on the pool thread.
  const bool unseen = latency == Duration::zero() && warns_unseen_time();
  task.work = [this, shown = std::move(shown), unseen, at, cap = ReadCap{value_bytes_left(), options_.limits.value_bytes}] {
    Outcome out = read_file(*read_scope_, shown, stop_, cap);
    if (unseen && !out.failed() && out.value.as_string().size() > kUnseenReadBytes) {
      warn_unseen_time(at, unseen_read_warning(shown, out.value.as_string().size()));
    }
    return out;
  };
  submit(std::move(task));
}

// Node 20's fs.readFile (lib/fs.js, ReadFileContext): open, fstat, read, close, each a
// request on the pool whose callback, on the loop thread, starts the next; the scenario's
// callback runs after close. `latency` (delay_ms) is spent in the read.
// Divergence: Node reads a large file in 512 KiB pieces (kReadFileBufferLength), one trip
// each; here the read trip reads the whole file.
//
// One read's chain: what its trips share, and each trip's start and end, in the order they
// run. The callback of the trip in flight holds it (shared), so it lives until the
// scenario's callback has run. Loop thread only; the work handed to the pool captures
// values (the fd, the name), never the chain.
struct Runtime::ReadFileTrips : std::enable_shared_from_this<ReadFileTrips> {
  Runtime& rt;
  CallbackId id;
  Pending user;
  std::string shown;
  Duration latency;
  SourcePos at;
  bool unseen = false;  // the read's real time goes uncharged (warn_unseen_time)
  int fd = -1;
  Outcome result;

  ReadFileTrips(Runtime& runtime, CallbackId read_id, std::string name, Duration delay, SourcePos pos)
      : rt(runtime), id(read_id), shown(std::move(name)), latency(delay), at(pos) {}

  // One trip: `work` on a pool thread, then `next` of this chain on the loop thread.
  void trip(TaskKind kind, Duration simulated, std::function<Outcome()> work, void (ReadFileTrips::*next)(Outcome)) {
    rt.callbacks_.emplace(id, Pending{[self = shared_from_this(), next](Runtime&, Outcome outcome) {
                                        ((*self).*next)(std::move(outcome));
                                      },
                                      "internal"});
    Task task;
    task.id = id;
    task.kind = kind;
    // The trip's own cost (the cost profile's pool_trip) comes on top of a stated delay.
    task.simulated_latency = simulated + rt.cost_of(Cost::PoolTrip);
    task.work = std::move(work);
    rt.narrate({.kind = EventKind::TaskSubmitted, .id = id, .what = to_string(kind)});
    rt.submit(std::move(task));
  }

  void open() {
    trip(TaskKind::FsOpen, Duration::zero(),
         [runtime = &rt, name = shown] { return open_for_read(*runtime->read_scope_, name); }, &ReadFileTrips::opened);
  }
  void opened(Outcome outcome) {
    if (outcome.failed()) {
      deliver(std::move(outcome));
      return;
    }
    fd = static_cast<int>(outcome.value.as_int());
    trip(TaskKind::FsFstat, Duration::zero(), [fd = fd, name = shown] {
      struct stat info {};
      if (::fstat(fd, &info) != 0) return Outcome::fail(fmt::format("fstat \"{}\": {}", name, std::strerror(errno)));
      if (S_ISDIR(info.st_mode)) return Outcome::fail(fmt::format("read \"{}\": Is a directory", name));
      return Outcome::ok(Value::integer(static_cast<std::int64_t>(info.st_size)));
    }, &ReadFileTrips::statted);
  }
  void statted(Outcome outcome) {
    if (outcome.failed()) {
      read_done(std::move(outcome));
      return;
    }
    // The cap is taken now, when the read starts: value_bytes spent since count against it.
    trip(TaskKind::FsRead, latency,
         // The cap as two numbers: a class's lambda may not hold this file's own types (a
         // unity build sees them as another file's anonymous namespace).
         [runtime = &rt, fd = fd, name = shown, unseen = unseen, at = at, left = rt.value_bytes_left(),
          limit = rt.options_.limits.value_bytes] {
           Outcome out = read_fd(fd, name, ReadCap{left, limit});
           if (unseen && !out.failed() && out.value.as_string().size() > kUnseenReadBytes) {
             runtime->warn_unseen_time(at, unseen_read_warning(name, out.value.as_string().size()));
           }
           return out;
         },
         &ReadFileTrips::read_done);
  }
  // The read's outcome (or fstat's failure) waits for the close, as Node's does.
  void read_done(Outcome outcome) {
    result = std::move(outcome);
    trip(TaskKind::FsClose, Duration::zero(), [fd = fd] {
      ::close(fd);
      return Outcome::ok(Value{});
    }, &ReadFileTrips::closed);
  }
  void closed(Outcome) { deliver(std::move(result)); }

  void deliver(Outcome outcome) {
    if (outcome.failed()) {
      rt.tracer_.emit({.kind = EventKind::CallbackError, .id = id, .what = "File read", .text = *outcome.error});
    }
    rt.labels_.erase(id);
    rt.run_marked(id, user.what, [&] { user.callback(rt, std::move(outcome)); });
  }
};

void Runtime::read_file_trips(CallbackId id, std::string shown, Duration latency, SourcePos at) {
  auto chain = std::make_shared<ReadFileTrips>(*this, id, std::move(shown), latency, at);
  chain->user = take_pending(id, "a file read without its callback");
  chain->unseen = latency == Duration::zero() && warns_unseen_time();
  chain->open();
}

// The module's call (fs.h): the loop's member above, which checks the thread.
CallbackId Fs::read(std::filesystem::path path, Duration latency, Runtime::Callback callback, SourcePos at) {
  return loop_.fs_read(std::move(path), latency, std::move(callback), at);
}

}  // namespace elt
