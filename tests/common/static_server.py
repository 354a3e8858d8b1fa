# A plain HTTP server for the shell tests: serves the folder given as the first argument
# on a free loopback port, prints the port on the first line of stdout, logs nothing.
import functools
import http.server
import sys

handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
handler.log_message = lambda *a: None
server = http.server.HTTPServer(("127.0.0.1", 0), handler)
print(server.server_address[1], flush=True)
server.serve_forever()
