// A tiny loopback HTTP server for the GET benchmarks: the same one for libuv, Node and
// eventloop-trace. Single-threaded, on libuv. Reads a request up to its blank line, answers
//
//   HTTP/1.1 200 OK / Content-Type: text/plain / Content-Length: 3 / Connection: close
//
// with the body "ok\n", and closes the connection.
//
//   bench-http-server [PORT=0] [HOST=127.0.0.1]
//
// PORT 0 picks a free port. Prints `port=<n>` on stdout once it listens, then serves
// until SIGINT or SIGTERM and prints `served=<n>`.
#include <csignal>
#include <string>

#include "common.h"

namespace {

constexpr char kResponse[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";

struct Client {
  uv_tcp_t tcp;
  uv_write_t write;
  std::string request;
  bool answered = false;
};

uv_tcp_t g_server;
uv_signal_t g_sigint;
uv_signal_t g_sigterm;
long long g_served = 0;
long long g_errors = 0;

void on_client_closed(uv_handle_t* handle) { delete static_cast<Client*>(handle->data); }

void close_client(Client* c) {
  auto* handle = reinterpret_cast<uv_handle_t*>(&c->tcp);
  if (!uv_is_closing(handle)) uv_close(handle, on_client_closed);
}

void on_alloc(uv_handle_t*, std::size_t, uv_buf_t* buf) {
  static char slab[64 * 1024];  // one loop thread: one buffer, consumed before the next read
  *buf = uv_buf_init(slab, sizeof slab);
}

void on_written(uv_write_t* req, int status) {
  auto* c = static_cast<Client*>(req->data);
  if (status == 0) {
    ++g_served;
  } else {
    ++g_errors;
  }
  close_client(c);
}

void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* c = static_cast<Client*>(stream->data);
  if (nread < 0) {  // EOF before a whole request, or an error
    if (!c->answered) ++g_errors;
    close_client(c);
    return;
  }
  if (c->answered || nread == 0) return;
  c->request.append(buf->base, static_cast<std::size_t>(nread));
  if (c->request.find("\r\n\r\n") == std::string::npos) {
    if (c->request.size() > 64 * 1024) close_client(c);  // not a GET we understand
    return;
  }
  c->answered = true;
  uv_read_stop(stream);
  uv_buf_t out = uv_buf_init(const_cast<char*>(kResponse), sizeof kResponse - 1);
  c->write.data = c;
  int rc = uv_write(&c->write, stream, &out, 1, on_written);
  if (rc < 0) {
    ++g_errors;
    close_client(c);
  }
}

void on_connection(uv_stream_t* server, int status) {
  if (status < 0) {
    ++g_errors;
    return;
  }
  auto* c = new Client();
  c->tcp.data = c;
  bench::check_uv("uv_tcp_init", uv_tcp_init(server->loop, &c->tcp));
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0) {
    close_client(c);
    return;
  }
  uv_tcp_nodelay(&c->tcp, 1);
  bench::check_uv("uv_read_start", uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp), on_alloc, on_read));
}

void on_signal(uv_signal_t* handle, int) {
  uv_loop_t* loop = handle->loop;
  uv_close(reinterpret_cast<uv_handle_t*>(&g_server), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&g_sigint), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&g_sigterm), nullptr);
  uv_walk(
      loop, [](uv_handle_t* h, void*) { if (!uv_is_closing(h)) uv_close(h, h->data ? on_client_closed : nullptr); },
      nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  long long port = bench::arg_int(argc, argv, 1, 0);
  const char* host = argc > 2 ? argv[2] : "127.0.0.1";
  std::signal(SIGPIPE, SIG_IGN);
  uv_loop_t* loop = uv_default_loop();
  sockaddr_in addr{};
  bench::check_uv("uv_ip4_addr", uv_ip4_addr(host, static_cast<int>(port), &addr));
  bench::check_uv("uv_tcp_init", uv_tcp_init(loop, &g_server));
  g_server.data = nullptr;
  bench::check_uv("bind", uv_tcp_bind(&g_server, reinterpret_cast<const sockaddr*>(&addr), 0));
  // The kernel caps the backlog at net.core.somaxconn (4096 on current kernels): enough
  // for the 1000 connections the benchmark keeps in flight.
  bench::check_uv("listen", uv_listen(reinterpret_cast<uv_stream_t*>(&g_server), 4096, on_connection));
  sockaddr_storage bound{};
  int len = sizeof bound;
  bench::check_uv("getsockname", uv_tcp_getsockname(&g_server, reinterpret_cast<sockaddr*>(&bound), &len));
  std::printf("port=%d\n", ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port));
  std::fflush(stdout);

  uv_signal_init(loop, &g_sigint);
  uv_signal_init(loop, &g_sigterm);
  g_sigint.data = nullptr;
  g_sigterm.data = nullptr;
  uv_signal_start(&g_sigint, on_signal, SIGINT);
  uv_signal_start(&g_sigterm, on_signal, SIGTERM);
  uv_run(loop, UV_RUN_DEFAULT);
  std::printf("served=%lld errors=%lld\n", g_served, g_errors);
  uv_loop_close(loop);
  return 0;
}
