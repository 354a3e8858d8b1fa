// libuv: N HTTP GETs to a loopback server, K in flight at a time.
//
//   bench-uv-http-get URL [N=10000] [K=1000]
//
// URL is http://HOST:PORT/PATH with a numeric IPv4 host (the benchmark server's). Each
// request is a new connection (the server answers `Connection: close`); the response is
// read until the server closes, and counts as ok if it starts with "HTTP/1.1 200". When a
// request ends, the next one starts, so K stay in flight until the last N % K.
//
// Prints: requests, ok, failed, wall_s (first connect to last close), req_per_s.
#include <string>

#include "common.h"

namespace {

struct Request {
  uv_tcp_t tcp;
  uv_connect_t connect;
  uv_write_t write;
  std::string response;
};

sockaddr_in g_addr{};
std::string g_request;
long long g_total = 0;
long long g_started = 0;
long long g_ok = 0;
long long g_failed = 0;
uv_loop_t* g_loop = nullptr;
std::string g_first_error;

void start_one();

void on_closed(uv_handle_t* handle) {
  delete static_cast<Request*>(handle->data);
  if (g_started < g_total) start_one();
}

void finish(Request* r, bool ok, int err) {
  if (ok) {
    ++g_ok;
  } else {
    ++g_failed;
    if (g_first_error.empty()) g_first_error = err != 0 ? uv_strerror(err) : "bad response";
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&r->tcp), on_closed);
}

void on_alloc(uv_handle_t*, std::size_t, uv_buf_t* buf) {
  static char slab[64 * 1024];
  *buf = uv_buf_init(slab, sizeof slab);
}

void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* r = static_cast<Request*>(stream->data);
  if (nread > 0) {
    r->response.append(buf->base, static_cast<std::size_t>(nread));
    return;
  }
  if (nread == UV_EOF) {
    finish(r, r->response.rfind("HTTP/1.1 200", 0) == 0, 0);
  } else if (nread < 0) {
    finish(r, false, static_cast<int>(nread));
  }
}

void on_written(uv_write_t* req, int status) {
  auto* r = static_cast<Request*>(req->data);
  if (status < 0) finish(r, false, status);
}

void on_connect(uv_connect_t* req, int status) {
  auto* r = static_cast<Request*>(req->data);
  if (status < 0) {
    finish(r, false, status);
    return;
  }
  uv_buf_t out = uv_buf_init(g_request.data(), static_cast<unsigned>(g_request.size()));
  r->write.data = r;
  int rc = uv_write(&r->write, reinterpret_cast<uv_stream_t*>(&r->tcp), &out, 1, on_written);
  if (rc < 0) {
    finish(r, false, rc);
    return;
  }
  rc = uv_read_start(reinterpret_cast<uv_stream_t*>(&r->tcp), on_alloc, on_read);
  if (rc < 0) finish(r, false, rc);
}

void start_one() {
  ++g_started;
  auto* r = new Request();
  r->tcp.data = r;
  r->connect.data = r;
  bench::check_uv("uv_tcp_init", uv_tcp_init(g_loop, &r->tcp));
  uv_tcp_nodelay(&r->tcp, 1);
  int rc = uv_tcp_connect(&r->connect, &r->tcp, reinterpret_cast<const sockaddr*>(&g_addr), on_connect);
  if (rc < 0) finish(r, false, rc);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s http://HOST:PORT/PATH [N] [K]\n", argv[0]);
    return 2;
  }
  std::string url = argv[1];
  g_total = bench::arg_int(argc, argv, 2, 10'000);
  long long in_flight = bench::arg_int(argc, argv, 3, 1000);
  if (url.rfind("http://", 0) != 0) {
    std::fprintf(stderr, "%s: only http:// URLs\n", argv[0]);
    return 2;
  }
  std::string rest = url.substr(7);
  std::string hostport = rest.substr(0, rest.find('/'));
  std::string path = rest.find('/') == std::string::npos ? "/" : rest.substr(rest.find('/'));
  std::string host = hostport.substr(0, hostport.find(':'));
  int port = hostport.find(':') == std::string::npos ? 80 : std::atoi(hostport.substr(hostport.find(':') + 1).c_str());
  if (uv_ip4_addr(host.c_str(), port, &g_addr) != 0) {
    std::fprintf(stderr, "%s: the host must be a numeric IPv4 address, got \"%s\"\n", argv[0], host.c_str());
    return 2;
  }
  g_request = "GET " + path + " HTTP/1.1\r\nHost: " + hostport + "\r\nConnection: close\r\n\r\n";

  g_loop = uv_default_loop();
  std::uint64_t start = bench::now_ns();
  for (long long i = 0; i < in_flight && g_started < g_total; ++i) start_one();
  uv_run(g_loop, UV_RUN_DEFAULT);
  double wall = static_cast<double>(bench::now_ns() - start) / 1e9;
  std::printf("requests=%lld ok=%lld failed=%lld wall_s=%.6f req_per_s=%.0f\n", g_started, g_ok, g_failed, wall,
              wall > 0 ? static_cast<double>(g_ok) / wall : 0.0);
  if (!g_first_error.empty()) std::fprintf(stderr, "first failure: %s\n", g_first_error.c_str());
  uv_loop_close(g_loop);
  return g_failed == 0 && g_ok == g_total ? 0 : 1;
}
