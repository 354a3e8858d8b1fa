// The fs module as the scenario sees it: fs_read, as the book's one-trip read or as
// Node 20's fs.readFile (open, fstat, read, close through the pool). The work functions
// here run on pool threads and touch nothing but their arguments.
#include "loop/runtime.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "common/check.h"
#include "pool/thread_pool.h"
#include "trace/tracer.h"

namespace elt {

namespace {

// A file read refuses files larger than this: /dev/zero would otherwise never end.
constexpr std::size_t kMaxFileBytes = 64 * 1024 * 1024;
// `shown` is the path as the scenario wrote it: messages must not depend on the folder
// the tool was started from.
Outcome read_file(const std::filesystem::path& path, const std::string& shown) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Outcome::fail(fmt::format("open \"{}\": {}", shown, std::strerror(errno)));
  std::string text;
  char buf[16 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Outcome::fail(fmt::format("read \"{}\": {}", shown, std::strerror(err)));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxFileBytes) {
      ::close(fd);
      return Outcome::fail(fmt::format("read \"{}\": larger than {} MiB", shown,
                                       kMaxFileBytes / (1024 * 1024)));
    }
  }
  ::close(fd);
  return Outcome::ok(Value::string(std::move(text)));
}

// The node model's trips (read_file_trips): open, then read what an fd holds.
Outcome open_for_read(const std::string& path, const std::string& shown) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Outcome::fail(fmt::format("open \"{}\": {}", shown, std::strerror(errno)));
  return Outcome::ok(Value::integer(fd));
}

Outcome read_fd(int fd, const std::string& shown) {
  std::string text;
  char buf[16 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Outcome::fail(fmt::format("read \"{}\": {}", shown, std::strerror(errno)));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxFileBytes) {
      return Outcome::fail(fmt::format("read \"{}\": larger than {} MiB", shown, kMaxFileBytes / (1024 * 1024)));
    }
  }
  return Outcome::ok(Value::string(std::move(text)));
}

}  // namespace

CallbackId Runtime::fs_read(std::filesystem::path path, Duration latency, Callback callback) {
  CallbackId id = add_callback(std::move(callback), "File read");
  Task task;
  task.id = id;
  task.kind = TaskKind::FileRead;
  task.simulated_latency = latency;
  std::string shown = path.string();
  if (path.is_relative()) path = options_.base_dir / path;
  if (options_.model.fs == FsTrips::ReadFile) {
    read_file_trips(id, path.string(), std::move(shown), latency);
    return id;
  }
  task.work = [path = std::move(path), shown = std::move(shown)] { return read_file(path, shown); };
  submit(std::move(task));
  return id;
}

// Node 20's fs.readFile (lib/fs.js, ReadFileContext): open, fstat, read, close, each a
// request on the pool whose callback, on the loop thread, starts the next; the scenario's
// callback runs after close. `latency` (delay_ms) is spent in the read.
// Divergence: Node reads a large file in 512 KiB pieces (kReadFileBufferLength), one trip
// each; here the read trip reads the whole file.
void Runtime::read_file_trips(CallbackId id, std::string path, std::string shown, Duration latency) {
  struct ReadState {
    Pending user;
    std::string path;
    std::string shown;
    int fd = -1;
    Outcome result;
  };
  auto it = callbacks_.find(id);
  ensure(it != callbacks_.end(), "a file read without its callback");
  auto st = std::make_shared<ReadState>();
  st->user = std::move(it->second);
  st->path = std::move(path);
  st->shown = std::move(shown);
  callbacks_.erase(it);

  auto deliver_user = [this, id, st](Outcome outcome) {
    if (outcome.failed()) {
      tracer_.emit(EventKind::CallbackError, id, fmt::format("File read {} failed: {}", id, *outcome.error));
    }
    labels_.erase(id);
    run_marked(id, st->user.what, [&] { st->user.callback(*this, std::move(outcome)); });
  };
  // One trip: the work on a pool thread, then `next` on the loop thread.
  auto trip = [this, id](TaskKind kind, Duration simulated, std::function<Outcome()> work, Callback next) {
    callbacks_.emplace(id, Pending{std::move(next), "internal"});
    Task task;
    task.id = id;
    task.kind = kind;
    task.simulated_latency = simulated;
    task.work = std::move(work);
    narrate(EventKind::TaskSubmitted, id, fmt::format("fs.readFile id {}: {} goes to the pool", id, to_string(kind)));
    submit(std::move(task));
  };
  auto close_then = [trip, st, deliver_user]() {
    int fd = st->fd;
    trip(TaskKind::FsClose, Duration::zero(), [fd] {
      ::close(fd);
      return Outcome::ok(Value{});
    }, [st, deliver_user](Runtime&, Outcome) { deliver_user(std::move(st->result)); });
  };
  auto read = [trip, st, latency, close_then]() {
    int fd = st->fd;
    trip(TaskKind::FsRead, latency, [fd, name = st->shown] { return read_fd(fd, name); },
         [st, close_then](Runtime&, Outcome outcome) {
           st->result = std::move(outcome);
           close_then();
         });
  };
  auto fstat_trip = [trip, st, read, close_then]() {
    int fd = st->fd;
    trip(TaskKind::FsFstat, Duration::zero(), [fd, name = st->shown] {
      struct stat info {};
      if (::fstat(fd, &info) != 0) return Outcome::fail(fmt::format("fstat \"{}\": {}", name, std::strerror(errno)));
      if (S_ISDIR(info.st_mode)) return Outcome::fail(fmt::format("read \"{}\": Is a directory", name));
      return Outcome::ok(Value::integer(static_cast<std::int64_t>(info.st_size)));
    }, [st, read, close_then](Runtime&, Outcome outcome) {
      if (outcome.failed()) {
        st->result = std::move(outcome);
        close_then();
        return;
      }
      read();
    });
  };
  std::string open_path = st->path;
  std::string open_shown = st->shown;
  trip(TaskKind::FsOpen, Duration::zero(), [open_path, open_shown] { return open_for_read(open_path, open_shown); },
       [st, fstat_trip, deliver_user](Runtime&, Outcome outcome) {
         if (outcome.failed()) {
           deliver_user(std::move(outcome));
           return;
         }
         st->fd = static_cast<int>(outcome.value.as_int());
         fstat_trip();
       });
}

}  // namespace elt
