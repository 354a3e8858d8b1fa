// Opening a file a scenario names, confined to the folders it may read.
//
// A scenario is code a student wrote, run next to a teacher's secrets, so `fs_read` reads
// only files below the scenario's own folder, plus the folders the person running the tool
// allowed with --allow-read (as Deno's --allow-read does). "Below" is decided by the
// kernel's path walk, not by comparing strings: an absolute path, a `..` that climbs out,
// and a symbolic link whose target lies outside are all refused, as openat2(2) with
// RESOLVE_BENEATH refuses them. Where the kernel has openat2 (Linux 5.6) we use it; where
// it does not (or a seccomp filter hides it), we walk the path one component at a time
// with O_PATH descriptors and apply the same rules ourselves.
//
// Only regular files are opened for reading. A FIFO, a terminal, /dev/kmsg or a socket
// could block the pool thread in open() or read() for ever, and no signal would then end
// the run; so the file is first opened with O_PATH (which never blocks and never calls a
// driver), checked, and only then opened for reading, with O_NONBLOCK in case it was
// swapped for a FIFO in between (the second open is checked to be the same file).
//
// The folders are opened once, when the run starts (OpenedScope), and every read is resolved
// beneath those descriptors, not beneath their names: a folder renamed, or replaced by a
// symbolic link to / while a delayed read waits, cannot move what the read may reach. The
// read then finds the folder it was given (or nothing, if that was deleted).
// Limit: a hard link inside a folder to a file outside it is that file; the kernel cannot
// tell it from any other name, so it is read (on most systems only the file's owner or
// root may make one: fs.protected_hardlinks).
//
// Thread-safety: OpenedScope is immutable once built; pool threads share it and call
// open_for_reading at the same time.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace elt::fs {

// Where a scenario may read: its folder, and what --allow-read added (absolute paths).
struct ReadScope {
  std::filesystem::path folder;
  std::vector<std::filesystem::path> allowed;
};

// How a path is resolved; Auto means openat2 when the kernel has it. Tests force Walk to
// check that both give the same answers.
enum class Resolver { Auto, Openat2, Walk };

struct OpenedFile {
  int fd = -1;        // open O_RDONLY | O_NONBLOCK | O_CLOEXEC; the caller closes it
  std::string error;  // when fd < 0: why, naming the rule ("read \"x\" refused: ...")
};

// The folders of a ReadScope, held open (O_PATH) from construction to destruction.
// A folder that cannot be opened is remembered with its error, which each read reports.
class OpenedScope {
 public:
  explicit OpenedScope(const ReadScope& scope);
  ~OpenedScope();
  OpenedScope(const OpenedScope&) = delete;
  OpenedScope& operator=(const OpenedScope&) = delete;

  struct Root {
    std::filesystem::path path;  // absolute and canonical, as it was when opened
    int fd = -1;                 // O_PATH | O_DIRECTORY, or -1 and `error`
    int error = 0;
  };
  // The scenario's folder first, then each --allow-read folder.
  const std::vector<Root>& roots() const { return roots_; }

 private:
  std::vector<Root> roots_;
};

// Opens `written` (the path as the scenario wrote it; also what messages show).
OpenedFile open_for_reading(const OpenedScope& scope, const std::string& written,
                            Resolver resolver = Resolver::Auto);
// The same with the folders opened now, for this one read.
OpenedFile open_for_reading(const ReadScope& scope, const std::string& written,
                            Resolver resolver = Resolver::Auto);

// True when this kernel (and any seccomp filter) lets us call openat2.
bool have_openat2();

}  // namespace elt::fs
