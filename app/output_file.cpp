#include "output_file.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "process.h"

namespace elt::app {

namespace {

namespace fs = std::filesystem;

std::string_view kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// The name rename() should replace: the file a symbolic link points at, so the link stays.
std::string target_of(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return path;
  std::error_code ec;
  fs::path resolved = fs::canonical(path, ec);
  return ec ? path : resolved.string();
}

// Writes all of `text` to `fd`; 0, or the errno of the write that failed.
int write_all(int fd, std::string_view text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

// A replaced file keeps its mode; a new one gets what umask allows a plain file.
mode_t mode_for(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return st.st_mode & 07777;
  mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

bool stop_signal_pending() {
  sigset_t pending;
  sigpending(&pending);
  for (int sig : stop_signals()) {
    if (sigismember(&pending, sig) == 1) return true;
  }
  return received_signal() != 0;
}

// The temporary file written, synced and renamed over `target`; the error, or "".
WriteResult write_and_rename(const std::string& target, const std::string& shown, std::string_view text,
                             std::string_view what) {
  auto failed = [&](int err) {
    return WriteResult{WriteResult::Kind::Failed, fmt::format("{}: cannot write {}: {}", shown, what,
                                                              std::strerror(err))};
  };
  fs::path t(target);
  fs::path dir = t.parent_path().empty() ? fs::path(".") : t.parent_path();
  std::string tmp = (dir / fmt::format(".{}.XXXXXX", t.filename().string())).string();
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) return failed(errno);
  int err = write_all(fd, text);
  if (err == 0 && (::fchmod(fd, mode_for(target)) != 0 || ::fsync(fd) != 0)) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  WriteResult result;
  if (err != 0) {
    result = failed(err);
  } else if (stop_signal_pending()) {
    result.kind = WriteResult::Kind::Interrupted;
  } else if (std::string refusal = refuse_output_path(target, what); !refusal.empty()) {
    // Checked again just before the rename: the name may have changed while we wrote.
    result = {WriteResult::Kind::Refused, refusal};
  } else if (std::rename(tmp.c_str(), target.c_str()) != 0) {
    result = failed(errno);
  }
  if (!result.ok()) ::unlink(tmp.c_str());
  return result;
}

}  // namespace

std::string refuse_output_path(const std::string& path, std::string_view what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};  // a new file (or one mkstemp will explain)
  if (S_ISREG(st.st_mode)) return {};
  if (S_ISDIR(st.st_mode)) return fmt::format("{}: is a directory; {} is written to a file", path, what);
  return fmt::format("{}: is {}, not a regular file; {} is written to regular files only", path, kind_of(st.st_mode),
                     what);
}

WriteResult write_file_atomically(const std::string& path, std::string_view text, std::string_view what,
                                  Links links) {
  if (std::string refusal = refuse_output_path(path, what); !refusal.empty()) {
    return {WriteResult::Kind::Refused, refusal};
  }
  struct stat st {};
  bool is_link = ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
  if (links == Links::Refuse && is_link) {
    return {WriteResult::Kind::Refused, fmt::format("{}: is a symbolic link; {} is not written through it", path, what)};
  }
  // A stop signal while the file is written is held off; one that came meanwhile cancels
  // the rename, and is delivered when the mask is restored.
  sigset_t block, old;
  sigemptyset(&block);
  for (int sig : stop_signals()) sigaddset(&block, sig);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  WriteResult result = write_and_rename(links == Links::Follow ? target_of(path) : path, path, text, what);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return result;
}

int write_stdout(std::string_view text) {
  if (standard_fds().stdout_closed) return EBADF;
  std::fflush(stdout);  // whatever stdio holds goes first
  return write_all(STDOUT_FILENO, text);
}

}  // namespace elt::app
