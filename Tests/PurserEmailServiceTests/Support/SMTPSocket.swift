import Foundation
import Glibc

/// A plain TCP client for the SMTP listener, bound to a chosen loopback source
/// address (`127.0.0.2` is another remote address to the listener than
/// `127.0.0.1`). Its blocking calls run on a thread of their own, never on the
/// concurrency pool, and every read is bounded by a receive timeout.
final class SMTPSocket: @unchecked Sendable {
    private let fd: Int32
    /// Received and not yet returned; touched only by one blocking call at a time.
    private var received: [UInt8] = []

    private init(port: Int, source: String, timeoutSeconds: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed: errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard Self.withAddress(source, port: 0, { bind(fd, $0, $1) }) == 0 else {
            Glibc.close(fd)
            throw TestFailure("cannot bind \(source): errno \(errno)")
        }
        guard Self.withAddress("127.0.0.1", port: port, { Glibc.connect(fd, $0, $1) }) == 0 else {
            Glibc.close(fd)
            throw TestFailure("cannot connect to port \(port): errno \(errno)")
        }
    }

    /// Connects to the listener on 127.0.0.1:`port` from `source`.
    static func connect(port: Int, from source: String, timeoutSeconds: Int = 10) async throws -> SMTPSocket {
        try await onThread { try SMTPSocket(port: port, source: source, timeoutSeconds: timeoutSeconds) }
    }

    /// The next complete reply (every line up to one whose code is followed by a space),
    /// or what arrived before the server closed (`<EOF>`) or the timeout (`<TIMEOUT>`).
    func reply() async -> String {
        (try? await onThread { self.readReply() }) ?? "<ERROR>"
    }

    /// Everything until the server closes the connection, then `<EOF>` (or `<TIMEOUT>`, `<RESET>`).
    func readToEnd() async -> String {
        (try? await onThread {
            var text = ""
            while true {
                let next = self.readReply()
                text += next
                if next.hasSuffix(">") { return text }
            }
        }) ?? "<ERROR>"
    }

    func send(_ text: String) async {
        _ = try? await onThread {
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBytes { Glibc.send(self.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
    }

    func close() { Glibc.close(fd) }

    private func readReply() -> String {
        while true {
            if let end = completeReplyEnd() {
                let reply = String(decoding: received[..<end], as: UTF8.self)
                received.removeSubrange(..<end)
                return reply
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += chunk.prefix(count)
                continue
            }
            let marker = count == 0 ? "<EOF>" : (errno == EAGAIN || errno == EWOULDBLOCK ? "<TIMEOUT>" : "<RESET>")
            let rest = String(decoding: received, as: UTF8.self)
            received.removeAll()
            return rest + marker
        }
    }

    /// The index after the CRLF of the first reply's last line, when it has arrived.
    private func completeReplyEnd() -> Int? {
        var start = 0
        while let newline = received[start...].firstIndex(of: 10) {
            let line = received[start..<newline]
            if line.count >= 4, line[line.startIndex + 3] == UInt8(ascii: " ") { return newline + 1 }
            start = newline + 1
        }
        return nil
    }

    private static func withAddress(
        _ host: String, port: Int, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32
    ) -> Int32 {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr(host)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}

/// Runs blocking `body` on a new thread and returns its result.
private func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
