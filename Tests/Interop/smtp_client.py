#!/usr/bin/env python3
"""SMTP client used by PurserEmailServiceTests: a real, independent SMTP
implementation (Python's smtplib) and raw sockets for pipelined, slow and idle
clients. Prints one JSON object on stdout.

  smtp_client.py send --port P [--host H] [--starttls --cafile CA] --sender S --to A [--to B ...]
        [--subject TEXT] [--body-file F | --size N]
  smtp_client.py raw --port P [--delay-ms D] [--chunk N] [--read-timeout S]   (bytes to send on stdin;
        a line "<WAIT 354>" makes the client wait for a 354 reply before sending what follows, as a
        PIPELINING client does after DATA)
  smtp_client.py many --port P [--starttls --cafile CA] --count N [--per-connection M] --sender S --to A
        (N concurrent connections, each sending M messages; prints deliveries and elapsed seconds)
"""
import argparse
import json
import smtplib
import socket
import ssl
import sys
import threading
import time
from email.message import EmailMessage


def build_message(args):
    message = EmailMessage()
    message["From"] = args.sender
    message["To"] = ", ".join(args.to)
    message["Subject"] = args.subject
    message["Message-ID"] = "<interop-%d@test.local>" % time.time_ns()
    if args.body_file:
        with open(args.body_file, encoding="utf-8") as handle:
            body = handle.read()
    elif args.size:
        line = "x" * 76 + "\n"
        body = line * (args.size // len(line) + 1)
    else:
        body = "hello\n"
    message.set_content(body)
    return message


def send(args):
    message = build_message(args)
    result = {"ok": False}
    try:
        with smtplib.SMTP(args.host, args.port, timeout=30) as client:
            client.ehlo("interop.test")
            if args.starttls:
                context = ssl.create_default_context(cafile=args.cafile)
                code, text = client.starttls(context=context)
                result["starttls"] = code
                result["cipher"] = client.sock.cipher()[0]
                client.ehlo("interop.test")
            result["esmtp_features"] = sorted(client.esmtp_features.keys())
            refused = client.send_message(message, from_addr=args.sender, to_addrs=args.to)
            result["ok"] = True
            result["refused"] = {address: [code, text.decode()] for address, (code, text) in refused.items()}
    except smtplib.SMTPRecipientsRefused as error:
        result["kind"] = "recipients_refused"
        result["refused"] = {address: [code, text.decode()] for address, (code, text) in error.recipients.items()}
    except smtplib.SMTPSenderRefused as error:
        result["kind"] = "sender_refused"
        result["code"] = error.smtp_code
        result["message"] = error.smtp_error.decode()
    except smtplib.SMTPDataError as error:
        result["kind"] = "data"
        result["code"] = error.smtp_code
        result["message"] = error.smtp_error.decode()
    except smtplib.SMTPResponseException as error:
        result["kind"] = "response"
        result["code"] = error.smtp_code
        result["message"] = error.smtp_error.decode()
    print(json.dumps(result))


def raw(args):
    payload = sys.stdin.buffer.read()
    started = time.monotonic()
    sock = socket.create_connection((args.host, args.port), timeout=args.read_timeout)
    received = bytearray()
    done = threading.Event()

    def reader():
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    received.extend(b"<EOF>")
                    break
                received.extend(chunk)
        except socket.timeout:
            received.extend(b"<TIMEOUT>")
        except OSError:
            received.extend(b"<RESET>")
        done.set()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    parts = payload.split(b"<WAIT 354>\r\n")
    try:
        for number, part in enumerate(parts):
            if number > 0:
                deadline = time.monotonic() + args.read_timeout
                while b"\r\n354 " not in bytes(received) and not done.is_set() and time.monotonic() < deadline:
                    time.sleep(0.01)
            if args.delay_ms > 0:
                for index in range(0, len(part), args.chunk):
                    sock.sendall(part[index:index + args.chunk])
                    time.sleep(args.delay_ms / 1000.0)
            else:
                sock.sendall(part)
    except OSError:
        pass
    done.wait(args.read_timeout + 5)
    sock.close()
    print(json.dumps({"replies": received.decode("utf-8", "replace"), "seconds": time.monotonic() - started}))


def many(args):
    results = []
    lock = threading.Lock()

    def one(index):
        try:
            with smtplib.SMTP(args.host, args.port, timeout=60) as client:
                if args.starttls:
                    client.ehlo("interop.test")
                    client.starttls(context=ssl.create_default_context(cafile=args.cafile))
                    client.ehlo("interop.test")
                for sequence in range(args.per_connection):
                    message = EmailMessage()
                    message["From"] = args.sender
                    message["To"] = args.to[0]
                    message["Subject"] = "concurrent %d.%d" % (index, sequence)
                    message.set_content("message number %d.%d\n" % (index, sequence))
                    client.send_message(message, from_addr=args.sender, to_addrs=args.to)
                    with lock:
                        results.append(True)
        except Exception as error:  # reported, the test decides
            with lock:
                results.append(repr(error))

    threads = [threading.Thread(target=one, args=(index,)) for index in range(args.count)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    failures = [result for result in results if result is not True]
    print(json.dumps({"delivered": len(results) - len(failures), "failures": failures[:5], "seconds": elapsed}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["send", "raw", "many"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--starttls", action="store_true")
    parser.add_argument("--cafile")
    parser.add_argument("--sender", default="sender@example.org")
    parser.add_argument("--to", action="append", default=[])
    parser.add_argument("--subject", default="test")
    parser.add_argument("--body-file")
    parser.add_argument("--size", type=int, default=0)
    parser.add_argument("--delay-ms", type=int, default=0)
    parser.add_argument("--chunk", type=int, default=1)
    parser.add_argument("--read-timeout", type=float, default=10.0)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--per-connection", type=int, default=1)
    args = parser.parse_args()
    {"send": send, "raw": raw, "many": many}[args.mode](args)


if __name__ == "__main__":
    main()
