// Confined, non-blocking opening of a scenario's files (see open_file.h).
#include "fs/open_file.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <deque>
#include <optional>
#include <system_error>

#include <fmt/format.h>

namespace elt::fs {

namespace {

namespace stdfs = std::filesystem;

// The kernel gives up after 40 symbolic links in one walk (MAXSYMLINKS); so do we.
constexpr int kMaxSymlinks = 40;
constexpr std::uint64_t kBeneath = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
constexpr int kReadFlags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;

// Closes on scope exit: every early return of a path walk would otherwise leak.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(-1); }
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

int sys_openat2(int dirfd, const char* path, std::uint64_t flags, std::uint64_t resolve) {
  open_how how{};
  how.flags = flags;
  how.resolve = resolve;
  return static_cast<int>(::syscall(SYS_openat2, dirfd, path, &how, sizeof how));
}

// What a path resolved to: an O_PATH descriptor of the file (never blocks, never runs a
// driver's open) and a way to open the same name for reading.
struct Resolved {
  Fd file;    // O_PATH
  Fd parent;  // Walk only: the directory that holds `name`
  std::string name;
};

// A link met on the walk: its target's components go first in `todo`, to be walked in its
// place. False, with `err`, for too many links (ELOOP, as the kernel counts them) or an
// absolute target, which would leave the root (EXDEV).
bool walk_link_instead(int link_fd, int links, std::deque<std::string>& todo, int& err) {
  if (links > kMaxSymlinks) {
    err = ELOOP;
    return false;
  }
  char target[PATH_MAX];
  ssize_t n = ::readlinkat(link_fd, "", target, sizeof target);
  if (n < 0) {
    err = errno;
    return false;
  }
  stdfs::path link(std::string(target, static_cast<std::size_t>(n)));
  if (link.is_absolute()) {
    err = EXDEV;
    return false;
  }
  std::vector<std::string> parts;
  for (const auto& part : link) parts.push_back(part.string());
  todo.insert(todo.begin(), parts.begin(), parts.end());
  return true;
}

// The walk the kernel does for RESOLVE_BENEATH, done by hand: one component at a time,
// never following a link blindly. `..` may climb back only as far as the root, a link's
// target is walked in its place (an absolute target is an escape), and a walk that would
// leave the root fails with EXDEV, as openat2 does.
std::optional<Resolved> walk_beneath(int root_fd, const stdfs::path& rel, int& err) {
  std::vector<Fd> dirs;  // dirs[0] is the root; back() is where the walk stands
  dirs.emplace_back(::fcntl(root_fd, F_DUPFD_CLOEXEC, 0));
  if (!dirs.back().ok()) {
    err = errno;
    return std::nullopt;
  }
  std::deque<std::string> todo;
  for (const auto& part : rel) todo.push_back(part.string());
  Resolved out;
  int links = 0;
  while (!todo.empty()) {
    std::string name = std::move(todo.front());
    todo.pop_front();
    if (name.empty() || name == "." || name == "/") continue;
    if (out.file.ok()) {  // more to walk below something that is not a directory
      err = ENOTDIR;
      return std::nullopt;
    }
    if (name == "..") {
      if (dirs.size() == 1) {
        err = EXDEV;
        return std::nullopt;
      }
      dirs.pop_back();
      continue;
    }
    Fd fd(::openat(dirs.back().get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.ok()) {
      err = errno;
      return std::nullopt;
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
      err = errno;
      return std::nullopt;
    }
    if (S_ISLNK(st.st_mode)) {
      if (!walk_link_instead(fd.get(), ++links, todo, err)) return std::nullopt;
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      dirs.push_back(std::move(fd));
    } else {
      out.parent.reset(::fcntl(dirs.back().get(), F_DUPFD_CLOEXEC, 0));
      out.name = name;
      out.file = std::move(fd);
    }
  }
  if (!out.file.ok()) out.file = std::move(dirs.back());  // the walk ended on a directory
  return out;
}

std::string_view kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

std::string not_regular(const std::string& written, mode_t mode) {
  return fmt::format("read \"{}\" refused: it is {}, and fs_read reads only regular files "
                     "(a pipe or a device could block the thread for ever)",
                     written, kind_of(mode));
}

// One attempt: `rel` below `root`. An escape is reported through `escaped`, so that the
// caller can try another allowed root before refusing.
OpenedFile open_beneath(const OpenedScope::Root& root, const stdfs::path& rel, const std::string& written,
                        Resolver resolver, bool& escaped) {
  escaped = false;
  if (root.fd < 0) return {-1, fmt::format("open \"{}\": {}", written, std::strerror(root.error))};
  const bool kernel = resolver == Resolver::Openat2 || (resolver == Resolver::Auto && have_openat2());
  const stdfs::path target = rel.empty() ? stdfs::path(".") : rel;

  Resolved found;
  if (kernel) {
    found.file.reset(sys_openat2(root.fd, target.c_str(), O_PATH | O_CLOEXEC, kBeneath));
    if (!found.file.ok()) {
      int err = errno;
      if (err == EXDEV || err == ELOOP) {
        escaped = true;
        return {};
      }
      return {-1, fmt::format("open \"{}\": {}", written, std::strerror(err))};
    }
  } else {
    int err = 0;
    auto walked = walk_beneath(root.fd, target, err);
    if (!walked) {
      if (err == EXDEV || err == ELOOP) {
        escaped = true;
        return {};
      }
      return {-1, fmt::format("open \"{}\": {}", written, std::strerror(err))};
    }
    found = std::move(*walked);
  }

  struct stat before {};
  if (::fstat(found.file.get(), &before) != 0) {
    return {-1, fmt::format("open \"{}\": {}", written, std::strerror(errno))};
  }
  if (!S_ISREG(before.st_mode)) return {-1, not_regular(written, before.st_mode)};

  // Now that it is known to be a regular file, open it for reading: the same walk again
  // (openat2), or the last component in the directory the walk found (no link there).
  Fd file(kernel ? sys_openat2(root.fd, target.c_str(), kReadFlags, kBeneath)
                 : ::openat(found.parent.get(), found.name.c_str(), kReadFlags | O_NOFOLLOW));
  if (!file.ok()) return {-1, fmt::format("open \"{}\": {}", written, std::strerror(errno))};
  struct stat after {};
  if (::fstat(file.get(), &after) != 0) return {-1, fmt::format("open \"{}\": {}", written, std::strerror(errno))};
  // Swapped between the two opens (a FIFO put in its place): refuse what we now hold.
  if (!S_ISREG(after.st_mode)) return {-1, not_regular(written, after.st_mode)};
  if (after.st_dev != before.st_dev || after.st_ino != before.st_ino) {
    return {-1, fmt::format("read \"{}\" refused: the file changed while it was being opened", written)};
  }
  return {file.release(), {}};
}

bool climbs_out(const stdfs::path& normal) { return !normal.empty() && *normal.begin() == ".."; }

// `p` below `root`, both absolute and lexically normal; nullopt when it is not.
std::optional<stdfs::path> below(const stdfs::path& p, const stdfs::path& root) {
  stdfs::path rel = p.lexically_relative(root);
  if (rel.empty() || climbs_out(rel)) return std::nullopt;
  return rel;
}

}  // namespace

bool have_openat2() {
  static const bool have = [] {
    int fd = sys_openat2(AT_FDCWD, "/", O_PATH | O_CLOEXEC, 0);
    if (fd < 0) return false;  // ENOSYS (before Linux 5.6), or EPERM from a seccomp filter
    ::close(fd);
    return true;
  }();
  return have;
}

OpenedScope::OpenedScope(const ReadScope& scope) {
  std::error_code ec;
  std::vector<stdfs::path> folders{stdfs::absolute(scope.folder, ec)};
  folders.insert(folders.end(), scope.allowed.begin(), scope.allowed.end());
  for (const auto& folder : folders) {
    Root root;
    root.path = stdfs::weakly_canonical(folder, ec);
    if (ec) root.path = folder.lexically_normal();
    root.fd = ::open(root.path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root.fd < 0) root.error = errno;
    roots_.push_back(std::move(root));
  }
}

OpenedScope::~OpenedScope() {
  for (const auto& root : roots_) {
    if (root.fd >= 0) ::close(root.fd);
  }
}

OpenedFile open_for_reading(const ReadScope& scope, const std::string& written, Resolver resolver) {
  return open_for_reading(OpenedScope(scope), written, resolver);
}

OpenedFile open_for_reading(const OpenedScope& scope, const std::string& written, Resolver resolver) {
  const stdfs::path path(written);
  const OpenedScope::Root& folder = scope.roots().front();
  bool escaped = false;
  // The common case: a relative path that stays, as written, inside the scenario's folder.
  if (path.is_relative() && !climbs_out(path.lexically_normal())) {
    OpenedFile opened = open_beneath(folder, path, written, resolver, escaped);
    if (!escaped) return opened;
  }
  // Otherwise the path must lie below the scenario's folder (an absolute path into it) or
  // below a folder named with --allow-read. It is compared after resolving its links (as
  // Deno does), and then opened below that folder's descriptor with the same rules, so a
  // link inside it cannot lead further out, and a name that now leads elsewhere (the
  // folder swapped for a link) reaches only what that folder held when the run began.
  {
    std::error_code ec;
    stdfs::path absolute = path.is_absolute() ? path : folder.path / path;
    stdfs::path resolved = stdfs::weakly_canonical(absolute, ec);
    if (ec) resolved = absolute.lexically_normal();
    for (const auto& root : scope.roots()) {
      auto rel = below(resolved, root.path);
      if (!rel) continue;
      bool out = false;
      OpenedFile opened = open_beneath(root, *rel, written, resolver, out);
      if (!out) return opened;
    }
  }
  const char* rule = path.is_absolute()          ? "it is an absolute path"
                     : climbs_out(path.lexically_normal()) ? "its \"..\" climbs out of the scenario's folder"
                                                  : "a symbolic link on the way leads out of the scenario's folder";
  return {-1, fmt::format("read \"{}\" refused: {}, and a scenario reads only files below its own folder "
                          "(--allow-read PATH allows more)",
                          written, rule)};
}

}  // namespace elt::fs
