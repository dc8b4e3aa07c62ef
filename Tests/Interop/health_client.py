#!/usr/bin/env python3
"""Calls purser.health.v1.Health/Check on a purser/1 server using only the
standard library (ssl, socket, struct) and protobuf classes generated from
Shared/PurserAPI/proto/health.proto at run time. Proves that any language with
a protobuf library and a TLS socket can be a client.

Usage: health_client.py HOST PORT CA_PEM [SERVER_NAME]
Prints the serving status name and exits 0 when it is SERVING, 1 otherwise,
2 on a protocol or transport error.
"""
import os
import socket
import ssl
import struct
import subprocess
import sys
import tempfile

REQUEST, RESPONSE, GOAWAY = 1, 2, 6
METHOD = b"purser.health.v1.Health/Check"


def generated_health_module(workdir):
    proto_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Shared", "PurserAPI", "proto")
    subprocess.run(
        [sys.executable, "-m", "grpc_tools.protoc", "-I", proto_dir, "--python_out", workdir,
         os.path.join(proto_dir, "health.proto")],
        check=True)
    sys.path.insert(0, workdir)
    import health_pb2  # noqa: E402  (generated just above)
    return health_pb2


def frame(frame_type, stream, body):
    return struct.pack(">IBBHI", 8 + len(body), frame_type, 0, 0, stream) + body


def request_body(message_bytes, timeout_ms=5000):
    return struct.pack(">H", len(METHOD)) + METHOD + struct.pack(">I", timeout_ms) + struct.pack(">H", 0) + message_bytes


def read_exact(sock, count):
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ConnectionError("connection closed")
        data += chunk
    return data


def read_frame(sock):
    (length,) = struct.unpack(">I", read_exact(sock, 4))
    if length < 8:
        raise ValueError("frame length below header size")
    header = read_exact(sock, 8)
    frame_type, _flags, _reserved, stream = struct.unpack(">BBHI", header)
    return frame_type, stream, read_exact(sock, length - 8)


def parse_response(body):
    status = body[0]
    (message_length,) = struct.unpack(">H", body[1:3])
    offset = 3 + message_length
    message = body[3:offset].decode("utf-8")
    (count,) = struct.unpack(">H", body[offset:offset + 2])
    offset += 2
    metadata = {}
    for _ in range(count):
        key_length = body[offset]
        key = body[offset + 1:offset + 1 + key_length].decode()
        offset += 1 + key_length
        (value_length,) = struct.unpack(">H", body[offset:offset + 2])
        metadata[key] = body[offset + 2:offset + 2 + value_length].decode()
        offset += 2 + value_length
    return status, message, metadata, body[offset:]


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    host, port, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    server_name = sys.argv[4] if len(sys.argv) > 4 else host
    with tempfile.TemporaryDirectory() as workdir:
        health_pb2 = generated_health_module(workdir)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.minimum_version = ssl.TLSVersion.TLSv1_3
        context.maximum_version = ssl.TLSVersion.TLSv1_3
        context.load_verify_locations(ca)
        context.set_alpn_protocols(["purser/1"])
        try:
            with socket.create_connection((host, port), timeout=10) as raw:
                with context.wrap_socket(raw, server_hostname=server_name) as sock:
                    if sock.selected_alpn_protocol() != "purser/1":
                        print("ALPN purser/1 not negotiated", file=sys.stderr)
                        return 2
                    request = health_pb2.HealthCheckRequest(service="").SerializeToString()
                    sock.sendall(frame(REQUEST, 1, request_body(request)))
                    while True:
                        frame_type, stream, body = read_frame(sock)
                        if frame_type == RESPONSE and stream == 1:
                            break
                        if frame_type == GOAWAY:
                            print("server sent GOAWAY", file=sys.stderr)
                            return 2
        except (OSError, ValueError, ConnectionError) as error:
            print(f"transport error: {error}", file=sys.stderr)
            return 2
        status, message, metadata, message_bytes = parse_response(body)
        if status != 0:
            print(f"call failed: status {status} {message} {metadata}", file=sys.stderr)
            return 2
        response = health_pb2.HealthCheckResponse()
        response.ParseFromString(message_bytes)
        name = health_pb2.ServingStatus.Name(response.status)
        print(name)
        return 0 if response.status == health_pb2.SERVING else 1


if __name__ == "__main__":
    sys.exit(main())
