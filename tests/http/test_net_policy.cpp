// http_get's network confinement: loopback by default, more with --allow-net, decided on
// the host as written, before any lookup. Every connection these tests make stays on this
// machine: loopback, or this machine's own non-loopback address (traffic to it never
// leaves the host).
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <optional>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "clock/clock.h"
#include "http/net_policy.h"
#include "loop/runtime.h"
#include "scenario/interpreter.h"
#include "scenario/scenario.h"
#include "trace/tracer.h"

using namespace elt;

TEST_CASE("the network policy allows loopback and what --allow-net names", "[http][untrusted]") {
  NetPolicy policy;
  CHECK(policy.check("127.0.0.1", 80).empty());
  CHECK(policy.check("127.1.2.3", 8080).empty());
  CHECK(policy.check("localhost", 1).empty());
  CHECK(policy.check("LocalHost", 1).empty());
  for (const char* host : {"192.0.2.1", "0.0.0.0", "2130706433", "0x7f.1", "127.0.0.1.nip.io", "example.com",
                           "127.0.0.1@example.com"}) {
    CAPTURE(host);
    CHECK(policy.check(host, 80).find("is not allowed") != std::string::npos);
  }
  std::string error;
  auto any_port = NetPolicy::parse_rule("Example.com", error);
  auto one_port = NetPolicy::parse_rule("192.0.2.1:8080", error);
  REQUIRE(any_port);
  REQUIRE(one_port);
  policy.allow(*any_port);
  policy.allow(*one_port);
  CHECK(policy.check("example.COM", 443).empty());
  CHECK(policy.check("www.example.com", 80).find("is not allowed") != std::string::npos);
  CHECK(policy.check("192.0.2.1", 8080).empty());
  CHECK(policy.check("192.0.2.1", 8081).find("connecting to 192.0.2.1:8081 is not allowed") != std::string::npos);
  CHECK_FALSE(NetPolicy::parse_rule("http://example.com", error));
  CHECK(error.find("expected HOST or HOST:PORT") != std::string::npos);
  CHECK_FALSE(NetPolicy::parse_rule("example.com:0", error));
  CHECK_FALSE(NetPolicy::parse_rule("", error));
}

namespace {

// This machine's first IPv4 address that is not loopback, if it has one.
std::optional<std::string> own_address() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return std::nullopt;
  std::optional<std::string> found;
  for (ifaddrs* it = list; it != nullptr && !found; it = it->ifa_next) {
    if (it->ifa_addr == nullptr || it->ifa_addr->sa_family != AF_INET) continue;
    auto* in = reinterpret_cast<sockaddr_in*>(it->ifa_addr);
    if ((ntohl(in->sin_addr.s_addr) >> 24) == 127) continue;
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    found = text;
  }
  freeifaddrs(list);
  return found;
}

// Answers every connection with a tiny 200, until stopped.
struct TinyServer {
  int fd = -1;
  std::uint16_t port = 0;
  std::atomic<int> served{0};
  std::thread thread;
  TinyServer() {
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd, 16);
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    thread = std::thread([this] {
      for (;;) {
        int c = accept(fd, nullptr, nullptr);
        if (c < 0) return;
        char buf[4096];
        (void)!recv(c, buf, sizeof buf, 0);
        const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
        (void)!send(c, reply, sizeof reply - 1, MSG_NOSIGNAL);
        ::close(c);
        ++served;
      }
    });
  }
  ~TinyServer() {
    shutdown(fd, SHUT_RDWR);
    thread.join();
    ::close(fd);
  }
};

std::string run(const std::string& json, const NetPolicy& policy) {
  auto scenario = scenario::parse_scenario(json, "test.json", ".");
  Tracer tracer(TraceFormat::Text, -1);
  RealClock clock;
  RuntimeOptions options = scenario::runtime_options(scenario);
  options.net_policy = policy;
  Runtime runtime(options, clock, tracer);
  scenario::run_scenario(runtime, scenario);
  return tracer.captured();
}

}  // namespace

TEST_CASE("http_get reaches only loopback unless --allow-net names the host", "[http][untrusted]") {
  auto address = own_address();
  if (!address) {
    WARN("no non-loopback IPv4 address here: the refusal is checked only by the policy's own test");
    return;
  }
  TinyServer server;
  std::string port = std::to_string(server.port);
  std::string json = R"({"program": [
    {"http_get": "http://127.0.0.1:)" + port + R"(/", "as": "r", "then": [{"print": "loopback ${r.status}"}]},
    {"http_get": "http://)" + *address + ":" + port + R"(/", "as": "r", "then": [{"print": "own address ${r.status}"}],
     "catch": [{"print": "refused: ${error}"}]}]})";

  std::string confined = run(json, NetPolicy{});
  CHECK(confined.find("loopback 200") != std::string::npos);
  CHECK(confined.find("refused: \"http://" + *address + ":" + port + "/\": connecting to " + *address + ":" +
                      port + " is not allowed") != std::string::npos);
  CHECK(server.served == 1);  // the refused request never connected

  NetPolicy wider;
  std::string error;
  wider.allow(*NetPolicy::parse_rule(*address + ":" + port, error));
  std::string allowed = run(json, wider);
  CHECK(allowed.find("own address 200") != std::string::npos);
  CHECK(server.served == 3);
}
