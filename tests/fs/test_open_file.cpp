// fs_read's confinement and its refusal of files that could block, checked on a real tree
// of files, links and a FIFO, with both resolvers: openat2 and the O_PATH walk that
// stands in for it on kernels without openat2. Both must give the same answers.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "fs/open_file.h"

using namespace elt;
namespace stdfs = std::filesystem;

namespace {

// A scenario folder with a file inside, links in and out, and a secret next to it:
//   root/scenario/{a.txt, sub/b.txt, link-in -> sub/b.txt, link-out -> ../secret.txt,
//                  link-abs -> /etc/hostname, dir-out -> .., fifo}
//   root/secret.txt, root/shared/c.txt
struct Tree {
  stdfs::path root;
  Tree() {
    char tmpl[] = "/tmp/elt-open-file-XXXXXX";
    root = ::mkdtemp(tmpl);
    stdfs::create_directories(root / "scenario" / "sub");
    stdfs::create_directories(root / "shared");
    write(root / "scenario" / "a.txt", "inside");
    write(root / "scenario" / "sub" / "b.txt", "below");
    write(root / "secret.txt", "SECRET");
    write(root / "shared" / "c.txt", "shared");
    stdfs::create_symlink("sub/b.txt", root / "scenario" / "link-in");
    stdfs::create_symlink("../secret.txt", root / "scenario" / "link-out");
    stdfs::create_symlink("/etc/hostname", root / "scenario" / "link-abs");
    stdfs::create_symlink("..", root / "scenario" / "dir-out");
    ::mkfifo((root / "scenario" / "fifo").c_str(), 0600);
  }
  ~Tree() { stdfs::remove_all(root); }
  static void write(const stdfs::path& p, const std::string& text) { std::ofstream(p) << text; }
  fs::ReadScope scope(std::vector<stdfs::path> allowed = {}) const {
    return fs::ReadScope{root / "scenario", std::move(allowed)};
  }
};

// The file's text, or the error.
std::string read(const fs::ReadScope& scope, const std::string& path, fs::Resolver resolver) {
  fs::OpenedFile opened = fs::open_for_reading(scope, path, resolver);
  if (opened.fd < 0) return opened.error;
  std::string text(64, '\0');
  ssize_t n = ::read(opened.fd, text.data(), text.size());
  ::close(opened.fd);
  text.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return text;
}

}  // namespace

TEST_CASE("fs_read is confined to the scenario's folder, with openat2 and without", "[fs][untrusted]") {
  Tree tree;
  auto resolver = GENERATE(fs::Resolver::Openat2, fs::Resolver::Walk);
  if (resolver == fs::Resolver::Openat2 && !fs::have_openat2()) { WARN("this kernel has no openat2: only the walk is checked"); return; }
  CAPTURE(resolver == fs::Resolver::Walk ? "walk" : "openat2");
  auto scope = tree.scope();

  // Inside: plain, through a subfolder and back, through a link that stays inside.
  CHECK(read(scope, "a.txt", resolver) == "inside");
  CHECK(read(scope, "sub/../a.txt", resolver) == "inside");
  CHECK(read(scope, "./sub/b.txt", resolver) == "below");
  CHECK(read(scope, "link-in", resolver) == "below");

  // Out: each refusal names its rule.
  CHECK(read(scope, "../secret.txt", resolver).starts_with("read \"../secret.txt\" refused: its \"..\" climbs out"));
  CHECK(read(scope, "sub/../../secret.txt", resolver).find("climbs out") != std::string::npos);
  CHECK(read(scope, "link-out", resolver).starts_with("read \"link-out\" refused: a symbolic link"));
  CHECK(read(scope, "link-abs", resolver).starts_with("read \"link-abs\" refused: a symbolic link"));
  CHECK(read(scope, "dir-out/secret.txt", resolver).starts_with("read \"dir-out/secret.txt\" refused: a symbolic link"));
  CHECK(read(scope, "/proc/self/environ", resolver) ==
        "read \"/proc/self/environ\" refused: it is an absolute path, and a scenario reads only files below "
        "its own folder (--allow-read PATH allows more)");
  CHECK(read(scope, (tree.root / "secret.txt").string(), resolver).find("refused: it is an absolute path") !=
        std::string::npos);

  // An absolute path that leads inside is inside.
  CHECK(read(scope, (tree.root / "scenario" / "a.txt").string(), resolver) == "inside");
  CHECK(read(scope, (tree.root / "scenario" / "link-out").string(), resolver).find("refused") != std::string::npos);

  // Inside but missing: the ordinary error, as before.
  CHECK(read(scope, "no-such-dir/missing.txt", resolver) == "open \"no-such-dir/missing.txt\": No such file or directory");
}

TEST_CASE("allow-read widens the confinement to the folders it names, and no further", "[fs][untrusted]") {
  Tree tree;
  auto resolver = GENERATE(fs::Resolver::Openat2, fs::Resolver::Walk);
  if (resolver == fs::Resolver::Openat2 && !fs::have_openat2()) { WARN("this kernel has no openat2: only the walk is checked"); return; }
  auto scope = tree.scope({tree.root / "shared"});
  CHECK(read(scope, (tree.root / "shared" / "c.txt").string(), resolver) == "shared");
  CHECK(read(scope, "../shared/c.txt", resolver) == "shared");
  CHECK(read(scope, (tree.root / "shared" / ".." / "secret.txt").string(), resolver).find("refused") !=
        std::string::npos);
  CHECK(read(scope, "../secret.txt", resolver).find("refused") != std::string::npos);
  // The whole parent allowed: the link that leaves the scenario's folder now lands inside.
  auto wide = tree.scope({tree.root});
  CHECK(read(wide, "link-out", resolver) == "SECRET");
  CHECK(read(wide, "link-abs", resolver).find("refused") != std::string::npos);
}

TEST_CASE("fs_read refuses what is not a regular file, before an open that could block", "[fs][untrusted]") {
  Tree tree;
  auto resolver = GENERATE(fs::Resolver::Openat2, fs::Resolver::Walk);
  if (resolver == fs::Resolver::Openat2 && !fs::have_openat2()) { WARN("this kernel has no openat2: only the walk is checked"); return; }
  auto start = std::chrono::steady_clock::now();
  // Nobody writes to the FIFO: an open for reading would wait for a writer for ever.
  CHECK(read(tree.scope(), "fifo", resolver) ==
        "read \"fifo\" refused: it is a FIFO (named pipe), and fs_read reads only regular files "
        "(a pipe or a device could block the thread for ever)");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
  CHECK(read(tree.scope(), "sub", resolver).starts_with("read \"sub\" refused: it is a directory"));
  CHECK(read(tree.scope(), ".", resolver).starts_with("read \".\" refused: it is a directory"));
  auto dev = tree.scope({"/dev"});
  CHECK(read(dev, "/dev/kmsg", resolver).starts_with("read \"/dev/kmsg\" refused: it is a character device"));
  CHECK(read(dev, "/dev/zero", resolver).starts_with("read \"/dev/zero\" refused: it is a character device"));
  // /dev/stdin is a link to /proc/self/fd/0, outside /dev: refused as a way out...
  CHECK(read(dev, "/dev/stdin", resolver).find("refused") != std::string::npos);
  // ... and with everything allowed, refused as what it is (a pipe, a terminal or /dev/null).
  CHECK(read(tree.scope({"/"}), "/dev/stdin", resolver).find("refused: it is") != std::string::npos);
}

namespace {
std::string read(const fs::OpenedScope& scope, const std::string& path, fs::Resolver resolver) {
  fs::OpenedFile opened = fs::open_for_reading(scope, path, resolver);
  if (opened.fd < 0) return opened.error;
  std::string text(64, '\0');
  ssize_t n = ::read(opened.fd, text.data(), text.size());
  ::close(opened.fd);
  text.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return text;
}
}  // namespace

// Issue 25, item 3: the folder is opened once (when the run starts) and every read is
// resolved beneath that descriptor; renaming the folder, or putting a link to / in its
// place, between that moment and a read cannot move what the read reaches.
TEST_CASE("fs_read stays in the folder it was given when the folder is swapped", "[fs][untrusted]") {
  Tree tree;
  auto resolver = GENERATE(fs::Resolver::Openat2, fs::Resolver::Walk);
  if (resolver == fs::Resolver::Openat2 && !fs::have_openat2()) { WARN("this kernel has no openat2: only the walk is checked"); return; }
  CAPTURE(resolver == fs::Resolver::Walk ? "walk" : "openat2");
  fs::OpenedScope scope(tree.scope());

  // Moved away, and a link to the folder above it (where the secret is) takes its name.
  stdfs::rename(tree.root / "scenario", tree.root / "moved");
  stdfs::create_symlink(tree.root, tree.root / "scenario");
  CHECK(read(scope, "secret.txt", resolver) == "open \"secret.txt\": No such file or directory");
  CHECK(read(scope, "a.txt", resolver) == "inside");  // the folder it was given, wherever it is now
  CHECK(read(scope, (tree.root / "scenario" / "secret.txt").string(), resolver).find("refused") != std::string::npos);

  // Deleted, and a link to / in its place: nothing outside is reached.
  stdfs::remove(tree.root / "scenario");
  stdfs::remove_all(tree.root / "moved");
  stdfs::create_symlink("/", tree.root / "scenario");
  CHECK(read(scope, "etc/passwd", resolver) == "open \"etc/passwd\": No such file or directory");
  CHECK(read(scope, "a.txt", resolver) == "open \"a.txt\": No such file or directory");
}
