"""The client's lean HTTP/1.1 transport against a scripted local socket (no node needed)."""
import socket
import threading
import unittest

from cloudburst.client import _LeanHttp


class ScriptedServer:
    """Accepts one connection and answers each request with the next canned response."""

    def __init__(self, responses):
        self.requests = []
        self._srv = socket.socket()
        self._srv.bind(("127.0.0.1", 0))
        self._srv.listen(1)
        self.port = self._srv.getsockname()[1]
        self._responses = responses
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        conn, _ = self._srv.accept()
        with conn:
            for response in self._responses:
                self.requests.append(conn.recv(65536))
                conn.sendall(response)

    def close(self):
        self._srv.close()


class LeanHttpTest(unittest.TestCase):
    def test_bodies_framed_by_length_chunks_no_content_and_close(self):
        server = ScriptedServer([
            b'HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n{"a":1}',
            b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{"a"\r\n3\r\n:2}\r\n0\r\n\r\n',
            b"HTTP/1.1 204 No Content\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n[1,2]",
        ])
        self.addCleanup(server.close)
        http = _LeanHttp("127.0.0.1", server.port, 5)
        self.addCleanup(http.close)
        self.assertEqual(http.exchange("POST", "/p", b"{}", 5), (200, b'{"a":1}', False))
        self.assertEqual(http.exchange("GET", "/c", None, 5), (200, b'{"a":2}', False))
        self.assertEqual(http.exchange("DELETE", "/d", None, 5), (204, b"", False))
        self.assertEqual(http.exchange("GET", "/x", None, 5), (200, b"[1,2]", True))
        self.assertTrue(server.requests[0].startswith(b"POST /p HTTP/1.1\r\n"))
        self.assertIn(b"Content-Length: 2\r\n", server.requests[0])
        self.assertTrue(server.requests[0].endswith(b"\r\n\r\n{}"))

    def test_the_token_travels_as_a_bearer_header(self):
        server = ScriptedServer([b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"])
        self.addCleanup(server.close)
        http = _LeanHttp("127.0.0.1", server.port, 5, "Bearer s3cret")
        self.addCleanup(http.close)
        self.assertEqual(http.exchange("GET", "/v1/functions", None, 5)[0], 200)
        self.assertIn(b"\r\nAuthorization: Bearer s3cret\r\n", server.requests[0])

    def test_a_connection_the_server_closed_raises_a_reset(self):
        server = ScriptedServer([b""])
        self.addCleanup(server.close)
        http = _LeanHttp("127.0.0.1", server.port, 5)
        self.addCleanup(http.close)
        with self.assertRaises(ConnectionResetError):
            http.exchange("GET", "/x", None, 5)


if __name__ == "__main__":
    unittest.main()
